import type { Dialect } from '../../connectors/types';
import type { LogicalType } from '../../model/types';

/**
 * The migration job's data: the options a user chooses, the plan (what will be created
 * and copied, stored with the run so a resume follows the same plan), progress and the
 * final report. Plain JSON-able objects: they cross the worker boundary, go into the
 * workbench store and out through the API.
 */

/** What happens to a target table that exists already. */
export type IfExists = 'fail' | 'truncate' | 'append' | 'upsert';
export const IF_EXISTS: readonly IfExists[] = ['fail', 'truncate', 'append', 'upsert'];

/** A row the target cannot hold: record it as rejected and go on, or stop the migration. */
export type OnError = 'stop' | 'reject';
export const ON_ERROR: readonly OnError[] = ['stop', 'reject'];

export interface MigrationOptions {
  /** Source tables to migrate (default: every table). */
  tables?: string[];
  /** Copy the selected (or, without `tables`, every) view as a table. */
  includeViews: boolean;
  ifExists: IfExists;
  /** Type rules as the user wrote them (`sqlite NUMERIC -> postgres numeric(12,2)`). */
  typeRules: string[];
  onError: OnError;
  /** Source rows per chunk: one target transaction and one checkpoint each. */
  chunkRows: number;
  /** Compare row counts and checksums of every table after the load. */
  verify: boolean;
}

export const DEFAULT_CHUNK_ROWS = 50_000;

export function defaultOptions(o: Partial<MigrationOptions> = {}): MigrationOptions {
  return {
    tables: o.tables,
    includeViews: o.includeViews ?? false,
    ifExists: o.ifExists ?? 'fail',
    typeRules: o.typeRules ?? [],
    onError: o.onError ?? 'stop',
    chunkRows: o.chunkRows ?? DEFAULT_CHUNK_ROWS,
    verify: o.verify ?? false,
  };
}

export interface PlannedColumn {
  /** The source column's name (an existing target column matching it ignoring case takes the rows). */
  name: string;
  /** An existing target table's spelling of the column, when it differs. */
  targetName?: string;
  /** The type as the source declares it. */
  sourceType: string;
  sourceLogical: LogicalType;
  /** The native type the target gets (CREATE TABLE), or has (an existing table). */
  targetType: string;
  targetLogical: LogicalType;
  /** The target column may hold NULL. */
  nullable: boolean;
  /** The source column may hold NULL (when it may and the target may not, rows are checked). */
  sourceNullable: boolean;
  /** The default as target SQL, when the source's default is a literal Sluice can carry over. */
  default?: string;
  autoIncrement: boolean;
  /** The user's type rule that decided the type. */
  rule?: string;
  /** What may be lost (names the column). */
  warning?: string;
  /** varchar(n) / char(n) in the target: longer text cannot be stored. */
  maxLength?: number;
}

/**
 * create: the migration creates the table; truncate / append / upsert: the table exists and
 * the policy says what to do with its rows.
 */
export type TableAction = 'create' | 'truncate' | 'append' | 'upsert';

export interface PlannedForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: string;
  onUpdate?: string;
}

export interface PlannedTable {
  /** The target table's name: the source's, or how an existing target table spells it. */
  name: string;
  /** The source table (or view). */
  source: string;
  sourceSchema?: string;
  kind: 'table' | 'view';
  columns: PlannedColumn[];
  /** The primary key: rows are copied in its order, in chunks by key ranges. */
  key?: string[];
  /** Exact row count when planned. */
  rows: number;
  action: TableAction;
  /** CREATE TABLE text when the action is create. */
  create?: string;
  foreignKeys: PlannedForeignKey[];
}

export type StepKind = 'unique' | 'index' | 'foreign-key' | 'sequence';

/** A DDL statement run after the load; `id` is stable, so a resume skips the done ones. */
export interface PlannedStep {
  id: string;
  table: string;
  kind: StepKind;
  sql: string;
  description: string;
}

export interface Endpoint {
  /** The URL (or connection name) without a password. */
  url: string;
  dialect: Dialect;
}

export interface Plan {
  version: 1;
  source: Endpoint;
  target: Endpoint;
  options: MigrationOptions;
  /** In load order: referenced tables before the tables referring to them. */
  tables: PlannedTable[];
  /** Foreign-key cycles among the tables (their keys are added after the load anyway). */
  cycles: string[][];
  /** After the load, in order: unique constraints and indexes, foreign keys, sequence positions. */
  steps: PlannedStep[];
  /** Lossy type mappings (naming the column) and other things the user should know. */
  warnings: string[];
  /** Why the migration cannot run as asked (nothing is changed while there are any). */
  problems: string[];
}

export type TablePhase = 'pending' | 'loading' | 'loaded' | 'skipped';

export interface TableProgress {
  name: string;
  phase: TablePhase;
  /** Source rows handled (copied or rejected). */
  rows: number;
  total: number;
  rejected: number;
  rowsPerSecond: number;
  /** Time left for this table at the current speed; absent when unknown. */
  etaMs?: number;
}

export type MigrationPhase = 'plan' | 'backup' | 'create' | 'load' | 'finish' | 'verify';

export interface MigrationProgress {
  runId?: string;
  phase: MigrationPhase;
  elapsedMs: number;
  /** The table being loaded (or verified) now. */
  current?: string;
  tables: TableProgress[];
  rowsCopied: number;
  rowsTotal: number;
  rowsPerSecond: number;
  etaMs?: number;
  /** Where the SQLite target was backed up before the run changed it (none: nothing to back up). */
  backupPath?: string;
}

export interface TableReport {
  name: string;
  action: TableAction;
  /** Source rows when planned. */
  rows: number;
  /** Rows written to the target by the whole run (all attempts). */
  copied: number;
  rejected: number;
  /** This attempt's load time of the table and its speed. */
  seconds: number;
  rowsPerSecond: number;
  verify?: TableVerify;
}

export interface StepReport {
  id: string;
  description: string;
  status: 'done' | 'failed' | 'skipped';
  error?: string;
}

/** Verification of one table: counts and checksums on both sides, and where they differ. */
export interface TableVerify {
  table: string;
  ok: boolean;
  sourceRows: number;
  targetRows: number;
  /** Hex of the order-independent content checksum (count and sum of row hashes). */
  sourceChecksum: string;
  targetChecksum: string;
  /** Source rows that cannot be stored in the target (rejected by the migration). */
  unstorable: number;
  /** Key ranges where the two sides differ, with sample keys. */
  mismatches: KeyRangeMismatch[];
  note?: string;
}

/** A key value as JSON carries it (bigint and decimals as strings, bytes as base64). */
export type KeyValue = string | number | boolean | null;

export interface KeyRangeMismatch {
  /** The range's first key (inclusive) and the next range's first key (exclusive); open ends absent. */
  from?: KeyValue[];
  to?: KeyValue[];
  sourceRows: number;
  targetRows: number;
  /** Up to a few keys each: only in the source, only in the target, in both with different content. */
  missing: KeyValue[][];
  extra: KeyValue[][];
  changed: KeyValue[][];
}

export type MigrationStatus = 'planned' | 'succeeded' | 'failed' | 'cancelled';

export interface MigrationReport {
  runId?: string;
  status: MigrationStatus;
  error?: string;
  durationMs: number;
  source: string;
  target: string;
  /** Where the SQLite target was backed up before anything changed. */
  backupPath?: string;
  /** The plan (always for a dry run). */
  plan?: Plan;
  tables: TableReport[];
  steps: StepReport[];
  warnings: string[];
  rowsCopied: number;
  rejected: number;
  /** A cancelled or failed run can continue with --resume RUN_ID. */
  resumable: boolean;
  verify?: TableVerify[];
}
