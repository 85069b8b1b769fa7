import { z } from 'zod';

/**
 * The pipeline document, version 1: the format analysts save, commit and run headless.
 * A public API (see docs/pipeline-format.md): add optional fields, never change meanings.
 */

export const NODE_ID_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** `${env:NAME}`: the only way a secret may appear in a document. */
export const SECRET_REF_RE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const PARAM_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const PositionSchema = z
  .object({ x: z.number(), y: z.number() })
  .describe('Where the node sits on the canvas.');

export const NodeSchema = z
  .object({
    id: z
      .string()
      .regex(NODE_ID_RE, 'a node id starts with a letter or _ and holds letters, digits, _ and -')
      .describe('Stable, human-readable, unique id; edges refer to it.'),
    type: z.string().min(1).describe('The node type, e.g. source, derive, filter, validate, sink.'),
    title: z.string().optional().describe('A label shown on the canvas instead of the id.'),
    description: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional().describe("The node type's configuration."),
    position: PositionSchema.optional(),
  })
  .strict();

export const EdgeSchema = z
  .object({
    from: z.string().min(1).describe('`node` (its default output `out`) or `node.port`.'),
    to: z.string().min(1).describe('`node` (its default input `in`) or `node.port`.'),
  })
  .strict();

export const ConnectionSchema = z
  .object({
    url: z
      .string()
      .min(1)
      .describe('sqlite:PATH, csv:PATH, ndjson:PATH, json:PATH, postgres://user@host:port/db, mysql://user@host:port/db'),
    password: z
      .string()
      .regex(SECRET_REF_RE, 'a password may only be a reference such as ${env:DB_PASSWORD}, never the secret itself')
      .optional()
      .describe('A secret reference: ${env:NAME}.'),
    options: z.record(z.string(), z.unknown()).optional().describe("The connector's options (see `sluice connectors`)."),
    description: z.string().optional(),
  })
  .strict();

export const ParameterSchema = z
  .object({
    type: z.string().min(1).describe('A logical type: int, bigint, decimal(p,s), float, text, boolean, date, timestamp, ...'),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .strict();

export const PipelineDocumentSchema = z
  .object({
    version: z.literal(1).describe('The format version; this is version 1.'),
    kind: z.literal('pipeline').optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z
      .record(z.string().regex(PARAM_NAME_RE, 'a parameter name holds letters, digits and _'), ParameterSchema)
      .optional()
      .describe('Used in expressions as :name; overridable at run time (`sluice run --param name=value`).'),
    connections: z.record(z.string(), ConnectionSchema).optional().describe('Named connections; nodes refer to them by name.'),
    nodes: z.array(NodeSchema),
    edges: z.array(EdgeSchema).default([]),
  })
  .strict();

export type NodeDoc = z.infer<typeof NodeSchema>;
export type EdgeDoc = z.infer<typeof EdgeSchema>;
export type ConnectionDoc = z.infer<typeof ConnectionSchema>;
export type ParameterDoc = z.infer<typeof ParameterSchema>;
export type PipelineDocument = z.infer<typeof PipelineDocumentSchema>;

/** `node.port` -> { node, port }; a bare `node` gets the default port. */
export function parseEndpoint(ref: string, defaultPort: string): { node: string; port: string } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { node: ref, port: defaultPort } : { node: ref.slice(0, dot), port: ref.slice(dot + 1) };
}

export function formatEndpoint(node: string, port: string, defaultPort: string): string {
  return port === defaultPort ? node : `${node}.${port}`;
}
