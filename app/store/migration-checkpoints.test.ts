import { describe, expect, it } from 'vitest';
import { WorkbenchStore } from './index';

describe('migration checkpoints', () => {
  it('records a plan, chunks in order with their last key, steps, and survives a reopen of the run', () => {
    const store = WorkbenchStore.openInMemory();
    const runId = store.startRun({ kind: 'migration', name: 'a -> b' });
    store.beginMigration(runId, { source: 'sqlite:a.db', target: 'postgres://u@h/db', plan: { tables: ['t', 'u'] }, owner: 'host:1', tables: [{ name: 't', rowsTotal: 10 }, { name: 'u' }] });
    store.recordMigrationChunk(runId, { table: 't', chunk: 1, firstKey: [1], lastKey: [5], rows: 5, rejected: 0 });
    store.recordMigrationChunk(runId, { table: 't', chunk: 2, firstKey: [6], lastKey: [10n], rows: 4, rejected: 1 });
    // A chunk that does not follow the last one (a second writer, a replay) is refused.
    expect(() => store.recordMigrationChunk(runId, { table: 't', chunk: 2, lastKey: [10], rows: 1, rejected: 0 })).toThrow(/does not follow/);
    store.setMigrationTableState(runId, 't', 'loaded');
    store.migrationStepDone(runId, 'create:t');
    store.migrationStepDone(runId, 'create:t');
    const m = store.getMigration(runId)!;
    expect(m.plan).toEqual({ tables: ['t', 'u'] });
    expect(m.tables.map((t) => [t.name, t.state, t.rowsCopied, t.rowsRejected, t.chunks, t.lastKey])).toEqual([
      ['t', 'loaded', 9, 1, 2, ['10']],
      ['u', 'pending', 0, 0, 0, undefined],
    ]);
    expect(m.steps).toEqual(['create:t']);
    store.finishRun(runId, { status: 'cancelled' });
    store.reopenRun(runId);
    expect(store.getRun(runId)?.status).toBe('running');
    store.resetMigrationTable(runId, 't');
    expect(store.getMigration(runId)!.tables[0]).toMatchObject({ state: 'pending', rowsCopied: 0, chunks: 0 });
    expect(store.getMigration(store.startRun({ kind: 'pipeline', name: 'p' }))).toBeUndefined();
    store.close();
  });
});
