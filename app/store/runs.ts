import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { StoreError } from './errors';
import { newRunId } from './ids';
import { decodeJson, encodeJson } from './json';
import { FINAL_STATUSES, RUN_KINDS, type ListRunsOptions, type NodeStatInput, type NodeStatRecord, type RunInput, type RunRecord, type RunResult } from './types';

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
}

interface NodeStatRow {
  node_id: string;
  rows_in: number;
  rows_out: number;
  rejected: number;
  duration_ms: number;
  updated_at: string;
}

const RUN_COLUMNS = 'id, kind, name, status, params, pipeline_path, started_at, finished_at, duration_ms, error, rows_in, rows_out, rejected';

export class RunRepo {
  private readonly insert;
  private readonly finishStmt;
  private readonly byId;
  private readonly remove;
  private readonly upsertStat;
  private readonly statsOf;
  private readonly seqOf;
  private readonly listQueries = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`INSERT INTO runs (id, kind, name, status, params, pipeline_path, started_at) VALUES (?, ?, ?, 'running', ?, ?, ?)`);
    this.finishStmt = db.prepare(
      `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, rows_in = ?, rows_out = ?, rejected = ? WHERE id = ? AND status = 'running'`,
    );
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
    this.insert.run(id, r.kind, r.name, r.params === undefined ? null : encodeJson(r.params), r.pipelinePath ?? null, new Date().toISOString());
    return id;
  }

  /** Finishing twice, or a run that does not exist, is a caller bug: it throws rather than hides it. */
  finish(id: string, r: RunResult): void {
    if (!(FINAL_STATUSES as readonly string[]).includes(r.status)) throw new StoreError(`Unknown final run status ${JSON.stringify(r.status)}; expected one of ${FINAL_STATUSES.join(', ')}`);
    // IMMEDIATE: the read and the guarded update must see the same state even when another
    // process finishes (or cancels) the same run at the same moment.
    this.db
      .transaction(() => {
        const run = this.get(id);
        if (!run) throw new StoreError(`No run with id ${id}`);
        if (run.status !== 'running') throw new StoreError(`Run ${id} already finished (${run.status})`);
        const finishedAt = new Date();
        const duration = Math.max(0, finishedAt.getTime() - Date.parse(run.startedAt));
        this.finishStmt.run(r.status, finishedAt.toISOString(), duration, r.error ?? null, r.rowsIn ?? null, r.rowsOut ?? null, r.rejected ?? null, id);
      })
      .immediate();
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
  return run;
}
