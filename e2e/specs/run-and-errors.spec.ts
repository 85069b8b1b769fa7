import { expect, test } from '../fixtures/workbench';

test('runs a pipeline, shows counts per node, then the rejected rows grouped, with fixes and rules', async ({ workbench: wb }, testInfo) => {
  const page = wb.page;
  await wb.openPipeline('clean-orders.yaml');

  await test.step('run: progress, then counts on the canvas and in the run history', async () => {
    const status = await wb.runAndWait();
    expect(status).toBe('succeeded');
    const orders = await wb.nodeCounts('orders');
    expect(orders.rowsOut).toBe(20_000);
    const check = await wb.nodeCounts('check');
    expect(check.rejected).toBeGreaterThan(0);
    expect(check.rowsIn).toBe(check.rowsOut + check.rejected);
    await expect(page.getByTestId('job-card').first().getByTestId('job-result')).toContainText('rejected');
    await expect(page.getByTestId('run-row').first()).toBeVisible();
    await wb.shot(testInfo, 'run-counts');
    await wb.showTab('logs');
  });

  await test.step('the errors panel: groups by rule, column and pattern', async () => {
    await wb.showTab('problems');
    const panel = page.getByTestId('rejected-panel');
    await expect(panel).toBeVisible();
    const groups = panel.getByTestId('error-group');
    await expect(groups.first()).toBeVisible();
    await expect(panel.locator('[data-testid="error-group"][data-label="positive_quantity"]')).toBeVisible();
    await expect(panel.locator('[data-testid="error-group"][data-label="schema:format"]')).toBeVisible();
    await panel.getByTestId('group-by-column').click();
    await expect(panel.locator('[data-testid="error-group"][data-label="email"]')).toBeVisible();
    await expect(panel.locator('[data-testid="error-group"][data-label="customer_id"]')).toBeVisible();
    await panel.getByTestId('group-by-pattern').click();
    await expect(panel.locator('[data-testid="error-group"][data-label^="email: "]').first()).toBeVisible();
    await expect(panel.locator('[data-testid="error-group"][data-label="email: NULL"]')).toBeVisible();
    await panel.getByTestId('group-by-rule').click();
  });

  await test.step('open a group: rows with the offending value highlighted; fix one and replay it', async () => {
    const panel = page.getByTestId('rejected-panel');
    await panel.locator('[data-testid="error-group"][data-label="schema:format"]').click();
    const detail = page.getByTestId('group-detail');
    await expect(detail.getByTestId('rejected-row').first()).toBeVisible();
    const first = detail.getByTestId('rejected-row').first();
    const cell = first.getByTestId('offending-cell');
    await expect(cell).toBeVisible();
    await cell.getByTestId('fix-input').fill('fixed.address@example.com');
    await expect(cell).toHaveClass(/fixed/);
    await detail.getByTestId('check-all').uncheck();
    await first.getByTestId('check-row').check();
    const replay = detail.getByTestId('replay-button');
    await expect(replay).toHaveText('Replay 1 row (1 fixed)');
    await wb.shot(testInfo, 'errors-panel');
    await replay.click();
    await expect(detail.getByTestId('replay-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(first.getByTestId('replayed-marker')).toBeVisible();
    await expect(detail.getByTestId('replayed-marker')).toHaveCount(1);
  });

  await test.step('add a rule from a group: a filter in front of the node that rejected', async () => {
    await page.getByTestId('add-rule-filter').click();
    await expect(page.getByTestId('prompt-input')).toHaveValue('email IS NOT NULL');
    await page.getByTestId('prompt-input').fill("email LIKE '%@%.%'");
    await page.getByTestId('prompt-ok').click();
    await expect(wb.node('keep_email')).toBeVisible();
    await expect(wb.inspector).toHaveAttribute('data-node-id', 'keep_email');
    await expect(wb.field('where')).toHaveText("email LIKE '%@%.%'");
  });
});
