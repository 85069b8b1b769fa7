import { describe, expect, it } from 'vitest';
import type { SyncCounts } from '../../../../app/contract';
import { syncProgressView } from './progress';

const counts = (c: Partial<SyncCounts>): SyncCounts => ({ mode: 'full', phase: 'detect', sourceRows: 0, targetRows: 0, inserts: 0, updates: 0, deletes: 0, conflicts: 0, applied: 0, recovered: 0, ...c });

describe('sync progress as the run monitor shows it', () => {
  it('while detecting: changes found so far, no share applied yet', () => {
    const v = syncProgressView(counts({ phase: 'detect', sourceRows: 1200, inserts: 3 }), 'running');
    expect(v.phases.map((p) => p.state)).toEqual(['skipped', 'current', 'todo', 'todo']);
    expect(v.fraction).toBeUndefined();
    expect(v.summary).toBe('comparing: 1,200 source rows read, 3 changes queued so far');
  });

  it('while applying: the share applied and confirmed', () => {
    const v = syncProgressView(counts({ phase: 'apply', inserts: 200, updates: 50, deletes: 50, applied: 150 }), 'running');
    expect(v.fraction).toBe(0.5);
    expect(v.summary).toBe('applying: 150 of 300 changes applied and confirmed');
  });

  it('done: every kind found was applied', () => {
    const v = syncProgressView(counts({ phase: 'done', inserts: 1, updates: 1, deletes: 1, applied: 3 }), 'succeeded');
    expect(v.complete).toBe(true);
    expect(v.phases.map((p) => p.state)).toEqual(['skipped', 'done', 'done', 'done']);
    expect(v.summary).toBe('1 insert, 1 update, 1 delete applied');
    expect(syncProgressView(counts({ phase: 'done' }), 'succeeded').summary).toBe('nothing to apply: the target already matches');
  });

  it('a recovery and a stop say so', () => {
    const v = syncProgressView(counts({ phase: 'done', inserts: 2, applied: 2, recovered: 5 }), 'succeeded');
    expect(v.phases[0].state).toBe('done');
    expect(v.summary).toBe('2 inserts, 0 updates, 0 deletes applied · 5 queued changes of an earlier run recovered');
    const s = syncProgressView(counts({ phase: 'apply', inserts: 10, applied: 4 }), 'cancelled');
    expect(s.complete).toBe(false);
    expect(s.phases[2].state).toBe('stopped');
    expect(s.summary).toBe('cancelled after 4 of 10 changes applied (the rest stays queued for the next run)');
  });
});
