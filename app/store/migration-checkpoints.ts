import type { Db } from './database';
import { StoreError } from './errors';
import { decodeJson, encodeJson } from './json';
import type { RunRepo } from './runs';
import type { MigrationChunkInput, MigrationRecord, MigrationTableInput, MigrationTableRecord, MigrationTableState } from './types';

interface RunRow {
  source: string;
  target: string;
  plan: string;
  backup_path: string | null;
  owner: string | null;
  heartbeat_at: string | null;
  updated_at: string;
}

interface TableRow {
  table_name: string;
  position: number;
  state: MigrationTableState;
  rows_total: number | null;
  rows_copied: number;
  rows_rejected: number;
  chunks: number;
  last_key: string | null;
  updated_at: string;
}

/**
 * Checkpoints of migration runs (schema-v2.ts). Each method is one short transaction;
 * `recordChunk` is the one that matters for exactness: the chunk row and the table's new
 * last key go in together, after the target committed the chunk.
 */
export class MigrationCheckpointRepo {
  private readonly insertRun;
  private readonly runOf;
  private readonly tablesOf;
  private readonly insertTable;
  private readonly setState;
  private readonly chunkInsert;
  private readonly chunkUpdate;
  private readonly clearChunks;
  private readonly resetTableStmt;
  private readonly stepInsert;
  private readonly stepsOf;
  private readonly claimStmt;
  private readonly beatStmt;
  private readonly reopenStmt;

  constructor(
    private readonly db: Db,
    private readonly runs: RunRepo,
  ) {
    this.insertRun = db.prepare(`INSERT INTO migration_runs (run_seq, source, target, plan, backup_path, owner, heartbeat_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.runOf = db.prepare(`SELECT source, target, plan, backup_path, owner, heartbeat_at, updated_at FROM migration_runs WHERE run_seq = ?`);
    this.tablesOf = db.prepare(
      `SELECT table_name, position, state, rows_total, rows_copied, rows_rejected, chunks, last_key, updated_at FROM migration_tables WHERE run_seq = ? ORDER BY position`,
    );
    this.insertTable = db.prepare(`INSERT INTO migration_tables (run_seq, table_name, position, state, rows_total, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)`);
    this.setState = db.prepare(`UPDATE migration_tables SET state = ?, updated_at = ? WHERE run_seq = ? AND table_name = ?`);
    this.chunkInsert = db.prepare(`INSERT INTO migration_chunks (run_seq, table_name, chunk, first_key, last_key, rows, rejected, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.chunkUpdate = db.prepare(
      `UPDATE migration_tables SET state = 'loading', rows_copied = rows_copied + ?, rows_rejected = rows_rejected + ?, chunks = ?, last_key = ?, updated_at = ?
       WHERE run_seq = ? AND table_name = ? AND chunks = ?`,
    );
    this.clearChunks = db.prepare(`DELETE FROM migration_chunks WHERE run_seq = ? AND table_name = ?`);
    this.resetTableStmt = db.prepare(
      `UPDATE migration_tables SET state = 'pending', rows_copied = 0, rows_rejected = 0, chunks = 0, last_key = NULL, updated_at = ? WHERE run_seq = ? AND table_name = ?`,
    );
    this.stepInsert = db.prepare(`INSERT OR IGNORE INTO migration_steps (run_seq, step, done_at) VALUES (?, ?, ?)`);
    this.stepsOf = db.prepare(`SELECT step FROM migration_steps WHERE run_seq = ? ORDER BY done_at, step`).pluck();
    this.claimStmt = db.prepare(`UPDATE migration_runs SET owner = ?, heartbeat_at = ?, updated_at = ? WHERE run_seq = ?`);
    this.beatStmt = db.prepare(`UPDATE migration_runs SET heartbeat_at = ? WHERE run_seq = ? AND owner = ?`);
    this.reopenStmt = db.prepare(`UPDATE runs SET status = 'running', finished_at = NULL, duration_ms = NULL, error = NULL WHERE seq = ?`);
  }

  /** Records the plan of a new migration run and its tables (all pending). */
  begin(runId: string, m: { source: string; target: string; plan: unknown; backupPath?: string; owner: string; tables: MigrationTableInput[] }): void {
    const seq = this.runs.seq(runId);
    const now = new Date().toISOString();
    this.db
      .transaction(() => {
        this.insertRun.run(seq, m.source, m.target, encodeJson(m.plan), m.backupPath ?? null, m.owner, now, now);
        m.tables.forEach((t, i) => this.insertTable.run(seq, t.name, i, t.rowsTotal ?? null, now));
      })
      .immediate();
  }

  get(runId: string): MigrationRecord | undefined {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    const seq = this.runs.seq(runId);
    const row = this.runOf.get(seq) as RunRow | undefined;
    if (!row) return undefined;
    const tables = (this.tablesOf.all(seq) as TableRow[]).map(
      (t): MigrationTableRecord => ({
        name: t.table_name,
        position: t.position,
        state: t.state,
        rowsTotal: t.rows_total ?? undefined,
        rowsCopied: t.rows_copied,
        rowsRejected: t.rows_rejected,
        chunks: t.chunks,
        lastKey: decodeJson(t.last_key),
        updatedAt: t.updated_at,
      }),
    );
    return {
      runId,
      status: run.status,
      source: row.source,
      target: row.target,
      plan: decodeJson(row.plan),
      backupPath: row.backup_path ?? undefined,
      owner: row.owner ?? undefined,
      heartbeatAt: row.heartbeat_at ?? undefined,
      tables,
      steps: this.stepsOf.all(seq) as string[],
    };
  }

  /**
   * Records a chunk the target has committed: the chunk, the table's new last key and
   * counts, in one transaction. `chunk` must follow the table's last recorded chunk (a
   * second process writing the same run would fail here instead of double counting).
   */
  recordChunk(runId: string, c: MigrationChunkInput): void {
    const seq = this.runs.seq(runId);
    const now = new Date().toISOString();
    const last = c.lastKey === undefined ? null : encodeJson(c.lastKey);
    this.db
      .transaction(() => {
        const changed = this.chunkUpdate.run(c.rows, c.rejected, c.chunk, last, now, seq, c.table, c.chunk - 1).changes;
        if (changed !== 1) throw new StoreError(`Migration ${runId}: chunk ${c.chunk} of table '${c.table}' does not follow the last recorded chunk`);
        this.chunkInsert.run(seq, c.table, c.chunk, c.firstKey === undefined ? null : encodeJson(c.firstKey), last, c.rows, c.rejected, now);
      })
      .immediate();
  }

  setTableState(runId: string, table: string, state: MigrationTableState): void {
    this.setState.run(state, new Date().toISOString(), this.runs.seq(runId), table);
  }

  /** Forgets a table's chunks (a table without a key is reloaded whole on resume). */
  resetTable(runId: string, table: string): void {
    const seq = this.runs.seq(runId);
    this.db
      .transaction(() => {
        this.clearChunks.run(seq, table);
        this.resetTableStmt.run(new Date().toISOString(), seq, table);
      })
      .immediate();
  }

  stepDone(runId: string, step: string): void {
    this.stepInsert.run(this.runs.seq(runId), step, new Date().toISOString());
  }

  /** Takes the run for this process (owner 'host:pid'); the caller checked the previous owner is gone. */
  claim(runId: string, owner: string): void {
    const now = new Date().toISOString();
    this.claimStmt.run(owner, now, now, this.runs.seq(runId));
  }

  heartbeat(runId: string, owner: string): void {
    this.beatStmt.run(new Date().toISOString(), this.runs.seq(runId), owner);
  }

  /** A finished (cancelled, failed) run goes back to running for a resume. */
  reopen(runId: string): void {
    this.reopenStmt.run(this.runs.seq(runId));
  }
}
