/** What the store returns. Timestamps are ISO-8601 UTC strings. */

export interface ConnectionInput {
  name: string;
  /** Without a password: `postgres://user@host:5432/db`, `sqlite:./shop.db` ... */
  url: string;
  options?: Record<string, unknown>;
  /** A reference resolved at connect time, e.g. `${env:PGPASSWORD}`. */
  secretRef?: string;
  /** Opaque bytes the Electron host encrypted with safeStorage; the store never sees the secret. */
  encryptedSecret?: Uint8Array;
}

export interface StoredConnection {
  name: string;
  url: string;
  options: Record<string, unknown>;
  secretRef?: string;
  encryptedSecret?: Uint8Array;
  createdAt: string;
  updatedAt: string;
}

export type PipelineFormat = 'yaml' | 'json';

export interface PipelineInput {
  id: string;
  name: string;
  /** The file the document was opened from or saved to, when there is one. */
  path?: string;
  format: PipelineFormat;
  text: string;
}

export interface PipelineSummary {
  id: string;
  name: string;
  path?: string;
  format: PipelineFormat;
  /** Length of the text in characters. */
  size: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredPipeline extends PipelineSummary {
  text: string;
}

export const RUN_KINDS = ['pipeline', 'migration', 'sync', 'batch', 'preview'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const FINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export type FinalRunStatus = (typeof FINAL_STATUSES)[number];
/** 'queued': a job waiting for a free slot (the job runner's concurrency limit). */
export type RunStatus = 'queued' | 'running' | FinalRunStatus;

export interface RunInput {
  kind: RunKind;
  name: string;
  /** Any JSON-able value; bigint, Decimal and bytes are kept as strings (see json.ts). */
  params?: unknown;
  pipelinePath?: string;
  /** 'queued' for a job recorded before it can start (default 'running'). */
  status?: 'queued' | 'running';
  /** The job runner's id of the job that runs it (in this session). */
  jobId?: string;
  /** The run's structured log (NDJSON), relative to the store's folder or absolute. */
  logPath?: string;
}

export interface RunResult {
  status: FinalRunStatus;
  error?: string;
  rowsIn?: number;
  rowsOut?: number;
  rejected?: number;
  /** Counts particular to the kind of job (a sync's changes, a batch's chunks). */
  details?: unknown;
}

/** Fields of a run that may be filled in after it was recorded. */
export interface RunUpdate {
  name?: string;
  params?: unknown;
  pipelinePath?: string;
  logPath?: string;
  details?: unknown;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  name: string;
  status: RunStatus;
  params?: unknown;
  pipelinePath?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
  rowsIn?: number;
  rowsOut?: number;
  rejected?: number;
  queuedAt?: string;
  jobId?: string;
  logPath?: string;
  details?: unknown;
}

export interface ListRunsOptions {
  /** Default 100. */
  limit?: number;
  kind?: string;
  status?: string;
}

export interface NodeStatInput {
  nodeId: string;
  rowsIn: number;
  rowsOut: number;
  rejected: number;
  durationMs: number;
}

export interface NodeStatRecord extends NodeStatInput {
  runId: string;
  updatedAt: string;
}

export type Severity = 'error' | 'warning';

export interface RejectedRowInput {
  nodeId: string;
  rule: string;
  column?: string;
  /** The offending value as text (already formatted by the node). */
  value?: string;
  message: string;
  rowKey?: string;
  row: Record<string, unknown>;
  severity?: Severity;
}

export interface RejectedRowRecord {
  id: number;
  runId: string;
  nodeId: string;
  rule: string;
  column: string | null;
  value: string | null;
  message: string;
  rowKey: string | null;
  /** The row as stored: bigint and Decimal values come back as strings, bytes as base64. */
  row: Record<string, unknown>;
  severity: Severity;
  replayedAt: string | null;
}

export interface ListRejectedOptions {
  nodeId?: string;
  rule?: string;
  /** null (or '') selects rows that concern no particular column. */
  column?: string | null;
  /** true: only rows already replayed; false: only rows not yet replayed. */
  replayed?: boolean;
  /** Default 100. */
  limit?: number;
  offset?: number;
}

export interface RejectedSummary {
  nodeId: string;
  rule: string;
  column: string | null;
  count: number;
  sampleMessage: string;
}

// --- migration checkpoints (schema-v2.ts) -------------------------------------------

/** pending: nothing committed yet; loading: some chunks committed; loaded: every row is in. */
export type MigrationTableState = 'pending' | 'loading' | 'loaded';

export interface MigrationTableInput {
  name: string;
  rowsTotal?: number;
}

export interface MigrationTableRecord {
  name: string;
  position: number;
  state: MigrationTableState;
  rowsTotal?: number;
  rowsCopied: number;
  rowsRejected: number;
  chunks: number;
  /** The key of the last row of the last committed chunk, as the migration encoded it. */
  lastKey?: unknown;
  updatedAt: string;
}

export interface MigrationChunkInput {
  table: string;
  /** 1, 2, 3 ... per table: the next after the table's last recorded chunk. */
  chunk: number;
  firstKey?: unknown;
  lastKey?: unknown;
  rows: number;
  rejected: number;
}

export interface MigrationRecord {
  runId: string;
  status: RunStatus;
  /** URLs without passwords. */
  source: string;
  target: string;
  /** The plan the run follows, as the migration job stored it. */
  plan: unknown;
  backupPath?: string;
  /** 'host:pid' of the process that works (or last worked) on it. */
  owner?: string;
  heartbeatAt?: string;
  tables: MigrationTableRecord[];
  /** DDL steps done, by id. */
  steps: string[];
}
