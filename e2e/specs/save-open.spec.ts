import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '../fixtures/workbench';

test('save, save as, open and export round-trip a pipeline; unsaved changes are marked and asked about', async ({ workbench: wb, workspaceDir }, testInfo) => {
  const page = wb.page;
  await test.step('build and save a new pipeline', async () => {
    await wb.newPipeline();
    await wb.addFromPalette('source');
    await wb.field('connection').fill('sqlite:./shop.db');
    await wb.field('table').fill('customers');
    await wb.addFromPalette('dedupe');
    // Connected from the keyboard: the inspector's input choice.
    await expect(wb.inspector).toHaveAttribute('data-node-id', 'dedupe');
    await page.getByTestId('input-select-in').selectOption({ label: 'source' });
    await expect(wb.edges).toHaveCount(1);
    await expect(wb.unsavedMarker).toBeVisible();
    await page.keyboard.press('ControlOrMeta+S'); // not saved yet: asks for a name
    await page.getByTestId('prompt-input').fill('round-trip.yaml');
    await page.getByTestId('prompt-ok').click();
    await expect(page.getByTestId('pipeline-file')).toHaveText('round-trip.yaml');
    await expect(wb.unsavedMarker).toHaveCount(0);
    await expect(wb.pipelineItem('round-trip.yaml')).toBeVisible();
    const text = readFileSync(path.join(workspaceDir, 'round-trip.yaml'), 'utf8');
    expect(text).toContain('- { from: source, to: dedupe }');
  });

  await test.step('an unsaved change is marked, and leaving asks first', async () => {
    await wb.select('dedupe');
    await wb.field('key').fill('email');
    await wb.field('key').blur();
    await expect(wb.unsavedMarker).toBeVisible();
    await wb.pipelineItem('clean-orders.yaml').click();
    await expect(page.getByTestId('choice-dialog')).toBeVisible();
    await page.getByTestId('choice-cancel').click();
    await expect(page.getByTestId('pipeline-file')).toHaveText('round-trip.yaml');
    await page.getByTestId('toolbar-save').click();
    await expect(wb.unsavedMarker).toHaveCount(0);
  });

  await test.step('open another, then the saved one again: the same document', async () => {
    await wb.openPipeline('clean-orders.yaml');
    await wb.openPipeline('round-trip.yaml');
    expect((await wb.nodeIds()).sort()).toEqual(['dedupe', 'source']);
    await expect(wb.edges).toHaveCount(1);
    await wb.select('dedupe');
    await expect(wb.field('key')).toHaveValue('email');
  });

  await test.step('save as a JSON copy, export YAML, and open a file from disk', async () => {
    await wb.saveAs('round-trip-copy.json');
    const json = JSON.parse(readFileSync(path.join(workspaceDir, 'round-trip-copy.json'), 'utf8')) as { nodes: Array<{ id: string }> };
    expect(json.nodes.map((n) => n.id)).toEqual(['source', 'dedupe']);
    const download = page.waitForEvent('download');
    await page.getByTestId('toolbar-export').click();
    await page.getByTestId('export-yaml').click();
    const file = await download;
    const exported = readFileSync((await file.path())!, 'utf8');
    expect(exported).toContain('name: round-trip');
    expect(exported).toContain('type: dedupe');

    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('toolbar-open').click();
    await (await chooser).setFiles({ name: 'from-disk.yaml', mimeType: 'application/yaml', buffer: Buffer.from(exported.replace('name: round-trip', 'name: from-disk')) });
    await expect(wb.pipelineTitle).toHaveText('from-disk');
    await expect(page.getByTestId('pipeline-file')).toHaveText('from-disk.yaml');
    await wb.shot(testInfo, 'round-trip');
  });
});
