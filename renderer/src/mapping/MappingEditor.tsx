import { useEffect, useMemo, useState } from 'react';
import type { NodeDoc, PipelineDocument } from '../../../app/model/document';
import { targetOf, sourceOf } from '../lib/edges';
import { connectionsStore, describeKey, useConnections, type TableDescription } from '../stores/connections';
import { documentStore, useDocument } from '../stores/document';
import { selectionStore } from '../stores/selection';
import { inputColumns, useValidation } from '../stores/validation';
import {
  clearMapping,
  fillDown,
  mapAllByName,
  mappingRows,
  setCast,
  setDefault,
  setExpr,
  setSource,
  targetsFromConfig,
  type MapConfig,
  type MappingRow,
  type TargetColumn,
} from './mapping';

const DRAG_TYPE = 'application/x-sluice-column';
const TYPES = ['int', 'bigint', 'decimal(12,2)', 'float', 'text', 'boolean', 'date', 'timestamp', 'timestamptz', 'json', 'uuid'];
const beginEdit = () => documentStore.getState().beginGesture();
const endEdit = () => documentStore.getState().endGesture();

/** A connection the host can open: a document connection's URL, else the name (a saved connection) or URL as given. */
export function resolveConnection(doc: PipelineDocument, name: string): string {
  return doc.connections?.[name]?.url ?? name;
}

/** The map node a sink's mapping lives in: the map node feeding it, when there is one. */
function upstreamMap(doc: PipelineDocument, sinkId: string): NodeDoc | undefined {
  const edge = doc.edges.find((e) => targetOf(e).node === sinkId);
  const from = edge ? doc.nodes.find((n) => n.id === sourceOf(edge).node) : undefined;
  return from?.type === 'map' ? from : undefined;
}

function useTargetTable(doc: PipelineDocument, target: MapConfig['target']): { table?: TableDescription; error?: string } {
  const key = target ? describeKey(resolveConnection(doc, target.connection), target.table) : '';
  const entry = useConnections((s) => (key ? s.descriptions[key] : undefined));
  useEffect(() => {
    if (target && !entry) void connectionsStore.getState().describe(resolveConnection(doc, target.connection), target.table).catch(() => undefined);
  }, [key, entry, target, doc]);
  if (!entry) return {};
  return 'error' in entry ? { error: entry.error } : { table: entry };
}

function statusOf(row: MappingRow): { text: string; cls: string } {
  if (row.missingRequired) return { text: 'required, unmapped', cls: 'bad' };
  switch (row.how) {
    case 'exact':
      return { text: 'same name', cls: 'ok' };
    case 'auto':
      return { text: 'matched by name', cls: 'ok' };
    case 'column':
      return { text: 'mapped', cls: 'ok' };
    case 'expr':
      return { text: 'expression', cls: 'ok' };
    default:
      return { text: row.spec?.default !== undefined ? 'default' : 'unmapped', cls: 'muted' };
  }
}

function TargetRow(props: {
  row: MappingRow;
  sources: string[];
  selected: boolean;
  onSelect(): void;
  update(fn: (c: MapConfig) => MapConfig): void;
}) {
  const { row, sources, update } = props;
  const name = row.target.name;
  const [over, setOver] = useState(false);
  const status = statusOf(row);
  const exprText = row.how === 'expr' ? (row.spec?.expr ?? '') : '';
  return (
    <tr
      className={`${props.selected ? 'selected' : ''}${over ? ' drop-over' : ''}${row.missingRequired ? ' missing' : ''}`}
      data-testid="mapping-row"
      data-target={name}
      data-source={row.source ?? ''}
      data-how={row.how}
      onClick={props.onSelect}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_TYPE)) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        const col = e.dataTransfer.getData(DRAG_TYPE);
        if (col) update((c) => setSource(c, name, col));
      }}
    >
      <th scope="row">
        <span className="target-name">{name}</span>
        {!row.target.nullable && <span className="required" title="NOT NULL" aria-label="required">*</span>}
        <div className="muted small">{row.target.type ?? ''}</div>
        <span className={`status-pill ${status.cls}`} data-testid="mapping-status">
          {status.text}
        </span>
      </th>
      <td>
        <select
          aria-label={`Source column for ${name}`}
          data-testid="mapping-source"
          value={row.how === 'expr' ? '__expr' : (row.source ?? '')}
          onChange={(e) => {
            const v = e.target.value;
            if (v === '__expr') update((c) => setExpr(c, name, row.source ?? 'NULL'));
            else update((c) => setSource(c, name, v === '' ? undefined : v));
          }}
        >
          <option value="">— none —</option>
          {sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
          <option value="__expr">expression…</option>
        </select>
        {row.how === 'expr' && (
          <input
            className="mapping-expr"
            aria-label={`Expression for ${name}`}
            data-testid="mapping-expr"
            value={exprText}
            spellCheck={false}
            onFocus={beginEdit}
            onBlur={endEdit}
            onChange={(e) => update((c) => setExpr(c, name, e.target.value || 'NULL'))}
          />
        )}
        {row.suggestions.length > 0 && (
          <div className="suggestions">
            {row.suggestions.slice(0, 3).map((s) => (
              <button key={s} type="button" className="chip suggestion" data-testid="mapping-suggestion" title={`Map ${s} to ${name}`} onClick={() => update((c) => setSource(c, name, s))}>
                {s}?
              </button>
            ))}
          </div>
        )}
      </td>
      <td>
        <input
          aria-label={`Cast ${name} to`}
          list="mapping-types"
          className="narrow"
          data-testid="mapping-cast"
          value={row.spec?.type ?? ''}
          placeholder={row.target.type ?? 'type'}
          onFocus={beginEdit}
          onBlur={endEdit}
          onChange={(e) => update((c) => setCast(c, name, e.target.value))}
        />
      </td>
      <td>
        <input
          aria-label={`Default for ${name}`}
          className="narrow"
          data-testid="mapping-default"
          value={row.spec?.default === undefined ? '' : String(row.spec.default)}
          placeholder="—"
          onFocus={beginEdit}
          onBlur={endEdit}
          onChange={(e) => update((c) => setDefault(c, name, e.target.value))}
        />
      </td>
    </tr>
  );
}

function MapNodeMapping({ mapNode }: { mapNode: NodeDoc }) {
  const doc = useDocument((s) => s.doc);
  const schemas = useValidation((s) => s.schemas);
  const config = (mapNode.config ?? {}) as MapConfig;
  const sources = useMemo(() => inputColumns(schemas, doc, mapNode.id).map((c) => c.name), [schemas, doc, mapNode.id]);
  const sourceTypes = useMemo(() => new Map(inputColumns(schemas, doc, mapNode.id).map((c) => [c.name, c.type])), [schemas, doc, mapNode.id]);
  const { table, error } = useTargetTable(doc, config.target);
  const targets: TargetColumn[] = useMemo(
    () =>
      table
        ? table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, hasDefault: c.default !== undefined || c.autoIncrement === true }))
        : targetsFromConfig(config),
    [table, config],
  );
  const rows = useMemo(() => mappingRows(config, targets, sources), [config, targets, sources]);
  const [selected, setSelected] = useState<string>();
  const update = (fn: (c: MapConfig) => MapConfig) => documentStore.getState().updateConfig(mapNode.id, fn(config) as Record<string, unknown>);
  const missing = rows.filter((r) => r.missingRequired).length;
  const mapped = rows.filter((r) => r.how !== 'none').length;

  return (
    <div className="mapping" data-testid="mapping-editor" data-map-node={mapNode.id}>
      <div className="mapping-summary" aria-live="polite">
        {config.target ? (
          <span>
            Into <strong>{config.target.table}</strong> ({config.target.connection})
          </span>
        ) : (
          <span>Columns listed in this map node</span>
        )}
        <span className="muted" data-testid="mapping-counts">
          {' '}
          · {mapped}/{rows.length} mapped{missing > 0 ? ` · ${missing} required unmapped` : ''}
        </span>
      </div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <div className="mapping-actions" role="toolbar" aria-label="Mapping actions">
        <button type="button" data-testid="map-all-by-name" onClick={() => update((c) => mapAllByName(c, targets, sources))}>
          Map all by name
        </button>
        <button type="button" data-testid="fill-down" disabled={!selected} title="Copy the selected row's cast and default to the rows below it" onClick={() => selected && update((c) => fillDown(c, targets, selected))}>
          Fill down
        </button>
        <button type="button" data-testid="clear-mapping" onClick={() => update(clearMapping)}>
          Clear
        </button>
      </div>
      <div className="mapping-grid">
        <div className="muted small">Source columns: drag one onto a target row (or select a row, then click a column)</div>
        <ul className="source-columns" aria-label="Source columns" data-testid="source-columns">
          {sources.length === 0 && <li className="hint">Connect an input to see its columns.</li>}
          {sources.map((s) => (
            <li key={s}>
              <button
                type="button"
                draggable
                className="chip source-chip"
                data-testid="source-column"
                data-column={s}
                title={`Drag onto a target column to map ${s} (or select a target row and press Enter here)`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_TYPE, s);
                  e.dataTransfer.effectAllowed = 'copyLink';
                }}
                onClick={() => selected && update((c) => setSource(c, selected, s))}
              >
                {s} <span className="muted small">{sourceTypes.get(s)}</span>
              </button>
            </li>
          ))}
        </ul>
        <table className="mapping-table">
          <colgroup>
            <col style={{ width: '30%' }} />
            <col style={{ width: '34%' }} />
            <col style={{ width: '18%' }} />
            <col style={{ width: '18%' }} />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Source / expression</th>
              <th scope="col">Cast</th>
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <TargetRow key={r.target.name} row={r} sources={sources} selected={selected === r.target.name} onSelect={() => setSelected(r.target.name)} update={update} />
            ))}
          </tbody>
        </table>
      </div>
      <datalist id="mapping-types">
        {TYPES.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </div>
  );
}

/** Mapping for a map node, or for a sink through the map node in front of it (added on request). */
export function MappingEditor({ node }: { node: NodeDoc }) {
  const doc = useDocument((s) => s.doc);
  if (node.type === 'map') return <MapNodeMapping mapNode={node} />;
  const map = upstreamMap(doc, node.id);
  if (map) {
    return (
      <div>
        <p className="hint">
          This sink's columns come from map node <strong>{map.id}</strong>.
        </p>
        <MapNodeMapping mapNode={map} />
      </div>
    );
  }
  const cfg = (node.config ?? {}) as { connection?: string; table?: string };
  return (
    <div className="mapping-empty" data-testid="mapping-editor-empty">
      <p className="hint">No mapping step feeds this sink: rows are written with the columns they have.</p>
      <button
        type="button"
        className="primary"
        data-testid="add-mapping-step"
        onClick={() => {
          const id = documentStore
            .getState()
            .insertBefore(node.id, 'map', { ...(cfg.connection && cfg.table ? { target: { connection: cfg.connection, table: cfg.table } } : {}), columns: [], auto: true }, `map_${node.id}`);
          if (id) selectionStore.getState().selectNode(node.id);
        }}
      >
        Add a mapping step
      </button>
    </div>
  );
}
