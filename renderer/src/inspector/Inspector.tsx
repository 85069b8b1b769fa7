import { useMemo, useState } from 'react';
import type { NodeDoc } from '../../../app/model/document';
import { MappingEditor } from '../mapping/MappingEditor';
import { useCatalog } from '../stores/catalog';
import { documentStore, useDocument } from '../stores/document';
import { singleSelectedNode, useSelection } from '../stores/selection';
import { configPath, inputColumns, useValidation } from '../stores/validation';
import type { ExpressionProblem } from './ExpressionEditor';
import { asSchema, localProblems } from './json-schema';
import { NodeInputs } from './NodeInputs';
import { FormContextProvider, ObjectFields, type FormContext } from './SchemaForm';

const beginEdit = () => documentStore.getState().beginGesture();
const endEdit = () => documentStore.getState().endGesture();

/** The selected node's id, title and description. */
function NodeHeader({ node }: { node: NodeDoc }) {
  const [id, setId] = useState(node.id);
  const [idError, setIdError] = useState<string>();
  const typeTitle = useCatalog((s) => s.byType[node.type]?.title ?? node.type);
  return (
    <div className="inspector-header">
      <div className="inspector-type">{typeTitle}</div>
      <div className="field">
        <label className="field-label" htmlFor="node-id">
          Id
        </label>
        <input
          id="node-id"
          data-testid="node-id-input"
          value={id}
          spellCheck={false}
          aria-invalid={!!idError || undefined}
          onChange={(e) => {
            setId(e.target.value);
            setIdError(undefined);
          }}
          onBlur={() => {
            if (id === node.id) return;
            if (!documentStore.getState().renameNode(node.id, id)) setIdError('letters, digits, _ and -, starting with a letter or _, and not used by another node');
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        {idError && (
          <div className="field-error" role="alert">
            {idError}
          </div>
        )}
      </div>
      <div className="field">
        <label className="field-label" htmlFor="node-title">
          Title
        </label>
        <input
          id="node-title"
          data-testid="node-title-input"
          value={node.title ?? ''}
          placeholder={node.id}
          onFocus={beginEdit}
          onBlur={endEdit}
          onChange={(e) => documentStore.getState().updateNode(node.id, { title: e.target.value })}
        />
      </div>
    </div>
  );
}

function NodeForm({ node }: { node: NodeDoc }) {
  const info = useCatalog((s) => s.byType[node.type]);
  const functions = useCatalog((s) => s.functions);
  const doc = useDocument((s) => s.doc);
  const problems = useValidation((s) => s.problems);
  const schemas = useValidation((s) => s.schemas);
  const schema = asSchema(info?.configSchema);
  const config = node.config ?? {};
  const columns = useMemo(() => inputColumns(schemas, doc, node.id), [schemas, doc, node.id]);
  const byPath = useMemo(() => {
    const out: Record<string, ExpressionProblem> = {};
    for (const p of problems) {
      if (p.nodeId !== node.id || p.severity !== 'error') continue;
      const path = configPath(p);
      if (path !== undefined && !out[path]) out[path] = { message: p.message.replace(/^node '[^']+': /, ''), start: p.start, end: p.end };
    }
    for (const [path, message] of Object.entries(localProblems(schema, config))) out[path] = { message };
    return out;
  }, [problems, node.id, schema, config]);
  const ctx: FormContext = useMemo(
    () => ({ nodeId: node.id, columns, functions, parameters: Object.keys(doc.parameters ?? {}), problems: byPath, beginEdit, endEdit }),
    [node.id, columns, functions, doc.parameters, byPath],
  );
  const nodeProblems = problems.filter((p) => p.nodeId === node.id && configPath(p) === undefined);
  if (!info) return <p className="hint">Unknown node type '{node.type}'.</p>;
  return (
    <FormContextProvider value={ctx}>
      <form className="config-form" data-testid="config-form" onSubmit={(e) => e.preventDefault()} aria-label={`${node.id} settings`}>
        {nodeProblems.map((p, i) => (
          <div key={i} className={`node-problem ${p.severity}`} role="alert">
            {p.message}
          </div>
        ))}
        <ObjectFields schema={schema} value={config} path="" onChange={(v) => documentStore.getState().updateConfig(node.id, (v ?? {}) as Record<string, unknown>)} />
      </form>
    </FormContextProvider>
  );
}

function PipelineProperties() {
  const name = useDocument((s) => s.doc.name);
  const description = useDocument((s) => s.doc.description ?? '');
  const count = useDocument((s) => s.doc.nodes.length);
  return (
    <div className="inspector-body" data-testid="pipeline-properties">
      <div className="field">
        <label className="field-label" htmlFor="pipeline-name">
          Pipeline name
        </label>
        <input id="pipeline-name" value={name} onFocus={beginEdit} onBlur={endEdit} onChange={(e) => documentStore.getState().setName(e.target.value)} />
      </div>
      <div className="field">
        <label className="field-label" htmlFor="pipeline-description">
          Description
        </label>
        <textarea id="pipeline-description" rows={4} value={description} onFocus={beginEdit} onBlur={endEdit} onChange={(e) => documentStore.getState().setDescription(e.target.value)} />
      </div>
      <p className="hint">
        {count === 0 ? 'Add nodes from the palette (drag them, or press Enter on one).' : 'Select a node to edit its settings.'}
      </p>
    </div>
  );
}

type Tab = 'settings' | 'mapping';

/** The right panel: the selected node's settings, and the mapping editor for map and sink nodes. */
export function Inspector() {
  const selected = useSelection(singleSelectedNode);
  const node = useDocument((s) => (selected ? s.doc.nodes.find((n) => n.id === selected) : undefined));
  const [tab, setTab] = useState<Tab>('settings');
  const multi = useSelection((s) => s.nodes.size);
  if (!node) {
    return (
      <aside className="inspector" aria-label="Inspector" data-testid="inspector">
        <h2 className="panel-title">{multi > 1 ? `${multi} nodes selected` : 'Pipeline'}</h2>
        <PipelineProperties />
      </aside>
    );
  }
  const hasMapping = node.type === 'map' || node.type === 'sink';
  const shown: Tab = hasMapping ? tab : 'settings';
  return (
    <aside className="inspector" aria-label="Inspector" data-testid="inspector" data-node-id={node.id}>
      <NodeHeader key={node.id} node={node} />
      <NodeInputs node={node} />
      {hasMapping && (
        <div className="tabs" role="tablist" aria-label="Inspector views">
          {(['settings', 'mapping'] as const).map((t) => (
            <button key={t} type="button" role="tab" aria-selected={shown === t} data-testid={`inspector-tab-${t}`} onClick={() => setTab(t)}>
              {t === 'settings' ? 'Settings' : 'Mapping'}
            </button>
          ))}
        </div>
      )}
      <div className="inspector-body">{shown === 'settings' ? <NodeForm key={node.id} node={node} /> : <MappingEditor node={node} />}</div>
    </aside>
  );
}
