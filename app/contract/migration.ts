import { z } from 'zod';

/**
 * Payloads of the migration methods (migration/plan, start, resume, verify, get) and of a
 * migration job's progress and report. They mirror app/jobs/migration/types.ts, which
 * the job produces; the contract checks what crosses to the UI.
 */

const Dialect = z.enum(['sqlite', 'postgres', 'mysql']);
const LogicalTypeSchema = z.object({ kind: z.string(), precision: z.number().optional(), scale: z.number().optional() });
const KeyValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const IfExistsSchema = z.enum(['fail', 'truncate', 'append', 'upsert']).describe('A target table that exists: fail (default), truncate, append or upsert.');
export const OnErrorSchema = z.enum(['stop', 'reject']).describe('A row the target cannot hold: stop the migration, or record it as rejected and go on.');

/** Where from, where to, what: the choices a user makes for a migration. */
export const MigrationChoicesShape = {
  from: z.string().min(1).describe('The source: a saved connection name or a URL (sqlite:…, postgres://…, mysql://…).'),
  to: z.string().min(1).describe('The target: a saved connection name or a URL.'),
  tables: z.array(z.string().min(1)).optional().describe('Source tables to migrate (default: all).'),
  includeViews: z.boolean().default(false).describe('Copy views as tables too.'),
  ifExists: IfExistsSchema.default('fail'),
  typeRules: z.array(z.string().min(1)).default([]).describe("Type rules, e.g. 'sqlite NUMERIC -> postgres numeric(12,2)'."),
  onError: OnErrorSchema.default('stop'),
};

export const PlannedColumnSchema = z.object({
  name: z.string(),
  targetName: z.string().optional(),
  sourceType: z.string(),
  sourceLogical: LogicalTypeSchema,
  targetType: z.string(),
  targetLogical: LogicalTypeSchema,
  nullable: z.boolean(),
  sourceNullable: z.boolean(),
  default: z.string().optional(),
  autoIncrement: z.boolean(),
  rule: z.string().optional(),
  warning: z.string().optional(),
  maxLength: z.number().optional(),
});

export const PlannedTableSchema = z.object({
  name: z.string(),
  source: z.string(),
  sourceSchema: z.string().optional(),
  kind: z.enum(['table', 'view']),
  columns: z.array(PlannedColumnSchema),
  key: z.array(z.string()).optional(),
  rows: z.number(),
  action: z.enum(['create', 'truncate', 'append', 'upsert']),
  create: z.string().optional(),
  foreignKeys: z.array(
    z.object({ name: z.string(), columns: z.array(z.string()), refTable: z.string(), refColumns: z.array(z.string()), onDelete: z.string().optional(), onUpdate: z.string().optional() }),
  ),
});

export const MigrationPlanSchema = z.object({
  version: z.literal(1),
  source: z.object({ url: z.string(), dialect: Dialect }),
  target: z.object({ url: z.string(), dialect: Dialect }),
  options: z.object({
    tables: z.array(z.string()).optional(),
    includeViews: z.boolean(),
    ifExists: IfExistsSchema,
    typeRules: z.array(z.string()),
    onError: OnErrorSchema,
    chunkRows: z.number(),
    verify: z.boolean(),
  }),
  tables: z.array(PlannedTableSchema),
  cycles: z.array(z.array(z.string())),
  steps: z.array(z.object({ id: z.string(), table: z.string(), kind: z.enum(['unique', 'index', 'foreign-key', 'sequence']), sql: z.string(), description: z.string() })),
  warnings: z.array(z.string()),
  problems: z.array(z.string()),
});

export const TableVerifySchema = z.object({
  table: z.string(),
  ok: z.boolean(),
  sourceRows: z.number(),
  targetRows: z.number(),
  sourceChecksum: z.string(),
  targetChecksum: z.string(),
  unstorable: z.number(),
  mismatches: z.array(
    z.object({
      from: z.array(KeyValueSchema).optional(),
      to: z.array(KeyValueSchema).optional(),
      sourceRows: z.number(),
      targetRows: z.number(),
      missing: z.array(z.array(KeyValueSchema)),
      extra: z.array(z.array(KeyValueSchema)),
      changed: z.array(z.array(KeyValueSchema)),
    }),
  ),
  note: z.string().optional(),
});

export const MigrationProgressSchema = z.object({
  runId: z.string().optional(),
  phase: z.enum(['plan', 'backup', 'create', 'load', 'finish', 'verify']),
  elapsedMs: z.number(),
  current: z.string().optional(),
  tables: z.array(
    z.object({
      name: z.string(),
      phase: z.enum(['pending', 'loading', 'loaded', 'skipped']),
      rows: z.number(),
      total: z.number(),
      rejected: z.number(),
      rowsPerSecond: z.number(),
      etaMs: z.number().optional(),
    }),
  ),
  rowsCopied: z.number(),
  rowsTotal: z.number(),
  rowsPerSecond: z.number(),
  etaMs: z.number().optional(),
  /** Where the SQLite target was backed up first (none: nothing to back up). */
  backupPath: z.string().optional(),
});

export const MigrationReportSchema = z.object({
  runId: z.string().optional(),
  status: z.enum(['planned', 'succeeded', 'failed', 'cancelled']),
  error: z.string().optional(),
  durationMs: z.number(),
  source: z.string(),
  target: z.string(),
  backupPath: z.string().optional(),
  plan: MigrationPlanSchema.optional(),
  tables: z.array(
    z.object({
      name: z.string(),
      action: z.enum(['create', 'truncate', 'append', 'upsert']),
      rows: z.number(),
      copied: z.number(),
      rejected: z.number(),
      seconds: z.number(),
      rowsPerSecond: z.number(),
      verify: TableVerifySchema.optional(),
    }),
  ),
  steps: z.array(z.object({ id: z.string(), description: z.string(), status: z.enum(['done', 'failed', 'skipped']), error: z.string().optional() })),
  warnings: z.array(z.string()),
  rowsCopied: z.number(),
  rejected: z.number(),
  resumable: z.boolean(),
  verify: z.array(TableVerifySchema).optional(),
});

/** A migration run's checkpoints as the UI shows them (resumable runs, where each table stands). */
export const MigrationStateSchema = z.object({
  runId: z.string(),
  status: z.string(),
  source: z.string(),
  target: z.string(),
  backupPath: z.string().optional(),
  tables: z.array(
    z.object({
      name: z.string(),
      state: z.enum(['pending', 'loading', 'loaded']),
      rowsTotal: z.number().optional(),
      rowsCopied: z.number(),
      rowsRejected: z.number(),
      chunks: z.number(),
    }),
  ),
  steps: z.array(z.string()),
  /** The run can continue (migration/resume): it was cancelled, failed or its process died. */
  resumable: z.boolean(),
});
