import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { PipelineDocument } from '../../../app/model/document';
import { sourceOf, targetOf } from '../lib/edges';
import type { Position } from '../stores/document';

const elk = new ELK();
const DEFAULT_SIZE = { width: 200, height: 72 };

/**
 * Positions for every node, left to right in data-flow order (ELK's layered algorithm).
 * `sizes` are the measured node sizes (a default where unknown).
 */
export async function autoLayout(doc: PipelineDocument, sizes: ReadonlyMap<string, { width: number; height: number }> = new Map()): Promise<Record<string, Position>> {
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: doc.nodes.map((n) => ({ id: n.id, ...(sizes.get(n.id) ?? DEFAULT_SIZE) })),
    edges: doc.edges.map((e, i) => ({ id: `e${i}`, sources: [sourceOf(e).node], targets: [targetOf(e).node] })),
  };
  const out = await elk.layout(graph);
  const positions: Record<string, Position> = {};
  for (const c of out.children ?? []) positions[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return positions;
}
