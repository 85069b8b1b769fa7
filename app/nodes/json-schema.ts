import { z } from 'zod';
import { PipelineDocumentSchema } from '../model/document';
import type { NodeRegistry } from './registry';

type JsonObject = Record<string, unknown>;

function configSchema(schema: z.ZodType): JsonObject {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  delete js.$schema;
  return js;
}

/**
 * The published JSON Schema of pipeline documents (resources/pipeline.schema.json): the
 * envelope, plus each node type's config selected by its `type`, so editors can
 * autocomplete and check configs. Generated from the zod schemas; a test keeps it fresh.
 */
export function pipelineJsonSchema(registry: NodeRegistry): JsonObject {
  const root = z.toJSONSchema(PipelineDocumentSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const props = root.properties as JsonObject;
  const nodes = props.nodes as JsonObject;
  const item = nodes.items as JsonObject;
  const itemProps = item.properties as JsonObject;
  const types = registry.all();
  itemProps.type = {
    ...(itemProps.type as JsonObject),
    enum: types.map((t) => t.type),
  };
  item.allOf = types.map((t) => ({
    if: { properties: { type: { const: t.type } }, required: ['type'] },
    then: {
      properties: {
        config: { ...configSchema(t.config), title: t.title, description: t.description },
      },
    },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sluice.dev/schema/pipeline-v1.json',
    title: 'Sluice pipeline (version 1)',
    description: 'A Sluice pipeline document. See docs/pipeline-format.md.',
    ...Object.fromEntries(Object.entries(root).filter(([k]) => k !== '$schema')),
  };
}

export function pipelineJsonSchemaText(registry: NodeRegistry): string {
  return JSON.stringify(pipelineJsonSchema(registry), null, 2) + '\n';
}
