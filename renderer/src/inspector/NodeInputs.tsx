import { useMemo } from 'react';
import type { NodeDoc } from '../../../app/model/document';
import { portsOf } from '../canvas/ports';
import { edgeKey, sourceOf, targetOf } from '../lib/edges';
import { useCatalog } from '../stores/catalog';
import { documentStore, useDocument } from '../stores/document';

/**
 * The node's inputs as choices: what each input port is connected to. The keyboard's way to
 * connect and disconnect nodes (the canvas does it by dragging between ports).
 */
export function NodeInputs({ node }: { node: NodeDoc }) {
  const byType = useCatalog((s) => s.byType);
  const nodes = useDocument((s) => s.doc.nodes);
  const edges = useDocument((s) => s.doc.edges);
  const inputs = portsOf(byType[node.type], node.config).inputs;
  const outputs = useMemo(
    () =>
      nodes
        .filter((n) => n.id !== node.id)
        .flatMap((n) => portsOf(byType[n.type], n.config).outputs.map((p) => ({ value: `${n.id}\u0000${p.name}`, label: p.name === 'out' ? n.id : `${n.id}.${p.name}`, kind: p.kind }))),
    [nodes, byType, node.id],
  );
  if (inputs.length === 0) return null;
  return (
    <div className="node-inputs" data-testid="node-inputs">
      {inputs.map((port) => {
        const into = edges.filter((e) => targetOf(e).node === node.id && targetOf(e).port === port.name);
        const current = into[0] ? `${sourceOf(into[0]).node}\u0000${sourceOf(into[0]).port}` : '';
        const id = `input-${node.id}-${port.name}`;
        return (
          <div className="field" key={port.name}>
            <label className="field-label" htmlFor={id}>
              Input{inputs.length > 1 || port.name !== 'in' ? ` ${port.name}` : ''}
              {port.optional && <span className="muted"> (optional)</span>}
            </label>
            <select
              id={id}
              data-testid={`input-select-${port.name}`}
              value={port.multiple ? '' : current}
              onChange={(e) => {
                const v = e.target.value;
                const doc = documentStore.getState();
                if (!v) {
                  doc.removeElements([], into.map(edgeKey));
                  return;
                }
                const [from, fromPort] = v.split('\u0000');
                doc.connect({ node: from, port: fromPort }, { node: node.id, port: port.name }, { replaceInput: !port.multiple });
              }}
            >
              <option value="">{port.multiple ? `+ add an input (${into.length} connected)` : '— not connected —'}</option>
              {outputs.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                  {o.kind === 'rejected' ? ' (rejected rows)' : ''}
                </option>
              ))}
            </select>
            {port.multiple && into.length > 0 && <div className="field-help">{into.map((e) => e.from).join(', ')}</div>}
          </div>
        );
      })}
    </div>
  );
}
