import { describe, expect, it } from 'vitest';
import { ApiError, type JobInfo, type MethodName, type SyncSummary } from '../../../../app/contract';
import { fakeApi, type FakeHandler } from '../../testing/fake-api';
import { createRunsStore } from '../../stores/runs';
import { editorProblems, isDirty, latestJobOf, nextRunOf, syncNameOfJob, createSyncsStore } from './store';

const summary = (o: Partial<SyncSummary> = {}): SyncSummary => ({ id: 'a.sync.yaml', name: 'a', loads: true, mode: 'full', ...o });
const job = (o: Partial<JobInfo>): JobInfo => ({ id: 'J1', kind: 'sync', title: 'sync a', status: 'running', createdAt: '2025-01-01T00:00:00Z', ...o });
const DOC = { version: 1, kind: 'sync', name: 'a', source: { connection: 'sqlite:./shop.db', table: 'products' }, target: { connection: 'sqlite:./wh.db', table: 'products' } };

function setup(extra: Partial<Record<MethodName, FakeHandler>> = {}, answers: string[] = []) {
  const api = fakeApi({
    'syncs/list': () => ({ syncs: [summary({ schedule: { every: '15m', enabled: true } })] }),
    'runs/list': () => ({ runs: [] }),
    'syncs/get': () => ({ ...summary(), text: '', document: DOC, problems: [] }),
    'syncs/save': (i) => summary({ id: i.id as string }),
    'files/list': () => ({ files: [{ path: 'shop.db', size: 1, updatedAt: '' }], truncated: false }),
    'syncs/run': () => ({ jobId: 'J7' }),
    'jobs/get': (i) => job({ id: i.id as string }),
    ...extra,
  });
  const runs = createRunsStore();
  runs.setState({ refreshRuns: async () => undefined });
  const questions: string[] = [];
  const store = createSyncsStore({
    call: api.call,
    runs,
    choose: async (title) => {
      questions.push(title);
      return answers.shift();
    },
    showRuns: () => undefined,
  });
  return { api, runs, store, questions };
}

describe('the syncs store', () => {
  it('a new sync: its file follows its name until one is typed, and nothing is saved while the form has problems', async () => {
    const { api, store } = setup();
    await store.getState().newSync();
    store.getState().edit((f) => void (f.name = 'Orders → WH'));
    expect(store.getState().editor?.fileName).toBe('orders-wh.sync.yaml');
    expect(await store.getState().save()).toBe(false);
    expect(api.of('syncs/save')).toEqual([]);
    const e = store.getState().editor!;
    expect(e.attempted).toBe(true);
    expect(editorProblems(store.getState(), e).map((p) => p.path)).toEqual(['source.connection', 'source.table', 'target.connection', 'target.table']);
    store.getState().setFileName('custom.yaml');
    store.getState().edit((f) => void (f.name = 'other'));
    expect(store.getState().editor?.fileName).toBe('custom.yaml');
  });

  it('saves a new sync create-only, asks before replacing a file, and is clean after', async () => {
    let first = true;
    const { api, store, questions } = setup(
      {
        'syncs/save': (i) => {
          if (i.createOnly && first) {
            first = false;
            throw new ApiError('conflict', 'exists');
          }
          return summary({ id: i.id as string });
        },
      },
      ['replace'],
    );
    await store.getState().newSync();
    store.getState().edit((f) => {
      f.name = 'a';
      f.source = { connection: 'sqlite:./shop.db', table: 'products', schema: '', columns: undefined };
      f.target = { connection: 'sqlite:./wh.db', table: 'products', schema: '', create: true };
      f.schedule = { on: true, amount: '15', unit: 'm' };
    });
    expect(await store.getState().save()).toBe(true);
    expect(questions).toEqual(['Replace file?']);
    const saves = api.of('syncs/save');
    expect(saves.map((s) => [s.id, s.createOnly])).toEqual([
      ['a.sync.yaml', true],
      ['a.sync.yaml', undefined],
    ]);
    expect(saves[1].document).toMatchObject({ name: 'a', schedule: { every: '15m', enabled: true } });
    const e = store.getState().editor!;
    expect(e.id).toBe('a.sync.yaml');
    expect(isDirty(e)).toBe(false);
    expect(e.note?.text).toBe('Saved a.sync.yaml');
    // A schedule saved here: the next run is expected an interval later (within the host's rescan).
    expect(store.getState().scheduleSavedAt['a.sync.yaml']).toBeGreaterThan(0);
  });

  it("shows the core's problems by field, and drops a field's once it is edited", async () => {
    const { store } = setup({
      'syncs/get': () => ({ ...summary({ loads: false }), text: 'version: 1\nkind: sync\nname: a\nbatchSize: 0\n', problems: [{ path: 'batchSize', message: 'too small', severity: 'error' }, { path: 'source', message: 'required', severity: 'error' }] }),
    });
    await store.getState().open('a.sync.yaml');
    const e = store.getState().editor!;
    expect(e.form.name).toBe('a');
    expect(e.form.batchSize).toBe('0'); // as the file says, beside its problem
    expect(editorProblems(store.getState(), e).map((p) => p.path)).toEqual(['batchSize', 'source']);
    store.getState().edit((f) => void (f.batchSize = '10'), 'batchSize');
    expect(store.getState().editor!.serverProblems.map((p) => p.path)).toEqual(['source']);
  });

  it('runs the saved file, or the form as edited, and follows the job in the run monitor', async () => {
    const { api, store, runs } = setup();
    await store.getState().open('a.sync.yaml');
    expect(await store.getState().runNow()).toBe('J7');
    store.getState().edit((f) => void (f.batchSize = '10'));
    await store.getState().runNow();
    expect(api.of('syncs/run')).toEqual([{ id: 'a.sync.yaml' }, { id: 'a.sync.yaml', document: expect.objectContaining({ batchSize: 10 }) }]);
    expect(store.getState().startedHere.J7).toBe(true);
    expect(latestJobOf(runs.getState(), 'a')?.id).toBe('J7');
  });

  it('reset asks first; Cancel changes nothing', async () => {
    const reset = setup({ 'syncs/reset': () => ({ reset: true }) }, ['cancel', 'reset']);
    await reset.store.getState().refresh();
    await reset.store.getState().open('a.sync.yaml');
    await reset.store.getState().reset();
    expect(reset.api.of('syncs/reset')).toEqual([]);
    await reset.store.getState().reset();
    expect(reset.api.of('syncs/reset')).toEqual([{ id: 'a.sync.yaml' }]);
    expect(reset.questions).toEqual(['Reset sync state', 'Reset sync state']);
    expect(reset.store.getState().editor?.note?.text).toContain('was reset');
  });

  it('closing with unsaved changes asks; Cancel keeps the editor open', async () => {
    const { store, questions } = setup({}, ['cancel', 'discard']);
    await store.getState().open('a.sync.yaml');
    store.getState().edit((f) => void (f.description = 'x'));
    expect(await store.getState().close()).toBe(false);
    expect(store.getState().editor).toBeDefined();
    expect(await store.getState().close()).toBe(true);
    expect(store.getState().editor).toBeUndefined();
    expect(questions).toEqual(['Unsaved sync', 'Unsaved sync']);
  });

  it("a run the host started on its own is a tick of the schedule; a job known only from an event gets its title", async () => {
    const { store, runs } = setup({ 'jobs/get': (i) => job({ id: i.id as string, createdAt: '2025-01-01T10:00:00Z' }) });
    await store.getState().refresh();
    runs.getState().applyProgress({ jobId: 'J9', kind: 'sync', status: 'running' });
    expect(runs.getState().jobs.J9.title).toBe('sync');
    await store.getState().onJobEvent('J9', 'sync', 'running');
    expect(runs.getState().jobs.J9.title).toBe('sync a');
    const tick = Date.parse('2025-01-01T10:00:00Z');
    expect(store.getState().ticks.a).toBe(tick);
    const s = store.getState().syncs[0];
    expect(nextRunOf(s, store.getState().ticks.a, undefined, tick + 60_000)).toEqual({ at: tick + 15 * 60_000, approximate: false });
    // A job this window started is not a tick.
    store.setState({ ticks: {}, startedHere: { J10: true } });
    await store.getState().onJobEvent('J10', 'sync', 'running');
    expect(store.getState().ticks).toEqual({});
  });

  it("the host's next run time wins, rolled on by whole intervals once it has passed", () => {
    const base = { id: 'a.sync.yaml', name: 'a', loads: true, schedule: { every: '15m', enabled: true } };
    const at = Date.parse('2025-01-01T10:15:00Z');
    const s = { ...base, nextRunAt: new Date(at).toISOString() };
    expect(nextRunOf(s, undefined, undefined, at - 60_000)).toEqual({ at, approximate: false });
    expect(nextRunOf(s, undefined, undefined, at + 60_000)).toEqual({ at: at + 15 * 60_000, approximate: false });
    // Without it, what this window saw (here: nothing) decides.
    expect(nextRunOf(base, undefined, undefined, at)).toBeUndefined();
    expect(nextRunOf({ ...s, schedule: { every: '15m', enabled: false } }, undefined, undefined, at)).toBeUndefined();
  });

  it('names the sync of a job by its title', () => {
    expect(syncNameOfJob('sync orders-copy')).toBe('orders-copy');
    expect(syncNameOfJob('migrate a -> b')).toBeUndefined();
  });
});
