import type { NodeDoc, PipelineDocument } from '../model/document';
import { parseEndpoint } from '../model/document';
import { formatPath, zodProblems } from '../model/document-io';
import { didYouMean, type Problem } from '../model/problems';
import type { AnyNodeType, Ports } from '../nodes/types';

export interface Endpoint {
  node: string;
  port: string;
}

export interface GraphEdge {
  index: number;
  from: Endpoint;
  to: Endpoint;
}

export interface GraphNode {
  id: string;
  index: number;
  doc: NodeDoc;
  type: AnyNodeType;
  config: unknown;
  ports: Ports;
  /** Incoming edges by input port. */
  incoming: Map<string, GraphEdge[]>;
  /** Outgoing edges by output port. */
  outgoing: Map<string, GraphEdge[]>;
}

export interface PipelineGraph {
  nodes: Map<string, GraphNode>;
  /** Node ids in a topological order (document order among independent nodes). */
  order: string[];
  edges: GraphEdge[];
}

export type NodeRegistryLookup = (type: string) => AnyNodeType | undefined;

/**
 * Checks the structure of a document against the node types: unknown types, configs,
 * edges to missing nodes or ports, unconnected required inputs, cycles. Every problem is
 * collected; the graph returned holds what is sound (a run needs no problems at all).
 */
export function buildGraph(
  doc: PipelineDocument,
  lookup: NodeRegistryLookup,
  knownTypes: string[],
): { graph: PipelineGraph; problems: Problem[] } {
  const problems: Problem[] = [];
  const nodes = new Map<string, GraphNode>();
  const seenIds = new Set<string>();

  doc.nodes.forEach((n, index) => {
    const at = `nodes[${index}]`;
    if (seenIds.has(n.id)) {
      problems.push({ path: `${at}.id`, severity: 'error', nodeId: n.id, message: `duplicate node id '${n.id}'` });
      return;
    }
    seenIds.add(n.id);
    const type = lookup(n.type);
    if (!type) {
      const hint = didYouMean(n.type, knownTypes);
      problems.push({
        path: `${at}.type`,
        severity: 'error',
        nodeId: n.id,
        message: `node '${n.id}': unknown node type '${n.type}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
        hint,
      });
      return;
    }
    const parsed = type.config.safeParse(n.config ?? {});
    if (!parsed.success) {
      for (const p of zodProblems(parsed.error, ['nodes', index, 'config'])) {
        problems.push({ ...p, nodeId: n.id, message: `node '${n.id}': ${p.message}` });
      }
      return;
    }
    nodes.set(n.id, {
      id: n.id,
      index,
      doc: n,
      type,
      config: parsed.data,
      ports: type.ports(parsed.data),
      incoming: new Map(),
      outgoing: new Map(),
    });
  });

  const edges: GraphEdge[] = [];
  const nodeIds = [...seenIds];
  doc.edges.forEach((e, index) => {
    const at = `edges[${index}]`;
    const from = parseEndpoint(e.from, 'out');
    const to = parseEndpoint(e.to, 'in');
    let ok = true;
    for (const [end, key, kind] of [
      [from, 'from', 'outputs'],
      [to, 'to', 'inputs'],
    ] as const) {
      if (!seenIds.has(end.node)) {
        const hint = didYouMean(end.node, nodeIds);
        problems.push({
          path: `${at}.${key}`,
          severity: 'error',
          message: `edge ${e.from} -> ${e.to}: no node '${end.node}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
          hint,
        });
        ok = false;
        continue;
      }
      const node = nodes.get(end.node);
      if (!node) {
        ok = false; // its own problem was reported above
        continue;
      }
      const ports = node.ports[kind];
      if (!ports.some((p) => p.name === end.port)) {
        const names = ports.map((p) => p.name);
        problems.push({
          path: `${at}.${key}`,
          severity: 'error',
          nodeId: end.node,
          message: `edge ${e.from} -> ${e.to}: node '${end.node}' (${node.type.type}) has no ${kind === 'outputs' ? 'output' : 'input'} port '${end.port}'${names.length ? `; it has: ${names.join(', ')}` : '; it has none'}`,
        });
        ok = false;
      }
    }
    if (!ok) return;
    const edge: GraphEdge = { index, from, to };
    edges.push(edge);
    const src = nodes.get(from.node)!;
    const dst = nodes.get(to.node)!;
    src.outgoing.set(from.port, [...(src.outgoing.get(from.port) ?? []), edge]);
    dst.incoming.set(to.port, [...(dst.incoming.get(to.port) ?? []), edge]);
  });

  for (const node of nodes.values()) {
    for (const port of node.ports.inputs) {
      const count = node.incoming.get(port.name)?.length ?? 0;
      if (count === 0 && !port.optional) {
        problems.push({
          path: `nodes[${node.index}]`,
          severity: 'error',
          nodeId: node.id,
          message: `node '${node.id}': input '${port.name}' is not connected`,
        });
      } else if (count > 1 && !port.multiple) {
        problems.push({
          path: formatPath(['edges', node.incoming.get(port.name)![1].index]),
          severity: 'error',
          nodeId: node.id,
          message: `node '${node.id}': input '${port.name}' takes one edge, it has ${count} (use a union node to combine streams)`,
        });
      }
    }
  }

  // The graph holds the sound nodes and edges even when there are problems, so planning
  // can still check what it can (every problem at once); nodes on a cycle are left out of order.
  const order = topologicalOrder(nodes, doc, problems);
  return { graph: { nodes, order, edges }, problems };
}

/** Kahn's algorithm in document order; what remains is on a cycle, reported by name. */
function topologicalOrder(nodes: Map<string, GraphNode>, doc: PipelineDocument, problems: Problem[]): string[] {
  const indegree = new Map<string, number>();
  for (const n of nodes.values()) {
    let d = 0;
    for (const es of n.incoming.values()) d += es.length;
    indegree.set(n.id, d);
  }
  const order: string[] = [];
  const ready = doc.nodes.map((n) => n.id).filter((id) => indegree.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const es of nodes.get(id)!.outgoing.values()) {
      for (const e of es) {
        const d = indegree.get(e.to.node)! - 1;
        indegree.set(e.to.node, d);
        if (d === 0) ready.push(e.to.node);
      }
    }
  }
  if (order.length < nodes.size) {
    const cyclic = [...nodes.keys()].filter((id) => !order.includes(id));
    const cycle = findCycle(nodes, new Set(cyclic));
    problems.push({
      path: 'edges',
      severity: 'error',
      nodeId: cycle[0],
      message: `the edges form a cycle: ${cycle.join(' -> ')}`,
    });
  }
  return order;
}

function findCycle(nodes: Map<string, GraphNode>, candidates: Set<string>): string[] {
  const start = [...candidates][0];
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (onPath.has(id)) return [...path.slice(path.indexOf(id)), id];
    path.push(id);
    onPath.add(id);
    for (const es of nodes.get(id)!.outgoing.values()) {
      for (const e of es) {
        if (!candidates.has(e.to.node)) continue;
        const found = visit(e.to.node);
        if (found) return found;
      }
    }
    path.pop();
    onPath.delete(id);
    return undefined;
  };
  return visit(start) ?? [...candidates];
}

/** Ids of `target` and every node upstream of it. */
export function ancestorsOf(graph: PipelineGraph, target: string): Set<string> {
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const es of graph.nodes.get(id)!.incoming.values()) for (const e of es) stack.push(e.from.node);
  }
  return seen;
}
