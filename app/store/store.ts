import { ConnectionRepo } from './connections';
import { openDatabase, type Db, type OpenOptions } from './database';
import { StoreError } from './errors';
import { MigrationCheckpointRepo } from './migration-checkpoints';
import { schemaVersion } from './migrations';
import { defaultStorePath } from './paths';
import { PipelineRepo } from './pipelines';
import { RejectedRepo } from './rejected';
import { RunRepo } from './runs';
import { SyncRepo } from './syncs';
import type {
  ConnectionInput,
  ListRejectedOptions,
  ListRunsOptions,
  MigrationChunkInput,
  MigrationRecord,
  MigrationTableInput,
  MigrationTableState,
  NodeStatInput,
  NodeStatRecord,
  PipelineInput,
  PipelineSummary,
  RejectedRowInput,
  RejectedRowRecord,
  RejectedSummary,
  RunInput,
  RunRecord,
  RunResult,
  RunUpdate,
  StoredConnection,
  StoredPipeline,
} from './types';

/**
 * The workbench's own SQLite file: connections, pipelines, runs, node statistics and
 * rejected rows. Synchronous (better-sqlite3): every call is short, and a worker thread or
 * process that writes many rejected rows holds its own WorkbenchStore. Each area lives in
 * its own repository module; this class is the one face the rest of the app codes against.
 */
export class WorkbenchStore {
  private readonly connections: ConnectionRepo;
  private readonly pipelines: PipelineRepo;
  private readonly runs: RunRepo;
  private readonly rejected: RejectedRepo;
  private readonly migrations: MigrationCheckpointRepo;
  private readonly syncRepo: SyncRepo;
  private closed = false;

  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {
    this.connections = new ConnectionRepo(db);
    this.pipelines = new PipelineRepo(db);
    this.runs = new RunRepo(db);
    this.rejected = new RejectedRepo(db, this.runs);
    this.migrations = new MigrationCheckpointRepo(db, this.runs);
    this.syncRepo = new SyncRepo(db, this.runs);
  }

  /** Opens the store at `path` (default: defaultStorePath()), creating folders and file and migrating. */
  static open(path: string = defaultStorePath(), opts?: OpenOptions): WorkbenchStore {
    return new WorkbenchStore(openDatabase(path, opts), path);
  }

  /** A private store that vanishes on close: for tests and previews. */
  static openInMemory(opts?: OpenOptions): WorkbenchStore {
    return new WorkbenchStore(openDatabase(':memory:', opts), ':memory:');
  }

  /** The store's schema version (PRAGMA user_version). */
  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Idempotent. Lets SQLite refresh its planner statistics, then checkpoints and closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('optimize');
    } catch {
      // Best effort only: another process may hold the write lock; closing must not fail.
    } finally {
      this.db.close();
    }
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints), for callers
   * combining several writes. IMMEDIATE takes the write lock up front, so a read followed
   * by a write inside `fn` waits for other processes instead of failing with SQLITE_BUSY.
   */
  transaction<T>(fn: () => T): T {
    this.assertOpen();
    return this.db.transaction(fn).immediate();
  }

  // --- connections -------------------------------------------------------------------

  /** Inserts or replaces. Throws PlainTextSecretError when the URL or options hold a password. */
  saveConnection(c: ConnectionInput): void {
    this.assertOpen();
    this.connections.save(c);
  }

  getConnection(name: string): StoredConnection | undefined {
    this.assertOpen();
    return this.connections.get(name);
  }

  listConnections(): StoredConnection[] {
    this.assertOpen();
    return this.connections.list();
  }

  deleteConnection(name: string): void {
    this.assertOpen();
    this.connections.delete(name);
  }

  // --- pipelines ---------------------------------------------------------------------

  savePipeline(p: PipelineInput): void {
    this.assertOpen();
    this.pipelines.save(p);
  }

  getPipeline(id: string): StoredPipeline | undefined {
    this.assertOpen();
    return this.pipelines.get(id);
  }

  /** Sorted by name, case-insensitively. */
  listPipelines(): PipelineSummary[] {
    this.assertOpen();
    return this.pipelines.list();
  }

  deletePipeline(id: string): void {
    this.assertOpen();
    this.pipelines.delete(id);
  }

  // --- runs --------------------------------------------------------------------------

  /** Records a run as 'running' and returns its id (a ULID: sorts by start time). */
  startRun(r: RunInput): string {
    this.assertOpen();
    return this.runs.start(r);
  }

  /** Throws when the run does not exist or has already finished. */
  finishRun(id: string, r: RunResult): void {
    this.assertOpen();
    this.runs.finish(id, r);
  }

  /** A queued run (a job waiting for a slot) starts. False when it was not queued. */
  markRunStarted(id: string): boolean {
    this.assertOpen();
    return this.runs.markStarted(id);
  }

  /** Finishes a run still queued or running; false when it had ended already (whoever finishes first wins). */
  finishRunIfOpen(id: string, r: RunResult): boolean {
    this.assertOpen();
    return this.runs.finishIfOpen(id, r);
  }

  /** Fills in a run's name, params, pipeline path, log path or details. */
  updateRun(id: string, u: RunUpdate): void {
    this.assertOpen();
    this.runs.update(id, u);
  }

  getRun(id: string): RunRecord | undefined {
    this.assertOpen();
    return this.runs.get(id);
  }

  /** Newest first; default limit 100. */
  listRuns(opts?: ListRunsOptions): RunRecord[] {
    this.assertOpen();
    return this.runs.list(opts);
  }

  /** Deletes a run with its node stats and rejected rows. */
  deleteRun(id: string): void {
    this.assertOpen();
    this.runs.delete(id);
  }

  /** Upsert per (run, node): the values given replace earlier ones (they are running totals). */
  recordNodeStats(runId: string, stats: NodeStatInput[]): void {
    this.assertOpen();
    this.runs.recordNodeStats(runId, stats);
  }

  /** In the order the nodes were first reported. */
  getNodeStats(runId: string): NodeStatRecord[] {
    this.assertOpen();
    return this.runs.nodeStats(runId);
  }

  // --- rejected rows -----------------------------------------------------------------

  /** One transaction per call. Row values that JSON cannot hold exactly are kept as strings. */
  addRejectedRows(runId: string, rows: RejectedRowInput[]): void {
    this.assertOpen();
    this.rejected.add(runId, rows);
  }

  /** In insertion order; default limit 100. */
  listRejectedRows(runId: string, opts?: ListRejectedOptions): RejectedRowRecord[] {
    this.assertOpen();
    return this.rejected.list(runId, opts);
  }

  /** Grouped by node, rule and column; largest groups first. */
  summarizeRejected(runId: string): RejectedSummary[] {
    this.assertOpen();
    return this.rejected.summarize(runId);
  }

  markRejectedReplayed(runId: string, ids: number[]): void {
    this.assertOpen();
    this.rejected.markReplayed(runId, ids);
  }

  // --- sync jobs ---------------------------------------------------------------------

  /** Sync state: high-water marks, the durable change queue, base hashes, leases (syncs.ts). */
  get syncs(): SyncRepo {
    this.assertOpen();
    return this.syncRepo;
  }

  // --- migration checkpoints ---------------------------------------------------------

  /** Records a migration run's plan and tables (the run itself comes from startRun). */
  beginMigration(runId: string, m: { source: string; target: string; plan: unknown; backupPath?: string; owner: string; tables: MigrationTableInput[] }): void {
    this.assertOpen();
    this.migrations.begin(runId, m);
  }

  /** The run's plan, table states and steps done; undefined when it is not a migration run. */
  getMigration(runId: string): MigrationRecord | undefined {
    this.assertOpen();
    return this.migrations.get(runId);
  }

  /** After the target committed a chunk: the chunk and the table's new last key, in one transaction. */
  recordMigrationChunk(runId: string, c: MigrationChunkInput): void {
    this.assertOpen();
    this.migrations.recordChunk(runId, c);
  }

  setMigrationTableState(runId: string, table: string, state: MigrationTableState): void {
    this.assertOpen();
    this.migrations.setTableState(runId, table, state);
  }

  resetMigrationTable(runId: string, table: string): void {
    this.assertOpen();
    this.migrations.resetTable(runId, table);
  }

  migrationStepDone(runId: string, step: string): void {
    this.assertOpen();
    this.migrations.stepDone(runId, step);
  }

  claimMigration(runId: string, owner: string): void {
    this.assertOpen();
    this.migrations.claim(runId, owner);
  }

  migrationHeartbeat(runId: string, owner: string): void {
    this.assertOpen();
    this.migrations.heartbeat(runId, owner);
  }

  /** Sets a finished migration run back to running, for a resume. */
  reopenRun(runId: string): void {
    this.assertOpen();
    this.migrations.reopen(runId);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`The workbench store ${this.path} is closed`);
  }
}
