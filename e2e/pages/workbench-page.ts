import { expect, type Locator, type Page } from '@playwright/test';

export interface NodeStatsRow {
  nodeId: string;
  rowsIn: number;
  rowsOut: number;
  rejected: number;
}

const count = (text: string | null) => Number((text ?? '').replace(/[^\d-]/g, ''));

/** The workbench screen, by its data-testid hooks: what a spec may look at and do. */
export class WorkbenchPage {
  readonly workspaceName: Locator;
  readonly pipelineList: Locator;
  readonly pipelineItems: Locator;
  readonly pipelineTitle: Locator;
  readonly nodeItems: Locator;
  readonly runButton: Locator;
  readonly runResult: Locator;
  readonly runStatus: Locator;
  readonly nodeStatsRows: Locator;
  readonly statusBar: Locator;
  readonly errors: Locator;

  constructor(readonly page: Page) {
    this.workspaceName = page.getByTestId('workspace-name');
    this.pipelineList = page.getByTestId('pipeline-list');
    this.pipelineItems = page.getByTestId('pipeline-item');
    this.pipelineTitle = page.getByTestId('pipeline-title');
    this.nodeItems = page.getByTestId('node-item');
    this.runButton = page.getByTestId('run-button');
    this.runResult = page.getByTestId('run-result');
    this.runStatus = page.getByTestId('run-status');
    this.nodeStatsRows = page.getByTestId('node-stats-row');
    this.statusBar = page.getByTestId('status-bar');
    this.errors = page.getByTestId('error');
  }

  async pipelineIds(): Promise<string[]> {
    await expect(this.pipelineList).toBeVisible();
    return this.pipelineItems.evaluateAll((items) => items.map((i) => i.getAttribute('data-pipeline-id') ?? ''));
  }

  async openPipeline(id: string): Promise<void> {
    await this.page.locator(`[data-testid="pipeline-item"][data-pipeline-id="${id}"]`).click();
    await expect(this.page.getByTestId('pipeline-view')).toHaveAttribute('data-pipeline-id', id);
    await expect(this.runButton).toBeEnabled();
  }

  async nodeIds(): Promise<string[]> {
    return this.nodeItems.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node-id') ?? ''));
  }

  /** Starts a run and waits until it has finished, whatever the outcome. */
  async runAndWait(timeout = 60_000): Promise<string> {
    await this.runButton.click();
    await expect(this.runResult).toBeVisible();
    await expect(this.runResult).toHaveAttribute('data-status', /^(succeeded|failed|cancelled)$/, { timeout });
    return (await this.runResult.getAttribute('data-status')) ?? '';
  }

  async nodeStats(): Promise<NodeStatsRow[]> {
    const rows = await this.nodeStatsRows.all();
    const out: NodeStatsRow[] = [];
    for (const row of rows) {
      out.push({
        nodeId: (await row.getAttribute('data-node-id')) ?? '',
        rowsIn: count(await row.getByTestId('rows-in').textContent()),
        rowsOut: count(await row.getByTestId('rows-out').textContent()),
        rejected: count(await row.getByTestId('rows-rejected').textContent()),
      });
    }
    return out;
  }
}
