import { expect, test } from '../fixtures/workbench';

test('builds a pipeline from the palette: add, connect, configure, undo, redo', async ({ workbench: wb }, testInfo) => {
  const page = wb.page;
  await test.step('a new, empty pipeline', async () => {
    await expect(wb.pipelineItems.first()).toBeVisible();
    await wb.newPipeline();
    await expect(wb.pipelineTitle).toHaveText('untitled');
  });

  await test.step('add a source from the palette and configure it', async () => {
    await wb.paletteSearch.fill('sour');
    await expect(page.getByTestId('palette-item').first()).toHaveAttribute('data-node-type', 'source');
    await expect(page.getByTestId('palette-item')).toHaveCount(2); // Source, and Lookup (its description names a source)
    await wb.paletteSearch.press('Enter');
    await expect(wb.canvasNodes).toHaveCount(1);
    await expect(wb.inspector).toHaveAttribute('data-node-id', 'source');
    // Required fields are flagged as you type.
    await wb.field('connection').fill('sqlite:./shop.db');
    await wb.field('table').fill('orders');
    await expect(wb.unsavedMarker).toBeVisible();
  });

  await test.step('drag a filter onto the canvas and connect it', async () => {
    await wb.paletteSearch.fill('');
    const box = (await wb.canvas.boundingBox())!;
    await wb.dragFromPalette('filter', { x: box.width / 2 + 220, y: box.height / 2 + 40 });
    await expect(wb.node('filter')).toBeVisible();
    await wb.connect('source', 'filter');
    await expect(wb.edges).toHaveCount(1);
  });

  await test.step('an expression error shows at its place, then goes when fixed', async () => {
    await wb.select('filter');
    await wb.typeExpression('where', 'quantitx > 0');
    await expect(wb.fieldError('where')).toContainText("unknown column 'quantitx'");
    await expect(wb.inspector.locator('.cm-lintRange-error')).toHaveText('quantitx');
    await expect(wb.node('filter').getByTestId('node-problem-badge')).toBeVisible();
    // Completion offers the input columns.
    await wb.typeExpression('where', 'quan');
    const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'quantity' });
    await expect(option).toBeVisible();
    await option.click();
    await page.keyboard.type(' > 0');
    await expect(wb.field('where')).toHaveText('quantity > 0');
    await expect(wb.fieldError('where')).toHaveCount(0);
    await expect(wb.node('filter').getByTestId('node-problem-badge')).toHaveCount(0);
    await wb.shot(testInfo, 'configured');
  });

  await test.step('undo and redo every edit', async () => {
    // Leave the editor so the shortcuts act on the pipeline.
    await wb.canvas.click({ position: { x: 20, y: 20 } });
    await expect(page.getByTestId('toolbar-undo')).toBeEnabled();
    await page.keyboard.press('ControlOrMeta+Z'); // the where expression
    await expect(wb.edges).toHaveCount(1);
    await page.keyboard.press('ControlOrMeta+Z'); // the edge
    await expect(wb.edges).toHaveCount(0);
    await page.keyboard.press('ControlOrMeta+Z'); // the filter node
    await expect(wb.canvasNodes).toHaveCount(1);
    await page.getByTestId('toolbar-redo').click();
    await expect(wb.canvasNodes).toHaveCount(2);
    await page.keyboard.press('ControlOrMeta+Shift+Z');
    await expect(wb.edges).toHaveCount(1);
    await page.keyboard.press('ControlOrMeta+Y');
    await wb.select('filter');
    await expect(wb.field('where')).toHaveText('quantity > 0');
  });

  await test.step('copy, paste, multi-select and delete', async () => {
    await wb.canvas.click({ position: { x: 20, y: 20 } });
    await wb.node('filter').click();
    await page.keyboard.press('ControlOrMeta+C');
    await page.keyboard.press('ControlOrMeta+V');
    await expect(wb.node('filter_2')).toBeVisible();
    await wb.node('source').click({ modifiers: ['Shift'] });
    await expect(wb.inspector).toContainText('2 nodes selected');
    await page.keyboard.press('Delete');
    await expect(wb.canvasNodes).toHaveCount(1);
    await page.keyboard.press('ControlOrMeta+Z');
    await expect(wb.canvasNodes).toHaveCount(3);
    await expect(wb.edges).toHaveCount(1);
  });

  await test.step('auto-layout, zoom to fit and the shortcut overlay', async () => {
    await page.getByTestId('toolbar-layout').click();
    await page.getByTestId('toolbar-fit').click();
    await page.keyboard.press('?');
    await expect(page.getByTestId('help-overlay')).toBeVisible();
    await expect(page.getByTestId('help-overlay')).toContainText('Auto-layout');
    await wb.shot(testInfo, 'help-overlay');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  });
});
