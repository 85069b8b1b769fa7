import { useEffect, useMemo, useState } from 'react';
import type { ConnectionInfo } from '../../../app/contract';
import { addNode } from '../actions';
import { DRAG_TABLE } from '../canvas/Canvas';
import { resolveConnection } from '../mapping/MappingEditor';
import { connectionsStore, describeKey, useConnections, type TableInfo } from '../stores/connections';
import { dialogsStore, notify } from '../stores/dialogs';
import { useDocument } from '../stores/document';
import { ConnectionForm } from './ConnectionForm';

function TableColumns({ connection, table }: { connection: string; table: string }) {
  const entry = useConnections((s) => s.descriptions[describeKey(connection, table)]);
  useEffect(() => {
    void connectionsStore.getState().describe(connection, table).catch(() => undefined);
  }, [connection, table]);
  if (!entry) return <div className="hint small">Loading columns…</div>;
  if ('error' in entry) return <div className="error small">{entry.error}</div>;
  const pk = new Set(entry.primaryKey ?? []);
  const fk = new Set(entry.foreignKeys.flatMap((f) => f.columns));
  const unique = new Set(entry.uniques.flatMap((u) => u.columns));
  return (
    <ul className="schema-columns" data-testid="schema-columns">
      {entry.columns.map((c) => (
        <li key={c.name} data-testid="schema-column" data-column={c.name}>
          <span className="col-keys" aria-label={pk.has(c.name) ? 'primary key' : fk.has(c.name) ? 'foreign key' : unique.has(c.name) ? 'unique' : undefined}>
            {pk.has(c.name) ? 'PK' : fk.has(c.name) ? 'FK' : unique.has(c.name) ? 'U' : ''}
          </span>
          <span className="col-name" title={c.name}>
            {c.name}
            {!c.nullable && (
              <span className="required" title="NOT NULL" aria-label="not null">
                *
              </span>
            )}
          </span>
          <span className="col-type muted" title={`${c.nativeType}${c.nullable ? '' : ' NOT NULL'}`}>
            {c.type}
          </span>
        </li>
      ))}
    </ul>
  );
}

function TableItem({ connection, browseAs, table }: { connection: string; browseAs: string; table: TableInfo }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="schema-table">
      <div className="tree-row">
        <button
          type="button"
          className="tree-toggle"
          aria-expanded={open}
          draggable
          data-testid="schema-table"
          data-table={table.name}
          title="Drag onto the canvas: a source (Shift: a sink)"
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_TABLE, JSON.stringify({ connection, table: table.name }));
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {table.name}
          {table.kind === 'view' && <span className="muted small"> view</span>}
        </button>
        {table.rowEstimate !== undefined && (
          <span className="muted small row-count" data-testid="table-rows">
            {table.rowEstimate.toLocaleString('en-US')}
          </span>
        )}
        <button type="button" className="icon small" aria-label={`Add ${table.name} as a source`} title="Add as a source" onClick={() => addNode('source', undefined, { connection, table: table.name }, table.name)}>
          ⇥
        </button>
        <button
          type="button"
          className="icon small"
          aria-label={`Add ${table.name} as a sink`}
          title="Add as a sink"
          onClick={() => addNode('sink', undefined, { connection, table: table.name, mode: 'insert' }, `load_${table.name}`)}
        >
          ⇤
        </button>
      </div>
      {open && <TableColumns connection={browseAs} table={table.name} />}
    </li>
  );
}

/** One connection: its tables (row counts), expanding to columns (types, keys). */
function ConnectionItem(props: { name: string; browseAs: string; saved?: ConnectionInfo; origin: 'saved' | 'pipeline'; onEdit?(): void }) {
  const [open, setOpen] = useState(false);
  const tables = useConnections((s) => s.tables[props.browseAs]);
  const test = useConnections((s) => s.tests[props.name]);
  useEffect(() => {
    if (open) void connectionsStore.getState().loadTables(props.browseAs);
  }, [open, props.browseAs]);
  return (
    <li className="connection" data-testid="connection-item" data-connection={props.name}>
      <div className="tree-row">
        <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="connection-toggle">
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> <span className={`conn-state ${test ? (test.ok ? 'ok' : 'bad') : ''}`} aria-hidden="true" /> {props.name}
          <span className="muted small"> {props.origin === 'pipeline' ? 'in pipeline' : ''}</span>
        </button>
        {props.saved && (
          <>
            <button
              type="button"
              className="icon small"
              aria-label={`Test ${props.name}`}
              title="Test"
              data-testid="connection-test"
              onClick={async () => {
                const r = await connectionsStore.getState().test({ name: props.name });
                notify(r.ok ? `${props.name}: connected (${r.durationMs} ms)` : `${props.name}: ${r.message}`, r.ok ? 'info' : 'error');
              }}
            >
              Test
            </button>
            <button type="button" className="icon small" aria-label={`Edit ${props.name}`} title="Edit" data-testid="connection-edit" onClick={props.onEdit}>
              Edit
            </button>
            <button
              type="button"
              className="icon small"
              aria-label={`Remove ${props.name}`}
              title="Remove"
              data-testid="connection-remove"
              onClick={async () => {
                const ok = await dialogsStore.getState().choose('Remove connection', `Remove the saved connection '${props.name}'? Pipelines naming it will not run until it is added again.`, [
                  { id: 'remove', label: 'Remove', primary: true },
                  { id: 'cancel', label: 'Cancel' },
                ]);
                if (ok === 'remove') await connectionsStore.getState().remove(props.name);
              }}
            >
              ✕
            </button>
          </>
        )}
      </div>
      {open && (
        <ul className="schema-tables" aria-label={`Tables of ${props.name}`}>
          {!tables && <li className="hint small">Loading tables…</li>}
          {tables && 'error' in tables && <li className="error small">{tables.error}</li>}
          {tables && Array.isArray(tables) && tables.length === 0 && <li className="hint small">No tables.</li>}
          {tables && Array.isArray(tables) && tables.map((t) => <TableItem key={`${t.schema ?? ''}.${t.name}`} connection={props.name} browseAs={props.browseAs} table={t} />)}
        </ul>
      )}
    </li>
  );
}

/** Saved connections and the pipeline's own, each with a schema browser; add, test, edit, remove. */
export function ConnectionsSection() {
  const saved = useConnections((s) => s.connections);
  const docConnections = useDocument((s) => s.doc.connections);
  const doc = useDocument((s) => s.doc);
  const [editing, setEditing] = useState<ConnectionInfo | 'new'>();
  useEffect(() => {
    void connectionsStore.getState().refresh();
  }, []);
  const pipelineOnly = useMemo(() => Object.keys(docConnections ?? {}).filter((n) => !saved.some((s) => s.name === n)), [docConnections, saved]);
  return (
    <div className="connections" data-testid="connections">
      <ul className="tree">
        {saved.map((c) => (
          <ConnectionItem key={`s-${c.name}`} name={c.name} browseAs={c.name} saved={c} origin="saved" onEdit={() => setEditing(c)} />
        ))}
        {pipelineOnly.map((n) => (
          <ConnectionItem key={`p-${n}`} name={n} browseAs={resolveConnection(doc, n)} origin="pipeline" />
        ))}
      </ul>
      {saved.length === 0 && pipelineOnly.length === 0 && <p className="hint">No connections yet.</p>}
      <button type="button" className="add" data-testid="add-connection" onClick={() => setEditing('new')}>
        + Add connection
      </button>
      {editing && <ConnectionForm existing={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} />}
    </div>
  );
}
