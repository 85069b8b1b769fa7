import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { StoreError } from './errors';
import { newRunId } from './ids';
import { decodeJson, encodeJson } from './json';
import { FINAL_STATUSES, RUN_KINDS, type ListRunsOptions, type NodeStatInput, type NodeStatRecord, type RunInput, type RunRecord, type RunResult, type RunUpdate } from './types';

interface RunRow {
  id: string;
  kind: RunRecord['kind'];
  name: string;
  status: RunRecord['status'];
  params: string | null;
  pipeline_path: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  rows_in: number | null;
  rows_out: number | null;
  rejected: number | null;
  queued_at: string | null;
  job_id: string | null;
  log_path: string | null;
  details: string | null;
}

interface NodeStatRow {
  node_id: string;
  rows_in: number;
  rows_out: number;
  rejected: number;
  duration_ms: number;
  updated_at: string;
}

const RUN_COLUMNS =
  'id, kind, name, status, params, pipeline_path, started_at, finished_at, duration_ms, error, rows_in, rows_out, rejected, queued_at, job_id, log_path, details';

/** A run that has not ended: it may still start, finish, or be given more details. */
const OPEN_STATUSES = `('queued', 'running')`;

export class RunRepo {
  private readonly insert;
  private readonly finishStmt;
  private readonly startStmt;
  private readonly byId;
  private readonly remove;
  private readonly upsertStat;
  private readonly statsOf;
  private readonly seqOf;
  private readonly listQueries = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO runs (id, kind, name, status, params, pipeline_path, started_at, queued_at, job_id, log_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.finishStmt = db.prepare(
      `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, rows_in = ?, rows_out = ?, rejected = ?, details = coalesce(?, details)
       WHERE id = ? AND status IN ${OPEN_STATUSES}`,
    );
    // A queued run's started_at holds its queue time until it starts (the column is NOT NULL).
    this.startStmt = db.prepare(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'`);
    this.byId = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`);
    this.remove = db.prepare(`DELETE FROM runs WHERE id = ?`);
    // Replaces, not adds: the engine reports a node's running totals each time.
    this.seqOf = db.prepare(`SELECT seq FROM runs WHERE id = ?`).pluck();
    this.upsertStat = db.prepare(
      `INSERT INTO node_stats (run_seq, node_id, rows_in, rows_out, rejected, duration_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_seq, node_id) DO UPDATE SET rows_in = excluded.rows_in, rows_out = excluded.rows_out,
         rejected = excluded.rejected, duration_ms = excluded.duration_ms, updated_at = excluded.updated_at`,
    );
    this.statsOf = db.prepare(
      `SELECT node_id, rows_in, rows_out, rejected, duration_ms, updated_at FROM node_stats WHERE run_seq = (SELECT seq FROM runs WHERE id = ?) ORDER BY rowid`,
    );
  }

  start(r: RunInput): string {
    if (!(RUN_KINDS as readonly string[]).includes(r.kind)) throw new StoreError(`Unknown run kind ${JSON.stringify(r.kind)}; expected one of ${RUN_KINDS.join(', ')}`);
    const id = newRunId();
    const now = new Date().toISOString();
    const status = r.status ?? 'running';
    this.insert.run(
      id,
      r.kind,
      r.name,
      status,
      r.params === undefined ? null : encodeJson(r.params),
      r.pipelinePath ?? null,
      now,
      status === 'queued' ? now : null,
      r.jobId ?? null,
      r.logPath ?? null,
    );
    return id;
  }

  /** A queued run starts: status 'running', started_at now. False when it was not queued. */
  markStarted(id: string): boolean {
    return this.startStmt.run(new Date().toISOString(), id).changes > 0;
  }

  /** Finishing twice, or a run that does not exist, is a caller bug: it throws rather than hides it. */
  finish(id: string, r: RunResult): void {
    if (!this.finishIfOpen(id, r)) {
      const run = this.get(id);
      if (!run) throw new StoreError(`No run with id ${id}`);
      throw new StoreError(`Run ${id} already finished (${run.status})`);
    }
  }

  /**
   * Finishes a run that is still queued or running; false when it has ended already. The
   * job runner uses it for the outcomes a job's own code could not record (a crashed
   * worker, a job cancelled in the queue): whichever finishes first wins.
   */
  finishIfOpen(id: string, r: RunResult): boolean {
    if (!(FINAL_STATUSES as readonly string[]).includes(r.status)) throw new StoreError(`Unknown final run status ${JSON.stringify(r.status)}; expected one of ${FINAL_STATUSES.join(', ')}`);
    // IMMEDIATE: the read and the guarded update must see the same state even when another
    // process finishes (or cancels) the same run at the same moment.
    return this.db
      .transaction(() => {
        const run = this.get(id);
        if (!run || (run.status !== 'running' && run.status !== 'queued')) return false;
        const finishedAt = new Date();
        // A run that never started took no time.
        const duration = run.status === 'queued' ? 0 : Math.max(0, finishedAt.getTime() - Date.parse(run.startedAt));
        const details = r.details === undefined ? null : encodeJson(r.details);
        this.finishStmt.run(r.status, finishedAt.toISOString(), duration, r.error ?? null, r.rowsIn ?? null, r.rowsOut ?? null, r.rejected ?? null, details, id);
        return true;
      })
      .immediate();
  }

  /** Fills in fields of a run (its name and params once a job has loaded its document, its log, details). */
  update(id: string, u: RunUpdate): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      args.push(value);
    };
    if (u.name !== undefined) set('name', u.name);
    if (u.params !== undefined) set('params', encodeJson(u.params));
    if (u.pipelinePath !== undefined) set('pipeline_path', u.pipelinePath);
    if (u.logPath !== undefined) set('log_path', u.logPath);
    if (u.details !== undefined) set('details', encodeJson(u.details));
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  get(id: string): RunRecord | undefined {
    const row = this.byId.get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  list(opts: ListRunsOptions = {}): RunRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.kind !== undefined) {
      where.push('kind = ?');
      args.push(opts.kind);
    }
    if (opts.status !== undefined) {
      where.push('status = ?');
      args.push(opts.status);
    }
    const sql = `SELECT ${RUN_COLUMNS} FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    let stmt = this.listQueries.get(sql);
    if (!stmt) this.listQueries.set(sql, (stmt = this.db.prepare(sql)));
    return (stmt.all(...args, limitOf(opts.limit, 100)) as RunRow[]).map(toRun);
  }

  /** Deletes a run with its node stats and rejected rows (foreign keys cascade). */
  delete(id: string): void {
    this.remove.run(id);
  }

  /** The integer key child tables use; throws a clear error for an unknown run id. */
  seq(runId: string): number {
    const seq = this.seqOf.get(runId) as number | undefined;
    if (seq === undefined) throw new StoreError(`No run with id ${runId}`);
    return seq;
  }

  recordNodeStats(runId: string, stats: NodeStatInput[]): void {
    const now = new Date().toISOString();
    // IMMEDIATE because it reads before writing (see RejectedRepo.insertMany).
    this.db
      .transaction(() => {
        const seq = this.seq(runId);
        for (const s of stats) this.upsertStat.run(seq, s.nodeId, s.rowsIn, s.rowsOut, s.rejected, s.durationMs, now);
      })
      .immediate();
  }

  nodeStats(runId: string): NodeStatRecord[] {
    return (this.statsOf.all(runId) as NodeStatRow[]).map((r) => ({
      runId,
      nodeId: r.node_id,
      rowsIn: r.rows_in,
      rowsOut: r.rows_out,
      rejected: r.rejected,
      durationMs: r.duration_ms,
      updatedAt: r.updated_at,
    }));
  }
}

export function limitOf(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 0) throw new StoreError(`limit must be a non-negative integer (got ${limit})`);
  return limit;
}

function toRun(r: RunRow): RunRecord {
  const run: RunRecord = { id: r.id, kind: r.kind, name: r.name, status: r.status, startedAt: r.started_at };
  if (r.params !== null) run.params = decodeJson(r.params);
  if (r.pipeline_path !== null) run.pipelinePath = r.pipeline_path;
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  if (r.duration_ms !== null) run.durationMs = r.duration_ms;
  if (r.error !== null) run.error = r.error;
  if (r.rows_in !== null) run.rowsIn = r.rows_in;
  if (r.rows_out !== null) run.rowsOut = r.rows_out;
  if (r.rejected !== null) run.rejected = r.rejected;
  if (r.queued_at !== null) run.queuedAt = r.queued_at;
  if (r.job_id !== null) run.jobId = r.job_id;
  if (r.log_path !== null) run.logPath = r.log_path;
  if (r.details !== null) run.details = decodeJson(r.details);
  return run;
}
