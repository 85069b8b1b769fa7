import type { ConnectionDoc, EdgeDoc, NodeDoc, PipelineDocument } from '../../../app/model/document';
import type { PastedElements } from '../stores/document';
import { renameEdge, sourceOf, targetOf } from '../lib/edges';
import { uniqueId } from '../lib/ids';

/** What copy puts on the clipboard: nodes, the edges between them, the connections they name. */
export interface ClipboardPayload {
  kind: 'sluice/nodes';
  version: 1;
  nodes: NodeDoc[];
  edges: EdgeDoc[];
  connections: Record<string, ConnectionDoc>;
}

const CONNECTION_KEYS = ['connection'];

/** Connection names a node's config refers to (source, sink, lookup's source, map's target). */
function connectionNames(config: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (CONNECTION_KEYS.includes(k) && typeof x === 'string') out.push(x);
      else visit(x);
    }
  };
  visit(config);
  return out;
}

export function copyNodes(doc: PipelineDocument, nodeIds: Iterable<string>): ClipboardPayload {
  const ids = new Set(nodeIds);
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  const edges = doc.edges.filter((e) => ids.has(sourceOf(e).node) && ids.has(targetOf(e).node));
  const connections: Record<string, ConnectionDoc> = {};
  for (const n of nodes) {
    for (const name of connectionNames(n.config)) {
      const c = doc.connections?.[name];
      if (c) connections[name] = c;
    }
  }
  return { kind: 'sluice/nodes', version: 1, nodes: structuredClone(nodes), edges: structuredClone(edges), connections: structuredClone(connections) };
}

export function isClipboardPayload(x: unknown): x is ClipboardPayload {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'sluice/nodes' && Array.isArray((x as { nodes?: unknown }).nodes);
}

/**
 * The payload made ready to insert into `doc`: ids that are taken get a free one (`tidy` ->
 * `tidy_2`), edges follow their renamed nodes, positions move by `offset`. Connections the
 * document already has under the same name are kept as they are (the document's win).
 */
export function preparePaste(doc: PipelineDocument, payload: ClipboardPayload, offset = { x: 40, y: 40 }): PastedElements & { idMap: Record<string, string> } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const idMap: Record<string, string> = {};
  for (const n of payload.nodes) {
    const id = uniqueId(n.id, taken);
    taken.add(id);
    idMap[n.id] = id;
  }
  const nodes = payload.nodes.map((n) => ({
    ...structuredClone(n),
    id: idMap[n.id],
    position: { x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y },
  }));
  const edges = payload.edges.map((e) => renameEdge(e, (id) => idMap[id] ?? id));
  const connections: Record<string, ConnectionDoc> = {};
  for (const [name, c] of Object.entries(payload.connections)) if (!doc.connections?.[name]) connections[name] = c;
  return { nodes, edges, connections, idMap };
}
