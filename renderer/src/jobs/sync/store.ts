import { useStore } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { JobInfo, MethodInput, MethodOutput, RunRecord, SluiceApi, SyncSummary } from '../../../../app/contract';
import { parseDocumentText, type DocumentFormat } from '../../../../app/model/document-io';
import { api, ApiError } from '../../api';
import { connectionsStore } from '../../stores/connections';
import { dialogsStore, notify, type DialogsState } from '../../stores/dialogs';
import { runsStore, type RunsState } from '../../stores/runs';
import { uiStore } from '../../stores/ui';
import { saveTextFile } from './export';
import { contentOf, documentFromForm, emptyForm, everyMs, formFromDocument, normaliseFileId, syncFileName, validateForm, type FieldProblem, type SourceFacts, type SyncForm } from './form';
import { nextRun, type NextRun } from './schedule';

export type TableDescription = MethodOutput<'connections/describe'>;

/** The sync open in the editor. */
export interface SyncEditorState {
  /** Which opening of the editor this is (a new form for each). */
  session: number;
  /** The definition file (workspace id); undefined until a new sync is first saved. */
  id: string | undefined;
  /** A new sync's file name, proposed from its name until typed over. */
  fileName: string;
  fileNameTyped: boolean;
  form: SyncForm;
  /** The definition as last loaded or saved (contentOf): the form is dirty when it makes another. */
  baseline: string;
  /** What the core said: syncs/get, a refused syncs/save or syncs/run. */
  serverProblems: FieldProblem[];
  /** The form's own checks show once a save or a run was tried (before, fields are not nagged while typed). */
  attempted: boolean;
  busy: 'saving' | 'running' | 'resetting' | 'exporting' | undefined;
  /** What the editor just did (saved, exported, reset), shown in its footer for a moment; a toast would cover the footer. */
  note: { text: string; at: number } | undefined;
}

export interface SyncsState {
  syncs: SyncSummary[];
  loaded: boolean;
  error: string | undefined;
  /** The explorer section is open (remembered). */
  sectionOpen: boolean;
  /** Recorded sync runs by id (runs/list): each sync's last run. */
  runs: Record<string, RunRecord>;
  /** Jobs this window started (the others are the host scheduler's, or another window's). */
  startedHere: Record<string, true>;
  /** Sync jobs an event was seen of. */
  seenJobs: Record<string, true>;
  /** Per sync name: when the host last started it on its own (a tick of its schedule). */
  ticks: Record<string, number>;
  /** Per definition file: when this window saved it with a schedule. */
  scheduleSavedAt: Record<string, number>;
  /** Source table descriptions, by connection, schema and table. */
  described: Record<string, TableDescription | { error: string }>;
  /** SQLite files of the workspace, offered as connections. */
  workspaceDbs: string[];
  editor: SyncEditorState | undefined;

  toggleSection(): void;
  refresh(): Promise<void>;
  newSync(): Promise<void>;
  open(id: string): Promise<void>;
  close(opts?: { force?: boolean }): Promise<boolean>;
  edit(change: (f: SyncForm) => void, touched?: string): void;
  setFileName(name: string): void;
  save(): Promise<boolean>;
  runNow(id?: string): Promise<string | undefined>;
  reset(id?: string): Promise<void>;
  exportAs(format: DocumentFormat): Promise<void>;
  describe(connection: string, table: string, schema?: string): Promise<void>;
  loadWorkspaceDbs(): Promise<void>;
  /** Sync job events: the job's sync, the host scheduler's rhythm, a refresh of the list's state. */
  onJobEvent(jobId: string, kind: string, status: string): Promise<void>;
}

export const describeId = (connection: string, table: string, schema = '') => `${connection}\u0000${schema}\u0000${table}`;

/** A connection of the form as the host can open it: a name of the document's own block becomes its URL. */
export function resolveConnection(form: SyncForm, name: string): string {
  return form.kept.connections?.[name]?.url ?? name;
}

/** The sync a job runs, by the title the host gives it (`sync <name>`). */
export function syncNameOfJob(title: string): string | undefined {
  return title.startsWith('sync ') ? title.slice(5) : undefined;
}

export const isDirty = (e: SyncEditorState | undefined) => e !== undefined && (e.id === undefined || contentOf(e.form) !== e.baseline);

function message(e: unknown): string {
  if (e instanceof ApiError && e.issues?.length) return `${e.message.split(':')[0]}: ${e.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
  return e instanceof Error ? e.message : String(e);
}

/** The editor's source table, when described: what validateForm checks key and cursor against. */
export function sourceFacts(s: Pick<SyncsState, 'described'>, form: SyncForm): SourceFacts | undefined {
  if (!form.source.connection || !form.source.table) return undefined;
  const d = s.described[describeId(resolveConnection(form, form.source.connection), form.source.table, form.source.schema)];
  return d && !('error' in d) ? { columns: d.columns.map((c) => c.name), primaryKey: d.primaryKey } : undefined;
}

/** Problems to show: the form's own checks (once tried) and what the core said. */
export function editorProblems(s: Pick<SyncsState, 'described'>, e: SyncEditorState): FieldProblem[] {
  return [...(e.attempted ? validateForm(e.form, sourceFacts(s, e.form)) : []), ...e.serverProblems];
}

/** The newest job of this session running the sync of this name (the host titles them `sync <name>`). */
export function latestJobOf(runs: Pick<RunsState, 'order' | 'jobs'>, name: string): JobInfo | undefined {
  for (const id of runs.order) {
    const j = runs.jobs[id];
    if (j?.kind === 'sync' && j.title === `sync ${name}`) return j;
  }
  return undefined;
}

/**
 * When a sync's next scheduled run is expected: as the host's scheduler says (rolled on by
 * whole intervals when the list is older than that time), else worked out from what this
 * session saw (schedule.ts; `tick` and `savedAt` from the store).
 */
export function nextRunOf(sync: SyncSummary, tick: number | undefined, savedAt: number | undefined, now: number): NextRun | undefined {
  if (!sync.schedule?.enabled) return undefined;
  const ms = everyMs(sync.schedule.every);
  if (ms === undefined) return undefined;
  const host = sync.nextRunAt === undefined ? NaN : Date.parse(sync.nextRunAt);
  if (Number.isFinite(host)) return { at: host >= now ? host : host + Math.ceil((now - host) / ms) * ms, approximate: false };
  return nextRun({ everyMs: ms, lastTick: tick, savedAt, now });
}

let sessions = 0;

/** What the store reaches outside itself (tests give their own). */
export interface SyncsDeps {
  call: SluiceApi['call'];
  runs: StoreApi<RunsState>;
  /** Asks a question with buttons (the workbench's choice dialog). */
  choose: DialogsState['choose'];
  /** Brings the run monitor forward. */
  showRuns(): void;
}

/** Where nothing can be remembered (Node in tests): nothing is. */
const nowhere = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };

export function createSyncsStore(
  deps: SyncsDeps = { call: (...a) => api.call(...a), runs: runsStore, choose: (...a) => dialogsStore.getState().choose(...a), showRuns: () => uiStore.getState().showTab('runs') },
) {
  return createStore<SyncsState>()(
    persist(
      (set, get) => {
        const patchEditor = (patch: Partial<SyncEditorState>) => {
          const e = get().editor;
          if (e) set({ editor: { ...e, ...patch } });
        };

        /** False (and the problems shown) when the form's own checks fail. */
        const checked = (): boolean => {
          const e = get().editor;
          if (!e) return false;
          const problems = validateForm(e.form, sourceFacts(get(), e.form));
          patchEditor({ attempted: true });
          return problems.length === 0;
        };

        const coreProblems = (e: unknown): FieldProblem[] | undefined =>
          e instanceof ApiError && (e.code === 'invalid-document' || e.code === 'invalid-input') && e.issues?.length ? e.issues.map((i) => ({ path: i.path, message: i.message })) : undefined;

        return {
          syncs: [],
          loaded: false,
          error: undefined,
          sectionOpen: true,
          runs: {},
          startedHere: {},
          seenJobs: {},
          ticks: {},
          scheduleSavedAt: {},
          described: {},
          workspaceDbs: [],
          editor: undefined,

          toggleSection: () => set({ sectionOpen: !get().sectionOpen }),

          async refresh() {
            try {
              const [{ syncs }, { runs }] = await Promise.all([deps.call('syncs/list'), deps.call('runs/list', { kind: 'sync', limit: 100 })]);
              set({ syncs, runs: Object.fromEntries(runs.map((r) => [r.id, r])), loaded: true, error: undefined });
            } catch (e) {
              set({ loaded: true, error: message(e) });
            }
          },

          async newSync() {
            if (get().editor && !(await get().close())) return;
            const form = emptyForm();
            set({ editor: { session: ++sessions, id: undefined, fileName: '', fileNameTyped: false, form, baseline: contentOf(form), serverProblems: [], attempted: false, busy: undefined, note: undefined } });
            void get().loadWorkspaceDbs();
          },

          async open(id) {
            if (get().editor && !(await get().close())) return;
            try {
              const r = await deps.call('syncs/get', { id });
              // A file that does not load still opens: what can be read of it, with its problems beside the fields.
              const value = r.document ?? parseDocumentText(r.text, id).value;
              const form = formFromDocument(value);
              set({ editor: { session: ++sessions, id, fileName: id, fileNameTyped: true, form, baseline: contentOf(form), serverProblems: r.problems, attempted: false, busy: undefined, note: undefined } });
              void get().loadWorkspaceDbs();
            } catch (e) {
              notify(`Could not open ${id}: ${message(e)}`, 'error');
            }
          },

          async close({ force = false } = {}) {
            const e = get().editor;
            if (!e) return true;
            if (!force && isDirty(e) && (e.id !== undefined || contentOf(e.form) !== contentOf(emptyForm()))) {
              const answer = await deps.choose('Unsaved sync', `Save the changes to '${e.form.name || 'the new sync'}' first?`, [
                { id: 'save', label: 'Save', primary: true },
                { id: 'discard', label: "Don't save" },
                { id: 'cancel', label: 'Cancel' },
              ]);
              if (answer === 'cancel' || answer === undefined) return false;
              if (answer === 'save' && !(await get().save())) return false;
            }
            set({ editor: undefined });
            return true;
          },

          edit(change, touched) {
            const e = get().editor;
            if (!e) return;
            const form = structuredClone(e.form);
            change(form);
            // A new sync's file follows its name until a file name is typed.
            const fileName = e.id === undefined && !e.fileNameTyped ? (form.name.trim() ? syncFileName(form.name) : '') : e.fileName;
            // What the core said about a field is stale once the field changes.
            const serverProblems = touched ? e.serverProblems.filter((p) => !p.path.startsWith(touched)) : e.serverProblems;
            set({ editor: { ...e, form, fileName, serverProblems } });
          },

          setFileName(name) {
            patchEditor({ fileName: name, fileNameTyped: true });
          },

          async save() {
            const e = get().editor;
            if (!e || e.busy) return false;
            if (!checked()) return false;
            const isNew = e.id === undefined;
            const id = e.id ?? normaliseFileId(e.fileName || syncFileName(e.form.name));
            const document = documentFromForm(e.form);
            patchEditor({ busy: 'saving' });
            try {
              try {
                await deps.call('syncs/save', { id, document, createOnly: isNew });
              } catch (err) {
                if (!(err instanceof ApiError && err.code === 'conflict')) throw err;
                const answer = await deps.choose('Replace file?', `${id} exists already. Replace it?`, [
                  { id: 'replace', label: 'Replace', primary: true },
                  { id: 'cancel', label: 'Cancel' },
                ]);
                if (answer !== 'replace') return false;
                await deps.call('syncs/save', { id, document });
              }
              const wasScheduled = get().syncs.find((s) => s.id === id)?.schedule;
              const schedule = document.schedule;
              if (schedule && schedule.enabled !== false && (wasScheduled?.every !== schedule.every || !wasScheduled.enabled)) {
                set({ scheduleSavedAt: { ...get().scheduleSavedAt, [id]: Date.now() } });
              }
              const cur = get().editor;
              if (cur) set({ editor: { ...cur, id, fileName: id, fileNameTyped: true, baseline: contentOf(e.form), serverProblems: [], attempted: false, note: { text: `Saved ${id}`, at: Date.now() } } });
              void get().refresh();
              return true;
            } catch (err) {
              const problems = coreProblems(err);
              if (problems) patchEditor({ serverProblems: problems, attempted: true });
              notify(`Could not save: ${message(err)}`, 'error');
              return false;
            } finally {
              patchEditor({ busy: undefined });
            }
          },

          async runNow(id) {
            const e = get().editor;
            const fromEditor = id === undefined || e?.id === id;
            let input: MethodInput<'syncs/run'>;
                    if (fromEditor) {
              if (!e || e.busy) return undefined;
              if (!checked()) return undefined;
              // An edited definition runs as it is in the form (the file's folder still anchors relative paths).
              input = e.id === undefined ? { document: documentFromForm(e.form) } : isDirty(e) ? { id: e.id, document: documentFromForm(e.form) } : { id: e.id };
              patchEditor({ busy: 'running' });
            } else {
              input = { id };
            }
            try {
              const { jobId } = await deps.call('syncs/run', input);
              set({ startedHere: { ...get().startedHere, [jobId]: true } });
              deps.runs.getState().upsertJob(await deps.call('jobs/get', { id: jobId }));
              deps.showRuns();
              return jobId;
            } catch (err) {
              const problems = coreProblems(err);
              if (problems && fromEditor) patchEditor({ serverProblems: problems, attempted: true });
              notify(`Could not start the sync: ${message(err)}`, 'error');
              return undefined;
            } finally {
              if (fromEditor) patchEditor({ busy: undefined });
            }
          },

          async reset(id) {
            const syncId = id ?? get().editor?.id;
            if (!syncId) return;
            const s = get().syncs.find((x) => x.id === syncId);
            const name = s?.name ?? get().editor?.form.name ?? syncId;
            const pending = s?.state?.pending ?? 0;
            const parts = [
              ...(s?.state?.highWater !== undefined ? [`its high-water mark (${s.state.highWater})`] : []),
              'the row hashes it keeps',
              pending > 0 ? `${pending.toLocaleString('en-US')} queued change${pending === 1 ? '' : 's'} not yet applied` : 'its queue',
            ];
            const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
            const answer = await deps.choose(
              'Reset sync state',
              `Forget what '${name}' remembers: ${list}? Its next run compares the whole source with the target from scratch. Rows already in the target stay.`,
              [
                { id: 'reset', label: 'Reset state', primary: true },
                { id: 'cancel', label: 'Cancel' },
              ],
            );
            if (answer !== 'reset') return;
            patchEditor({ busy: 'resetting' });
            try {
              const r = await deps.call('syncs/reset', { id: syncId });
              const text = r.reset ? `The state of '${name}' was reset: its next run starts afresh` : `'${name}' had no state to reset`;
              if (get().editor?.id === syncId) patchEditor({ note: { text, at: Date.now() } });
              else notify(text);
              void get().refresh();
            } catch (err) {
              notify(`Could not reset: ${message(err)}`, 'error');
            } finally {
              patchEditor({ busy: undefined });
            }
          },

          async exportAs(format) {
            const e = get().editor;
            if (!e) return;
            if (isDirty(e)) {
              const answer = await deps.choose('Export sync', `Export exports the saved file. Save the changes to '${e.form.name || 'the new sync'}' first?`, [
                { id: 'save', label: 'Save and export', primary: true },
                { id: 'cancel', label: 'Cancel' },
              ]);
              if (answer !== 'save' || !(await get().save())) return;
            }
            const id = get().editor?.id;
            if (!id) return;
            patchEditor({ busy: 'exporting' });
            try {
              const r = await deps.call('syncs/export', { id, format });
              const where = await saveTextFile(r.fileName, r.text, format, 'Export sync definition');
              if (where) patchEditor({ note: { text: `Exported ${where}`, at: Date.now() } });
            } catch (err) {
              notify(`Could not export: ${message(err)}`, 'error');
            } finally {
              patchEditor({ busy: undefined });
            }
          },

          async describe(connection, table, schema) {
            const key = describeId(connection, table, schema);
            const known = get().described[key];
            if (known && !('error' in known)) return;
            try {
              const d = await deps.call('connections/describe', { connection, table, ...(schema ? { schema } : {}) });
              set({ described: { ...get().described, [key]: d } });
            } catch (e) {
              set({ described: { ...get().described, [key]: { error: message(e) } } });
            }
          },

          async loadWorkspaceDbs() {
            try {
              const r = await deps.call('files/list', { extensions: ['db', 'sqlite', 'sqlite3'] });
              set({ workspaceDbs: r.files.map((f) => f.path) });
            } catch {
              // Only suggestions: the URL field still takes any database.
            }
          },

          async onJobEvent(jobId, kind, status) {
            if (kind !== 'sync') return;
            const first = !get().seenJobs[jobId];
            const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
            let job = deps.runs.getState().jobs[jobId];
            if (first) {
              set({ seenJobs: { ...get().seenJobs, [jobId]: true } });
              // A job first known from an event has no title yet: the title names the sync.
              if (!job || job.title === job.kind) {
                try {
                  const fetched = await deps.call('jobs/get', { id: jobId });
                  const cur = deps.runs.getState().jobs[jobId];
                  // Events may have moved on meanwhile: keep their status, progress and result.
                  job = cur ? { ...fetched, ...cur, title: fetched.title, createdAt: fetched.createdAt, runId: fetched.runId ?? cur.runId } : fetched;
                  deps.runs.getState().upsertJob(job);
                } catch {
                  return;
                }
              }
            }
            const name = job ? syncNameOfJob(job.title) : undefined;
            const sync = name !== undefined ? get().syncs.find((s) => s.name === name) : undefined;
            // A run this window did not start, of a scheduled sync: a tick of the host's interval.
            if (sync?.schedule?.enabled && first && !ended && !get().startedHere[jobId]) {
              set({ ticks: { ...get().ticks, [sync.name]: Date.parse(job?.createdAt ?? '') || Date.now() } });
            }
            // The sync's state (running, pending, last run) changes when a run starts and ends.
            if (first || ended) void get().refresh();
            // A run may have created the target table (or its database file): the editor lists it now.
            const e = get().editor;
            if (ended && e?.form.target.connection && (!name || name === e.form.name)) void connectionsStore.getState().loadTables(resolveConnection(e.form, e.form.target.connection), true);
          },
        };
      },
      { name: 'sluice.syncs', storage: createJSONStorage(() => (typeof localStorage === 'undefined' ? nowhere : localStorage)), partialize: (s) => ({ sectionOpen: s.sectionOpen }) },
    ),
  );
}

export const syncsStore = createSyncsStore();

export function useSyncs<T>(selector: (s: SyncsState) => T): T {
  return useStore(syncsStore, selector);
}

/** Loads the syncs and follows sync jobs (state, last run, the host scheduler's rhythm); returns the unsubscribe function. */
export function followSyncs(): () => void {
  void syncsStore.getState().refresh();
  // Subscribed after the runs store (App's startup), so the job is recorded there first.
  const offs = [
    api.on('job/progress', (e) => void syncsStore.getState().onJobEvent(e.jobId, e.kind, e.status)),
    api.on('job/finished', (e) => void syncsStore.getState().onJobEvent(e.jobId, e.job.kind, e.job.status)),
  ];
  return () => offs.forEach((off) => off());
}
