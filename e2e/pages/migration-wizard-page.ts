import { expect, type Locator, type Page } from '@playwright/test';

export type WizardStep = 'endpoints' | 'tables' | 'options' | 'plan' | 'run' | 'report';

/** What the run view showed while the migration ran. */
export interface SeenProgress {
  phases: string[];
  tables: string[];
  bars: number;
}

interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}

interface PageGlobals {
  sluice?: { call: Record<string, (input: unknown) => Promise<unknown>> };
  fetch(url: string, init: Record<string, unknown>): Promise<{ json(): Promise<unknown> }>;
  document: PageElement & { body: PageElement };
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: Record<string, unknown>): void };
  __migSeen?: SeenProgress;
}

/** The migration wizard, by its data-testid hooks: what a spec may look at and do. */
export class MigrationWizardPage {
  readonly dialog: Locator;
  readonly stepTitle: Locator;
  readonly next: Locator;
  readonly back: Locator;
  readonly nextWhy: Locator;
  readonly sameDatabase: Locator;
  readonly tables: Locator;
  readonly plan: Locator;
  readonly planProblems: Locator;
  readonly ddl: Locator;
  readonly runButton: Locator;
  readonly runWhy: Locator;
  readonly run: Locator;
  readonly report: Locator;
  readonly outcome: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByTestId('migration-wizard');
    this.stepTitle = this.dialog.getByTestId('mig-step-title');
    this.next = this.dialog.getByTestId('mig-next');
    this.back = this.dialog.getByTestId('mig-back');
    this.nextWhy = this.dialog.getByTestId('mig-next-why');
    this.sameDatabase = this.dialog.getByTestId('mig-same-db');
    this.tables = this.dialog.getByTestId('mig-tables');
    this.plan = this.dialog.getByTestId('mig-plan');
    this.planProblems = this.dialog.getByTestId('mig-plan-problems');
    this.ddl = this.dialog.getByTestId('mig-ddl');
    this.runButton = this.dialog.getByTestId('mig-run');
    this.runWhy = this.dialog.getByTestId('mig-run-why');
    this.run = this.dialog.locator('section[data-testid="mig-run"]');
    this.report = this.dialog.getByTestId('mig-report');
    this.outcome = this.dialog.getByTestId('mig-outcome');
  }

  /**
   * Calls the API from the page, as the renderer does: the desktop app's bridge when there is
   * one, else the browser host over HTTP (same origin, the session's cookie).
   */
  async api<T>(method: string, input: Record<string, unknown>): Promise<T> {
    const envelope = await this.page.evaluate(
      async ([m, i]) => {
        const g = globalThis as unknown as PageGlobals;
        if (g.sluice) return g.sluice.call[m](i);
        const res = await g.fetch(`/api/${m}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(i) });
        return res.json();
      },
      [method, input] as const,
    );
    const e = envelope as { ok: boolean; result?: T; error?: { message: string } };
    if (!e.ok) throw new Error(`${method}: ${e.error?.message ?? 'failed'}`);
    return e.result as T;
  }

  async saveConnection(name: string, url: string): Promise<void> {
    await this.api('connections/save', { name, url });
  }

  async openFromToolbar(): Promise<void> {
    await this.page.getByTestId('toolbar-migrate').click();
    await expect(this.dialog).toBeVisible();
  }

  /** Ctrl+Alt+M (⌘⌥M on a Mac). */
  async openWithShortcut(): Promise<void> {
    await this.page.keyboard.press('ControlOrMeta+Alt+KeyM');
    await expect(this.dialog).toBeVisible();
  }

  async close(): Promise<void> {
    await this.dialog.getByTestId('mig-close').click();
    await expect(this.dialog).toHaveCount(0);
  }

  async expectStep(step: WizardStep): Promise<void> {
    await expect(this.dialog).toHaveAttribute('data-step', step);
  }

  async goTo(step: WizardStep): Promise<void> {
    await this.dialog.getByTestId(`mig-step-${step}`).click();
    await this.expectStep(step);
  }

  async nextStep(to: WizardStep): Promise<void> {
    await this.next.click();
    await this.expectStep(to);
  }

  // --- step 1 ------------------------------------------------------------------------
  connection(side: 'from' | 'to', name: string): Locator {
    return this.dialog.getByTestId(`mig-${side}`).locator(`[data-testid="mig-connection"][data-connection="${name}"]`);
  }

  async choose(side: 'from' | 'to', name: string): Promise<void> {
    await this.connection(side, name).click();
    await expect(this.connection(side, name).locator('input')).toBeChecked();
  }

  /**
   * Adds a SQLite connection with the wizard's own "New connection…" (the explorer's form). The
   * path is typed (relative to the workspace): the desktop app's Browse… opens a native dialog a
   * spec cannot answer, and a file that does not exist yet is what a migration target often is.
   */
  async addSqliteConnection(side: 'from' | 'to', name: string, file: string): Promise<void> {
    await this.dialog.getByTestId(`mig-new-${side}`).click();
    const form = this.page.getByTestId('connection-form');
    await expect(form).toBeVisible();
    await form.getByTestId('conn-name').fill(name);
    await form.getByTestId('conn-path').fill(file);
    await expect(form.getByTestId('conn-url')).toHaveText(`sqlite:${file}`);
    await form.getByTestId('conn-save').click();
    await expect(form).toHaveCount(0);
    // The new connection is chosen where "New connection…" was pressed.
    await expect(this.connection(side, name).locator('input')).toBeChecked();
  }

  // --- step 2 ------------------------------------------------------------------------
  tableRow(name: string): Locator {
    return this.tables.locator(`[data-testid="mig-table-row"][data-table="${name}"]`);
  }

  async chooseTables(names: string[]): Promise<void> {
    await expect(this.tables).toBeVisible();
    const none = this.dialog.getByTestId('mig-select-none');
    if (await none.isEnabled()) await none.click();
    for (const n of names) await this.tableRow(n).getByTestId('mig-table-check').check();
    await expect(this.dialog.getByTestId('mig-tables-summary')).toContainText(`${names.length} of`);
  }

  // --- step 3 ------------------------------------------------------------------------
  async setIfExists(policy: 'fail' | 'truncate' | 'append' | 'upsert'): Promise<void> {
    await this.dialog.getByTestId(`mig-if-exists-${policy}`).check();
  }

  rules(): Locator {
    return this.dialog.getByTestId('mig-rule');
  }

  async addRule(text: string): Promise<void> {
    const before = await this.rules().count();
    await this.dialog.getByTestId('mig-rule-add').click();
    await expect(this.rules()).toHaveCount(before + 1);
    // The new rule's field has the focus.
    const input = this.rules().nth(before).getByTestId('mig-rule-input');
    await expect(input).toBeFocused();
    await input.fill(text);
  }

  // --- step 4 ------------------------------------------------------------------------
  /** Waits for the dry run to answer. */
  async waitForPlan(): Promise<void> {
    await expect(this.plan).toBeVisible({ timeout: 30_000 });
  }

  planTable(name: string): Locator {
    return this.dialog.locator(`[data-testid="mig-plan-table"][data-table="${name}"]`);
  }

  async planTableOrder(): Promise<string[]> {
    return this.dialog.getByTestId('mig-plan-table').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-table') ?? ''));
  }

  // --- steps 5 and 6 -----------------------------------------------------------------
  /**
   * Records, from now on, every phase the run view and its table rows show (a
   * MutationObserver in the page): the run is too quick to be caught by polling.
   */
  async recordProgress(): Promise<void> {
    await this.page.evaluate(() => {
      // Runs in the page: its DOM, typed here by hand (the e2e code compiles without the DOM library).
      const g = globalThis as unknown as PageGlobals;
      const seen: SeenProgress = { phases: [], tables: [], bars: 0 };
      g.__migSeen = seen;
      const look = () => {
        const run = g.document.querySelector('section[data-testid="mig-run"]');
        const phase = run?.getAttribute('data-phase');
        if (phase && !seen.phases.includes(phase)) seen.phases.push(phase);
        for (const row of Array.from(g.document.querySelectorAll('[data-testid="mig-table-progress"]'))) {
          const t = `${row.getAttribute('data-table')}:${row.getAttribute('data-phase')}`;
          if (!seen.tables.includes(t)) seen.tables.push(t);
        }
        seen.bars = Math.max(seen.bars, g.document.querySelectorAll('section[data-testid="mig-run"] [role="progressbar"]').length);
      };
      new g.MutationObserver(look).observe(g.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase', 'data-rows', 'aria-valuenow'] });
    });
  }

  async seenProgress(): Promise<SeenProgress> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).__migSeen!);
  }

  /** Waits for the report of the migration's nth job (1: the first run, 2: its first resume…). */
  async waitForReport(attempt = 1, timeout = 60_000): Promise<string> {
    await expect(this.report).toHaveAttribute('data-attempt', String(attempt), { timeout });
    return (await this.report.getAttribute('data-status')) ?? '';
  }

  reportTable(name: string): Locator {
    return this.dialog.locator(`[data-testid="mig-report-table"][data-table="${name}"]`);
  }
}
