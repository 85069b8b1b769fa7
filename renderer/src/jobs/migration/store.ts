import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SluiceApi } from '../../../../app/contract';
import { api } from '../../api';
import { runsStore, type RunsState } from '../../stores/runs';
import { isFinished } from '../status';
import {
  choicesKey,
  defaultSelection,
  mergeJobInfo,
  migrationRunId,
  planInput,
  selectable,
  type IfExists,
  type MigrationPlan,
  type OnError,
  type TableInfo,
  type WizardChoices,
} from './model';

export type WizardStep = 'endpoints' | 'tables' | 'options' | 'plan' | 'run' | 'report';

export const STEPS: ReadonlyArray<{ id: WizardStep; label: string }> = [
  { id: 'endpoints', label: 'Source and target' },
  { id: 'tables', label: 'Tables' },
  { id: 'options', label: 'Options' },
  { id: 'plan', label: 'Plan' },
  { id: 'run', label: 'Run' },
  { id: 'report', label: 'Report' },
];

/** Something fetched for a key (a connection, a set of choices): stale when the key moved on. */
export interface Loaded<T> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  key?: string;
  value?: T;
  error?: string;
}

const idle = <T>(): Loaded<T> => ({ status: 'idle' });

export interface MigrationWizardState extends WizardChoices {
  open: boolean;
  step: WizardStep;
  sourceTables: Loaded<TableInfo[]>;
  targetTables: Loaded<TableInfo[]>;
  verify: boolean;
  /** Source rows per chunk (transaction and checkpoint); undefined = the job's default. */
  chunkRows: number | undefined;
  plan: Loaded<MigrationPlan>;
  /** The jobs of this migration: the first start, then each resume. The last one is shown. */
  jobIds: string[];
  /** Starting, cancelling or resuming: the button waits. */
  busy: boolean;
  /** Why the last start / resume / cancel failed. */
  runError: string | undefined;

  show(): void;
  hide(): void;
  goTo(step: WizardStep): void;
  setFrom(name: string): void;
  setTo(name: string): void;
  swap(): void;
  loadTables(force?: boolean): Promise<void>;
  setTable(name: string, on: boolean): void;
  setSelected(names: string[]): void;
  setIncludeViews(on: boolean): void;
  setIfExists(p: IfExists): void;
  setOnError(p: OnError): void;
  setVerify(on: boolean): void;
  setChunkRows(n: number | undefined): void;
  addRule(text?: string): void;
  setRule(index: number, text: string): void;
  removeRule(index: number): void;
  /** The dry run for the current choices (kept when it is current, unless forced). */
  requestPlan(force?: boolean): Promise<void>;
  start(): Promise<void>;
  cancel(): Promise<void>;
  resume(): Promise<void>;
  /** A new migration with the same choices: the runs and the plan are forgotten. */
  again(): void;
}

export interface WizardDeps {
  call: SluiceApi['call'];
  runs: StoreApi<RunsState>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function currentKey(s: WizardChoices): string {
  return choicesKey(s);
}

/** The plan for exactly the current choices, when there is one. */
export function currentPlan(s: MigrationWizardState): MigrationPlan | undefined {
  return s.plan.status === 'ready' && s.plan.key === currentKey(s) ? s.plan.value : undefined;
}

export function currentJobId(s: Pick<MigrationWizardState, 'jobIds'>): string | undefined {
  return s.jobIds.at(-1);
}

/** Which steps may be visited now, and why not the others. */
export function stepBlockers(s: MigrationWizardState, at: { running: boolean; sameDatabase: boolean }): Record<WizardStep, string | undefined> {
  const running = at.running;
  const endpoints = !s.from || !s.to ? 'Choose a source and a target first.' : at.sameDatabase ? 'The source and the target are the same database.' : undefined;
  const tables = endpoints ?? (s.selected.length === 0 ? 'Choose at least one table.' : undefined);
  const plan = currentPlan(s);
  const locked = running ? 'A migration is running: it cannot be changed now.' : undefined;
  return {
    endpoints: locked,
    tables: locked ?? endpoints,
    options: locked ?? tables,
    plan: locked ?? tables,
    run: s.jobIds.length > 0 ? undefined : (tables ?? (!plan ? 'Make the plan first.' : plan.problems.length > 0 ? 'The plan has problems.' : undefined)),
    report: s.jobIds.length > 0 && !running ? undefined : 'The report comes when the migration has finished.',
  };
}

export function createMigrationWizardStore(deps: WizardDeps) {
  const store = createStore<MigrationWizardState>()((set, get) => {
    /**
     * Follows a job: what jobs/get says, merged with what the events said meanwhile. A resume
     * continues the same migration (one more attempt); a start is a new one.
     */
    const follow = async (jobId: string, resumed: boolean) => {
      set({ jobIds: resumed ? [...get().jobIds, jobId] : [jobId], step: 'run', runError: undefined });
      try {
        const fetched = await deps.call('jobs/get', { id: jobId });
        deps.runs.getState().upsertJob(mergeJobInfo(deps.runs.getState().jobs[jobId], fetched));
      } catch {
        // The events bring the job anyway.
      }
      if (get().step === 'run' && isFinished(deps.runs.getState().jobs[jobId]?.status)) set({ step: 'report' });
    };

    return {
      open: false,
      step: 'endpoints',
      from: '',
      to: '',
      selected: [],
      includeViews: false,
      ifExists: 'fail',
      typeRules: [],
      onError: 'stop',
      verify: true,
      chunkRows: undefined,
      sourceTables: idle(),
      targetTables: idle(),
      plan: idle(),
      jobIds: [],
      busy: false,
      runError: undefined,

      show() {
        set({ open: true });
        if (get().from) void get().loadTables();
      },
      hide() {
        set({ open: false });
      },
      goTo(step) {
        set({ step });
        if (step === 'tables') void get().loadTables();
        if (step === 'plan') void get().requestPlan();
      },
      setFrom(name) {
        if (name === get().from) return;
        set({ from: name, selected: [], sourceTables: idle() });
        if (name) void get().loadTables();
      },
      setTo(name) {
        if (name === get().to) return;
        set({ to: name, targetTables: idle() });
        if (name) void get().loadTables();
      },
      swap() {
        const { from, to } = get();
        set({ from: to, to: from, selected: [], sourceTables: idle(), targetTables: idle() });
        void get().loadTables();
      },

      async loadTables(force = false) {
        const load = async (which: 'sourceTables' | 'targetTables', connection: string) => {
          const known = get()[which];
          if (!connection || (!force && known.key === connection && (known.status === 'ready' || known.status === 'loading'))) return;
          set({ [which]: { status: 'loading', key: connection } } as Partial<MigrationWizardState>);
          try {
            const { tables } = await deps.call('connections/tables', { connection });
            const list = tables.filter((t) => t.kind === 'table' || t.kind === 'view');
            if (get()[which].key !== connection) return;
            set({ [which]: { status: 'ready', key: connection, value: list } } as Partial<MigrationWizardState>);
            if (which === 'sourceTables') {
              // First load of a source: every table ticked; on a reload, the ticks that still exist stay.
              const names = new Set(list.filter((t) => selectable(t, get().includeViews)).map((t) => t.name));
              const kept = get().selected.filter((n) => names.has(n));
              set({ selected: known.key === connection && known.status === 'ready' ? kept : kept.length > 0 ? kept : defaultSelection(list) });
            }
          } catch (e) {
            if (get()[which].key === connection) set({ [which]: { status: 'error', key: connection, error: message(e) } } as Partial<MigrationWizardState>);
          }
        };
        await Promise.all([load('sourceTables', get().from), load('targetTables', get().to)]);
      },

      setTable(name, on) {
        const selected = get().selected.filter((n) => n !== name);
        if (on) {
          // Keep the source's order, so the request reads like the list.
          const order = (get().sourceTables.value ?? []).map((t) => t.name);
          selected.push(name);
          selected.sort((a, b) => order.indexOf(a) - order.indexOf(b));
        }
        set({ selected });
      },
      setSelected(names) {
        set({ selected: [...names] });
      },
      setIncludeViews(on) {
        const views = new Set((get().sourceTables.value ?? []).filter((t) => t.kind === 'view').map((t) => t.name));
        set({ includeViews: on, ...(on ? {} : { selected: get().selected.filter((n) => !views.has(n)) }) });
      },
      setIfExists(ifExists) {
        set({ ifExists });
      },
      setOnError(onError) {
        set({ onError });
      },
      setVerify(verify) {
        set({ verify });
      },
      setChunkRows(chunkRows) {
        set({ chunkRows });
      },
      addRule(text = '') {
        set({ typeRules: [...get().typeRules, text] });
      },
      setRule(index, text) {
        set({ typeRules: get().typeRules.map((r, i) => (i === index ? text : r)) });
      },
      removeRule(index) {
        set({ typeRules: get().typeRules.filter((_, i) => i !== index) });
      },

      async requestPlan(force = false) {
        const s = get();
        if (!s.from || !s.to || s.selected.length === 0) return;
        const key = currentKey(s);
        if (!force && s.plan.key === key && (s.plan.status === 'ready' || s.plan.status === 'loading')) return;
        set({ plan: { status: 'loading', key, value: s.plan.value } });
        try {
          const { plan } = await deps.call('migration/plan', planInput(s));
          if (get().plan.key === key) set({ plan: { status: 'ready', key, value: plan } });
        } catch (e) {
          if (get().plan.key === key) set({ plan: { status: 'error', key, error: message(e) } });
        }
      },

      async start() {
        const s = get();
        const plan = currentPlan(s);
        if (!plan || plan.problems.length > 0 || s.busy) return;
        set({ busy: true, runError: undefined });
        try {
          const { jobId } = await deps.call('migration/start', { ...planInput(s), verify: s.verify, ...(s.chunkRows ? { chunkRows: s.chunkRows } : {}) });
          await follow(jobId, false);
        } catch (e) {
          set({ runError: message(e) });
        } finally {
          set({ busy: false });
        }
      },

      async cancel() {
        const id = currentJobId(get());
        if (!id) return;
        try {
          await deps.runs.getState().cancel(id);
        } catch (e) {
          set({ runError: message(e) });
        }
      },

      async resume() {
        const job = deps.runs.getState().jobs[currentJobId(get()) ?? ''];
        const runId = migrationRunId(job);
        if (!runId || get().busy) return;
        set({ busy: true, runError: undefined });
        try {
          // The checkpoints decide (another window may have resumed it meanwhile).
          const state = await deps.call('migration/get', { runId });
          if (!state.resumable) {
            set({ runError: `This migration cannot be resumed: it is ${state.status}.` });
            return;
          }
          const { jobId } = await deps.call('migration/resume', { runId });
          await follow(jobId, true);
        } catch (e) {
          set({ runError: message(e) });
        } finally {
          set({ busy: false });
        }
      },

      again() {
        // The target changed: its tables are listed again (the "exists in target" marks).
        set({ jobIds: [], plan: idle(), runError: undefined, step: 'tables', targetTables: idle() });
        void get().loadTables();
      },
    };
  });

  // The run step gives way to the report when the job ends: the runs store hears it first.
  deps.runs.subscribe((runs) => {
    const s = store.getState();
    const id = currentJobId(s);
    if (id && s.step === 'run' && isFinished(runs.jobs[id]?.status)) store.setState({ step: 'report' });
  });
  return store;
}

export const migrationWizardStore = createMigrationWizardStore({ call: api.call.bind(api), runs: runsStore });

export function useMigrationWizard<T>(selector: (s: MigrationWizardState) => T): T {
  return useStore(migrationWizardStore, selector);
}

/** Opens the wizard (the toolbar's Migrate… and its shortcut). */
export const openMigrationWizard = () => migrationWizardStore.getState().show();
