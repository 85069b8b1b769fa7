import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

const count = (text: string | null) => Number((text ?? '').replace(/[^\d-]/g, ''));

/** The workbench screen, by its data-testid hooks: what a spec may look at and do. */
export class WorkbenchPage {
  readonly workspaceName: Locator;
  readonly statusBar: Locator;
  readonly pipelineItems: Locator;
  readonly pipelineTitle: Locator;
  readonly unsavedMarker: Locator;
  readonly canvas: Locator;
  readonly canvasNodes: Locator;
  readonly edges: Locator;
  readonly inspector: Locator;
  readonly palette: Locator;
  readonly paletteSearch: Locator;
  readonly toast: Locator;

  constructor(readonly page: Page) {
    this.workspaceName = page.getByTestId('workspace-name');
    this.statusBar = page.getByTestId('status-bar');
    this.pipelineItems = page.getByTestId('pipeline-item');
    this.pipelineTitle = page.getByTestId('pipeline-title');
    this.unsavedMarker = page.getByTestId('unsaved-marker');
    this.canvas = page.getByTestId('canvas');
    this.canvasNodes = page.getByTestId('canvas-node');
    this.edges = page.locator('.react-flow__edge');
    this.inspector = page.getByTestId('inspector');
    this.palette = page.getByTestId('palette');
    this.paletteSearch = page.getByTestId('palette-search');
    this.toast = page.getByTestId('toast');
  }

  /** Attaches a screenshot of the current state to the test (test-results/e2e-artifacts/). */
  async shot(testInfo: TestInfo, name: string): Promise<string> {
    const path = testInfo.outputPath(`${name}.png`);
    await this.page.screenshot({ path });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }

  // --- files ------------------------------------------------------------------------
  async pipelineIds(): Promise<string[]> {
    await expect(this.pipelineItems.first()).toBeVisible();
    return this.pipelineItems.evaluateAll((items) => items.map((i) => i.getAttribute('data-pipeline-id') ?? ''));
  }

  pipelineItem(id: string): Locator {
    return this.page.locator(`[data-testid="pipeline-item"][data-pipeline-id="${id}"]`);
  }

  async openPipeline(id: string): Promise<void> {
    await this.pipelineItem(id).click();
    await expect(this.page.getByTestId('pipeline-file')).toHaveText(id);
    await expect(this.canvasNodes.first()).toBeVisible();
  }

  async newPipeline(): Promise<void> {
    await this.page.getByTestId('new-pipeline').click();
    await expect(this.page.getByTestId('canvas-empty')).toBeVisible();
  }

  async saveAs(fileName: string): Promise<void> {
    await this.page.getByTestId('toolbar-save-as').click();
    await this.page.getByTestId('prompt-input').fill(fileName);
    await this.page.getByTestId('prompt-ok').click();
    await expect(this.page.getByTestId('pipeline-file')).toHaveText(fileName);
  }

  // --- canvas -----------------------------------------------------------------------
  node(id: string): Locator {
    return this.page.locator(`[data-testid="canvas-node"][data-node-id="${id}"]`);
  }

  async nodeIds(): Promise<string[]> {
    return this.canvasNodes.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node-id') ?? ''));
  }

  paletteItem(type: string): Locator {
    return this.page.locator(`[data-testid="palette-item"][data-node-type="${type}"]`);
  }

  /** Adds a node by clicking its palette entry (placed in the middle of the view). */
  async addFromPalette(type: string): Promise<void> {
    const before = await this.canvasNodes.count();
    await this.paletteItem(type).click();
    await expect(this.canvasNodes).toHaveCount(before + 1);
  }

  /** Drags a palette entry onto the canvas at a point relative to the canvas' top-left corner. */
  async dragFromPalette(type: string, at: { x: number; y: number }): Promise<void> {
    const before = await this.canvasNodes.count();
    await this.paletteItem(type).dragTo(this.canvas, { targetPosition: at, steps: 10 });
    await expect(this.canvasNodes).toHaveCount(before + 1);
  }

  /** Connects an output port of one node to an input port of another, by dragging between the handles. */
  async connect(from: string, to: string, fromPort = 'out', toPort = 'in'): Promise<void> {
    const before = await this.edges.count();
    await this.node(from).getByTestId(`port-out-${fromPort}`).dragTo(this.node(to).getByTestId(`port-in-${toPort}`), { steps: 10 });
    await expect(this.edges).toHaveCount(before + 1);
  }

  async select(id: string): Promise<void> {
    await this.node(id).click();
    await expect(this.inspector).toHaveAttribute('data-node-id', id);
  }

  // --- inspector --------------------------------------------------------------------
  field(path: string): Locator {
    return this.inspector.getByTestId(`field-${path}`);
  }

  /** Types into a CodeMirror expression field (replacing its text). */
  async typeExpression(path: string, text: string): Promise<void> {
    const editor = this.field(path);
    await editor.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Backspace');
    await this.page.keyboard.type(text);
  }

  fieldError(path: string): Locator {
    return this.inspector.locator(`[data-testid="field-error"][data-path="${path}"]`);
  }

  // --- bottom panel -----------------------------------------------------------------
  async showTab(tab: 'preview' | 'problems' | 'runs' | 'logs'): Promise<void> {
    await this.page.getByTestId(`tab-${tab}`).click();
    await expect(this.page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  }

  /** Starts a run and waits until its job has finished; returns the status. */
  async runAndWait(timeout = 60_000): Promise<string> {
    await this.page.getByTestId('toolbar-run').click();
    await this.showTab('runs');
    const card = this.page.getByTestId('job-card').first();
    await expect(card).toHaveAttribute('data-status', /^(succeeded|failed|cancelled)$/, { timeout });
    return (await card.getAttribute('data-status')) ?? '';
  }

  /** Rows in/out/rejected a node's badge shows after a run. */
  async nodeCounts(id: string): Promise<{ rowsIn: number; rowsOut: number; rejected: number }> {
    const badge = this.node(id).getByTestId('node-counts');
    await expect(badge).toBeVisible();
    return {
      rowsIn: count(await badge.getAttribute('data-rows-in')),
      rowsOut: count(await badge.getAttribute('data-rows-out')),
      rejected: count(await badge.getAttribute('data-rejected')),
    };
  }
}
