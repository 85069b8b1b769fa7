import { aggregateNode } from './aggregate/aggregate.node';
import { castNode } from './cast/cast.node';
import { dedupeNode } from './dedupe/dedupe.node';
import { deriveNode } from './derive/derive.node';
import { filterNode } from './filter/filter.node';
import { lookupNode } from './lookup/lookup.node';
import { mapNode } from './map/map.node';
import { routeNode } from './route/route.node';
import { selectNode } from './select/select.node';
import { sinkNode } from './sink/sink.node';
import { sortNode } from './sort/sort.node';
import { sourceNode } from './source/source.node';
import { unionNode } from './union/union.node';
import { validateNode } from './validate/validate.node';
import type { AnyNodeType } from './types';

/**
 * Every node type, listed once. Adding a node type = one folder + one line here.
 */
const NODE_TYPES: AnyNodeType[] = [
  sourceNode,
  selectNode,
  deriveNode,
  mapNode,
  filterNode,
  castNode,
  validateNode,
  lookupNode,
  aggregateNode,
  dedupeNode,
  sortNode,
  unionNode,
  routeNode,
  sinkNode,
];

export class NodeRegistry {
  private readonly byType = new Map<string, AnyNodeType>();

  constructor(list: AnyNodeType[]) {
    for (const t of list) {
      if (this.byType.has(t.type)) throw new Error(`node type '${t.type}' is registered twice`);
      this.byType.set(t.type, t);
    }
  }

  get(type: string): AnyNodeType | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  all(): AnyNodeType[] {
    return [...this.byType.values()];
  }
}

export const nodeRegistry = new NodeRegistry(NODE_TYPES);
