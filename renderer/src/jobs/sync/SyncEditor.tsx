import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { useFiles } from '../../stores/files';
import { isRunning, useRuns } from '../../stores/runs';
import { groupProblems, type ConflictPolicy, type EveryUnit } from './form';
import { clock, describeEvery } from './schedule';
import { describeId, editorProblems, isDirty, latestJobOf, nextRunOf, resolveConnection, syncsStore, useSyncs, type SyncEditorState } from './store';
import { Choice, ColumnChecks, ConnectionPicker, Field, FieldErrors, SourceTable, TargetTable, a11y, controlId } from './fields';
import { FooterStatus, LatestRun } from './status';
import { focusables, keepingFocus, unavailable } from './focus';

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
