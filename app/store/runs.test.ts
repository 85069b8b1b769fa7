import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import { newRunId, runIdTime, StoreError, WorkbenchStore } from './index';

describe('run ids', () => {
  it('are ULIDs that sort by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newRunId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const t = Date.now();
    expect(Math.abs(runIdTime(ids[0])! - t)).toBeLessThan(5000);
  });

  it('stay increasing when the clock steps back', () => {
    const a = newRunId(Date.now() + 60_000);
    const b = newRunId(Date.now());
    expect(b > a).toBe(true);
  });
});

describe('runs', () => {
  it('start as running, finish with results and a duration', () => {
    const store = WorkbenchStore.openInMemory();
    const id = store.startRun({ kind: 'pipeline', name: 'clean customers', params: { since: '2024-01-01', limit: 10 }, pipelinePath: '/w/clean.yaml' });
    expect(store.getRun(id)).toMatchObject({ id, kind: 'pipeline', name: 'clean customers', status: 'running', params: { since: '2024-01-01', limit: 10 }, pipelinePath: '/w/clean.yaml' });
    expect(store.getRun(id)?.finishedAt).toBeUndefined();
    store.finishRun(id, { status: 'succeeded', rowsIn: 2000, rowsOut: 1950, rejected: 50 });
    const run = store.getRun(id)!;
    expect(run).toMatchObject({ status: 'succeeded', rowsIn: 2000, rowsOut: 1950, rejected: 50 });
    expect(run.error).toBeUndefined();
    expect(run.finishedAt! >= run.startedAt).toBe(true);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    store.close();
  });

  it('records failures with their error', () => {
    const store = WorkbenchStore.openInMemory();
    const id = store.startRun({ kind: 'migration', name: 'chinook to pg' });
    store.finishRun(id, { status: 'failed', error: 'connection refused' });
    expect(store.getRun(id)).toMatchObject({ status: 'failed', error: 'connection refused' });
    store.close();
  });

  it('refuses to finish a run twice, an unknown run, or with a bad status or kind', () => {
    const store = WorkbenchStore.openInMemory();
    const id = store.startRun({ kind: 'batch', name: 'b' });
    store.finishRun(id, { status: 'cancelled' });
    expect(() => store.finishRun(id, { status: 'succeeded' })).toThrow(/already finished \(cancelled\)/);
    expect(() => store.finishRun('nope', { status: 'succeeded' })).toThrow(/No run with id nope/);
    expect(() => store.finishRun(store.startRun({ kind: 'batch', name: 'c' }), { status: 'running' as 'succeeded' })).toThrow(StoreError);
    expect(() => store.startRun({ kind: 'nightly' as 'batch', name: 'x' })).toThrow(/Unknown run kind/);
    expect(store.getRun(id)?.status).toBe('cancelled');
    store.close();
  });

  it('lists newest first, filtered by kind and status, limited', () => {
    const store = WorkbenchStore.openInMemory();
    const kinds = ['pipeline', 'sync', 'preview', 'pipeline', 'migration', 'pipeline'] as const;
    const ids = kinds.map((kind, i) => store.startRun({ kind, name: `run ${i}` }));
    store.finishRun(ids[0], { status: 'succeeded' });
    store.finishRun(ids[3], { status: 'failed', error: 'x' });
    expect(store.listRuns().map((r) => r.id)).toEqual([...ids].reverse());
    expect(store.listRuns({ limit: 2 }).map((r) => r.name)).toEqual(['run 5', 'run 4']);
    expect(store.listRuns({ kind: 'pipeline' }).map((r) => r.name)).toEqual(['run 5', 'run 3', 'run 0']);
    expect(store.listRuns({ kind: 'pipeline', status: 'running' }).map((r) => r.name)).toEqual(['run 5']);
    expect(store.listRuns({ status: 'failed' }).map((r) => r.name)).toEqual(['run 3']);
    expect(store.listRuns({ limit: 0 })).toEqual([]);
    expect(() => store.listRuns({ limit: -1 })).toThrow(/limit/);
    store.close();
  });

  it('keeps params exact: bigint, Decimal and bytes become strings, not errors or nulls', () => {
    const store = WorkbenchStore.openInMemory();
    const id = store.startRun({ kind: 'batch', name: 'p', params: { big: 2n ** 64n, price: Decimal.parse('12345678901234567890.10')!, blob: new Uint8Array([1, 2, 255]), nan: Number.NaN } });
    expect(store.getRun(id)?.params).toEqual({ big: '18446744073709551616', price: '12345678901234567890.10', blob: 'AQL/', nan: 'NaN' });
    store.close();
  });

  it('deleting a run removes its node stats and rejected rows', () => {
    const store = WorkbenchStore.openInMemory();
    const id = store.startRun({ kind: 'pipeline', name: 'x' });
    store.recordNodeStats(id, [{ nodeId: 'a', rowsIn: 1, rowsOut: 1, rejected: 0, durationMs: 1 }]);
    store.addRejectedRows(id, [{ nodeId: 'a', rule: 'r', message: 'm', row: { a: 1 } }]);
    store.deleteRun(id);
    expect(store.getRun(id)).toBeUndefined();
    expect(store.getNodeStats(id)).toEqual([]);
    expect(store.listRejectedRows(id)).toEqual([]);
    expect(store.summarizeRejected(id)).toEqual([]);
    store.close();
  });
});

describe('transaction', () => {
  it('groups writes: all or nothing', () => {
    const store = WorkbenchStore.openInMemory();
    expect(() =>
      store.transaction(() => {
        store.savePipeline({ id: 'a', name: 'A', format: 'json', text: '{}' });
        const run = store.startRun({ kind: 'batch', name: 'inside' });
        store.addRejectedRows(run, [{ nodeId: 'n', rule: 'r', message: 'm', row: {} }]);
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(store.listPipelines()).toEqual([]);
    expect(store.listRuns()).toEqual([]);
    expect(store.transaction(() => store.startRun({ kind: 'batch', name: 'kept' }))).toMatch(/^[0-9A-Z]{26}$/);
    expect(store.listRuns()).toHaveLength(1);
    store.close();
  });
});

describe('node stats', () => {
  it('upserts per (run, node): later values replace earlier ones, order of first report kept', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    const other = store.startRun({ kind: 'pipeline', name: 'y' });
    store.recordNodeStats(run, [
      { nodeId: 'source', rowsIn: 0, rowsOut: 4096, rejected: 0, durationMs: 10 },
      { nodeId: 'validate', rowsIn: 4096, rowsOut: 4000, rejected: 96, durationMs: 5 },
    ]);
    store.recordNodeStats(other, [{ nodeId: 'source', rowsIn: 0, rowsOut: 1, rejected: 0, durationMs: 1 }]);
    store.recordNodeStats(run, [
      { nodeId: 'sink', rowsIn: 4000, rowsOut: 4000, rejected: 0, durationMs: 30 },
      { nodeId: 'source', rowsIn: 0, rowsOut: 8192, rejected: 0, durationMs: 21 },
    ]);
    const stats = store.getNodeStats(run);
    expect(stats.map((s) => [s.nodeId, s.rowsOut, s.durationMs])).toEqual([
      ['source', 8192, 21],
      ['validate', 4000, 5],
      ['sink', 4000, 30],
    ]);
    expect(stats[0].runId).toBe(run);
    expect(store.getNodeStats(other)).toHaveLength(1);
    expect(() => store.recordNodeStats('nope', [])).toThrow(/No run with id nope/);
    store.close();
  });
});

describe('the sync queue', () => {
  it('gives enqueued changes their ids in order, as pending() returns them', () => {
    const store = WorkbenchStore.openInMemory();
    const { state } = store.syncs.ensure('queue ids', 'fp', 'full');
    const entries = Array.from({ length: 250 }, (_, i) => ({ op: 'upsert' as const, key: `k${i}`, row: new Uint8Array([i % 256]) }));
    const first = store.syncs.enqueue(state.seq, undefined, entries.slice(0, 130))!;
    const second = store.syncs.enqueue(state.seq, undefined, entries.slice(130))!;
    const ids = [...first, ...second];
    expect(ids).toHaveLength(250);
    const pending = store.syncs.pending(state.seq, 0, 1000);
    expect(pending.map((e) => e.id)).toEqual(ids);
    expect(pending.map((e) => e.key)).toEqual(entries.map((e) => e.key));
    expect(store.syncs.enqueue(state.seq, undefined, [])).toEqual([]);
    store.close();
  });
});
