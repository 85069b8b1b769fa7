import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '../fixtures/workbench';
import { SyncPage } from '../pages/sync-page';

type Product = { id: number; sku: string; name: string; stock: number };

function products(file: string): Product[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, sku, name, stock FROM products ORDER BY id').all() as Product[];
  } finally {
    db.close();
  }
}

const SYNC_ID = 'products-to-warehouse.sync.yaml';

test('sets up a full-diff sync between two SQLite files, runs it, follows changes, exports it', async ({ workbench: wb, workspaceDir, hostKind }, testInfo) => {
  const page = wb.page;
  const sync = new SyncPage(page);
  const shopFile = path.join(workspaceDir, 'shop.db');
  const warehouseFile = path.join(workspaceDir, 'warehouse.db');
  await expect(wb.workspaceName).not.toHaveText('…');
  const start = products(shopFile);
  expect(start.length).toBeGreaterThan(100);

  await test.step('the Syncs section: the demo sync; New sync… opens the editor', async () => {
    await expect(page.getByTestId('section-syncs')).toHaveAttribute('aria-expanded', 'true');
    await expect(sync.items).toHaveCount(1);
    await expect(sync.item('catalogue-to-warehouse.sync.yaml')).toContainText('full diff');
    await sync.newSync();
    await expect(sync.control('sync-name')).toBeFocused();
  });

  await test.step('saving an incomplete sync names the fields that are wrong', async () => {
    await sync.control('sync-name').fill('products-to-warehouse');
    await expect(sync.control('sync-file-name')).toHaveValue(SYNC_ID);
    await sync.control('sync-save').click();
    for (const field of ['source.connection', 'source.table', 'target.connection', 'target.table']) await expect(sync.fieldError(field)).toBeVisible();
    // The focus goes to the first wrong field, which says why.
    await expect(sync.control('sync-source-connection')).toBeFocused();
    await expect(sync.control('sync-source-connection')).toHaveAttribute('aria-invalid', 'true');
    await expect(sync.control('sync-source-connection')).toHaveAttribute('aria-describedby', /sync-source-connection-error/);
    await wb.shot(testInfo, 'sync-editor-problems');
  });

  await test.step('source: the demo shop.db products; target: a new SQLite file; full diff by the primary key', async () => {
    await sync.chooseConnection('source', 'sqlite:./shop.db');
    await sync.chooseSourceTable('products');
    await expect(sync.fieldError('source.table')).toBeHidden();
    // The source's columns come from connections/describe: the key defaults to its primary key.
    await expect(sync.control('sync-key-id')).toBeVisible();
    await expect(sync.editor.locator('#sync-key-help')).toContainText('primary key (id)');
    await sync.typeConnectionUrl('target', 'sqlite:./warehouse.db');
    await sync.typeTargetTable('products');
    await expect(sync.control('sync-mode-full')).toBeChecked();
    await expect(sync.control('sync-conflicts-source-wins')).toBeChecked();
    await expect(sync.control('sync-deletes')).toBeChecked();
    // A bad batch size is reported beside its field, live once a save was tried.
    await sync.control('sync-batch-size').fill('0');
    await expect(sync.fieldError('batchSize')).toContainText('whole number');
    await sync.control('sync-batch-size').fill('100');
    await expect(sync.fieldError('batchSize')).toBeHidden();
    await expect(sync.editor.locator('[data-testid="sync-field-error"]')).toHaveCount(0);
    await wb.shot(testInfo, 'sync-editor-filled');
    // Ctrl+S saves the sync (not the pipeline behind the dialog).
    await sync.control('sync-batch-size').press('ControlOrMeta+s');
    await expect(sync.editor).toHaveAttribute('data-sync-id', SYNC_ID);
    await expect(sync.editor).toHaveAttribute('data-dirty', 'false');
    await expect(sync.control('sync-footer-text')).toHaveText(`Saved ${SYNC_ID}`);
    await expect(sync.control('sync-save')).toBeDisabled();
    await expect(sync.item(SYNC_ID)).toHaveAttribute('data-mode', 'full');
    const saved = readFileSync(path.join(workspaceDir, SYNC_ID), 'utf8');
    expect(saved).toContain('kind: sync');
    expect(saved).toContain('batchSize: 100');
  });

  await test.step('first run: every source row is inserted, as the run monitor shows', async () => {
    const job = await sync.runNow();
    expect(await sync.waitForJob(job)).toBe('succeeded');
    const c = await sync.countsOf(job);
    expect(c).toMatchObject({ phase: 'done', inserts: start.length, updates: 0, deletes: 0, conflicts: 0, applied: start.length, complete: true });
    expect(c.summary).toBe(`${start.length} inserts, 0 updates, 0 deletes applied`);
    await expect(sync.editor.getByTestId('sync-latest-run').getByTestId('sync-progress')).toHaveAttribute('data-applied', String(start.length));
    expect(products(warehouseFile)).toEqual(start);
    await wb.shot(testInfo, 'sync-editor-after-first-run');
    await sync.close();
    await expect(sync.jobCard(job)).toBeVisible();
    await expect(sync.item(SYNC_ID)).toHaveAttribute('data-last-status', 'succeeded');
    await expect(sync.item(SYNC_ID)).toHaveAttribute('data-pending', '0');
    await wb.shot(testInfo, 'run-monitor-first-run');
  });

  await test.step('the source changes: exactly one insert, one update and one delete are applied', async () => {
    const db = new Database(shopFile);
    db.prepare("INSERT INTO products (id, sku, name, category, unit_price, stock, active, created_at) VALUES (9001, 'SKU-9001', 'Sync test kettle', 'kitchen', 19.99, 7, 1, '2025-07-01')").run();
    db.prepare('UPDATE products SET stock = stock + 100 WHERE id = 5').run();
    db.prepare('DELETE FROM products WHERE id = 7').run();
    db.close();
    const expected = products(shopFile);

    await sync.open(SYNC_ID);
    await expect(sync.control('sync-save')).toBeDisabled();
    const job = await sync.runNow();
    expect(await sync.waitForJob(job)).toBe('succeeded');
    await expect(sync.control('sync-footer-text')).toHaveText('Latest run succeeded: 1 insert, 1 update, 1 delete applied');
    await expect(sync.editor.getByTestId('sync-latest-run')).toBeInViewport();
    await wb.shot(testInfo, 'sync-editor-one-of-each');
    const c = await sync.countsOf(job);
    expect(c).toMatchObject({ phase: 'done', inserts: 1, updates: 1, deletes: 1, conflicts: 0, applied: 3, complete: true });
    expect(c.summary).toBe('1 insert, 1 update, 1 delete applied');
    const target = products(warehouseFile);
    expect(target).toEqual(expected);
    expect(target.find((p) => p.id === 9001)?.name).toBe('Sync test kettle');
    expect(target.find((p) => p.id === 7)).toBeUndefined();
    expect(target.find((p) => p.id === 5)?.stock).toBe(start.find((p) => p.id === 5)!.stock + 100);
    await sync.close();
    await wb.shot(testInfo, 'run-monitor-one-of-each');
  });

  await test.step('a third run, started from the list, finds nothing to apply', async () => {
    const job = await sync.runNow(SYNC_ID);
    expect(await sync.waitForJob(job)).toBe('succeeded');
    expect(await sync.countsOf(job)).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0, complete: true, summary: 'nothing to apply: the target already matches' });
    expect(products(warehouseFile)).toEqual(products(shopFile));
    await wb.shot(testInfo, 'syncs-list-run-now');
    await sync.open(SYNC_ID);
  });

  await test.step('export as YAML: no secrets, and it saves back as the same definition', async () => {
    let text: string;
    if (hostKind === 'browser') {
      const download = page.waitForEvent('download');
      await sync.control('sync-export').click();
      await sync.control('sync-export-yaml').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('products-to-warehouse.sync.yaml');
      text = readFileSync((await file.path())!, 'utf8');
      await expect(sync.control('sync-footer-text')).toHaveText('Exported products-to-warehouse.sync.yaml');
    } else {
      // The desktop app exports through the native save dialog, which a test cannot drive: the same text from the API.
      text = (await sync.call<{ text: string }>('syncs/export', { id: SYNC_ID, format: 'yaml' })).text;
    }
    expect(text).toMatch(/^version: 1\nkind: sync\nname: products-to-warehouse\n/);
    expect(text).toContain('connection: sqlite:./shop.db');
    // Secrets never appear in plain text: at most ${env:…} references.
    for (const line of text.split('\n').filter((l) => /password|secret|token/i.test(l))) expect(line).toMatch(/\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/);
    expect(text).not.toMatch(/:\/\/[^/@\s]+:[^/@\s]+@/);

    type Got = { document: unknown; problems: unknown[] };
    await sync.call('syncs/save', { id: 'roundtrip.sync.yaml', text, createOnly: true });
    const [original, copy] = await Promise.all([sync.call<Got>('syncs/get', { id: SYNC_ID }), sync.call<Got>('syncs/get', { id: 'roundtrip.sync.yaml' })]);
    expect(copy.problems).toEqual([]);
    expect(copy.document).toEqual(original.document);
    const again = await sync.call<{ text: string }>('syncs/export', { id: 'roundtrip.sync.yaml', format: 'yaml' });
    expect(again.text).toBe(text);
  });

  await test.step('reset state asks first, then forgets the sync state', async () => {
    await sync.control('sync-reset').click();
    const dialog = page.getByTestId('choice-dialog');
    await expect(dialog).toContainText("Forget what 'products-to-warehouse' remembers: the row hashes it keeps and its queue?");
    await wb.shot(testInfo, 'sync-reset-confirm');
    await page.getByTestId('choice-cancel').click();
    await sync.control('sync-reset').click();
    await page.getByTestId('choice-reset').click();
    await expect(sync.control('sync-footer-text')).toContainText("The state of 'products-to-warehouse' was reset");
    await sync.close();
  });

  await test.step("a definition file that does not load opens with the core's problems beside its fields", async () => {
    writeFileSync(
      path.join(workspaceDir, 'broken.sync.yaml'),
      'version: 1\nkind: sync\nname: broken\nsource: { connection: "sqlite:./shop.db", table: customers }\ntarget: { connection: "sqlite:./warehouse.db", table: customers }\nmode: incremental\nbatchSize: 0\n',
    );
    await page.getByTestId('refresh-syncs').click();
    await expect(sync.item('broken.sync.yaml')).toContainText('does not load');
    await sync.open('broken.sync.yaml');
    await expect(sync.fieldError('batchSize')).toContainText('>=1');
    await expect(sync.fieldError('cursor')).toContainText('needs a cursor column');
    await expect(sync.control('sync-mode-incremental')).toBeChecked();
    // Fixing a field clears what the core said about it; choosing the cursor from the table's columns fixes the other.
    await sync.control('sync-batch-size').fill('500');
    await expect(sync.fieldError('batchSize')).toBeHidden();
    await sync.control('sync-cursor').selectOption('signup_date');
    await expect(sync.fieldError('cursor')).toBeHidden();
    await wb.shot(testInfo, 'sync-editor-incremental');
    await sync.save();
    await expect(sync.item('broken.sync.yaml')).toHaveAttribute('data-mode', 'incremental');
    await expect(sync.item('broken.sync.yaml')).not.toContainText('does not load');
    await sync.close();
  });

  await test.step('a schedule is saved in the definition; the list shows when it runs next', async () => {
    await sync.open(SYNC_ID);
    await sync.control('sync-schedule-on').check();
    await sync.control('sync-schedule-amount').fill('30');
    await sync.save();
    expect(readFileSync(path.join(workspaceDir, SYNC_ID), 'utf8')).toContain('schedule:\n  every: 30m\n  enabled: true');
    await sync.close();
    await expect(sync.item(SYNC_ID).getByTestId('sync-schedule')).toContainText('every 30 min');
    // The host took the schedule up at once and says when it runs next: exact, in 30 minutes.
    const next = sync.item(SYNC_ID).getByTestId('sync-next-run');
    await expect(next).toContainText('next ');
    await expect(next).not.toContainText('≈');
    const at = Number(await next.getAttribute('data-at'));
    expect(at).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    await page.getByTestId('toolbar-theme').click();
    await sync.open(SYNC_ID);
    await wb.shot(testInfo, 'sync-editor-dark');
    // Escape closes the editor, and the focus returns to the sync it was opened from.
    await page.keyboard.press('Escape');
    await expect(sync.editor).toBeHidden();
    await expect(sync.item(SYNC_ID)).toBeFocused();
    await wb.shot(testInfo, 'explorer-syncs-dark');
  });
});
