import type { EdgeDoc } from '../../../app/model/document';
import { formatEndpoint, parseEndpoint } from '../../../app/model/document';

/** An edge's end: a node and one of its ports. */
export interface Endpoint {
  node: string;
  port: string;
}

export const DEFAULT_OUT = 'out';
export const DEFAULT_IN = 'in';

export function edgeKey(e: EdgeDoc): string {
  return `${e.from}->${e.to}`;
}

export function sourceOf(e: EdgeDoc): Endpoint {
  return parseEndpoint(e.from, DEFAULT_OUT);
}

export function targetOf(e: EdgeDoc): Endpoint {
  return parseEndpoint(e.to, DEFAULT_IN);
}

export function makeEdge(from: Endpoint, to: Endpoint): EdgeDoc {
  return { from: formatEndpoint(from.node, from.port, DEFAULT_OUT), to: formatEndpoint(to.node, to.port, DEFAULT_IN) };
}

/** The same edge with its node ids renamed (ids not in the map stay). */
export function renameEdge(e: EdgeDoc, rename: (id: string) => string): EdgeDoc {
  const s = sourceOf(e);
  const t = targetOf(e);
  return makeEdge({ node: rename(s.node), port: s.port }, { node: rename(t.node), port: t.port });
}
