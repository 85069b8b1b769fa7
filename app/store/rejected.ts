import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { StoreError } from './errors';
import { encodeJson } from './json';
import { limitOf, type RunRepo } from './runs';
import type { ListRejectedOptions, RejectedRowInput, RejectedRowRecord, RejectedSummary, Severity } from './types';

interface RejectedRow {
  id: number;
  node_id: string;
  rule: string;
  column_name: string;
  value: string | null;
  message: string;
  row_key: string | null;
  row: string;
  severity: Severity;
  replayed_at: string | null;
}

/**
 * Rows per INSERT statement. One multi-row statement costs far less than as many
 * single-row ones (fewer round trips through the native binding and the VDBE); 50 was
 * the knee when measured (6 parameters each, well under SQLite's 32766 limit).
 */
const CHUNK = 50;

/** How "no particular column" is stored (see schema-v1.ts); the API says null. */
const NO_COLUMN = '';
const ROW_PARAMS = '(?, ?, ?, ?, ?, ?)';
const INSERT = 'INSERT INTO rejected_rows (group_id, value, message, row_key, row, severity) VALUES ';

// CROSS JOIN pins the loop order: groups in key order, then each group's rows by id. Both
// come straight from indexes, so a page is a range walk, never a sort of the whole run.
const SELECT = `SELECT r.id, g.node_id, g.rule, g.column_name, r.value, r.message, r.row_key, r.row, r.severity, r.replayed_at
  FROM rejected_groups g CROSS JOIN rejected_rows r ON r.group_id = g.id`;

export class RejectedRepo {
  private readonly insertOne;
  private readonly insertChunk;
  private readonly findGroup;
  private readonly addGroup;
  private readonly summary;
  private readonly replay;
  private readonly insertMany;
  private readonly listQueries = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly runs: RunRepo,
  ) {
    this.insertOne = db.prepare(INSERT + ROW_PARAMS);
    this.insertChunk = db.prepare(INSERT + Array(CHUNK).fill(ROW_PARAMS).join(', '));
    this.findGroup = db
      .prepare(`SELECT id FROM rejected_groups WHERE run_seq = ? AND node_id = ? AND rule = ? AND column_name = ?`)
      .pluck();
    this.addGroup = db.prepare(`INSERT INTO rejected_groups (run_seq, node_id, rule, column_name) VALUES (?, ?, ?, ?)`);
    // Per group: the count from the covering index on group_id, and the first message
    // recorded as the sample. Groups exist only with rows (both are written in one transaction).
    this.summary = db.prepare(
      `SELECT g.node_id, g.rule, g.column_name,
         (SELECT count(*) FROM rejected_rows r WHERE r.group_id = g.id) AS count,
         (SELECT message FROM rejected_rows r WHERE r.group_id = g.id ORDER BY r.id LIMIT 1) AS message
       FROM rejected_groups g WHERE g.run_seq = (SELECT seq FROM runs WHERE id = ?)
       ORDER BY count DESC, g.node_id, g.rule, g.column_name`,
    );
    this.replay = db.prepare(
      `UPDATE rejected_rows SET replayed_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND replayed_at IS NULL
         AND group_id IN (SELECT id FROM rejected_groups WHERE run_seq = (SELECT seq FROM runs WHERE id = ?))`,
    );
    // One transaction per call: one commit per batch instead of per row. Called with
    // .immediate(): the transaction reads (run, groups) before it writes, and a deferred
    // one would fail at once with SQLITE_BUSY when another process wrote in between,
    // instead of waiting for the lock.
    this.insertMany = db.transaction((runId: string, rows: RejectedRowInput[]) => {
      const seq = this.runs.seq(runId);
      const groups = new Map<string, number>();
      const params: unknown[] = [];
      let i = 0;
      for (; i + CHUNK <= rows.length; i += CHUNK) {
        params.length = 0;
        for (let j = i; j < i + CHUNK; j++) this.pushParams(params, rows[j], this.group(groups, seq, rows[j]));
        this.insertChunk.run(params);
      }
      for (; i < rows.length; i++) {
        params.length = 0;
        this.pushParams(params, rows[i], this.group(groups, seq, rows[i]));
        this.insertOne.run(params);
      }
    });
  }

  add(runId: string, rows: RejectedRowInput[]): void {
    if (rows.length > 0) this.insertMany.immediate(runId, rows);
  }

  /** Ordered by node, rule and column, then in the order rows were added. */
  list(runId: string, opts: ListRejectedOptions = {}): RejectedRowRecord[] {
    const where = ['g.run_seq = (SELECT seq FROM runs WHERE id = ?)'];
    const args: unknown[] = [runId];
    if (opts.nodeId !== undefined) {
      where.push('g.node_id = ?');
      args.push(opts.nodeId);
    }
    if (opts.rule !== undefined) {
      where.push('g.rule = ?');
      args.push(opts.rule);
    }
    if (opts.column !== undefined) {
      where.push('g.column_name = ?');
      args.push(opts.column ?? NO_COLUMN);
    }
    if (opts.replayed !== undefined) where.push(opts.replayed ? 'r.replayed_at IS NOT NULL' : 'r.replayed_at IS NULL');
    const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY g.node_id, g.rule, g.column_name, r.id LIMIT ? OFFSET ?`;
    let stmt = this.listQueries.get(sql);
    if (!stmt) this.listQueries.set(sql, (stmt = this.db.prepare(sql)));
    return (stmt.all(...args, limitOf(opts.limit, 100), limitOf(opts.offset, 0)) as RejectedRow[]).map((r) => toRecord(runId, r));
  }

  summarize(runId: string): RejectedSummary[] {
    return (this.summary.all(runId) as Array<{ node_id: string; rule: string; column_name: string; count: number; message: string }>).map((r) => ({
      nodeId: r.node_id,
      rule: r.rule,
      column: r.column_name === NO_COLUMN ? null : r.column_name,
      count: r.count,
      sampleMessage: r.message,
    }));
  }

  /** Marks rows as replayed (sent through the pipeline again); rows already marked keep their first time. */
  markReplayed(runId: string, ids: number[]): void {
    if (ids.length === 0) return;
    for (const id of ids) if (!Number.isInteger(id)) throw new StoreError(`Rejected row ids must be integers (got ${id})`);
    this.runs.seq(runId);
    this.replay.run(new Date().toISOString(), JSON.stringify(ids), runId);
  }

  /** The group id of a row's (node, rule, column), created on first use; cached per call. */
  private group(cache: Map<string, number>, seq: number, r: RejectedRowInput): number {
    const column = r.column ?? NO_COLUMN;
    const key = `${r.nodeId}\u0000${r.rule}\u0000${column}`;
    let id = cache.get(key);
    if (id === undefined) {
      if (typeof r.nodeId !== 'string' || typeof r.rule !== 'string') throw new StoreError('A rejected row needs a nodeId and a rule');
      id = (this.findGroup.get(seq, r.nodeId, r.rule, column) as number | undefined) ?? Number(this.addGroup.run(seq, r.nodeId, r.rule, column).lastInsertRowid);
      cache.set(key, id);
    }
    return id;
  }

  private pushParams(params: unknown[], r: RejectedRowInput, groupId: number): void {
    const severity = r.severity ?? 'error';
    if (severity !== 'error' && severity !== 'warning') throw new StoreError(`Rejected row severity must be 'error' or 'warning' (got ${JSON.stringify(severity)})`);
    params.push(groupId, r.value ?? null, r.message, r.rowKey ?? null, encodeJson(r.row), severity);
  }
}

function toRecord(runId: string, r: RejectedRow): RejectedRowRecord {
  return {
    id: r.id,
    runId,
    nodeId: r.node_id,
    rule: r.rule,
    column: r.column_name === NO_COLUMN ? null : r.column_name,
    value: r.value,
    message: r.message,
    rowKey: r.row_key,
    row: JSON.parse(r.row) as Record<string, unknown>,
    severity: r.severity,
    replayedAt: r.replayed_at,
  };
}
