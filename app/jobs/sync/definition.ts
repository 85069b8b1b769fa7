import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { z } from 'zod';
import { ConnectionSchema, EdgeSchema, NodeSchema } from '../../model/document';
import { canonicalDocument, parseDocumentText, zodProblems, type DocumentFormat } from '../../model/document-io';
import type { Problem } from '../../model/problems';
import type { Schema } from '../../model/schema';
import { formatType } from '../../model/types';

/**
 * The sync definition, version 1: a document of its own (`kind: sync`) with the same
 * envelope rules as a pipeline — `connections` by name or URL, secrets only as
 * `${env:NAME}` — saved, exported and validated the same way (resources/sync.schema.json,
 * made by `sluice schema --kind sync`). A public format: add optional fields, never change
 * meanings.
 *
 *   version: 1
 *   kind: sync
 *   name: customers-to-warehouse          # also the identity of the sync's state
 *   connections: { shop: { url: "sqlite:./shop.db" }, wh: { url: "postgres://…", password: "${env:WH_PW}" } }
 *   source: { connection: shop, table: customers }
 *   target: { connection: wh, table: customers }
 *   key: [id]                             # default: the source table's primary key
 *   mode: incremental                     # or full (default)
 *   cursor: updated_at                    # incremental: a timestamp or an increasing id
 *   deletes: propagate                    # or ignore
 *   conflicts: source-wins                # or target-wins, skip
 *   rehash: true                          # full diff, PostgreSQL: hash every row, no row-version cache
 *   schedule: { every: 15m }              # while the desktop app is open
 *   transform:                            # optional: rows pass through pipeline nodes
 *     nodes: [ { id: tidy, type: derive, config: { … } } ]
 *     edges: [ { from: source, to: tidy }, { from: tidy, to: target } ]
 *     # or: pipeline: ./clean.yaml   (its one source and one sink stand for source and target)
 */

const EndpointFields = {
  connection: z
    .string()
    .min(1)
    .describe('A connection name from connections, or a URL such as sqlite:./shop.db or postgres://user@host/db.')
    .meta({ examples: ['shop', 'sqlite:./shop.db'] }),
  table: z.string().min(1).describe('The table.'),
  schema: z.string().min(1).optional().describe('The database schema (PostgreSQL) or database (MySQL) of the table, when not the connection\'s own.'),
};

export const SyncSourceSchema = z
  .object({
    ...EndpointFields,
    columns: z.array(z.string().min(1)).optional().describe('Sync only these columns (default: all; the key and the cursor are always read).'),
  })
  .strict();

export const SyncTargetSchema = z
  .object({
    ...EndpointFields,
    create: z.boolean().default(true).describe('Create the target table (from the synced columns, key as primary key) when it does not exist.'),
  })
  .strict();

export const SyncTransformSchema = z
  .object({
    pipeline: z
      .string()
      .min(1)
      .optional()
      .describe('A pipeline file (relative to this file) whose one source node stands for the sync source and one sink node for the target.'),
    nodes: z.array(NodeSchema).optional().describe('Pipeline nodes the rows pass through; edges join them to the reserved ids `source` and `target`.'),
    edges: z.array(EdgeSchema).optional(),
    params: z.record(z.string(), z.unknown()).optional().describe('Parameter values for the pipeline (overriding its defaults).'),
  })
  .strict()
  .refine((t) => (t.pipeline === undefined) !== (t.nodes === undefined), { message: 'give either pipeline or nodes (with edges)', path: ['nodes'] });

export const SyncScheduleSchema = z
  .object({
    every: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(s|m|h|d)$/, 'a duration such as 30s, 15m, 1h or 1d')
      .describe('Run the sync on this interval while the desktop app (or `sluice serve`) is open.')
      .meta({ examples: ['15m', '1h'] }),
    enabled: z.boolean().default(true),
  })
  .strict();

export const SyncDocumentSchema = z
  .object({
    version: z.literal(1).describe('The format version; this is version 1.'),
    kind: z.literal('sync'),
    name: z.string().min(1).describe('The sync\'s name; its state (high-water mark, queue) belongs to it.'),
    description: z.string().optional(),
    connections: z.record(z.string(), ConnectionSchema).optional().describe('Named connections; source and target refer to them by name.'),
    source: SyncSourceSchema,
    target: SyncTargetSchema,
    key: z.array(z.string().min(1)).min(1).optional().describe('The key columns that identify a row on both sides (default: the source table\'s primary key).'),
    mode: z
      .enum(['incremental', 'full'])
      .default('full')
      .describe('incremental: read rows whose cursor moved past the high-water mark; full: compare both tables in key order by row hashes.'),
    cursor: z.string().min(1).optional().describe('incremental: the column that grows with each change (an updated_at timestamp or an increasing id).'),
    deletes: z
      .enum(['propagate', 'ignore'])
      .default('propagate')
      .describe('propagate: a row gone from the source is deleted from the target (incremental syncs find them with a key-only scan); ignore: never delete.'),
    conflicts: z
      .enum(['source-wins', 'target-wins', 'skip'])
      .default('source-wins')
      .describe('A target row changed since the sync last wrote it: overwrite it (source-wins), keep it (target-wins), or leave it and report it (skip).'),
    batchSize: z.number().int().min(1).max(100_000).default(5000).describe('Changes applied to the target per transaction.'),
    rehash: z
      .boolean()
      .optional()
      .describe(
        'Full diffs between PostgreSQL tables: hash every row on every run instead of trusting the row-version cache (rows whose xmins are as when the sync last found them equal are not hashed). Default: use the cache.',
      ),
    schedule: SyncScheduleSchema.optional(),
    transform: SyncTransformSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.mode === 'incremental' && !d.cursor) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'an incremental sync needs a cursor column (e.g. updated_at)' });
    if (d.mode === 'full' && d.cursor) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'a cursor is only used by incremental syncs (mode: incremental)' });
  });

export type SyncDocument = z.infer<typeof SyncDocumentSchema>;
export type SyncSource = z.infer<typeof SyncSourceSchema>;
export type SyncTarget = z.infer<typeof SyncTargetSchema>;
export type SyncTransform = z.infer<typeof SyncTransformSchema>;
export type ConflictPolicy = SyncDocument['conflicts'];

export interface LoadedSync {
  document?: SyncDocument;
  raw?: unknown;
  problems: Problem[];
}

/** Text (YAML or JSON) -> a checked sync definition, or its problems. */
export function loadSyncDocument(text: string, file = 'sync'): LoadedSync {
  const parsed = parseDocumentText(text, file);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  return parseSyncValue(parsed.value);
}

export function parseSyncValue(value: unknown): LoadedSync {
  const r = SyncDocumentSchema.safeParse(value);
  if (!r.success) return { raw: value, problems: zodProblems(r.error) };
  return { document: r.data, raw: value, problems: [] };
}

/** True for a parsed document that says it is a sync definition (whether or not it is valid). */
export function looksLikeSync(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sync';
}

const ORDER = ['version', 'kind', 'name', 'description', 'connections', 'source', 'target', 'key', 'mode', 'cursor', 'deletes', 'conflicts', 'batchSize', 'rehash', 'schedule', 'transform'];
const ENDPOINT_ORDER = ['connection', 'schema', 'table', 'columns', 'create'];

function ordered(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = obj[k];
  for (const k of Object.keys(obj).sort()) if (!(k in out) && obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** Canonical text (fixed key order, as pipelines are saved): a load/save round trip changes nothing. */
export function serializeSyncDocument(doc: SyncDocument, format: DocumentFormat): string {
  // The connections block and transform nodes are written the way pipeline documents write them.
  const envelope = canonicalDocument({ version: 1, name: doc.name, connections: doc.connections, nodes: doc.transform?.nodes ?? [], edges: doc.transform?.edges ?? [] });
  const transform = doc.transform
    ? ordered({ ...doc.transform, nodes: doc.transform.nodes ? envelope.nodes : undefined, edges: doc.transform.edges ? envelope.edges : undefined }, ['pipeline', 'params', 'nodes', 'edges'])
    : undefined;
  const value = ordered(
    {
      ...doc,
      connections: envelope.connections,
      source: ordered(doc.source, ENDPOINT_ORDER),
      target: ordered(doc.target, ENDPOINT_ORDER),
      schedule: doc.schedule ? ordered(doc.schedule, ['every', 'enabled']) : undefined,
      transform,
    },
    ORDER,
  );
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  const ydoc = new YAML.Document(value);
  return ydoc.toString({ lineWidth: 0, indent: 2, flowCollectionPadding: true, singleQuote: false });
}

/**
 * What the sync's state is about: source, target, key, mode, cursor and the columns that
 * reach the target. State kept under another fingerprint (the definition changed) is
 * dropped: a high-water mark or base hashes of other data would skip rows.
 */
export function syncFingerprint(doc: SyncDocument, key: readonly string[], output: Schema): string {
  const what = {
    source: [doc.connections?.[doc.source.connection]?.url ?? doc.source.connection, doc.source.schema ?? '', doc.source.table],
    target: [doc.connections?.[doc.target.connection]?.url ?? doc.target.connection, doc.target.schema ?? '', doc.target.table],
    key,
    mode: doc.mode,
    cursor: doc.cursor ?? '',
    columns: output.columns.map((c) => `${c.name}:${formatType(c.type)}`),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 32);
}

export type { DocumentFormat };
