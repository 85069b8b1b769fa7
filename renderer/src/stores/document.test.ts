import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '../../../app/model/document';
import { createDocumentStore, isDirty } from './document';

const doc: PipelineDocument = {
  version: 1,
  name: 'orders',
  nodes: [
    { id: 'orders', type: 'source', config: { connection: 'shop', table: 'orders' }, position: { x: 0, y: 0 } },
    { id: 'paid', type: 'filter', config: { where: "status = 'paid'" }, position: { x: 200, y: 0 } },
  ],
  edges: [{ from: 'orders', to: 'paid' }],
};

describe('document store', () => {
  it('loads a document clean, with an empty history', () => {
    const s = createDocumentStore();
    s.getState().addNode('filter', { x: 1, y: 2 });
    s.getState().load(doc, 'orders.yaml');
    expect(s.getState().doc).toBe(doc);
    expect(isDirty(s.getState())).toBe(false);
    expect(s.temporal.getState().pastStates).toHaveLength(0);
  });

  it('adds nodes with free ids and connects them; every edit is one undo step', () => {
    const s = createDocumentStore(doc);
    const id = s.getState().addNode('filter', { x: 400.4, y: 10.6 });
    expect(id).toBe('filter');
    expect(s.getState().addNode('filter', { x: 0, y: 0 })).toBe('filter_2');
    expect(s.getState().connect({ node: 'paid', port: 'out' }, { node: 'filter', port: 'in' })).toBe(true);
    expect(s.getState().doc.edges).toContainEqual({ from: 'paid', to: 'filter' });
    expect(s.getState().doc.nodes.find((n) => n.id === 'filter')?.position).toEqual({ x: 400, y: 11 });
    expect(s.temporal.getState().pastStates).toHaveLength(3);

    s.temporal.getState().undo();
    expect(s.getState().doc.edges).toHaveLength(1);
    s.temporal.getState().undo();
    s.temporal.getState().undo();
    expect(s.getState().doc).toBe(doc);
    expect(isDirty(s.getState())).toBe(false);
    s.temporal.getState().redo();
    expect(s.getState().doc.nodes.map((n) => n.id)).toEqual(['orders', 'paid', 'filter']);
    expect(isDirty(s.getState())).toBe(true);
  });

  it('refuses self loops and duplicate edges, and replaces a single input on request', () => {
    const s = createDocumentStore(doc);
    expect(s.getState().connect({ node: 'paid', port: 'out' }, { node: 'paid', port: 'in' })).toBe(false);
    expect(s.getState().connect({ node: 'orders', port: 'out' }, { node: 'paid', port: 'in' })).toBe(false);
    s.getState().addNode('source', { x: 0, y: 100 }, {}, 'customers');
    s.getState().connect({ node: 'customers', port: 'out' }, { node: 'paid', port: 'in' }, { replaceInput: true });
    expect(s.getState().doc.edges).toEqual([{ from: 'customers', to: 'paid' }]);
  });

  it('writes named ports as node.port', () => {
    const s = createDocumentStore(doc);
    s.getState().addNode('sink', { x: 0, y: 0 }, {}, 'rejects');
    s.getState().connect({ node: 'paid', port: 'rejected' }, { node: 'rejects', port: 'in' });
    expect(s.getState().doc.edges).toContainEqual({ from: 'paid.rejected', to: 'rejects' });
  });

  it('removes nodes with their edges, and edges by key', () => {
    const s = createDocumentStore(doc);
    s.getState().removeElements([], ['orders->paid']);
    expect(s.getState().doc.edges).toEqual([]);
    s.temporal.getState().undo();
    s.getState().removeElements(['orders']);
    expect(s.getState().doc.nodes.map((n) => n.id)).toEqual(['paid']);
    expect(s.getState().doc.edges).toEqual([]);
  });

  it('renames a node and the edges that refer to it', () => {
    const s = createDocumentStore(doc);
    expect(s.getState().renameNode('paid', 'orders')).toBe(false);
    expect(s.getState().renameNode('paid', '9bad')).toBe(false);
    expect(s.getState().renameNode('orders', 'all_orders')).toBe(true);
    expect(s.getState().doc.edges).toEqual([{ from: 'all_orders', to: 'paid' }]);
  });

  it('records a drag as one step, and no step when nothing moved', () => {
    const s = createDocumentStore(doc);
    s.getState().beginGesture();
    for (let x = 1; x <= 10; x++) s.getState().moveNodes({ paid: { x: 200 + x, y: 0 } });
    s.getState().endGesture();
    expect(s.temporal.getState().pastStates).toHaveLength(1);
    expect(s.getState().doc.nodes[1].position).toEqual({ x: 210, y: 0 });
    s.getState().beginGesture();
    s.getState().endGesture();
    expect(s.temporal.getState().pastStates).toHaveLength(1);
    s.temporal.getState().undo();
    expect(s.getState().doc.nodes[1].position).toEqual({ x: 200, y: 0 });
  });

  it('does not record a step for a change that changes nothing, nor for markSaved', () => {
    const s = createDocumentStore(doc);
    s.getState().updateConfig('paid', doc.nodes[1].config!);
    s.getState().moveNodes({ paid: { x: 200, y: 0 } });
    s.getState().setName('orders');
    expect(s.temporal.getState().pastStates).toHaveLength(0);
    s.getState().setName('renamed');
    s.getState().markSaved('renamed.yaml');
    expect(isDirty(s.getState())).toBe(false);
    expect(s.temporal.getState().pastStates).toHaveLength(1);
  });

  it('inserts a node before another, rewiring its input', () => {
    const s = createDocumentStore(doc);
    const id = s.getState().insertBefore('paid', 'cast', { columns: { total: 'decimal(12,2)' } }, 'fix_total');
    expect(id).toBe('fix_total');
    expect(s.getState().doc.edges).toEqual([
      { from: 'orders', to: 'fix_total' },
      { from: 'fix_total', to: 'paid' },
    ]);
  });

  it('updates a title and clears it when empty', () => {
    const s = createDocumentStore(doc);
    s.getState().updateNode('paid', { title: 'Paid orders' });
    expect(s.getState().doc.nodes[1].title).toBe('Paid orders');
    s.getState().updateNode('paid', { title: '' });
    expect('title' in s.getState().doc.nodes[1]).toBe(false);
  });
});
