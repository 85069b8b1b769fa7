import { expect, test } from '../fixtures/workbench';

test('previews the rows at a node: types, null and distinct counts, refreshed after an edit', async ({ workbench: wb }, testInfo) => {
  const page = wb.page;
  await wb.openPipeline('clean-orders.yaml');

  await test.step('the first rows at a node, virtualised', async () => {
    await wb.select('tidy');
    await wb.showTab('preview');
    const grid = page.getByTestId('preview-grid');
    await expect(grid).toHaveAttribute('data-rows', '1000', { timeout: 30_000 });
    // Only what is visible is in the DOM.
    expect(await grid.getByTestId('grid-row').count()).toBeLessThan(100);
    const email = grid.locator('[data-testid="grid-column"][data-column="email"]');
    await expect(email.getByTestId('col-type')).toHaveText('text');
    await expect(email.getByTestId('col-stats')).toContainText('null');
    const total = grid.locator('[data-testid="grid-column"][data-column="total"]');
    await expect(total.getByTestId('col-type')).toContainText('decimal');
    // Scrolls to the end smoothly: the last row is rendered.
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect(grid.locator('[aria-rowindex="1001"]')).toBeVisible();
    await wb.shot(testInfo, 'preview');
  });

  await test.step('an edit refreshes the preview', async () => {
    await wb.inspector.getByTestId('field-columns-add').click();
    const name = wb.field('columns.2.name');
    await name.fill('big');
    await wb.typeExpression('columns.2.expr', 'total > 100');
    const grid = page.getByTestId('preview-grid');
    await expect(grid.locator('[data-testid="grid-column"][data-column="big"]')).toBeVisible({ timeout: 30_000 });
    await expect(grid.locator('[data-testid="grid-column"][data-column="big"]').getByTestId('col-type')).toHaveText('boolean');
  });
});
