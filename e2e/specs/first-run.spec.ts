import { readdirSync } from 'node:fs';
import { expect, test } from '../fixtures/workbench';
import { E2E_DEMO_DIR } from '../fixtures/paths';

/** The pipelines the demo workspace ships with (what a first start must show); its sync definitions are listed apart. */
const demoFiles = readdirSync(E2E_DEMO_DIR).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.'));
const demoPipelines = demoFiles.filter((f) => !/\.sync\.(ya?ml|json)$/.test(f)).sort();
const demoSyncs = demoFiles.filter((f) => /\.sync\.(ya?ml|json)$/.test(f)).sort();

test('opens on the demo workspace: pipelines, connections with their schema, theme and layout remembered', async ({ workbench: wb }, testInfo) => {
  const page = wb.page;
  await expect(wb.workspaceName).toHaveText('workspace');
  await expect(wb.statusBar).toContainText('Sluice');
  await expect(wb.pipelineItems).toHaveCount(demoPipelines.length);
  expect([...(await wb.pipelineIds())].sort()).toEqual(demoPipelines);
  // The demo's sync definitions show in the Syncs section, not among the pipelines.
  const syncItems = page.getByTestId('sync-item');
  await expect(syncItems).toHaveCount(demoSyncs.length);
  expect((await syncItems.evaluateAll((els) => els.map((e) => e.getAttribute('data-sync-id')))).sort()).toEqual(demoSyncs);

  await test.step('open a pipeline: its nodes and edges on the canvas', async () => {
    await wb.openPipeline('clean-orders.yaml');
    expect((await wb.nodeIds()).length).toBe(9);
    await expect(wb.edges).toHaveCount(8);
    await expect(page.locator('.react-flow__edge.edge-rejected')).toHaveCount(1);
    await expect(page.locator('.react-flow__minimap')).toBeVisible();
  });

  await test.step('the schema browser: tables with row counts, columns with types and keys', async () => {
    const shop = page.locator('[data-testid="connection-item"][data-connection="shop"]');
    await shop.getByTestId('connection-toggle').click();
    const orders = shop.locator('[data-testid="schema-table"][data-table="orders"]');
    await expect(orders).toBeVisible();
    await orders.click();
    await expect(shop.locator('[data-testid="schema-column"][data-column="unit_price"]')).toContainText('decimal(10,2)');
    await expect(shop.locator('[data-testid="schema-column"][data-column="id"]')).toContainText('PK');
  });

  await test.step('add a saved connection (SQLite from the workspace) and test it', async () => {
    await page.getByTestId('add-connection').click();
    await page.getByTestId('conn-name').fill('shop_saved');
    await page.getByTestId('sqlite-browse').click();
    await page.getByTestId('sqlite-files').getByText('shop.db').click();
    await expect(page.getByTestId('conn-path')).toHaveValue('shop.db');
    await page.getByTestId('conn-test').click();
    await expect(page.getByTestId('conn-test-result')).toHaveAttribute('data-ok', 'true');
    await page.getByTestId('conn-save').click();
    await expect(page.locator('[data-testid="connection-item"][data-connection="shop_saved"]')).toBeVisible();
  });

  await test.step('dark theme and a hidden panel are remembered after a reload', async () => {
    await page.getByTestId('toolbar-theme').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.keyboard.press('ControlOrMeta+J');
    await expect(page.getByTestId('bottom-panel')).toHaveCount(0);
    await wb.shot(testInfo, 'dark-theme');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByTestId('show-bottom')).toBeVisible();
    await page.getByTestId('show-bottom').click();
    await expect(page.getByTestId('bottom-panel')).toBeVisible();
  });
});
