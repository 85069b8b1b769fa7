import { describe, expect, it } from 'vitest';
import type { JobInfo, MethodName } from '../../../../app/contract';
import { fakeApi, type FakeHandler } from '../../testing/fake-api';
import { createRunsStore } from '../../stores/runs';
import type { MigrationPlan } from './model';
import { createMigrationWizardStore, currentPlan, stepBlockers } from './store';

const tables = {
  shop: [
    { name: 'customers', kind: 'table', rowEstimate: 2 },
    { name: 'order_lines', kind: 'view' },
    { name: 'orders', kind: 'table', rowEstimate: 3 },
  ],
  copy: [{ name: 'orders', kind: 'table', rowEstimate: 0 }],
};

const plan = (problems: string[] = []): MigrationPlan => ({
  version: 1,
  source: { url: 'sqlite:./shop.db', dialect: 'sqlite' },
  target: { url: 'sqlite:./copy.db', dialect: 'sqlite' },
  options: { includeViews: false, ifExists: 'fail', typeRules: [], onError: 'stop', chunkRows: 50_000, verify: false },
  tables: [],
  cycles: [],
  steps: [],
  warnings: [],
  problems,
});

const job = (o: Partial<JobInfo>): JobInfo => ({ id: 'J1', kind: 'migration', title: 'migrate shop -> copy', status: 'running', createdAt: '2025-01-01T00:00:00Z', ...o });

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(extra: Partial<Record<MethodName, FakeHandler>> = {}) {
  let started = 0;
  const api = fakeApi({
    'connections/tables': (i) => ({ tables: tables[i.connection as 'shop' | 'copy'] }),
    'migration/plan': (i) => ({ plan: plan((i.ifExists as string) === 'fail' && (i.tables as string[]).includes('orders') ? ["target table 'orders' exists"] : []) }),
    'migration/start': () => ({ jobId: `J${++started}` }),
    'jobs/get': (i) => job({ id: i.id as string }),
    ...extra,
  });
  const runs = createRunsStore();
  // The run history is the runs store's own business (its real API call has no host here).
  runs.setState({ refreshRuns: async () => undefined });
  const store = createMigrationWizardStore({ call: api.call, runs });
  return { api, runs, store };
}

describe('the migration wizard store', () => {
  it('lists both ends; ticks every table of a new source (not its views); knows what the target holds', async () => {
    const { store } = setup();
    store.getState().setFrom('shop');
    store.getState().setTo('copy');
    await store.getState().loadTables();
    await tick();
    expect(store.getState().selected).toEqual(['customers', 'orders']);
    expect(store.getState().targetTables.value?.map((t) => t.name)).toEqual(['orders']);
    store.getState().setIncludeViews(true);
    store.getState().setTable('order_lines', true);
    expect(store.getState().selected).toEqual(['customers', 'order_lines', 'orders']);
    store.getState().setIncludeViews(false);
    expect(store.getState().selected).toEqual(['customers', 'orders']);
  });

  it('plans for the current choices only, and Run waits for a plan without problems', async () => {
    const { store, api } = setup();
    store.getState().setFrom('shop');
    store.getState().setTo('copy');
    await store.getState().loadTables();
    await store.getState().requestPlan();
    expect(currentPlan(store.getState())?.problems).toEqual(["target table 'orders' exists"]);
    expect(stepBlockers(store.getState(), { running: false, sameDatabase: false }).run).toBe('The plan has problems.');
    await store.getState().start();
    expect(api.calls.some((c) => c.method === 'migration/start')).toBe(false);

    // Another policy: the old plan is stale, and is not shown for the new choices.
    store.getState().setIfExists('truncate');
    expect(currentPlan(store.getState())).toBeUndefined();
    await store.getState().requestPlan();
    expect(currentPlan(store.getState())?.problems).toEqual([]);
    // Asking again for the same choices costs nothing.
    const before = api.calls.length;
    await store.getState().requestPlan();
    expect(api.calls.length).toBe(before);
  });

  it('starts with verify, follows the job in the runs store, and shows the report when it ends', async () => {
    const { store, api, runs } = setup();
    store.getState().setFrom('shop');
    store.getState().setTo('copy');
    await store.getState().loadTables();
    store.getState().setSelected(['customers']);
    store.getState().setChunkRows(1000);
    await store.getState().requestPlan();
    await store.getState().start();
    expect(api.calls.find((c) => c.method === 'migration/start')?.input).toMatchObject({ from: 'shop', to: 'copy', tables: ['customers'], verify: true, chunkRows: 1000 });
    expect(store.getState().step).toBe('run');
    expect(runs.getState().jobs.J1.title).toBe('migrate shop -> copy');
    expect(stepBlockers(store.getState(), { running: true, sameDatabase: false }).options).toMatch(/running/);
    runs.getState().applyFinished({ jobId: 'J1', job: job({ status: 'succeeded' }) });
    expect(store.getState().step).toBe('report');
    // Back to the options and run again: a new migration, not a resume of the first.
    store.getState().setSelected(['customers', 'orders']);
    store.getState().setIfExists('truncate');
    await store.getState().requestPlan();
    await store.getState().start();
    expect(store.getState().jobIds).toEqual(['J2']);
    expect(api.calls.filter((c) => c.method === 'migration/start')).toHaveLength(2);
  });

  it('resumes a cancelled run when its checkpoints say it can, and follows the new job', async () => {
    let resumable = true;
    const { store, api, runs } = setup({
      'migration/get': () => ({ runId: 'R1', status: resumable ? 'cancelled' : 'succeeded', source: 's', target: 't', tables: [], steps: [], resumable }),
      'migration/resume': () => ({ jobId: 'J2' }),
    });
    store.getState().setFrom('shop');
    store.getState().setTo('copy');
    await store.getState().loadTables();
    store.getState().setSelected(['customers']);
    await store.getState().requestPlan();
    await store.getState().start();
    const summary = { runId: 'R1', status: 'cancelled' as const, durationMs: 1, nodes: [], rowsRead: 0, rowsWritten: 0, rejected: 0 };
    runs.getState().applyFinished({ jobId: 'J1', job: job({ status: 'cancelled', result: summary }) });
    await store.getState().resume();
    expect(api.calls.find((c) => c.method === 'migration/resume')?.input).toEqual({ runId: 'R1' });
    expect(store.getState().jobIds).toEqual(['J1', 'J2']);
    expect(store.getState().step).toBe('run');

    runs.getState().applyFinished({ jobId: 'J2', job: job({ id: 'J2', status: 'cancelled', result: summary }) });
    resumable = false;
    await store.getState().resume();
    expect(store.getState().runError).toBe('This migration cannot be resumed: it is succeeded.');
    expect(store.getState().jobIds).toEqual(['J1', 'J2']);
  });

  it('says why a source cannot be listed, and blocks the same database at both ends', async () => {
    const { store } = setup({
      'connections/tables': () => {
        throw new Error('no such file');
      },
    });
    store.getState().setFrom('shop');
    await store.getState().loadTables();
    expect(store.getState().sourceTables).toMatchObject({ status: 'error', error: 'no such file' });
    store.getState().setTo('shop');
    expect(stepBlockers(store.getState(), { running: false, sameDatabase: true }).tables).toBe('The source and the target are the same database.');
  });
});
