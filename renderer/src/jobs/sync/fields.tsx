// The sync editor's form controls: fields with their labels, help and errors; connection,
// table and column pickers.
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { connectionsStore, useConnections } from '../../stores/connections';
import { schemaFor, tableValue, type FieldPath, type SyncForm } from './form';
import { resolveConnection, syncsStore, useSyncs } from './store';

type Problems = Partial<Record<FieldPath, string[]>>;

export const controlId = (path: string) => `sync-${path.replace(/\./g, '-')}`;

/** Props that tie a control to its label, its help and its errors (aria-describedby, aria-invalid). */
export function a11y(path: FieldPath, problems: Problems, help = false) {
  const id = controlId(path);
  const invalid = (problems[path]?.length ?? 0) > 0;
  const describedBy = [help ? `${id}-help` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy || undefined };
}

export function Field(props: { path: FieldPath; label: string; problems: Problems; help?: ReactNode; children: ReactNode; className?: string; labelFor?: string }) {
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

export function FieldErrors({ path, errors }: { path: FieldPath; errors: string[] | undefined }) {
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
export function ConnectionPicker({ side, form, problems }: { side: 'source' | 'target'; form: SyncForm; problems: Problems }) {
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
export function SourceTable({ form, problems }: { form: SyncForm; problems: Problems }) {
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
export function TargetTable({ form, problems }: { form: SyncForm; problems: Problems }) {
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
export function ColumnChecks(props: { label: string; testId: string; columns: Array<{ name: string; type: string }>; chosen: string[]; primaryKey?: string[]; onChange(next: string[]): void; describedBy?: string; invalid?: boolean }) {
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

export function Choice<T extends string>(props: { name: string; value: T; current: T; label: string; help?: string; testId: string; onPick(v: T): void }) {
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
