import { z } from 'zod';
import { connectors } from '../../connectors/registry';
import { FUNCTIONS } from '../../expr';
import { nodeRegistry } from '../../nodes/registry';
import type { AnyNodeType, Ports } from '../../nodes/types';
import type { Handlers, NodeTypeInfo } from '../../contract';
import type { HostDeps } from '../deps';

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete js.$schema;
  return js;
}

/** Some node types derive their ports from their config: show those of the example. */
function examplePorts(t: AnyNodeType): Ports {
  try {
    return t.ports(t.config.parse(t.example));
  } catch {
    return { inputs: [], outputs: [] };
  }
}

export function nodeTypeInfo(t: AnyNodeType): NodeTypeInfo {
  const ports = examplePorts(t);
  const port = (p: Ports['inputs'][number]) => ({
    name: p.name,
    kind: p.kind,
    description: p.description,
    multiple: p.multiple,
    optional: p.optional,
  });
  return {
    type: t.type,
    title: t.title,
    category: t.category,
    description: t.description,
    configSchema: jsonSchemaOf(t.config),
    example: t.example,
    ports: { inputs: ports.inputs.map(port), outputs: ports.outputs.map(port) },
  };
}

export function catalogHandlers(deps: HostDeps): Pick<Handlers, 'catalog/nodes' | 'catalog/connectors' | 'catalog/functions'> {
  const registry = deps.registry ?? nodeRegistry;
  return {
    'catalog/nodes': async () => ({ nodes: registry.all().map(nodeTypeInfo) }),
    'catalog/functions': async () => ({ functions: FUNCTIONS.map((f) => ({ ...f })) }),
    'catalog/connectors': async () => ({
      connectors: connectors.map((c) => ({
        id: c.id,
        title: c.title,
        description: c.description,
        kind: c.kind,
        schemes: c.schemes,
        examples: c.examples,
        optionsSchema: jsonSchemaOf(c.options),
      })),
    }),
  };
}
