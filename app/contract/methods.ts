import { z } from 'zod';
import { PipelineDocumentSchema } from '../model/document';
import { MigrationChoicesShape, MigrationPlanSchema, MigrationStateSchema } from './migration';
import type { MethodName } from './names';
import {
  ColumnSchema,
  ConnectionInfoSchema,
  ConnectionNameSchema,
  ConnectorInfoSchema,
  DocumentFormatSchema,
  FileFilterSchema,
  FunctionDocSchema,
  JobInfoSchema,
  JsonObjectSchema,
  JsonScalarSchema,
  LOG_LEVELS,
  LogLineSchema,
  NodeStatsSchema,
  NodeTypeInfoSchema,
  PipelineIdSchema,
  PipelineSummarySchema,
  PortSchemaSchema,
  ProblemSchema,
  RejectedGroupSchema,
  RejectedRowSchema,
  RunParamsSchema,
  RunRecordSchema,
  SecretInputSchema,
  SyncSummarySchema,
  SecretRefSchema,
  TableDescriptionSchema,
  TableInfoSchema,
  WorkspaceFileSchema,
  WorkspacePathSchema,
} from './schemas';

/**
 * The API between the UI and the host, one entry per `domain/verb`. Inputs are strict (an
 * unknown field is an error, so a typo never passes silently); outputs are checked too.
 * Electron's IPC, the browser host's HTTP and the tests all go through dispatch.ts with
 * these schemas, so every transport accepts and returns exactly the same thing.
 */

export interface MethodDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  description: string;
  input: I;
  output: O;
}

function method<I extends z.ZodType, O extends z.ZodType>(def: MethodDef<I, O>): MethodDef<I, O> {
  return def;
}

const noInput = z.object({}).strict();

/**
 * A pipeline to work on: a saved file (`id`) or a document being edited (`document`,
 * checked by the host like a file would be; `id` then only says which folder relative
 * paths in it are relative to).
 */
const pipelineTarget = {
  id: PipelineIdSchema.optional(),
  document: z.unknown().optional().describe('An unsaved pipeline document (the editor\'s current state).'),
};
function withPipeline<S extends z.ZodRawShape>(shape: S) {
  return z
    .object({ ...pipelineTarget, ...shape })
    .strict()
    .refine((x: { id?: unknown; document?: unknown }) => x.id !== undefined || x.document !== undefined, {
      message: 'give the pipeline: its id (a workspace file) or a document',
      path: ['id'],
    });
}

const deleted = z.object({ deleted: z.literal(true) });

export const CONTRACT = {
  // --- the workspace -----------------------------------------------------------------
  'workspace/info': method({
    description: 'The open workspace folder, the store, and what this host can do.',
    input: noInput,
    output: z.object({
      root: z.string(),
      name: z.string(),
      storePath: z.string(),
      host: z.enum(['electron', 'browser']),
      /** True when the host can encrypt connection passwords (Electron's safeStorage). */
      secretStorage: z.boolean(),
      /** True when dialogs/open and dialogs/save show native dialogs. */
      nativeDialogs: z.boolean(),
      version: z.string(),
    }),
  }),

  // --- the catalogue -----------------------------------------------------------------
  'catalog/nodes': method({
    description: 'Every node type with its ports and the JSON Schema of its config.',
    input: noInput,
    output: z.object({ nodes: z.array(NodeTypeInfoSchema) }),
  }),
  'catalog/connectors': method({
    description: 'Every connector with its URL forms and the JSON Schema of its options.',
    input: noInput,
    output: z.object({ connectors: z.array(ConnectorInfoSchema) }),
  }),

  'catalog/functions': method({
    description: 'Every function of the expression language, for editor completion and help.',
    input: noInput,
    output: z.object({ functions: z.array(FunctionDocSchema) }),
  }),

  // --- connections -------------------------------------------------------------------
  'connections/list': method({
    description: 'The saved connections (never their secrets).',
    input: noInput,
    output: z.object({ connections: z.array(ConnectionInfoSchema) }),
  }),
  'connections/get': method({
    description: 'One saved connection (never its secret).',
    input: z.object({ name: ConnectionNameSchema }).strict(),
    output: ConnectionInfoSchema,
  }),
  'connections/save': method({
    description: 'Creates or replaces a connection. A URL or option holding a password is refused.',
    input: z
      .object({
        name: ConnectionNameSchema,
        url: z.string().min(1, 'the URL is required'),
        options: JsonObjectSchema.optional(),
        secret: SecretInputSchema.default({ kind: 'keep' }),
      })
      .strict(),
    output: ConnectionInfoSchema,
  }),
  'connections/delete': method({
    description: 'Deletes a saved connection.',
    input: z.object({ name: ConnectionNameSchema }).strict(),
    output: deleted,
  }),
  'connections/test': method({
    description: 'Opens a connection and makes a cheap round trip: a saved one by name, or one being edited.',
    input: z
      .object({
        name: ConnectionNameSchema.optional(),
        url: z.string().min(1).optional(),
        options: JsonObjectSchema.optional(),
        secretRef: SecretRefSchema.optional(),
        /** Used once for this test, kept in memory only. */
        password: z.string().min(1).optional(),
      })
      .strict()
      .refine((x) => (x.name === undefined) !== (x.url === undefined), {
        message: 'give either the name of a saved connection or a url',
        path: ['name'],
      }),
    output: z.object({ ok: z.boolean(), message: z.string(), durationMs: z.number() }),
  }),
  'connections/tables': method({
    description: 'The tables (or the file) a connection holds.',
    input: z
      .object({ connection: z.string().min(1).describe('A saved connection name or a URL such as sqlite:./shop.db') })
      .strict(),
    output: z.object({ tables: z.array(TableInfoSchema) }),
  }),
  'connections/describe': method({
    description: 'Columns, types, keys and indexes of one table.',
    input: z.object({ connection: z.string().min(1), table: z.string().min(1), schema: z.string().optional() }).strict(),
    output: TableDescriptionSchema,
  }),

  // --- pipeline files ----------------------------------------------------------------
  'pipelines/list': method({
    description: 'The pipeline files of the workspace.',
    input: noInput,
    output: z.object({ pipelines: z.array(PipelineSummarySchema) }),
  }),
  'pipelines/get': method({
    description: 'A pipeline file: its text, the parsed document when it loads, and the load problems.',
    input: z.object({ id: PipelineIdSchema }).strict(),
    output: z.object({
      id: PipelineIdSchema,
      name: z.string(),
      format: DocumentFormatSchema,
      text: z.string(),
      document: PipelineDocumentSchema.optional(),
      problems: z.array(ProblemSchema),
    }),
  }),
  'pipelines/save': method({
    description:
      'Writes a pipeline file, from text (kept as written) or from a document (written canonically in the format of the id).',
    input: z
      .object({
        id: PipelineIdSchema,
        text: z.string().optional(),
        document: z.unknown().optional(),
        /** Refuse to overwrite an existing file (for "new" and "save as"). */
        createOnly: z.boolean().default(false),
      })
      .strict()
      .refine((x) => (x.text === undefined) !== (x.document === undefined), {
        message: 'give either text or document',
        path: ['text'],
      }),
    output: PipelineSummarySchema,
  }),
  'pipelines/delete': method({
    description: 'Deletes a pipeline file.',
    input: z.object({ id: PipelineIdSchema }).strict(),
    output: deleted,
  }),
  'pipelines/import': method({
    description: 'Adds a pipeline to the workspace from text (a file opened elsewhere), under a name that is free.',
    input: z
      .object({
        fileName: z.string().min(1).max(255).describe('The original file name; the new file keeps its base name.'),
        text: z.string(),
      })
      .strict(),
    output: PipelineSummarySchema,
  }),
  'pipelines/export': method({
    description: 'A pipeline as canonical JSON or YAML text (secrets stay ${env:…} references).',
    input: z.object({ id: PipelineIdSchema, format: DocumentFormatSchema }).strict(),
    output: z.object({ fileName: z.string(), text: z.string() }),
  }),

  // --- working on a pipeline ---------------------------------------------------------
  'pipeline/validate': method({
    description: 'Every problem of a pipeline, and the inferred schema of each node output.',
    input: withPipeline({}),
    output: z.object({
      valid: z.boolean(),
      problems: z.array(ProblemSchema),
      /** nodeId -> port -> columns, for the nodes that could be planned. */
      schemas: z.record(z.string(), z.record(z.string(), PortSchemaSchema)),
    }),
  }),
  'pipeline/preview': method({
    description: "The first rows at a node's output (sinks write nothing; sources are sampled).",
    input: withPipeline({
      node: z.string().min(1),
      port: z.string().min(1).optional(),
      limit: z.number().int().min(1).max(10_000).default(100),
      params: RunParamsSchema.optional(),
    }),
    output: z.object({
      columns: z.array(ColumnSchema),
      rows: z.array(z.array(JsonScalarSchema)),
      /** True when a source stopped early: the rows are a sample. */
      sampled: z.boolean(),
      durationMs: z.number(),
    }),
  }),
  'pipeline/run': method({
    description:
      'Starts a run as a background job; progress comes as job/progress events, the end as job/finished. With workers, it runs as a batch job: the input split into chunks processed in parallel (progress.chunks shows each).',
    input: withPipeline({
      params: RunParamsSchema.optional(),
      workers: z.number().int().min(1).max(64).optional().describe('Run as a batch job on this many worker threads.'),
      chunks: z.number().int().min(1).max(10_000).optional().describe('Batch job: chunks to split the input into (default 16 per worker).'),
      retries: z.number().int().min(0).max(10).optional().describe('Batch job: tries after the first for a failing chunk (default 2).'),
    }),
    output: z.object({ jobId: z.string() }),
  }),

  // --- jobs (running now or recently) ------------------------------------------------
  'jobs/list': method({
    description: 'Jobs of this session, newest first.',
    input: noInput,
    output: z.object({ jobs: z.array(JobInfoSchema) }),
  }),
  'jobs/get': method({
    description: 'One job of this session, with its progress or result.',
    input: z.object({ id: z.string().min(1) }).strict(),
    output: JobInfoSchema,
  }),
  'jobs/cancel': method({
    description: 'Cancels a queued or running job (sinks commit nothing).',
    input: z.object({ id: z.string().min(1) }).strict(),
    output: JobInfoSchema,
  }),

  // --- run history (the store) -------------------------------------------------------
  'runs/list': method({
    description: 'Recorded runs, newest first.',
    input: z
      .object({
        limit: z.number().int().min(1).max(1000).default(100),
        kind: z.string().optional(),
        status: z.string().optional(),
      })
      .strict(),
    output: z.object({ runs: z.array(RunRecordSchema) }),
  }),
  'runs/get': method({
    description: 'A recorded run with its per-node statistics.',
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ run: RunRecordSchema, nodes: z.array(NodeStatsSchema) }),
  }),
  'runs/rejected': method({
    description: "A page of a run's rejected rows (and warnings), optionally of one node, rule or column.",
    input: z
      .object({
        runId: z.string().min(1),
        nodeId: z.string().optional(),
        rule: z.string().optional(),
        column: z.string().nullable().optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ rows: z.array(RejectedRowSchema), total: z.number() }),
  }),
  'runs/rejectedSummary': method({
    description: "A run's rejected rows grouped by node, rule and column, largest groups first.",
    input: z.object({ runId: z.string().min(1) }).strict(),
    output: z.object({ groups: z.array(RejectedGroupSchema) }),
  }),

  'runs/replay': method({
    description:
      "Sends a run's rejected rows of one node (all not yet replayed, or the chosen ones, optionally with corrected values) back in at that node's input, through the pipeline as it is now (with any rule added since). Sinks append. Starts a job like pipeline/run.",
    input: withPipeline({
      runId: z.string().min(1),
      nodeId: z.string().min(1),
      ids: z.array(z.number().int()).optional(),
      fixes: z.array(z.object({ rejectedId: z.number().int(), column: z.string().min(1), value: JsonScalarSchema }).strict()).optional(),
    }),
    output: z.object({ jobId: z.string() }),
  }),

  'runs/logs': method({
    description:
      "A run's structured log (the job history keeps one per run: queued, started, the job's own lines, the outcome), oldest first, optionally from a level up.",
    input: z
      .object({
        runId: z.string().min(1),
        level: z.enum(LOG_LEVELS).optional().describe('Only lines at this level or above.'),
        limit: z.number().int().min(1).max(10_000).default(1000),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ lines: z.array(LogLineSchema), total: z.number() }),
  }),

  // --- migrations between databases ---------------------------------------------------
  'migration/plan': method({
    description:
      'A dry run: the plan of a migration (tables in foreign-key order, DDL through the type rules, type changes with warnings, row counts, steps after the load, problems). Changes nothing.',
    input: z.object(MigrationChoicesShape).strict(),
    output: z.object({ plan: MigrationPlanSchema }),
  }),
  'migration/start': method({
    description:
      'Starts a migration as a background job: create, load in checkpointed chunks, then indexes, foreign keys and sequences (and verify). Progress comes as job/progress events (progress.migration), the report as the job result (result.migration).',
    input: z
      .object({
        ...MigrationChoicesShape,
        verify: z.boolean().default(false).describe('Compare row counts and checksums of every table after the load.'),
        chunkRows: z.number().int().min(1).max(10_000_000).optional().describe('Source rows per transaction and checkpoint (default 50,000).'),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
  'migration/resume': method({
    description: 'Continues a cancelled, failed or interrupted migration run from its checkpoints, following its stored plan. Starts a job like migration/start.',
    input: z
      .object({
        runId: z.string().min(1),
        from: z.string().min(1).optional().describe('The source again (default: as the run recorded it).'),
        to: z.string().min(1).optional().describe('The target again (default: as the run recorded it).'),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
  'migration/verify': method({
    description:
      'Compares source and target table by table (row counts, content checksums; differences by key range) as a background job; with runId, the tables of that migration run. The result is in the job result (result.migration.verify).',
    input: z
      .object({
        from: z.string().min(1).optional(),
        to: z.string().min(1).optional(),
        runId: z.string().min(1).optional(),
        tables: z.array(z.string().min(1)).optional(),
        typeRules: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .refine((x) => x.runId !== undefined || (x.from !== undefined && x.to !== undefined), { message: 'give from and to, or the runId of a migration', path: ['from'] }),
    output: z.object({ jobId: z.string() }),
  }),
  'migration/get': method({
    description: "A migration run's checkpoints: where each table stands, the steps done, the backup made, and whether it can be resumed.",
    input: z.object({ runId: z.string().min(1) }).strict(),
    output: MigrationStateSchema,
  }),

  // --- sync definitions (kind: sync files of the workspace) --------------------------
  'syncs/list': method({
    description: 'The sync definitions of the workspace, with the state of each sync (high-water mark, pending changes, last run).',
    input: noInput,
    output: z.object({ syncs: z.array(SyncSummarySchema) }),
  }),
  'syncs/get': method({
    description: 'A sync definition file: its text, the parsed definition when it loads, its problems and its state.',
    input: z.object({ id: PipelineIdSchema }).strict(),
    output: SyncSummarySchema.extend({ text: z.string(), document: z.unknown().optional(), problems: z.array(ProblemSchema) }),
  }),
  'syncs/save': method({
    description: 'Writes a sync definition file, from text (kept as written) or a definition (written canonically in the format of the id).',
    input: z
      .object({ id: PipelineIdSchema, text: z.string().optional(), document: z.unknown().optional(), createOnly: z.boolean().default(false) })
      .strict()
      .refine((x) => (x.text === undefined) !== (x.document === undefined), { message: 'give either text or document', path: ['text'] }),
    output: SyncSummarySchema,
  }),
  'syncs/export': method({
    description: 'A sync definition as canonical JSON or YAML text (secrets stay ${env:…} references).',
    input: z.object({ id: PipelineIdSchema, format: DocumentFormatSchema }).strict(),
    output: z.object({ fileName: z.string(), text: z.string() }),
  }),
  'syncs/run': method({
    description:
      'Starts a run of a sync (a saved file, or a definition being edited) as a background job: changes are found, queued durably, applied to the target and confirmed. Progress comes as job/progress events (progress.sync).',
    input: z
      .object({
        id: PipelineIdSchema.optional(),
        document: z.unknown().optional().describe('An unsaved sync definition.'),
        reset: z.boolean().default(false).describe('Forget the sync\'s state first (a full resync).'),
      })
      .strict()
      .refine((x) => x.id !== undefined || x.document !== undefined, { message: 'give the sync: its id (a workspace file) or a document', path: ['id'] }),
    output: z.object({ jobId: z.string() }),
  }),
  'syncs/reset': method({
    description: "Forgets a sync's state (high-water mark, base hashes, queued changes): its next run starts from scratch.",
    input: z.object({ id: PipelineIdSchema }).strict(),
    output: z.object({ reset: z.boolean() }),
  }),

  // --- files in the workspace --------------------------------------------------------
  'files/read': method({
    description: 'Reads a file inside the workspace folder (a path leaving it is refused).',
    input: z
      .object({
        path: WorkspacePathSchema,
        encoding: z.enum(['utf8', 'base64']).default('utf8'),
        maxBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
      })
      .strict(),
    output: z.object({ path: z.string(), text: z.string(), encoding: z.enum(['utf8', 'base64']), size: z.number() }),
  }),
  'files/write': method({
    description: 'Writes a file inside the workspace folder (a path leaving it is refused).',
    input: z
      .object({
        path: WorkspacePathSchema,
        text: z.string(),
        encoding: z.enum(['utf8', 'base64']).default('utf8'),
        createFolders: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ path: z.string(), size: z.number() }),
  }),

  'files/list': method({
    description: 'Files of the workspace folder (recursively, hidden ones left out), optionally only some extensions.',
    input: z
      .object({
        extensions: z.array(z.string().regex(/^[A-Za-z0-9]+$/)).optional().describe('Without the dot, e.g. ["db", "sqlite"].'),
        limit: z.number().int().min(1).max(5000).default(1000),
      })
      .strict(),
    output: z.object({ files: z.array(WorkspaceFileSchema), truncated: z.boolean() }),
  }),

  // --- native dialogs (Electron; the browser host answers 'unsupported') --------------
  'dialogs/open': method({
    description: 'Asks the user for a file to open and returns its text (or, with read: false, only its path, e.g. a SQLite database).',
    input: z
      .object({
        title: z.string().optional(),
        filters: z.array(FileFilterSchema).optional(),
        read: z.boolean().default(true).describe('false: return the chosen path without reading the file.'),
      })
      .strict(),
    output: z.object({ canceled: z.boolean(), fileName: z.string().optional(), text: z.string().optional(), path: z.string().optional() }),
  }),
  'dialogs/save': method({
    description: 'Asks the user where to save some text and writes it there.',
    input: z
      .object({
        title: z.string().optional(),
        defaultName: z.string().min(1).max(255),
        text: z.string(),
        filters: z.array(FileFilterSchema).optional(),
      })
      .strict(),
    output: z.object({ canceled: z.boolean(), path: z.string().optional() }),
  }),
} satisfies Record<MethodName, MethodDef>;

export type Contract = typeof CONTRACT;

/** What a caller sends (defaults not yet applied). */
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
/** What a caller receives. */
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;
