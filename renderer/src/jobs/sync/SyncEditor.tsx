import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { connectionsStore, useConnections } from '../../stores/connections';
import { useFiles } from '../../stores/files';
import { isRunning, useRuns } from '../../stores/runs';
import { groupProblems, schemaFor, tableValue, type ConflictPolicy, type EveryUnit, type FieldPath, type SyncForm } from './form';
import { clock, describeEvery } from './schedule';
import { syncProgressView } from './progress';
import { SyncJobProgress, SyncProgress } from './SyncProgress';
import { describeId, editorProblems, isDirty, latestJobOf, nextRunOf, resolveConnection, syncsStore, useSyncs, type SyncEditorState } from './store';
import type { SyncCounts } from '../../../../app/contract';

type Problems = Partial<Record<FieldPath, string[]>>;

const controlId = (path: string) => `sync-${path.replace(/\./g, '-')}`;

/** Props that tie a control to its label, its help and its errors (aria-describedby, aria-invalid). */
function a11y(path: FieldPath, problems: Problems, help = false) {
  const id = controlId(path);
  const invalid = (problems[path]?.length ?? 0) > 0;
  const describedBy = [help ? `${id}-help` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy || undefined };
}

function Field(props: { path: FieldPath; label: string; problems: Problems; help?: ReactNode; children: ReactNode; className?: string; labelFor?: string }) {
  const id = controlId(props.path);
  const errors = props.problems[props.path];
  return (
    <div className={`field${props.className ? ` ${props.className}` : ''}`} data-field={props.path}>
      <label className="field-label" htmlFor={props.labelFor ?? id}>
        {props.label}
      </label>
      {props.children}
      {props.help && (
        <div className="field-help" id={`${id}-help`}>
          {props.help}
        </div>
      )}
      <FieldErrors path={props.path} errors={errors} />
    </div>
  );
}

function FieldErrors({ path, errors }: { path: FieldPath; errors: string[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <div className="field-error" id={`${controlId(path)}-error`} data-testid="sync-field-error" data-path={path}>
      {errors.join('; ')}
    </div>
  );
}

const CUSTOM = '\u0000url';

/** The connections the pickers list: saved ones, the file's own block, database files of the workspace. */
function useKnownConnections(form: SyncForm): { saved: string[]; own: string[]; files: string[]; all: string[] } {
  const savedList = useConnections((s) => s.connections);
  const dbs = useSyncs((s) => s.workspaceDbs);
  return useMemo(() => {
    const saved = savedList.map((c) => c.name);
    const own = Object.keys(form.kept.connections ?? {}).filter((n) => !saved.includes(n));
    const files = dbs.map((p) => `sqlite:./${p}`);
    return { saved, own, files, all: [...saved, ...own, ...files] };
  }, [savedList, dbs, form.kept.connections]);
}

/** `value`, once it has stayed the same for `ms`. */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** A connection: a saved one, one of the file's own block, a database file of the workspace, or any URL. */
function ConnectionPicker({ side, form, problems }: { side: 'source' | 'target'; form: SyncForm; problems: Problems }) {
  const { saved, own, files: fileUrls, all: known } = useKnownConnections(form);
  const dbs = useSyncs((s) => s.workspaceDbs);
  const [typing, setTyping] = useState(false);
  const urlRef = useRef<HTMLInputElement>(null);
  const path = `${side}.connection` as const;
  const value = form[side].connection;
  const custom = typing || (value !== '' && !known.includes(value));
  const set = (v: string) =>
    // The table stays: the same name is often meant in another database (it shows as chosen, or is reported).
    syncsStore.getState().edit((f) => void (f[side].connection = v), `${side}.connection`);
  useEffect(() => {
    if (typing) urlRef.current?.focus();
  }, [typing]);
  return (
    <Field path={path} label="Connection" problems={problems}>
      <select
        {...a11y(path, problems)}
        data-testid={`sync-${side}-connection`}
        value={custom ? CUSTOM : value}
        onChange={(e) => {
          if (e.target.value === CUSTOM) {
            setTyping(true);
            return;
          }
          setTyping(false);
          set(e.target.value);
        }}
      >
        <option value="">Choose a connection…</option>
        {saved.length > 0 && (
          <optgroup label="Saved connections">
            {saved.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </optgroup>
        )}
        {own.length > 0 && (
          <optgroup label="In this sync file">
            {own.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </optgroup>
        )}
        {fileUrls.length > 0 && (
          <optgroup label="Database files in the workspace">
            {fileUrls.map((u, i) => (
              <option key={u} value={u}>
                {dbs[i]}
              </option>
            ))}
          </optgroup>
        )}
        <option value={CUSTOM}>Another database (URL)…</option>
      </select>
      {custom && (
        <input
          ref={urlRef}
          aria-label={`${side === 'source' ? 'Source' : 'Target'} connection URL`}
          data-testid={`sync-${side}-url`}
          value={value}
          spellCheck={false}
          placeholder="sqlite:./warehouse.db or postgres://user@host/db"
          onChange={(e) => set(e.target.value)}
        />
      )}
    </Field>
  );
}

type TablesEntry = ReturnType<typeof connectionsStore.getState>['tables'][string] | undefined;

/**
 * The tables of a connection of the form. A URL being typed is browsed once the typing pauses
 * (each keystroke would be a connection attempt to a half-typed host).
 */
function useTables(form: SyncForm, side: 'source' | 'target'): TablesEntry {
  const name = form[side].connection;
  const { all } = useKnownConnections(form);
  const settled = useSettled(name, 700);
  const browse = !name ? '' : all.includes(name) ? resolveConnection(form, name) : settled === name ? name : '';
  const entry = useConnections((s) => (browse ? s.tables[browse] : undefined));
  useEffect(() => {
    if (browse) void connectionsStore.getState().loadTables(browse);
  }, [browse]);
  return entry;
}

/** The source table: one of the connection's tables. */
function SourceTable({ form, problems }: { form: SyncForm; problems: Problems }) {
  const tables = useTables(form, 'source');
  const list = Array.isArray(tables) ? tables : [];
  const current = tableValue({ name: form.source.table, schema: form.source.schema || undefined });
  const match = list.find((t) => t.name === form.source.table && (!form.source.schema || t.schema === form.source.schema));
  return (
    <Field
      path="source.table"
      label="Table"
      problems={problems}
      help={!form.source.connection ? 'Choose the connection first.' : tables === undefined ? 'Loading tables…' : tables && 'error' in tables ? tables.error : undefined}
    >
      <select
        {...a11y('source.table', problems, !form.source.connection || tables === undefined || (tables !== undefined && 'error' in tables))}
        data-testid="sync-source-table"
        disabled={!form.source.connection}
        value={match ? tableValue(match) : form.source.table ? current : ''}
        onChange={(e) => {
          const t = list.find((x) => tableValue(x) === e.target.value);
          syncsStore.getState().edit((f) => {
            f.source.table = t?.name ?? '';
            f.source.schema = t ? schemaFor(t, list) : '';
            // Another table: the chosen columns, key and cursor were of the old one.
            f.source.columns = undefined;
            f.key = [];
            f.cursor = '';
          }, 'source');
        }}
      >
        <option value="">Choose a table…</option>
        {form.source.table && !match && <option value={current}>{form.source.schema ? `${form.source.schema}.${form.source.table}` : form.source.table}</option>}
        {list.map((t) => (
          <option key={tableValue(t)} value={tableValue(t)}>
            {t.schema && schemaFor(t, list) ? `${t.schema}.${t.name}` : t.name}
            {t.kind === 'view' ? ' (view)' : ''}
            {t.rowEstimate !== undefined ? ` — ${t.rowEstimate.toLocaleString('en-US')} rows` : ''}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The target table: an existing one, or a new name (created when missing, if allowed). */
function TargetTable({ form, problems }: { form: SyncForm; problems: Problems }) {
  const tables = useTables(form, 'target');
  const list = Array.isArray(tables) ? tables : [];
  const listId = useId();
  const exists = list.some((t) => t.name === form.target.table);
  return (
    <>
      <Field
        path="target.table"
        label="Table"
        problems={problems}
        help={form.target.table && !exists && Array.isArray(tables) ? (form.target.create ? 'Not there yet: the first run creates it (the key as its primary key).' : 'Not there, and creating it is off.') : 'An existing table, or a new name.'}
      >
        <input
          {...a11y('target.table', problems, true)}
          data-testid="sync-target-table"
          list={listId}
          value={form.target.table}
          spellCheck={false}
          placeholder={form.source.table || 'table name'}
          onChange={(e) => {
            const v = e.target.value;
            syncsStore.getState().edit((f) => {
              f.target.table = v;
              const t = list.find((x) => x.name === v);
              f.target.schema = t ? schemaFor(t, list) : f.target.schema;
            }, 'target.table');
          }}
        />
        <datalist id={listId}>
          {list.map((t) => (
            <option key={tableValue(t)} value={t.name} />
          ))}
        </datalist>
      </Field>
      <label className="check">
        <input type="checkbox" data-testid="sync-target-create" checked={form.target.create} onChange={(e) => syncsStore.getState().edit((f) => void (f.target.create = e.target.checked))} />
        Create the table when it does not exist
      </label>
    </>
  );
}

/** Columns of the source table, as check boxes (the key columns, the columns synced). */
function ColumnChecks(props: { label: string; testId: string; columns: Array<{ name: string; type: string }>; chosen: string[]; primaryKey?: string[]; onChange(next: string[]): void; describedBy?: string; invalid?: boolean }) {
  const toggle = (name: string, on: boolean) => {
    const set = new Set(props.chosen);
    if (on) set.add(name);
    else set.delete(name);
    // In the table's column order: the order of key columns is the table's.
    props.onChange(props.columns.map((c) => c.name).filter((n) => set.has(n)));
  };
  return (
    <div className="sync-columns" role="group" aria-label={props.label} aria-describedby={props.describedBy} aria-invalid={props.invalid || undefined} data-testid={props.testId}>
      {props.columns.map((c) => (
        <label key={c.name} className="check">
          <input type="checkbox" data-testid={`${props.testId}-${c.name}`} checked={props.chosen.includes(c.name)} onChange={(e) => toggle(c.name, e.target.checked)} />
          <span className="col-name">{c.name}</span>
          <span className="col-type muted">
            {c.type}
            {props.primaryKey?.includes(c.name) ? ' · PK' : ''}
          </span>
        </label>
      ))}
    </div>
  );
}

function Choice<T extends string>(props: { name: string; value: T; current: T; label: string; help?: string; testId: string; onPick(v: T): void }) {
  return (
    <label className="choice">
      <input type="radio" name={props.name} value={props.value} data-testid={props.testId} checked={props.current === props.value} onChange={() => props.onPick(props.value)} />
      <span>
        <span className="choice-label">{props.label}</span>
        {props.help && <span className="choice-help">{props.help}</span>}
      </span>
    </label>
  );
}

/** One line in the footer: what the editor is doing, else how the latest run of this session goes. */
const NOTE_MS = 5000;

function FooterStatus({ editor }: { editor: SyncEditorState }) {
  const job = useRuns((s) => latestJobOf(s, editor.form.name));
  const counts = job?.result?.sync ?? job?.progress?.sync;
  const [, redraw] = useState(0);
  const noteLeft = editor.note ? editor.note.at + NOTE_MS - Date.now() : 0;
  useEffect(() => {
    if (noteLeft <= 0) return;
    const t = setTimeout(() => redraw((n) => n + 1), noteLeft);
    return () => clearTimeout(t);
  }, [noteLeft]);
  const note = noteLeft > 0 ? editor.note?.text : undefined;
  const text = editor.busy
    ? `${editor.busy[0].toUpperCase()}${editor.busy.slice(1)}…`
    : note
      ? note
      : job && counts
      ? `${isRunning(job) ? 'Running' : `Latest run ${job.status}`}: ${syncProgressView(counts, job.status).summary}`
      : job
        ? `Latest run ${job.status}`
        : '';
  return (
    <span className={`small sync-footer-status${job && !editor.busy && !note ? ` status-${job.status}` : ' muted'}`} data-testid="sync-footer-status" title={text}>
      {/* Announced when the editor starts or finishes something, not at every progress tick. */}
      <span className="sr-only" role="status">
        {editor.busy || note ? text : ''}
      </span>
      <span aria-hidden={editor.busy || note ? true : undefined} data-testid="sync-footer-text">
        {text}
      </span>
    </span>
  );
}

/** The latest run of the sync: this session's job, else the recorded last run. */
function LatestRun({ editor }: { editor: SyncEditorState }) {
  const job = useRuns((s) => latestJobOf(s, editor.form.name));
  const summary = useSyncs((s) => s.syncs.find((x) => x.id === editor.id));
  const run = useSyncs((s) => (summary?.state?.lastRunId ? s.runs[summary.state.lastRunId] : undefined));
  const counts = run?.details as SyncCounts | undefined;
  return (
    <section className={`sync-latest${job ? ' has-job' : ''}`} aria-labelledby="sync-latest-title" data-testid="sync-latest-run">
      <h3 id="sync-latest-title" className="sync-section-title">
        Latest run
        {summary?.state && (
          <span className="muted small" data-testid="sync-state">
            {' '}
            · {summary.state.pending.toLocaleString('en-US')} change{summary.state.pending === 1 ? '' : 's'} queued
            {summary.state.highWater !== undefined ? ` · high-water mark ${summary.state.highWater}` : ''}
          </span>
        )}
      </h3>
      {job ? (
        <>
          <div className="sync-latest-head">
            <span className={`status status-${job.status}`} data-testid="sync-latest-status">
              {job.status}
            </span>
            <span className="muted small">{job.startedAt ? `started ${clock(Date.parse(job.startedAt), Date.now())}` : ''}</span>
          </div>
          {job.progress?.sync || job.result?.sync ? <SyncJobProgress job={job} showRate /> : <p className="hint">{job.status === 'queued' ? 'Waiting for a free job slot…' : 'Starting…'}</p>}
          {(job.error || job.result?.error) && (
            <p className="field-error" role="alert">
              {job.result?.error ?? job.error}
            </p>
          )}
          {job.problems && job.problems.length > 0 && (
            <ul className="sync-run-problems" data-testid="sync-run-problems">
              {job.problems.map((p, i) => (
                <li key={i} className="field-error">
                  <code>{p.path}</code>: {p.message}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : run && counts?.phase ? (
        <>
          <div className="sync-latest-head">
            <span className={`status status-${run.status}`}>{run.status}</span>
            <span className="muted small">{clock(Date.parse(run.startedAt), Date.now())}</span>
          </div>
          <SyncProgress counts={counts} status={run.status} rejected={run.rejected} />
        </>
      ) : (
        <p className="hint">Not run yet. Save, then Run now (Ctrl+Enter); the run monitor below follows it too.</p>
      )}
    </section>
  );
}

/**
 * A button that cannot act now, but keeps the focus: a `disabled` button that was just
 * pressed (Save once saved, Run now once running) would drop the focus out of the dialog.
 */
function unavailable(off: boolean, onClick?: () => void): { 'aria-disabled'?: true; onClick?: (e: MouseEvent<HTMLButtonElement>) => void } {
  return {
    ...(off ? { 'aria-disabled': true as const } : {}),
    onClick: (e) => {
      if (off) e.preventDefault();
      else onClick?.();
    },
  };
}

/** Runs an action that may ask a question (a choice dialog takes the focus), then gives the focus back. */
async function keepingFocus<T>(action: () => Promise<T>): Promise<T> {
  const had = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  try {
    return await action();
  } finally {
    if (had?.isConnected && (document.activeElement === document.body || document.activeElement === null)) had.focus();
  }
}

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')].filter((el) => !el.hasAttribute('disabled') && el.offsetParent !== null);
}

/** The sync editor: where from, where to, how changes are found and applied, when it runs. */
function SyncEditor({ editor }: { editor: SyncEditorState }) {
  const described = useSyncs((s) => s.described);
  const pipelines = useFiles((s) => s.pipelines);
  const summary = useSyncs((s) => s.syncs.find((x) => x.id === editor.id));
  const tick = useSyncs((s) => (summary ? s.ticks[summary.name] : undefined));
  const savedAt = useSyncs((s) => (editor.id ? s.scheduleSavedAt[editor.id] : undefined));
  const job = useRuns((s) => latestJobOf(s, editor.form.name));
  const running = isRunning(job) || summary?.state?.running === true;
  const form = editor.form;
  const dirty = isDirty(editor);
  const problems = editorProblems({ described }, editor);
  const { byField, general } = groupProblems(problems);
  const dialog = useRef<HTMLFormElement>(null);
  const first = useRef<HTMLInputElement>(null);
  const edit = syncsStore.getState().edit;

  const sourceConn = form.source.connection ? resolveConnection(form, form.source.connection) : '';
  const desc = form.source.table && sourceConn ? described[describeId(sourceConn, form.source.table, form.source.schema)] : undefined;
  const columns = desc && !('error' in desc) ? desc.columns : [];
  const primaryKey = desc && !('error' in desc) ? desc.primaryKey : undefined;
  useEffect(() => {
    if (sourceConn && form.source.table) void syncsStore.getState().describe(sourceConn, form.source.table, form.source.schema || undefined);
  }, [sourceConn, form.source.table, form.source.schema]);

  // Escape with the focus nowhere (a click on the backdrop) still closes; a question on top keeps its own Escape.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && (e.target === document.body || e.target === null) && !document.querySelector('[data-testid="choice-dialog"]')) void syncsStore.getState().close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Focus the first field on open, and give focus back to what opened the editor on close.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    first.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const focusFirstProblem = () => requestAnimationFrame(() => dialog.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  const save = async () => {
    if (!(await keepingFocus(() => syncsStore.getState().save()))) focusFirstProblem();
  };
  const run = async () => {
    if (!(await syncsStore.getState().runNow())) focusFirstProblem();
    // The run's progress is at the end of the form: bring it into view.
    else requestAnimationFrame(() => dialog.current?.querySelector('[data-testid="sync-latest-run"]')?.scrollIntoView({ block: 'end', behavior: 'smooth' }));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    // The workbench's shortcuts (window listeners) act on the pipeline behind this modal
    // dialog: none of them while the focus is in it. Default actions (copy, paste) stay.
    e.stopPropagation();
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Escape') {
      const menu = (e.target as HTMLElement).closest('details[open]');
      e.preventDefault();
      if (menu) menu.removeAttribute('open');
      else void keepingFocus(() => syncsStore.getState().close());
    } else if (mod && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void save();
    } else if (mod && e.key === 'Enter') {
      e.preventDefault();
      void run();
    } else if (e.key === 'Tab' && dialog.current) {
      // Keep the focus inside the modal dialog.
      const items = focusables(dialog.current);
      if (items.length === 0) return;
      const [head, tail] = [items[0], items[items.length - 1]];
      if (e.shiftKey && document.activeElement === head) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && document.activeElement === tail) {
        e.preventDefault();
        head.focus();
      }
    }
  };

  const next = summary ? nextRunOf(summary, tick, savedAt, Date.now()) : undefined;
  const keyHelp = primaryKey?.length ? `None ticked: the primary key (${primaryKey.join(', ')}).` : desc && !('error' in desc) ? 'The table has no primary key: tick the columns that identify a row.' : 'Default: the source table’s primary key.';
  const pipelineOptions = useMemo(() => pipelines.map((p) => p.id), [pipelines]);
  const transformValue = form.transform.kind === 'pipeline' ? `p:${form.transform.pipeline}` : form.transform.kind;

  return (
    <div className="overlay sync-overlay">
      <form
        ref={dialog}
        className="dialog sync-editor"
        role="dialog"
        aria-modal="true"
        aria-labelledby="sync-editor-title"
        data-testid="sync-editor"
        data-sync-id={editor.id ?? ''}
        data-dirty={String(dirty)}
        noValidate
        onKeyDown={onKeyDown}
        onSubmit={(e) => {
          e.preventDefault();
          if (!editor.busy && (dirty || editor.id === undefined)) void save();
        }}
      >
        <div className="dialog-head sync-editor-head">
          <h2 id="sync-editor-title">
            {editor.id ? `Sync ${form.name || editor.id}` : 'New sync'}
            {dirty && editor.id && (
              <span className="dirty-dot" data-testid="sync-unsaved" title="Unsaved changes" aria-label="unsaved changes">
                {' '}
                ●
              </span>
            )}
          </h2>
          <span className="muted small sync-file" data-testid="sync-file">
            {editor.id ?? 'not saved yet'}
          </span>
          <span className="spacer" />
          <button type="button" className="icon" aria-label="Close the sync editor" title="Close (Esc)" data-testid="sync-close" onClick={() => void keepingFocus(() => syncsStore.getState().close())}>
            ✕
          </button>
        </div>

        <div className="sync-editor-body">
          {general.length > 0 && (
            <ul className="sync-general-problems" role="alert" data-testid="sync-general-problems">
              {general.map((p, i) => (
                <li key={i} className="field-error">
                  {p.path && p.path !== '(document)' ? <code>{p.path}</code> : null}
                  {p.path && p.path !== '(document)' ? ': ' : ''}
                  {p.message}
                </li>
              ))}
            </ul>
          )}

          <div className="sync-grid-2">
            <Field path="name" label="Name" problems={byField} help={editor.id ? 'The sync’s state (high-water mark, queue) belongs to its name: renaming starts it afresh.' : undefined}>
              <input
                ref={first}
                {...a11y('name', byField, !!editor.id)}
                data-testid="sync-name"
                value={form.name}
                placeholder="e.g. products-to-warehouse"
                spellCheck={false}
                onChange={(e) => edit((f) => void (f.name = e.target.value), 'name')}
              />
            </Field>
            {editor.id === undefined ? (
              <div className="field">
                <label className="field-label" htmlFor="sync-file-name">
                  File in the workspace
                </label>
                <input
                  id="sync-file-name"
                  data-testid="sync-file-name"
                  value={editor.fileName}
                  placeholder="name.sync.yaml"
                  spellCheck={false}
                  aria-describedby="sync-file-name-help"
                  onChange={(e) => syncsStore.getState().setFileName(e.target.value)}
                />
                <div className="field-help" id="sync-file-name-help">
                  .yaml or .json; relative database paths resolve against its folder.
                </div>
              </div>
            ) : (
              <Field path="description" label="Description" problems={byField}>
                <input {...a11y('description', byField)} data-testid="sync-description" value={form.description} onChange={(e) => edit((f) => void (f.description = e.target.value), 'description')} />
              </Field>
            )}
          </div>

          <div className="sync-sides">
            <fieldset className="sync-box" data-testid="sync-source">
              <legend>Source</legend>
              <ConnectionPicker side="source" form={form} problems={byField} />
              <SourceTable form={form} problems={byField} />
              {desc && 'error' in desc && <p className="field-error">{desc.error}</p>}
              {columns.length > 0 && (
                <div className="field" data-field="source.columns">
                  <label className="check">
                    <input
                      type="checkbox"
                      data-testid="sync-some-columns"
                      checked={form.source.columns !== undefined}
                      onChange={(e) => edit((f) => void (f.source.columns = e.target.checked ? columns.map((c) => c.name) : undefined), 'source.columns')}
                    />
                    Sync only some columns
                  </label>
                  {form.source.columns !== undefined && (
                    <ColumnChecks
                      label="Columns to sync"
                      testId="sync-column"
                      columns={columns}
                      chosen={form.source.columns}
                      primaryKey={primaryKey}
                      onChange={(next) => edit((f) => void (f.source.columns = next), 'source.columns')}
                    />
                  )}
                  {form.source.columns !== undefined && <div className="field-help">The key and the cursor are always read.</div>}
                  <FieldErrors path="source.columns" errors={byField['source.columns']} />
                </div>
              )}
            </fieldset>
            <span className="sync-arrow" aria-hidden="true">
              →
            </span>
            <fieldset className="sync-box" data-testid="sync-target">
              <legend>Target</legend>
              <ConnectionPicker side="target" form={form} problems={byField} />
              <TargetTable form={form} problems={byField} />
            </fieldset>
          </div>

          <div className="sync-pair">
            <fieldset className="sync-box" aria-describedby={byField.mode ? `${controlId('mode')}-error` : undefined}>
              <legend>Finding changes</legend>
              <div className="choices" role="radiogroup" aria-label="Mode">
                <Choice name="sync-mode" value="full" current={form.mode} testId="sync-mode-full" label="Full diff by key" help="Compare both tables in key order; finds every change, deletes too." onPick={(v) => edit((f) => void (f.mode = v), 'mode')} />
                <Choice
                  name="sync-mode"
                  value="incremental"
                  current={form.mode}
                  testId="sync-mode-incremental"
                  label="Incremental by cursor"
                  help="Read only rows whose cursor moved past the high-water mark."
                  onPick={(v) => edit((f) => void (f.mode = v), 'mode')}
                />
              </div>
              <FieldErrors path="mode" errors={byField.mode} />
              {form.mode === 'incremental' && (
                <Field path="cursor" label="Cursor column" problems={byField} help="A timestamp set on every change (updated_at) or an increasing id.">
                  <select {...a11y('cursor', byField, true)} data-testid="sync-cursor" value={form.cursor} onChange={(e) => edit((f) => void (f.cursor = e.target.value), 'cursor')}>
                    <option value="">Choose a column…</option>
                    {form.cursor && !columns.some((c) => c.name === form.cursor) && <option value={form.cursor}>{form.cursor}</option>}
                    {columns.map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name} ({c.type})
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              <div className="field" data-field="key">
                <span className="field-label" id="sync-key-label">
                  Key columns
                </span>
                {columns.length > 0 ? (
                  <ColumnChecks
                    label="Key columns"
                    testId="sync-key"
                    columns={columns}
                    chosen={form.key}
                    primaryKey={primaryKey}
                    describedBy={`sync-key-help${byField.key ? ` ${controlId('key')}-error` : ''}`}
                    invalid={!!byField.key}
                    onChange={(next) => edit((f) => void (f.key = next), 'key')}
                  />
                ) : (
                  <p className="hint small">{form.key.length ? form.key.join(', ') : 'Choose the source table to pick them.'}</p>
                )}
                <div className="field-help" id="sync-key-help">
                  {keyHelp}
                </div>
                <FieldErrors path="key" errors={byField.key} />
              </div>
            </fieldset>

            <fieldset className="sync-box">
              <legend>Applying changes</legend>
              <div className="field" data-field="conflicts">
                <span className="field-label">When the target row was changed since the sync wrote it</span>
                <div className="choices" role="radiogroup" aria-label="Conflict policy">
                  {(
                    [
                      ['source-wins', 'Source wins', 'Overwrite the target row.'],
                      ['target-wins', 'Target wins', 'Keep the target row (a warning in the log).'],
                      ['skip', 'Skip and report', 'Keep it and report it as a rejected row of the run.'],
                    ] as Array<[ConflictPolicy, string, string]>
                  ).map(([v, label, help]) => (
                    <Choice key={v} name="sync-conflicts" value={v} current={form.conflicts} testId={`sync-conflicts-${v}`} label={label} help={help} onPick={(p) => edit((f) => void (f.conflicts = p), 'conflicts')} />
                  ))}
                </div>
                <FieldErrors path="conflicts" errors={byField.conflicts} />
              </div>
              <label className="check">
                <input type="checkbox" data-testid="sync-deletes" checked={form.deletes === 'propagate'} onChange={(e) => edit((f) => void (f.deletes = e.target.checked ? 'propagate' : 'ignore'), 'deletes')} />
                Propagate deletes (a row gone from the source is deleted from the target)
              </label>
              <Field path="batchSize" label="Batch size" problems={byField} help="Changes applied per target transaction.">
                <input
                  {...a11y('batchSize', byField, true)}
                  className="narrow"
                  data-testid="sync-batch-size"
                  inputMode="numeric"
                  value={form.batchSize}
                  onChange={(e) => edit((f) => void (f.batchSize = e.target.value), 'batchSize')}
                />
              </Field>
            </fieldset>
          </div>

          <div className="sync-pair">
            <fieldset className="sync-box">
              <legend>Transform</legend>
              <Field
                path="transform.pipeline"
                label="Pass the rows through"
                problems={byField}
                help={
                  form.transform.kind === 'inline'
                    ? `The file's own ${form.kept.inline?.nodes?.length ?? 0} node(s), kept as they are (edit them in the file).`
                    : 'A pipeline’s one source stands for the sync source and its one sink for the target; the key must pass through unchanged.'
                }
              >
                <select
                  {...a11y('transform.pipeline', byField, true)}
                  data-testid="sync-transform"
                  value={transformValue}
                  onChange={(e) => {
                    const v = e.target.value;
                    edit((f) => void (f.transform = v === 'none' ? { kind: 'none' } : v === 'inline' ? { kind: 'inline' } : { kind: 'pipeline', pipeline: v.slice(2) }), 'transform');
                  }}
                >
                  <option value="none">Nothing: rows go as they are</option>
                  {form.kept.inline && <option value="inline">The nodes written in the file</option>}
                  {form.transform.kind === 'pipeline' && !pipelineOptions.includes(form.transform.pipeline) && <option value={transformValue}>{form.transform.pipeline || 'a pipeline…'}</option>}
                  {pipelineOptions.map((p) => (
                    <option key={p} value={`p:${p}`}>
                      Pipeline {p}
                    </option>
                  ))}
                </select>
              </Field>
              <FieldErrors path="transform" errors={byField.transform} />
            </fieldset>

            <fieldset className="sync-box">
              <legend>Schedule</legend>
              <div className="sync-schedule">
                <label className="check">
                  <input type="checkbox" data-testid="sync-schedule-on" checked={form.schedule.on} onChange={(e) => edit((f) => void (f.schedule.on = e.target.checked), 'schedule')} />
                  Run every
                </label>
                <input
                  {...a11y('schedule.every', byField, true)}
                  aria-label="Interval"
                  className="sync-every"
                  data-testid="sync-schedule-amount"
                  inputMode="decimal"
                  disabled={!form.schedule.on}
                  value={form.schedule.amount}
                  onChange={(e) => edit((f) => void (f.schedule.amount = e.target.value), 'schedule')}
                />
                <select
                  aria-label="Interval unit"
                  data-testid="sync-schedule-unit"
                  disabled={!form.schedule.on}
                  value={form.schedule.unit}
                  onChange={(e) => edit((f) => void (f.schedule.unit = e.target.value as EveryUnit), 'schedule')}
                >
                  <option value="s">seconds</option>
                  <option value="m">minutes</option>
                  <option value="h">hours</option>
                  <option value="d">days</option>
                </select>
              </div>
              <div className="field-help" id={`${controlId('schedule.every')}-help`}>
                While the app (or <code>sluice serve</code>) is open; a turn is skipped while the previous run still goes.
                {summary?.schedule?.enabled && !dirty && (
                  <span data-testid="sync-editor-next-run">
                    {' '}
                    Saved: {describeEvery(summary.schedule.every)}
                    {next ? `, next ${next.approximate ? '≈ ' : ''}${clock(next.at, Date.now())}` : ''}.
                  </span>
                )}
              </div>
              <FieldErrors path="schedule.every" errors={byField['schedule.every']} />
            </fieldset>
          </div>

          <LatestRun editor={editor} />
        </div>

        <div className="dialog-actions sync-editor-actions">
          <button type="button" data-testid="sync-reset" {...unavailable(!editor.id || summary?.loads === false || !!editor.busy || running, () => void keepingFocus(() => syncsStore.getState().reset()))}>
            Reset state…
          </button>
          <details className="menu sync-export-menu">
            <summary className="button-like" data-testid="sync-export" aria-label="Export the sync definition">
              Export ▾
            </summary>
            <div className="menu-items" role="menu">
              {(['yaml', 'json'] as const).map((format) => (
                <button
                  key={format}
                  type="button"
                  role="menuitem"
                  data-testid={`sync-export-${format}`}
                  onClick={(e) => {
                    const menu = e.currentTarget.closest('details');
                    // The item disappears with the menu: the focus goes back to the menu's button.
                    menu?.querySelector('summary')?.focus();
                    menu?.removeAttribute('open');
                    void keepingFocus(() => syncsStore.getState().exportAs(format));
                  }}
                >
                  {format === 'yaml' ? 'YAML' : 'JSON'}
                </button>
              ))}
            </div>
          </details>
          <FooterStatus editor={editor} />
          <button type="button" data-testid="sync-run" title="Run now (Ctrl+Enter)" {...unavailable(!!editor.busy || running, () => void run())}>
            {running ? 'Running…' : dirty && editor.id ? 'Run as edited' : 'Run now'}
          </button>
          <button type="submit" className="primary" data-testid="sync-save" title="Save (Ctrl+S)" {...unavailable(!!editor.busy || (!dirty && editor.id !== undefined))}>
            Save
          </button>
        </div>
      </form>
    </div>
  );
}

/** The sync editor, when a sync is open. */
export function SyncEditorHost() {
  const editor = useSyncs((s) => s.editor);
  // Keyed by the opening: another sync starts a fresh form (focus, local state); saving a new one does not.
  return editor ? <SyncEditor key={editor.session} editor={editor} /> : null;
}
