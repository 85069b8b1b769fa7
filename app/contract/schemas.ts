import { z } from 'zod';
import { SECRET_REF_RE } from '../model/document';
import { MigrationProgressSchema, MigrationReportSchema } from './migration';

/**
 * The building blocks of the contract's payloads. Everything here is plain JSON: it
 * crosses Electron's structured clone and HTTP alike, so no bigint, Date or bytes.
 */

/** A cell as the API carries it (see toJsonValue in app/model/values.ts). */
export const JsonScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type JsonScalar = z.infer<typeof JsonScalarSchema>;

export const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * A file inside the workspace, relative to its root, with `/` separators. The host checks
 * again after resolving (symlinks included): this is only the first gate.
 */
export const WorkspacePathSchema = z
  .string()
  .min(1, 'a path is required')
  .max(1024)
  .refine((p) => !p.includes('\0'), 'a path may not contain NUL')
  .refine((p) => !/^([/\\]|[A-Za-z]:)/.test(p), 'give a path relative to the workspace folder, not an absolute one')
  .refine((p) => !p.split(/[/\\]/).includes('..'), "a path may not climb out of the workspace ('..')")
  .describe('A path relative to the workspace folder, e.g. `pipelines/orders.yaml`.');

/** A pipeline is a workspace file: its id is its path. */
export const PipelineIdSchema = WorkspacePathSchema.refine(
  (p) => /\.(ya?ml|json)$/i.test(p),
  'a pipeline file ends in .yaml, .yml or .json',
).describe('The pipeline file, relative to the workspace folder, e.g. `orders.yaml`.');

export const DocumentFormatSchema = z.enum(['yaml', 'json']);

export const ProblemSchema = z.object({
  path: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  start: z.number().optional(),
  end: z.number().optional(),
  hint: z.string().optional(),
  nodeId: z.string().optional(),
});
export type ApiProblem = z.infer<typeof ProblemSchema>;

export const ColumnSchema = z.object({
  name: z.string(),
  /** The logical type as text: `int`, `decimal(12,2)`, `timestamptz` ... */
  type: z.string(),
  nullable: z.boolean(),
});
export type ApiColumn = z.infer<typeof ColumnSchema>;

export const PortSchemaSchema = z.object({ columns: z.array(ColumnSchema), key: z.array(z.string()).optional() });

export const PortSpecSchema = z.object({
  name: z.string(),
  kind: z.enum(['data', 'rejected']),
  description: z.string().optional(),
  multiple: z.boolean().optional(),
  optional: z.boolean().optional(),
});

export const NodeTypeInfoSchema = z.object({
  type: z.string(),
  title: z.string(),
  category: z.enum(['source', 'transform', 'quality', 'combine', 'sink']),
  description: z.string(),
  /** The config's JSON Schema (descriptions, defaults, examples per field): forms are built from it. */
  configSchema: JsonObjectSchema,
  example: JsonObjectSchema,
  /** The ports of the example config (some node types derive ports from their config). */
  ports: z.object({ inputs: z.array(PortSpecSchema), outputs: z.array(PortSpecSchema) }),
});
export type NodeTypeInfo = z.infer<typeof NodeTypeInfoSchema>;

export const ConnectorInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(['database', 'file']),
  schemes: z.array(z.string()),
  examples: z.array(z.string()),
  optionsSchema: JsonObjectSchema,
});
export type ConnectorInfo = z.infer<typeof ConnectorInfoSchema>;

const CONNECTION_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const ConnectionNameSchema = z
  .string()
  .max(200)
  .regex(CONNECTION_NAME_RE, 'a connection name starts with a letter or _ and holds letters, digits, _ . and -');

export const SecretRefSchema = z.string().regex(SECRET_REF_RE, 'a secret reference looks like ${env:NAME}');

/** How a saved connection gets its password. The secret itself never comes back out. */
export const ConnectionInfoSchema = z.object({
  name: z.string(),
  url: z.string(),
  options: JsonObjectSchema,
  secret: z.enum(['none', 'env', 'encrypted']),
  secretRef: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConnectionInfo = z.infer<typeof ConnectionInfoSchema>;

/**
 * What to do with the connection's secret on save: keep what is stored, drop it, refer to an
 * environment variable, or hand the host a password to encrypt (Electron's safeStorage;
 * a host without secret storage refuses it rather than writing it in plain text).
 */
export const SecretInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keep') }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('env'), ref: SecretRefSchema }).strict(),
  z.object({ kind: z.literal('password'), password: z.string().min(1, 'the password is empty') }).strict(),
]);

export const TableInfoSchema = z.object({
  name: z.string(),
  schema: z.string().optional(),
  kind: z.enum(['table', 'view', 'file']),
  rowEstimate: z.number().optional(),
});

export const TableDescriptionSchema = z.object({
  name: z.string(),
  schema: z.string().optional(),
  kind: z.enum(['table', 'view', 'file']),
  columns: z.array(
    ColumnSchema.extend({
      nativeType: z.string(),
      default: z.string().optional(),
      autoIncrement: z.boolean().optional(),
    }),
  ),
  primaryKey: z.array(z.string()).optional(),
  uniques: z.array(z.object({ name: z.string().optional(), columns: z.array(z.string()) })),
  foreignKeys: z.array(
    z.object({
      name: z.string().optional(),
      columns: z.array(z.string()),
      refTable: z.string(),
      refSchema: z.string().optional(),
      refColumns: z.array(z.string()),
      onDelete: z.string().optional(),
      onUpdate: z.string().optional(),
    }),
  ),
  indexes: z.array(z.object({ name: z.string(), columns: z.array(z.string()), unique: z.boolean() })),
  rowEstimate: z.number().optional(),
});

export const PipelineSummarySchema = z.object({
  id: PipelineIdSchema,
  name: z.string(),
  description: z.string().optional(),
  format: DocumentFormatSchema,
  size: z.number(),
  updatedAt: z.string(),
  /** False when the file does not load as a pipeline document (its problems come with pipelines/get). */
  loads: z.boolean(),
  nodeCount: z.number(),
});
export type PipelineSummary = z.infer<typeof PipelineSummarySchema>;

/** Parameter values for a run or a preview, overriding the document's defaults. */
export const RunParamsSchema = z.record(z.string(), JsonScalarSchema);

export const NodeStatsSchema = z.object({
  nodeId: z.string(),
  rowsIn: z.number(),
  rowsOut: z.number(),
  rejected: z.number(),
  durationMs: z.number(),
});
export type NodeStats = z.infer<typeof NodeStatsSchema>;

/** One chunk of a batch job (a pipeline run split over a worker pool). */
export const ChunkStatusSchema = z.object({
  index: z.number(),
  /** The part of the input: a key range, a byte range or a row range, as text. */
  range: z.string(),
  status: z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed']),
  attempts: z.number(),
  rowsIn: z.number(),
  rowsOut: z.number(),
  error: z.string().optional(),
});
export type ChunkStatus = z.infer<typeof ChunkStatusSchema>;

/** What a sync has found and done so far (or in all, in a summary). */
export const SyncCountsSchema = z.object({
  mode: z.enum(['incremental', 'full']),
  phase: z.enum(['recover', 'detect', 'apply', 'done']),
  sourceRows: z.number(),
  targetRows: z.number(),
  inserts: z.number(),
  updates: z.number(),
  deletes: z.number(),
  /** Changes the conflict policy decided (target wins, or skipped and reported). */
  conflicts: z.number(),
  /** Changes applied to the target and confirmed. */
  applied: z.number(),
  /** Changes left pending by an earlier run that were applied first. */
  recovered: z.number(),
});
export type SyncCounts = z.infer<typeof SyncCountsSchema>;

export const RunProgressSchema = z.object({
  runId: z.string().optional(),
  elapsedMs: z.number(),
  nodes: z.array(NodeStatsSchema),
  rowsRead: z.number(),
  rowsPerSecond: z.number(),
  /** Batch jobs: each chunk's state. */
  chunks: z.array(ChunkStatusSchema).optional(),
  /** Sync jobs: what was found and applied. */
  sync: SyncCountsSchema.optional(),
  /** Migration jobs: per table rows, rows/s and ETA. */
  migration: MigrationProgressSchema.optional(),
});
export type RunProgress = z.infer<typeof RunProgressSchema>;

/** What a finished pipeline run reports (the engine's RunResult without a preview). */
export const RunSummarySchema = z.object({
  runId: z.string().optional(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.string().optional(),
  failedNode: z.string().optional(),
  durationMs: z.number(),
  nodes: z.array(NodeStatsSchema),
  rowsRead: z.number(),
  rowsWritten: z.number(),
  rejected: z.number(),
  chunks: z.array(ChunkStatusSchema).optional(),
  sync: SyncCountsSchema.optional(),
  /** Migration jobs: the report (tables, steps, verification; the plan for a dry run). */
  migration: MigrationReportSchema.optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const QueuePositionSchema = z.object({
  /** 1 = next to start. */
  position: z.number(),
  running: z.number(),
  limit: z.number(),
});

export const JobInfoSchema = z.object({
  id: z.string(),
  /** pipeline today; migration, sync and batch later. */
  kind: z.string(),
  title: z.string(),
  status: JobStatusSchema,
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** The pipeline file the job runs, when it runs one. */
  pipelineId: z.string().optional(),
  progress: RunProgressSchema.optional(),
  result: RunSummarySchema.optional(),
  /** Why the job failed when it failed before (or outside) a run, e.g. an invalid pipeline. */
  error: z.string().optional(),
  problems: z.array(ProblemSchema).optional(),
  /** The job's record in the run history (runs/get, runs/logs), from the moment it was queued. */
  runId: z.string().optional(),
  /** While queued behind the limit of concurrent jobs: its place in the queue. */
  queue: QueuePositionSchema.optional(),
});
export type JobInfo = z.infer<typeof JobInfoSchema>;

export const RunRecordSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  params: z.unknown().optional(),
  pipelinePath: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  error: z.string().optional(),
  rowsIn: z.number().optional(),
  rowsOut: z.number().optional(),
  rejected: z.number().optional(),
  /** When the job was accepted (it may have waited for a free slot until startedAt). */
  queuedAt: z.string().optional(),
  jobId: z.string().optional(),
  /** True when the run has a structured log (runs/logs). */
  hasLog: z.boolean().optional(),
  /** Counts particular to the kind of run (a sync's changes, a batch's chunks). */
  details: z.unknown().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** A sync definition file of the workspace, with the state of its sync. */
export const SyncSummarySchema = z.object({
  id: WorkspacePathSchema,
  name: z.string(),
  description: z.string().optional(),
  /** False when the file does not load as a sync definition (syncs/get gives its problems). */
  loads: z.boolean(),
  mode: z.enum(['incremental', 'full']).optional(),
  schedule: z.object({ every: z.string(), enabled: z.boolean() }).optional(),
  /** When the host's scheduler runs the sync next (ISO time); absent when it has no schedule there. */
  nextRunAt: z.string().optional(),
  state: z
    .object({
      /** The confirmed cursor value of an incremental sync (JSON text). */
      highWater: z.string().optional(),
      /** Changes queued and not yet confirmed (applied by the next run). */
      pending: z.number(),
      lastRunId: z.string().optional(),
      running: z.boolean(),
    })
    .optional(),
});
export type SyncSummary = z.infer<typeof SyncSummarySchema>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LogLineSchema = z.object({
  time: z.string(),
  level: z.enum(LOG_LEVELS),
  msg: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const RejectedRowSchema = z.object({
  id: z.number(),
  nodeId: z.string(),
  rule: z.string(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  message: z.string(),
  rowKey: z.string().nullable(),
  row: JsonObjectSchema,
  severity: z.enum(['error', 'warning']),
  replayedAt: z.string().nullable(),
});

export const RejectedGroupSchema = z.object({
  nodeId: z.string(),
  rule: z.string(),
  column: z.string().nullable(),
  count: z.number(),
  sampleMessage: z.string(),
});

export const FileFilterSchema = z.object({ name: z.string(), extensions: z.array(z.string().regex(/^[A-Za-z0-9*]+$/)) });

export const AppCommandSchema = z.enum(['new', 'open', 'save', 'saveAs', 'export', 'openRecent', 'undo', 'redo']);
export type AppCommand = z.infer<typeof AppCommandSchema>;

/** A function of the expression language, as documentation (editor completion, help). */
export const FunctionDocSchema = z.object({
  name: z.string(),
  category: z.string(),
  signature: z.string(),
  returns: z.string(),
  description: z.string(),
  example: z.string(),
});
export type FunctionDocInfo = z.infer<typeof FunctionDocSchema>;

/** A file of the workspace folder (files/list). */
export const WorkspaceFileSchema = z.object({ path: z.string(), size: z.number(), updatedAt: z.string() });
export type WorkspaceFile = z.infer<typeof WorkspaceFileSchema>;
