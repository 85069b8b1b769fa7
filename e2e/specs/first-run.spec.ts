import { readdirSync } from 'node:fs';
import { expect, test } from '../fixtures/workbench';
import { E2E_DEMO_DIR } from '../fixtures/paths';

/** The pipelines the demo workspace ships with (what a first start must show). */
const demoPipelines = readdirSync(E2E_DEMO_DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.'))
  .sort();

test('opens on the demo workspace, lists its pipelines, runs one and shows rows per node', async ({ workbench }) => {
  await expect(workbench.workspaceName).toHaveText('workspace');
  await expect(workbench.statusBar).toContainText('Sluice');

  // Every demo pipeline is listed.
  await expect(workbench.pipelineItems).toHaveCount(demoPipelines.length);
  const listed = await workbench.pipelineIds();
  expect([...listed].sort()).toEqual(demoPipelines);

  // Open the first one: its nodes are shown.
  const id = listed[0];
  await workbench.openPipeline(id);
  await expect(workbench.pipelineTitle).not.toBeEmpty();
  const nodes = await workbench.nodeIds();
  expect(nodes.length).toBeGreaterThan(0);

  // Run it: it ends successfully, with a row of counts per node.
  const status = await workbench.runAndWait();
  expect(status).toBe('succeeded');
  await expect(workbench.nodeStatsRows).toHaveCount(nodes.length);
  const stats = await workbench.nodeStats();
  expect(stats.map((s) => s.nodeId).sort()).toEqual([...nodes].sort());
  // Rows flowed: the sources read some and every node saw or produced rows.
  expect(stats.reduce((n, s) => n + s.rowsOut, 0)).toBeGreaterThan(0);
  await expect(workbench.page.getByTestId('run-summary')).toContainText('rows read');
  await expect(workbench.errors).toHaveCount(0);
  // The screenshot taken after the spec shows the counts.
  await workbench.nodeStatsRows.last().scrollIntoViewIfNeeded();
});
