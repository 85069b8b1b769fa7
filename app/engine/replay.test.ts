import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../scripts/generate-demo';
import { Decimal } from '../model/decimal';
import { loadDocument } from '../model/document-io';
import { WorkbenchStore } from '../store';
import { replayRejected, ReplayError } from './replay';
import { runPipeline } from './run';

const DEMO = join(import.meta.dirname, '..', '..', 'resources', 'demo');
let dir: string;
let store: WorkbenchStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-replay-'));
  await generateDemo(dir);
  for (const f of readdirSync(DEMO).filter((f) => f.endsWith('.yaml'))) copyFileSync(join(DEMO, f), join(dir, f));
  store = WorkbenchStore.open(join(dir, 'workbench.db'));
});

const doc = () => loadDocument(readFileSync(join(dir, 'clean-orders.yaml'), 'utf8')).document!;
const paidCount = () => {
  const db = new Database(join(dir, 'warehouse.db'), { readonly: true });
  const n = (db.prepare('select count(*) n from paid_orders').get() as { n: number }).n;
  db.close();
  return n;
};

describe('replaying rejected rows', () => {
  it('sends fixed rows back from the rejecting node, appends to the sinks, and marks them replayed', async () => {
    const first = await runPipeline(doc(), { baseDir: dir, recorder: store });
    expect(first.status).toBe('succeeded');
    const before = paidCount();
    // Paid orders rejected only for their quantity: fix the quantity and replay them.
    const negative = store
      .listRejectedRows(first.runId!, { nodeId: 'check', rule: 'positive_quantity', limit: 1000 })
      .filter((r) => r.row.status === 'paid');
    const onlyQuantity = negative.filter(
      (r) => store.listRejectedRows(first.runId!, { nodeId: 'check', limit: 5000 }).filter((x) => x.rowKey === r.rowKey).length === 1,
    );
    expect(onlyQuantity.length).toBeGreaterThan(5);
    const chosen = onlyQuantity.slice(0, 5);
    const result = await replayRejected(
      doc(),
      {
        runId: first.runId!,
        nodeId: 'check',
        ids: chosen.map((r) => r.id),
        // total was derived upstream of check, from the bad quantity: correct it too.
        fixes: chosen.flatMap((r) => [
          { rejectedId: r.id, column: 'quantity', value: 2 },
          { rejectedId: r.id, column: 'total', value: Decimal.parse(String(r.row.unit_price))!.mul(Decimal.of(2n)).toString() },
        ]),
      },
      store,
      { baseDir: dir, recorder: store },
    );
    expect(result.status).toBe('succeeded');
    expect(result.rowsReplayed).toBe(5);
    expect(result.sinksAppended).toEqual(['load']);
    expect(result.rejected).toBe(0);
    // The five corrected orders joined the 13,375 loaded before; nothing was replaced.
    expect(paidCount()).toBe(before + 5);
    const replayed = store.listRejectedRows(first.runId!, { nodeId: 'check', replayed: true, limit: 100 });
    expect(replayed.map((r) => r.id).sort()).toEqual(chosen.map((r) => r.id).sort());
  });

  it('records rows rejected again in the new run, and replays a row rejected for two reasons once', async () => {
    const first = await runPipeline(doc(), { baseDir: dir, recorder: store });
    const result = await replayRejected(doc(), { runId: first.runId!, nodeId: 'check' }, store, { baseDir: dir, recorder: store });
    expect(result.status).toBe('succeeded');
    // Unfixed, every row fails again for the same reasons; the new run records them.
    expect(result.rejected).toBe(result.rowsReplayed);
    expect(result.rowsReplayed).toBeLessThan(store.listRejectedRows(first.runId!, { nodeId: 'check', limit: 5000 }).length);
    expect(store.summarizeRejected(result.runId!).reduce((s, g) => s + g.count, 0)).toBeGreaterThanOrEqual(result.rowsReplayed);
    await expect(replayRejected(doc(), { runId: first.runId!, nodeId: 'check' }, store, { baseDir: dir })).rejects.toThrow(
      /no rejected rows of node 'check' left to replay/,
    );
  });

  it('refuses fixes that do not fit, sources, and unknown nodes, clearly', async () => {
    const first = await runPipeline(doc(), { baseDir: dir, recorder: store });
    const [r] = store.listRejectedRows(first.runId!, { nodeId: 'check', limit: 1 });
    await expect(
      replayRejected(doc(), { runId: first.runId!, nodeId: 'check', ids: [r.id], fixes: [{ rejectedId: r.id, column: 'quantity', value: 'lots' }] }, store, {
        baseDir: dir,
      }),
    ).rejects.toThrow(/column 'quantity': "lots" is not a bigint/);
    await expect(
      replayRejected(doc(), { runId: first.runId!, nodeId: 'check', ids: [r.id], fixes: [{ rejectedId: r.id, column: 'qty', value: 1 }] }, store, { baseDir: dir }),
    ).rejects.toThrow(/no column 'qty'/);
    await expect(replayRejected(doc(), { runId: first.runId!, nodeId: 'customers' }, store, { baseDir: dir })).rejects.toThrow(ReplayError);
    await expect(replayRejected(doc(), { runId: first.runId!, nodeId: 'nope' }, store, { baseDir: dir })).rejects.toThrow(/no node 'nope'/);
  });
});
