import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '../fixtures/workbench';

/** A target table whose column names differ from the source's in case, spaces and underscores. */
function makeTarget(workspace: string): void {
  const db = new Database(path.join(workspace, 'target.db'));
  db.exec(`CREATE TABLE orders_dw (
    order_id INTEGER NOT NULL UNIQUE,
    CustomerID INTEGER NOT NULL,
    "Unit Price" NUMERIC(10,2),
    quantiy INTEGER,
    status TEXT NOT NULL,
    loaded_by TEXT NOT NULL
  )`);
  db.close();
  writeFileSync(
    path.join(workspace, 'load-orders.yaml'),
    `version: 1
name: load-orders
nodes:
  - { id: orders, type: source, config: { connection: "sqlite:./shop.db", table: orders }, position: { x: 0, y: 0 } }
  - { id: load, type: sink, config: { connection: "sqlite:./target.db", table: orders_dw, mode: insert }, position: { x: 320, y: 0 } }
edges:
  - { from: orders, to: load }
`,
  );
}

test('maps fields into a target table with auto-map, suggestions and drag to map', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  await test.step('a pipeline loading orders into a table with other column names', async () => {
    makeTarget(workspaceDir);
    await page.getByTestId('refresh-pipelines').click();
    await wb.openPipeline('load-orders.yaml');
  });

  await test.step('the sink gets a mapping step', async () => {
    await wb.select('load');
    await page.getByTestId('inspector-tab-mapping').click();
    await page.getByTestId('add-mapping-step').click();
    await expect(wb.node('map_load')).toBeVisible();
    await expect(wb.edges).toHaveCount(2);
    const editor = page.getByTestId('mapping-editor');
    await expect(editor.getByTestId('mapping-row')).toHaveCount(6);
    await expect(editor.getByTestId('source-column')).toHaveCount(10);
  });

  const row = (target: string) => page.locator(`[data-testid="mapping-row"][data-target="${target}"]`);

  await test.step('names equal ignoring case, spaces and _ match by themselves; close ones are suggested; required ones flagged', async () => {
    await expect(row('CustomerID')).toHaveAttribute('data-how', 'auto');
    await expect(row('CustomerID')).toHaveAttribute('data-source', 'customer_id');
    await expect(row('Unit Price')).toHaveAttribute('data-source', 'unit_price');
    await expect(row('status')).toHaveAttribute('data-how', 'exact');
    await expect(row('quantiy').getByTestId('mapping-suggestion')).toHaveText('quantity?');
    await expect(row('order_id').getByTestId('mapping-status')).toHaveText('required, unmapped');
    await expect(page.getByTestId('mapping-counts')).toContainText('2 required unmapped');
  });

  await test.step('map all by name, accept a suggestion, drag a column onto a target, set a default', async () => {
    await page.getByTestId('map-all-by-name').click();
    await expect(row('CustomerID')).toHaveAttribute('data-how', 'column');
    await row('quantiy').getByTestId('mapping-suggestion').click();
    await expect(row('quantiy')).toHaveAttribute('data-source', 'quantity');
    await page.locator('[data-testid="source-column"][data-column="id"]').dragTo(row('order_id'), { steps: 10 });
    await expect(row('order_id')).toHaveAttribute('data-source', 'id');
    await row('loaded_by').getByTestId('mapping-default').fill('sluice');
    await row('loaded_by').getByTestId('mapping-default').blur();
    await expect(row('loaded_by').getByTestId('mapping-status')).toHaveText('default');
    await expect(page.getByTestId('mapping-counts')).not.toContainText('required unmapped');
    await wb.shot(testInfo, 'mapping');
  });

  await test.step('the mapping is in the map node config, and the pipeline validates', async () => {
    await page.getByTestId('toolbar-validate').click();
    await expect(wb.node('map_load').getByTestId('node-problem-badge')).toHaveCount(0);
    await wb.select('map_load');
    await page.getByTestId('inspector-tab-settings').click();
    await expect(wb.inspector.getByTestId('config-form')).toContainText('columns');
  });
});
