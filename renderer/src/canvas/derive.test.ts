import { describe, expect, it } from 'vitest';
import type { NodeTypeInfo } from '../../../app/contract';
import type { PipelineDocument } from '../../../app/model/document';
import { createDocumentStore } from '../stores/document';
import { NodeDeriver, deriveEdges } from './derive';

const info = (type: string, category: NodeTypeInfo['category'], outputs: NodeTypeInfo['ports']['outputs'], inputs = [{ name: 'in', kind: 'data' as const }]): NodeTypeInfo => ({
  type,
  title: type[0].toUpperCase() + type.slice(1),
  category,
  description: '',
  configSchema: {},
  example: {},
  ports: { inputs, outputs },
});

const byType: Record<string, NodeTypeInfo> = {
  source: info('source', 'source', [{ name: 'out', kind: 'data' }], []),
  validate: info('validate', 'quality', [
    { name: 'out', kind: 'data' },
    { name: 'rejected', kind: 'rejected' },
  ]),
  sink: info('sink', 'sink', []),
  route: info('route', 'transform', [
    { name: 'eu', kind: 'data' },
    { name: 'unmatched', kind: 'data', optional: true },
    { name: 'rejected', kind: 'rejected' },
  ]),
};

const doc: PipelineDocument = {
  version: 1,
  name: 'p',
  nodes: [
    { id: 'src', type: 'source', config: {}, position: { x: 0, y: 0 } },
    { id: 'check', type: 'validate', title: 'Check rows', config: {}, position: { x: 200, y: 0 } },
    { id: 'load', type: 'sink', config: {}, position: { x: 400, y: 0 } },
    { id: 'bad', type: 'sink', config: {} },
    { id: 'split', type: 'route', config: { routes: [{ name: 'fr', when: "country = 'FR'" }, { name: 'us', when: "country = 'US'" }] } },
  ],
  edges: [
    { from: 'src', to: 'check' },
    { from: 'check', to: 'load' },
    { from: 'check.rejected', to: 'bad' },
  ],
};

describe('deriving React Flow nodes and edges from the document', () => {
  it('makes one node per document node, with its ports, label and position', () => {
    const nodes = new NodeDeriver().derive(doc, byType, new Set(['check']), new Map());
    expect(nodes.map((n) => n.id)).toEqual(['src', 'check', 'load', 'bad', 'split']);
    const check = nodes[1];
    expect(check).toMatchObject({ type: 'pipeline', position: { x: 200, y: 0 }, selected: true, data: { label: 'Check rows', category: 'quality' } });
    expect(check.data.ports.outputs.map((p) => `${p.name}:${p.kind}`)).toEqual(['out:data', 'rejected:rejected']);
    expect(nodes[3].position).toBeDefined();
    // A route's outputs come from its own routes.
    expect(nodes[4].data.ports.outputs.map((p) => p.name)).toEqual(['fr', 'us', 'unmatched', 'rejected']);
  });

  it('reuses the node objects an edit did not touch (memoised components skip them)', () => {
    const store = createDocumentStore(doc);
    const deriver = new NodeDeriver();
    const measured = new Map([['src', { width: 180, height: 60 }]]);
    const before = deriver.derive(store.getState().doc, byType, new Set(), measured);
    expect(before[0].measured).toEqual({ width: 180, height: 60 });
    store.getState().updateConfig('check', { rules: [] });
    const after = deriver.derive(store.getState().doc, byType, new Set(), measured);
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]).not.toBe(before[1]);
    // A node object made after an edit carries its last measured size (React Flow need not measure it again).
    expect(after[1].measured).toBeUndefined();
    measured.set('check', { width: 200, height: 70 });
    store.getState().updateConfig('check', { rules: [{ name: 'r', expr: 'true' }] });
    expect(deriver.derive(store.getState().doc, byType, new Set(), measured)[1].measured).toEqual({ width: 200, height: 70 });
    const selected = deriver.derive(store.getState().doc, byType, new Set(['load']), measured);
    expect(selected[2]).not.toBe(after[2]);
    expect(selected[2].selected).toBe(true);
    expect(selected[0]).toBe(after[0]);
  });

  it('makes edges with port handles, rejected ones marked', () => {
    const edges = deriveEdges(doc, byType, new Set(['check->load']));
    expect(edges).toEqual([
      expect.objectContaining({ id: 'src->check', source: 'src', sourceHandle: 'out', target: 'check', targetHandle: 'in', data: { kind: 'data' }, selected: false }),
      expect.objectContaining({ id: 'check->load', selected: true }),
      expect.objectContaining({ id: 'check.rejected->bad', sourceHandle: 'rejected', className: 'edge-rejected', data: { kind: 'rejected' } }),
    ]);
  });
});
