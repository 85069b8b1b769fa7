import type { Edge, Node } from '@xyflow/react';
import type { NodeTypeInfo } from '../../../app/contract';
import type { NodeDoc, PipelineDocument } from '../../../app/model/document';
import { edgeKey, sourceOf, targetOf } from '../lib/edges';
import { portsOf, type NodePorts } from './ports';

/** What a node on the canvas shows; everything else it reads from the stores by its id. */
export type FlowNodeData = {
  nodeId: string;
  nodeType: string;
  label: string;
  category: NodeTypeInfo['category'] | 'unknown';
  typeTitle: string;
  ports: NodePorts;
};

export type FlowNode = Node<FlowNodeData, 'pipeline'>;
export type FlowEdge = Edge<{ kind: 'data' | 'rejected' }>;

export interface Dimensions {
  width: number;
  height: number;
}

const APPROX_SIZE: Dimensions = { width: 182, height: 58 };

interface CacheEntry {
  typeInfo: NodeTypeInfo | undefined;
  selected: boolean;
  node: FlowNode;
}

/**
 * Derives React Flow's nodes from the document. A node object is reused while its NodeDoc,
 * type info and selection are the same, so React Flow (and the memoised node components)
 * skip the nodes an edit did not touch. React Flow keeps the measured size of a node object
 * it has seen; a new object carries the last measured size along, so it is not measured again.
 */
export class NodeDeriver {
  private cache = new WeakMap<NodeDoc, CacheEntry>();

  derive(
    doc: PipelineDocument,
    byType: Record<string, NodeTypeInfo>,
    selected: ReadonlySet<string>,
    measured: ReadonlyMap<string, Dimensions>,
  ): FlowNode[] {
    return doc.nodes.map((n, i) => {
      const typeInfo = byType[n.type];
      const isSelected = selected.has(n.id);
      const size = measured.get(n.id);
      const hit = this.cache.get(n);
      if (hit && hit.typeInfo === typeInfo && hit.selected === isSelected) return hit.node;
      const node: FlowNode = {
        id: n.id,
        type: 'pipeline',
        position: n.position ?? { x: (i % 8) * 240, y: Math.floor(i / 8) * 140 },
        selected: isSelected,
        data: {
          nodeId: n.id,
          nodeType: n.type,
          label: n.title ?? n.id,
          category: typeInfo?.category ?? 'unknown',
          typeTitle: typeInfo?.title ?? n.type,
          ports: portsOf(typeInfo, n.config),
        },
        // What the minimap draws until this object carries a measured size.
        initialWidth: size?.width ?? APPROX_SIZE.width,
        initialHeight: size?.height ?? APPROX_SIZE.height,
        ...(size ? { measured: size } : {}),
      };
      this.cache.set(n, { typeInfo, selected: isSelected, node });
      return node;
    });
  }
}

/** React Flow's edges from the document's: handles are port names; `rejected` edges are styled apart. */
export function deriveEdges(doc: PipelineDocument, byType: Record<string, NodeTypeInfo>, selected: ReadonlySet<string>): FlowEdge[] {
  const typeOf = new Map(doc.nodes.map((n) => [n.id, n]));
  return doc.edges.map((e) => {
    const s = sourceOf(e);
    const t = targetOf(e);
    const from = typeOf.get(s.node);
    const port = from ? portsOf(byType[from.type], from.config).outputs.find((p) => p.name === s.port) : undefined;
    const kind = port?.kind ?? (s.port === 'rejected' ? 'rejected' : 'data');
    const key = edgeKey(e);
    return {
      id: key,
      source: s.node,
      sourceHandle: s.port,
      target: t.node,
      targetHandle: t.port,
      selected: selected.has(key),
      className: kind === 'rejected' ? 'edge-rejected' : 'edge-data',
      data: { kind },
    };
  });
}
