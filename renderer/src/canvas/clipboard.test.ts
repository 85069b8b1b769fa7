import { describe, expect, it } from 'vitest';
import type { PipelineDocument } from '../../../app/model/document';
import { createDocumentStore } from '../stores/document';
import { copyNodes, isClipboardPayload, preparePaste } from './clipboard';

const a: PipelineDocument = {
  version: 1,
  name: 'a',
  connections: { shop: { url: 'sqlite:./shop.db' } },
  nodes: [
    { id: 'orders', type: 'source', config: { connection: 'shop', table: 'orders' }, position: { x: 0, y: 0 } },
    { id: 'tidy', type: 'derive', config: { columns: [{ name: 'e', expr: 'lower(email)' }] }, position: { x: 200, y: 0 } },
    { id: 'load', type: 'sink', config: { connection: 'csv:./out.csv' }, position: { x: 400, y: 0 } },
  ],
  edges: [
    { from: 'orders', to: 'tidy' },
    { from: 'tidy', to: 'load' },
  ],
};

describe('copy and paste', () => {
  it('copies the selected nodes, the edges between them and the connections they name', () => {
    const p = copyNodes(a, ['orders', 'tidy']);
    expect(isClipboardPayload(p)).toBe(true);
    expect(p.nodes.map((n) => n.id)).toEqual(['orders', 'tidy']);
    expect(p.edges).toEqual([{ from: 'orders', to: 'tidy' }]);
    expect(p.connections).toEqual({ shop: { url: 'sqlite:./shop.db' } });
  });

  it('renames ids that are taken and rewires the copied edges; positions move', () => {
    const p = copyNodes(a, ['orders', 'tidy']);
    const r = preparePaste(a, p);
    expect(r.idMap).toEqual({ orders: 'orders_2', tidy: 'tidy_2' });
    expect(r.edges).toEqual([{ from: 'orders_2', to: 'tidy_2' }]);
    expect(r.nodes[1].position).toEqual({ x: 240, y: 40 });
    expect(r.connections).toEqual({});
    // Pasting twice never collides.
    const store = createDocumentStore(a);
    store.getState().insert(r);
    const again = preparePaste(store.getState().doc, p);
    expect(Object.values(again.idMap)).toEqual(['orders_3', 'tidy_3']);
  });

  it('pastes into another pipeline with the connections it lacks, ids kept when free', () => {
    const b: PipelineDocument = { version: 1, name: 'b', nodes: [{ id: 'tidy', type: 'filter', config: {} }], edges: [] };
    const r = preparePaste(b, copyNodes(a, ['orders', 'tidy']), { x: 0, y: 0 });
    expect(r.idMap).toEqual({ orders: 'orders', tidy: 'tidy_2' });
    expect(r.connections).toEqual({ shop: { url: 'sqlite:./shop.db' } });
    const store = createDocumentStore(b);
    store.getState().insert(r);
    expect(store.getState().doc.connections).toEqual({ shop: { url: 'sqlite:./shop.db' } });
    expect(store.getState().doc.edges).toEqual([{ from: 'orders', to: 'tidy_2' }]);
    store.temporal.getState().undo();
    expect(store.getState().doc).toBe(b);
  });

  it('does not share objects with the copied document', () => {
    const p = copyNodes(a, ['tidy']);
    (p.nodes[0].config as { columns: unknown[] }).columns.push({ name: 'x', expr: '1' });
    expect((a.nodes[1].config as { columns: unknown[] }).columns).toHaveLength(1);
  });
});
