import type { NodeTypeInfo } from '../../../app/contract';

export type PortInfo = NodeTypeInfo['ports']['inputs'][number];
export interface NodePorts {
  inputs: PortInfo[];
  outputs: PortInfo[];
}

const NO_PORTS: NodePorts = { inputs: [{ name: 'in', kind: 'data' }], outputs: [{ name: 'out', kind: 'data' }] };

/**
 * A node's ports. The catalogue gives those of each type's example; a route node has one
 * output per route of its own config (then `unmatched` and `rejected`).
 */
export function portsOf(info: NodeTypeInfo | undefined, config: Record<string, unknown> | undefined): NodePorts {
  if (!info) return NO_PORTS;
  if (info.type === 'route') {
    const routes = Array.isArray(config?.routes) ? (config.routes as unknown[]) : [];
    const named = routes
      .map((r) => (r && typeof r === 'object' && typeof (r as { name?: unknown }).name === 'string' ? (r as { name: string }).name : ''))
      .filter((n) => n !== '');
    const fixed = info.ports.outputs.filter((p) => p.name === 'unmatched' || p.kind === 'rejected');
    return { inputs: info.ports.inputs, outputs: [...named.map((name) => ({ name, kind: 'data' as const })), ...fixed] };
  }
  return info.ports;
}
