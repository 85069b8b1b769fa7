import Database from 'better-sqlite3';
import path from 'node:path';
import { expect, test } from '../fixtures/workbench';
import { MigrationWizardPage } from '../pages/migration-wizard-page';

/** Rows of a table in a SQLite file of the workspace, read beside the app (not through it). */
function countRows(file: string, table: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('a migration through the wizard: connections, tables, plan with DDL, run with progress, verified report, rows in the target', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  const mig = new MigrationWizardPage(page);

  await test.step('the shortcut is listed in the help overlay and opens the wizard', async () => {
    await page.getByTestId('toolbar-help').click();
    await expect(page.getByTestId('help-overlay')).toContainText('Migrate tables between databases…');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help-overlay')).toHaveCount(0);
    await mig.openWithShortcut();
    await mig.expectStep('endpoints');
    await expect(mig.stepTitle).toBeFocused();
    await expect(mig.next).toBeDisabled();
    await mig.close();
  });

  await test.step('source and target: two SQLite connections made from the wizard, the same database refused', async () => {
    await mig.openFromToolbar();
    await mig.addSqliteConnection('from', 'shop', 'shop.db');
    await mig.addSqliteConnection('to', 'shop_copy', 'shop_copy.db');
    // The same file twice (another spelling of the path): said, and Next stays disabled.
    await mig.choose('to', 'shop');
    await expect(mig.sameDatabase).toBeVisible();
    await expect(mig.next).toBeDisabled();
    await expect(mig.nextWhy).toHaveText('The source and the target are the same database.');
    await wb.shot(testInfo, 'wizard-1-same-database');
    // Keyboard: the radios of a side are one group (arrows move the choice); Tab never leaves the dialog.
    await mig.connection('to', 'shop').locator('input').focus();
    await page.keyboard.press('ArrowDown');
    await expect(mig.connection('to', 'shop_copy').locator('input')).toBeChecked();
    await expect(mig.connection('to', 'shop_copy').locator('input')).toBeFocused();
    await wb.shot(testInfo, 'wizard-1-keyboard-focus');
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      await expect(mig.dialog.locator(':focus')).toHaveCount(1);
    }
    await expect(mig.sameDatabase).toHaveCount(0);
    await expect(mig.dialog.getByTestId('mig-route')).toHaveText('shop → shop_copy');
    await wb.shot(testInfo, 'wizard-1-endpoints');
    await mig.nextStep('tables');
  });

  await test.step('tables: row estimates, views only as tables, select none / all / some', async () => {
    await expect(mig.tableRow('orders').getByTestId('mig-table-rows')).toHaveText('20,000');
    await expect(mig.tableRow('customers').getByTestId('mig-table-rows')).toHaveText('2,000');
    await expect(mig.tableRow('products').getByTestId('mig-table-rows')).toHaveText('300');
    await expect(mig.tableRow('order_lines').getByTestId('mig-table-check')).toBeDisabled();
    // Every table is ticked at first; views wait for "views as tables".
    await expect(mig.dialog.getByTestId('mig-tables-summary')).toHaveText('3 of 4 selected · 22,300 rows');
    await mig.dialog.getByTestId('mig-include-views').check();
    await expect(mig.tableRow('order_lines').getByTestId('mig-table-check')).toBeEnabled();
    await mig.dialog.getByTestId('mig-include-views').uncheck();
    await mig.dialog.getByTestId('mig-select-none').click();
    await expect(mig.dialog.getByTestId('mig-tables-summary')).toHaveText('0 of 4 selected');
    await expect(mig.next).toBeDisabled();
    await mig.chooseTables(['orders', 'products']);
    await expect(mig.dialog.getByTestId('mig-tables-summary')).toHaveText('2 of 4 selected · 20,300 rows');
    await wb.shot(testInfo, 'wizard-2-tables');
    await mig.nextStep('options');
  });

  await test.step('options: the defaults (fail, stop, no rules), each explained', async () => {
    await expect(mig.dialog.getByTestId('mig-if-exists-fail')).toBeChecked();
    await expect(mig.dialog.getByTestId('mig-if-exists')).toContainText('Keep the rows already there and add the source rows after them.');
    await expect(mig.dialog.getByTestId('mig-on-error-stop')).toBeChecked();
    // Few chunks per table would be over before anything shows: small checkpoints make the progress visible.
    await mig.dialog.locator('summary', { hasText: 'Advanced' }).click();
    await mig.dialog.getByTestId('mig-chunk-rows').fill('1000');
    await mig.addRule('sqlite TEXT in products.name -> sqlite VARCHAR(5)');
    await wb.shot(testInfo, 'wizard-3-options');
    await mig.nextStep('plan');
  });

  await test.step('a type rule that may lose data: the plan warns, naming the column; without it, no warning', async () => {
    await mig.waitForPlan();
    const change = mig.dialog.locator('[data-testid="mig-type-change"][data-column="products.name"]');
    await expect(change).toHaveAttribute('data-lossy', 'true');
    await expect(change.getByTestId('mig-lossy-warning')).toContainText("column 'products.name': TEXT -> VARCHAR(5): text longer than 5 characters cannot be stored");
    await expect(mig.ddl).toContainText('"name" VARCHAR(5)');
    await wb.shot(testInfo, 'wizard-4-plan-lossy');
    await mig.goTo('options');
    await mig.rules().first().getByTestId('mig-rule-remove').click();
    await expect(mig.rules()).toHaveCount(0);
    await mig.nextStep('plan');
  });

  await test.step('the plan (a dry run): load order, row counts, type changes, DDL, no problems', async () => {
    await mig.waitForPlan();
    await expect(mig.dialog.getByTestId('mig-plan-ok')).toBeVisible();
    expect((await mig.planTableOrder()).sort()).toEqual(['orders', 'products']);
    await expect(mig.planTable('orders')).toHaveAttribute('data-rows', '20000');
    await expect(mig.planTable('products')).toHaveAttribute('data-rows', '300');
    await expect(mig.planTable('orders')).toHaveAttribute('data-action', 'create');
    await expect(mig.ddl).toContainText('CREATE TABLE "orders"');
    await expect(mig.ddl).toContainText('CREATE TABLE "products"');
    await expect(mig.dialog.locator('[data-testid="mig-type-change"][data-column="orders.unit_price"]')).toBeVisible();
    await expect(mig.runButton).toBeEnabled();
    await expect(mig.dialog.getByTestId('mig-verify')).toBeChecked();
    // The dry run changed nothing: no target file yet.
    expect(() => countRows(path.join(workspaceDir, 'shop_copy.db'), 'orders')).toThrow();
    await wb.shot(testInfo, 'wizard-4-plan');
    await mig.ddl.scrollIntoViewIfNeeded();
    await wb.shot(testInfo, 'wizard-4-plan-ddl');
  });

  await test.step('run: progress per table from the job events, then the verified report', async () => {
    await mig.recordProgress();
    await mig.runButton.click();
    const status = await mig.waitForReport();
    expect(status).toBe('succeeded');
    const seen = await mig.seenProgress();
    // The run view showed the load going on, table by table, with a bar per table.
    expect(seen.phases).toContain('load');
    expect(seen.tables.some((t) => t.endsWith(':loading') || t.endsWith(':loaded'))).toBe(true);
    expect(seen.bars).toBeGreaterThanOrEqual(3);
    await expect(mig.outcome).toHaveAttribute('data-kind', 'succeeded');
    await expect(mig.report).toHaveAttribute('data-verify', 'ok');
    await expect(mig.dialog.getByTestId('mig-outcome-headline')).toContainText('Migration succeeded: 20,300 rows copied');
    await expect(mig.dialog.getByTestId('mig-outcome-headline')).toContainText('all 2 tables match');
    await expect(mig.reportTable('orders')).toHaveAttribute('data-copied', '20000');
    await expect(mig.reportTable('orders')).toHaveAttribute('data-verify', 'ok');
    await expect(mig.reportTable('orders').getByTestId('mig-verify-counts')).toHaveText('20,000 / 20,000');
    await expect(mig.reportTable('products').getByTestId('mig-verify-counts')).toHaveText('300 / 300');
    await wb.shot(testInfo, 'wizard-6-report');
  });

  await test.step('the run view keeps the final progress; the target really holds the rows', async () => {
    await mig.goTo('run');
    await expect(mig.run.locator('[data-testid="mig-table-progress"][data-table="orders"]')).toHaveAttribute('data-rows', '20000');
    await expect(mig.run.getByTestId('mig-overall-bar')).toHaveAttribute('aria-valuenow', '100');
    // A new target file: nothing to back up, and the phases say so.
    await expect(mig.run.locator('[data-testid="mig-phase"][data-phase="backup"]')).toHaveAttribute('data-state', 'skipped');
    await expect(mig.run.locator('[data-testid="mig-phase"][data-phase="verify"]')).toHaveAttribute('data-state', 'done');
    await wb.shot(testInfo, 'wizard-5-run-final');
    const target = path.join(workspaceDir, 'shop_copy.db');
    expect(countRows(target, 'orders')).toBe(20_000);
    expect(countRows(target, 'products')).toBe(300);
    // And through the API, as the explorer would show it.
    const { tables } = await mig.api<{ tables: Array<{ name: string; rowEstimate?: number }> }>('connections/tables', { connection: 'shop_copy' });
    expect(Object.fromEntries(tables.map((t) => [t.name, t.rowEstimate]))).toEqual({ orders: 20_000, products: 300 });
  });

  await test.step('dark theme; the job is in the run monitor', async () => {
    await mig.goTo('report');
    await page.keyboard.press('Alt+T');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await wb.shot(testInfo, 'wizard-6-report-dark');
    await page.keyboard.press('Escape');
    await expect(mig.dialog).toHaveCount(0);
    await wb.showTab('runs');
    const card = page.locator('[data-testid="job-card"]', { hasText: 'shop -> shop_copy' }).first();
    await expect(card).toHaveAttribute('data-status', 'succeeded');
    await expect(card.getByTestId('job-resume')).toHaveCount(0);
    await page.keyboard.press('Alt+T');
  });
});

test('a plan problem blocks Run: an existing target table under "fail", a bad type rule; append found out by verify; truncate with a backup', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  const mig = new MigrationWizardPage(page);
  // A target that already has a products table (one row).
  const existing = path.join(workspaceDir, 'existing.db');
  const db = new Database(existing);
  db.exec("CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT UNIQUE, name TEXT, category TEXT, unit_price NUMERIC(10,2), stock INTEGER, active BOOLEAN, created_at DATE); INSERT INTO products (id, sku, name) VALUES (99999, 'OLD', 'left over');");
  db.close();
  await mig.saveConnection('shop', 'sqlite:./shop.db');
  await mig.saveConnection('existing', 'sqlite:./existing.db');

  await test.step('choose shop -> existing, products; the table is marked as existing', async () => {
    await mig.openFromToolbar();
    await mig.choose('from', 'shop');
    await mig.choose('to', 'existing');
    await mig.nextStep('tables');
    await mig.chooseTables(['products']);
    await expect(mig.tableRow('products')).toContainText('exists');
    await mig.nextStep('options');
    await expect(mig.dialog.getByTestId('mig-existing')).toContainText("'products' exists in the target already");
    await mig.nextStep('plan');
  });

  await test.step('the plan names the problem and Run is disabled', async () => {
    await mig.waitForPlan();
    await expect(mig.planProblems).toBeVisible();
    await expect(mig.planProblems.getByTestId('mig-plan-problem')).toHaveText([/target table 'products' exists; choose Truncate, Append or Upsert under "If a target table exists"/]);
    await expect(mig.runButton).toBeDisabled();
    await expect(mig.runWhy).toHaveText('Run is disabled: the plan has problems.');
    await wb.shot(testInfo, 'problem-1-plan-blocked');
    await page.keyboard.press('Alt+T');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await wb.shot(testInfo, 'problem-1-plan-blocked-dark');
    await mig.goTo('options');
    await wb.shot(testInfo, 'problem-1-options-dark');
    await page.keyboard.press('Alt+T');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await mig.goTo('plan');
    await mig.waitForPlan();
  });

  await test.step('a type rule the parser refuses: shown under the rule, and in the plan', async () => {
    await mig.dialog.getByTestId('mig-fix-options').click();
    await mig.expectStep('options');
    await mig.setIfExists('append');
    await mig.addRule('sqlite NUMERIC sqlite REAL');
    await mig.dialog.getByTestId('mig-rule-check').click();
    const rule = mig.rules().first();
    await expect(rule.getByTestId('mig-rule-error')).toContainText('it needs exactly one ->');
    await expect(rule.getByTestId('mig-rule-input')).toHaveAttribute('aria-invalid', 'true');
    await wb.shot(testInfo, 'problem-2-bad-rule');
    await mig.goTo('plan');
    await mig.waitForPlan();
    await expect(mig.planProblems).toContainText('type rule');
    await expect(mig.runButton).toBeDisabled();
    // Fixed. (A truncated table keeps its definition: the rule matches no column, and the plan says so.)
    await mig.goTo('options');
    await rule.getByTestId('mig-rule-input').fill('sqlite NUMERIC -> sqlite REAL');
    await mig.dialog.getByTestId('mig-rule-check').click();
    await expect(mig.dialog.getByTestId('mig-rules-ok')).toBeVisible();
    await expect(rule.getByTestId('mig-rule-error')).toHaveCount(0);
    await mig.goTo('plan');
    await mig.waitForPlan();
    await expect(mig.dialog.getByTestId('mig-plan-ok')).toBeVisible();
    await expect(mig.planTable('products')).toHaveAttribute('data-action', 'append');
    await expect(mig.runButton).toBeEnabled();
    await expect(mig.dialog.getByTestId('mig-plan-warnings')).toContainText("type rule 'sqlite NUMERIC -> sqlite REAL' matched no column");
    await wb.shot(testInfo, 'problem-3-plan-ok');
  });

  await test.step('append onto the leftover row: loaded, but verification finds the row only the target has', async () => {
    await mig.runButton.click();
    expect(await mig.waitForReport()).toBe('failed');
    await expect(mig.report).toHaveAttribute('data-verify', 'differs');
    await expect(mig.dialog.getByTestId('mig-outcome-headline')).toHaveText('Verification found differences in 1 table.');
    await expect(mig.reportTable('products')).toHaveAttribute('data-verify', 'differs');
    await expect(mig.reportTable('products').getByTestId('mig-verify-counts')).toHaveText('300 / 301');
    await expect(mig.dialog.locator('[data-testid="mig-mismatch"][data-table="products"]')).toContainText('only in the target: 99999');
    await expect(mig.dialog.getByTestId('mig-backup')).toContainText('existing.before-');
    await wb.shot(testInfo, 'problem-4-verify-differs');
    expect(countRows(existing, 'products')).toBe(301);
  });

  await test.step('again with truncate: the SQLite target was backed up first; the old row is gone, the copy verified', async () => {
    await mig.dialog.getByTestId('mig-again').click();
    await mig.expectStep('tables');
    await mig.nextStep('options');
    await mig.setIfExists('truncate');
    await mig.nextStep('plan');
    await mig.waitForPlan();
    await expect(mig.planTable('products')).toHaveAttribute('data-action', 'truncate');
    await mig.runButton.click();
    expect(await mig.waitForReport()).toBe('succeeded');
    await expect(mig.dialog.getByTestId('mig-backup')).toContainText('existing.before-');
    await expect(mig.reportTable('products')).toHaveAttribute('data-verify', 'ok');
    await wb.shot(testInfo, 'problem-5-report-backup');
    await mig.goTo('run');
    await expect(mig.run.locator('[data-testid="mig-phase"][data-phase="backup"]')).toHaveAttribute('data-state', 'done');
    expect(countRows(existing, 'products')).toBe(300);
  });
});

test('a failed migration resumes from the wizard once the cause is fixed', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  const mig = new MigrationWizardPage(page);
  await mig.saveConnection('shop', 'sqlite:./shop.db');
  await mig.saveConnection('crm', 'sqlite:./crm.db');

  await test.step('customers hold invalid dates: with "stop", the run fails, saying what and that it can resume', async () => {
    await mig.openFromToolbar();
    await mig.choose('from', 'shop');
    await mig.choose('to', 'crm');
    await mig.nextStep('tables');
    await mig.chooseTables(['customers', 'products']);
    await mig.nextStep('options');
    await mig.nextStep('plan');
    await mig.waitForPlan();
    await mig.runButton.click();
    expect(await mig.waitForReport()).toBe('failed');
    await expect(mig.outcome).toHaveAttribute('data-kind', 'failed');
    await expect(mig.outcome).toContainText("column 'signup_date'");
    await expect(mig.outcome).toContainText('fix the cause, then Resume');
    await expect(mig.dialog.getByTestId('mig-resume')).toBeVisible();
    await wb.shot(testInfo, 'resume-1-failed');
  });

  await test.step('the run monitor offers Resume too', async () => {
    await mig.close();
    await wb.showTab('runs');
    const card = page.locator('[data-testid="job-card"][data-status="failed"]', { hasText: 'shop -> crm' }).first();
    await expect(card.getByTestId('job-resume')).toBeVisible();
    await wb.shot(testInfo, 'resume-2-runs-panel');
  });

  await test.step('fix the source, Resume: the run continues and verifies', async () => {
    const db = new Database(path.join(workspaceDir, 'shop.db'));
    db.prepare('UPDATE customers SET signup_date = NULL WHERE signup_date IS NOT NULL AND date(julianday(signup_date)) IS NOT signup_date').run();
    db.close();
    await mig.openFromToolbar();
    await mig.expectStep('report');
    await mig.dialog.getByTestId('mig-resume').click();
    expect(await mig.waitForReport(2)).toBe('succeeded');
    await expect(mig.stepTitle).toHaveText('Report');
    await expect(mig.report).toHaveAttribute('data-verify', 'ok');
    await expect(mig.reportTable('customers')).toHaveAttribute('data-copied', '2000');
    await wb.shot(testInfo, 'resume-3-succeeded');
    expect(countRows(path.join(workspaceDir, 'crm.db'), 'customers')).toBe(2000);
    expect(countRows(path.join(workspaceDir, 'crm.db'), 'products')).toBe(300);
    // The failed job's Resume is gone: the run has finished.
    await mig.close();
    const failed = page.locator('[data-testid="job-card"][data-status="failed"]', { hasText: 'shop -> crm' }).first();
    await expect(failed.getByTestId('job-resume')).toHaveCount(0);
  });
});

test('cancel a running migration, then resume it to every row exactly once', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  const mig = new MigrationWizardPage(page);
  await mig.saveConnection('shop', 'sqlite:./shop.db');
  await mig.saveConnection('archive', 'sqlite:./archive.db');

  await test.step('a slow load (one row per checkpoint): progress per table while it runs; Cancel', async () => {
    await mig.openFromToolbar();
    await mig.choose('from', 'shop');
    await mig.choose('to', 'archive');
    await mig.nextStep('tables');
    await mig.chooseTables(['orders']);
    await mig.nextStep('options');
    await mig.dialog.locator('summary', { hasText: 'Advanced' }).click();
    await mig.dialog.getByTestId('mig-chunk-rows').fill('1');
    await mig.nextStep('plan');
    await mig.waitForPlan();
    await mig.runButton.click();
    const orders = mig.run.locator('[data-testid="mig-table-progress"][data-table="orders"]');
    await expect(orders).toHaveAttribute('data-phase', 'loading', { timeout: 30_000 });
    await expect(mig.run.getByTestId('mig-phase').and(page.locator('[data-phase="load"]'))).toHaveAttribute('data-state', 'now');
    await expect(mig.run.getByTestId('mig-run-status')).toContainText('orders');
    await wb.shot(testInfo, 'cancel-1-running');
    await mig.dialog.getByTestId('mig-cancel').click();
    expect(await mig.waitForReport()).toBe('cancelled');
    await expect(mig.outcome).toHaveAttribute('data-kind', 'cancelled');
    await expect(mig.outcome).toContainText('Resume continues from the last checkpoint.');
    await wb.shot(testInfo, 'cancel-2-cancelled');
  });

  await test.step('Resume: the rest is copied, no row twice, and verified', async () => {
    const partly = countRows(path.join(workspaceDir, 'archive.db'), 'orders');
    expect(partly).toBeLessThan(20_000);
    await mig.dialog.getByTestId('mig-resume').click();
    expect(await mig.waitForReport(2)).toBe('succeeded');
    await expect(mig.report).toHaveAttribute('data-verify', 'ok');
    await expect(mig.reportTable('orders').getByTestId('mig-verify-counts')).toHaveText('20,000 / 20,000');
    await expect(mig.outcome).toContainText('resumed once');
    await wb.shot(testInfo, 'cancel-3-resumed');
    const db = new Database(path.join(workspaceDir, 'archive.db'), { readonly: true });
    const row = db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d FROM orders').get();
    db.close();
    expect(row).toEqual({ n: 20_000, d: 20_000 });
  });
});

test('rows the target cannot hold, rejected and counted: the report links to them in Problems', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  const mig = new MigrationWizardPage(page);
  await mig.saveConnection('shop', 'sqlite:./shop.db');
  await mig.saveConnection('crm', 'sqlite:./crm.db');

  await test.step('customers with "reject and go on": the invalid dates are rejected, the others copied', async () => {
    await mig.openFromToolbar();
    await mig.choose('from', 'shop');
    await mig.choose('to', 'crm');
    await mig.nextStep('tables');
    await mig.chooseTables(['customers']);
    await mig.nextStep('options');
    await mig.dialog.getByTestId('mig-on-error-reject').check();
    await mig.nextStep('plan');
    await mig.waitForPlan();
    // Verify stays on: the unreadable dates count as unstorable there, not as differences.
    await expect(mig.dialog.getByTestId('mig-verify')).toBeChecked();
    await mig.runButton.click();
    expect(await mig.waitForReport()).toBe('succeeded');
    await expect(mig.reportTable('customers')).toHaveAttribute('data-verify', 'ok');
    await expect(mig.dialog.getByTestId('mig-outcome-headline')).toContainText('1,995 rows copied and 5 rejected');
    await expect(mig.dialog.getByTestId('mig-rejected')).toContainText('5 rows could not be stored in the target');
    await expect(mig.reportTable('customers')).toHaveAttribute('data-copied', '1995');
    await wb.shot(testInfo, 'rejected-1-report');
    expect(countRows(path.join(workspaceDir, 'crm.db'), 'customers')).toBe(1995);
  });

  await test.step('Show the rejected rows: Problems lists them for the migration run, by table', async () => {
    await mig.dialog.getByTestId('mig-show-rejected').click();
    await expect(mig.dialog).toHaveCount(0);
    await expect(page.getByTestId('tab-problems')).toHaveAttribute('aria-selected', 'true');
    const panel = page.getByTestId('rejected-panel');
    await expect(panel.locator('[data-testid="error-group"]').first()).toBeVisible();
    await expect(panel).toContainText('customers');
    await wb.shot(testInfo, 'rejected-2-problems');
  });
});
