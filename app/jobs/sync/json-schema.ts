import { z } from 'zod';
import type { NodeRegistry } from '../../nodes/registry';
import { SyncDocumentSchema } from './definition';

type JsonObject = Record<string, unknown>;

/**
 * The published JSON Schema of sync definitions (resources/sync.schema.json), made like the
 * pipeline's: from the zod schema, with each node type's config selected by its `type` in
 * transform nodes. `sluice schema --kind sync` prints it; a test keeps the file fresh.
 */
export function syncJsonSchema(registry: NodeRegistry): JsonObject {
  const root = z.toJSONSchema(SyncDocumentSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const transform = (root.properties as JsonObject).transform as JsonObject;
  const nodes = (transform.properties as JsonObject).nodes as JsonObject;
  const item = nodes.items as JsonObject;
  const types = registry.all();
  (item.properties as JsonObject).type = { ...((item.properties as JsonObject).type as JsonObject), enum: types.map((t) => t.type) };
  item.allOf = types.map((t) => {
    const config = z.toJSONSchema(t.config, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    delete config.$schema;
    return { if: { properties: { type: { const: t.type } }, required: ['type'] }, then: { properties: { config: { ...config, title: t.title, description: t.description } } } };
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sluice.dev/schema/sync-v1.json',
    title: 'Sluice sync definition (version 1)',
    description: 'A Sluice sync definition (kind: sync): source, target, key, mode, conflict policy, optional transform. See app/jobs/sync/definition.ts.',
    ...Object.fromEntries(Object.entries(root).filter(([k]) => k !== '$schema')),
  };
}

export function syncJsonSchemaText(registry: NodeRegistry): string {
  return JSON.stringify(syncJsonSchema(registry), null, 2) + '\n';
}
