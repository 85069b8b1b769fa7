import { expect, type Locator, type Page } from '@playwright/test';

/** What a sync job card shows (data attributes of its sync progress). */
export interface SyncCountsShown {
  status: string;
  phase: string;
  inserts: number;
  updates: number;
  deletes: number;
  conflicts: number;
  applied: number;
  complete: boolean;
  summary: string;
}

/** The sync screens by their data-testid hooks: the Syncs section, the sync editor, sync job cards. */
export class SyncPage {
  readonly editor: Locator;
  readonly items: Locator;
  readonly jobCards: Locator;

  constructor(readonly page: Page) {
    this.editor = page.getByTestId('sync-editor');
    this.items = page.getByTestId('sync-item');
    this.jobCards = page.getByTestId('job-card');
  }

  // --- the explorer -----------------------------------------------------------------
  item(id: string): Locator {
    return this.page.locator(`[data-testid="sync-item"][data-sync-id="${id}"]`);
  }

  async newSync(): Promise<void> {
    await this.page.getByTestId('new-sync').click();
    await expect(this.editor).toBeVisible();
    await expect(this.page.getByTestId('sync-file')).toHaveText('not saved yet');
  }

  async open(id: string): Promise<void> {
    await this.item(id).click();
    await expect(this.editor).toHaveAttribute('data-sync-id', id);
  }

  async close(): Promise<void> {
    await this.page.getByTestId('sync-close').click();
    await expect(this.editor).toBeHidden();
  }

  // --- the editor ---------------------------------------------------------------------
  control(testId: string): Locator {
    return this.editor.getByTestId(testId);
  }

  fieldError(path: string): Locator {
    return this.editor.locator(`[data-testid="sync-field-error"][data-path="${path}"]`);
  }

  /** A connection from the list (a saved name, or a workspace database as `sqlite:./file`). */
  async chooseConnection(side: 'source' | 'target', value: string): Promise<void> {
    await this.control(`sync-${side}-connection`).selectOption(value);
  }

  /** Any database by URL ("Another database (URL)…"). */
  async typeConnectionUrl(side: 'source' | 'target', url: string): Promise<void> {
    await this.control(`sync-${side}-connection`).selectOption({ label: 'Another database (URL)…' });
    await expect(this.control(`sync-${side}-url`)).toBeFocused();
    await this.control(`sync-${side}-url`).fill(url);
  }

  async chooseSourceTable(table: string): Promise<void> {
    await this.control('sync-source-table').selectOption(table);
  }

  async typeTargetTable(table: string): Promise<void> {
    await this.control('sync-target-table').fill(table);
  }

  async save(): Promise<void> {
    await this.control('sync-save').click();
    await expect(this.editor).toHaveAttribute('data-dirty', 'false');
  }

  /** Starts a run from the editor, or with the Run button of a sync in the list; returns the new job's id (the newest card of the run monitor). */
  async runNow(fromList?: string): Promise<string> {
    const before = await this.jobCards.evaluateAll((cards) => cards.map((c) => c.getAttribute('data-job-id')));
    if (fromList) await this.page.locator(`[data-testid="sync-item"][data-sync-id="${fromList}"] + [data-testid="sync-run-now"]`).click();
    else await this.control('sync-run').click();
    await expect.poll(async () => (await this.jobCards.first().getAttribute('data-job-id')) ?? '').not.toBe(before[0] ?? '');
    const id = (await this.jobCards.first().getAttribute('data-job-id')) ?? '';
    expect(before).not.toContain(id);
    return id;
  }

  // --- the run monitor ------------------------------------------------------------------
  jobCard(jobId: string): Locator {
    return this.page.locator(`[data-testid="job-card"][data-job-id="${jobId}"]`);
  }

  async waitForJob(jobId: string, timeout = 60_000): Promise<string> {
    const card = this.jobCard(jobId);
    await expect(card).toHaveAttribute('data-status', /^(succeeded|failed|cancelled)$/, { timeout });
    // The final counts arrive with the finished job.
    await expect(card.getByTestId('sync-progress')).toHaveAttribute('data-phase', /^(done|recover|detect|apply)$/);
    return (await card.getAttribute('data-status')) ?? '';
  }

  async countsOf(jobId: string): Promise<SyncCountsShown> {
    const p = this.jobCard(jobId).getByTestId('sync-progress');
    await expect(p).toBeVisible();
    const n = async (attr: string) => Number(await p.getAttribute(attr));
    return {
      status: (await p.getAttribute('data-status')) ?? '',
      phase: (await p.getAttribute('data-phase')) ?? '',
      inserts: await n('data-inserts'),
      updates: await n('data-updates'),
      deletes: await n('data-deletes'),
      conflicts: await n('data-conflicts'),
      applied: await n('data-applied'),
      complete: (await p.getAttribute('data-complete')) === 'true',
      summary: ((await p.getByTestId('sync-summary').textContent()) ?? '').trim(),
    };
  }

  // --- the API as the page reaches it: the preload's bridge in the desktop app, HTTP (the session cookie) in a browser (globalThis is the window there)
  async call<T>(method: string, input: unknown): Promise<T> {
    return this.page.evaluate(
      async ({ method, input }) => {
        type Envelope = { ok: boolean; result?: unknown; error?: { message: string } };
        const bridge = (globalThis as unknown as { sluice?: { call: Record<string, (input: unknown) => Promise<Envelope>> } }).sluice;
        const env: Envelope = bridge
          ? await bridge.call[method](input)
          : ((await (await fetch(`/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) })).json()) as Envelope);
        if (!env.ok) throw new Error(`${method}: ${env.error?.message}`);
        return env.result;
      },
      { method, input },
    ) as Promise<T>;
  }
}
