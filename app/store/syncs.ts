import type { Db } from './database';
import { StoreError } from './errors';
import { RowVersionRepo } from './row-versions';
import type { RunRepo } from './runs';

/**
 * The state of sync jobs (schema-v3.ts says what each table is for). The store knows
 * nothing of values: keys are canonical text, rows opaque bytes and hashes text, all made
 * by app/jobs/sync. Every method that writes more than one row is one transaction.
 */

export interface SyncState {
  seq: number;
  id: string;
  fingerprint: string;
  mode: string;
  /** JSON text of the confirmed cursor value (incremental syncs). */
  highWater?: string;
  pendingHighWater?: string;
  leaseOwner?: string;
  leaseUntil?: string;
  lastRunId?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * upsert, delete: changes to apply. tentative-delete: a delete found while the run is still
 * reading (a row missing from the source's side may yet turn out to be one the sync's
 * pipeline rejected, which must not be deleted): settled into a delete — or 'held' — when
 * the run has read everything, and discarded if the run dies before that.
 */
export type SyncOp = 'upsert' | 'delete' | 'tentative-delete';

export interface QueueEntryInput {
  op: SyncOp;
  key: string;
  row?: Uint8Array;
  hash?: string;
}

export interface QueueEntry extends QueueEntryInput {
  id: number;
  runId?: string;
}

export interface BoundaryEntry {
  key: string;
  hash: string;
}

interface SyncRow {
  seq: number;
  id: string;
  fingerprint: string;
  mode: string;
  high_water: string | null;
  pending_high_water: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_run_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Rows per multi-row INSERT into the queue (5 parameters each). */
const CHUNK = 100;

export class SyncRepo {
  private readonly byId;
  private readonly insertQueueOne;
  private readonly insertQueueChunk;
  private readonly confirmBatch;
  private readonly upsertBase;
  private readonly deleteBase;
  /** The row-version cache of PostgreSQL full diffs (row-versions.ts). */
  readonly rowVersions: RowVersionRepo;

  constructor(
    private readonly db: Db,
    private readonly runs: RunRepo,
  ) {
    this.byId = db.prepare(`SELECT * FROM syncs WHERE id = ?`);
    const tuple = '(?, ?, ?, ?, ?, ?)';
    const insert = 'INSERT INTO sync_queue (sync_seq, run_seq, op, key, row, hash) VALUES ';
    this.insertQueueOne = db.prepare(insert + tuple + ' RETURNING id').pluck();
    this.insertQueueChunk = db.prepare(insert + Array(CHUNK).fill(tuple).join(', ') + ' RETURNING id').pluck();
    // The rows pending() returns between two ids are all the pending changes between them: one statement confirms a batch.
    this.confirmBatch = db.prepare(
      `UPDATE sync_queue SET confirmed_at = ? WHERE sync_seq = ? AND id BETWEEN ? AND ? AND confirmed_at IS NULL AND op IN ('upsert', 'delete')`,
    );
    this.upsertBase = db.prepare(`INSERT INTO sync_base (sync_seq, key, hash) VALUES (?, ?, ?) ON CONFLICT (sync_seq, key) DO UPDATE SET hash = excluded.hash`);
    this.deleteBase = db.prepare(`DELETE FROM sync_base WHERE sync_seq = ? AND key = ?`);
    this.rowVersions = new RowVersionRepo(db);
  }

  get(id: string): SyncState | undefined {
    const r = this.byId.get(id) as SyncRow | undefined;
    return r && toState(r);
  }

  list(): SyncState[] {
    return (this.db.prepare(`SELECT * FROM syncs ORDER BY id`).all() as SyncRow[]).map(toState);
  }

  /**
   * The sync's state, created on first use. A definition whose fingerprint (source, target,
   * key, mode, cursor) changed starts afresh: its high-water mark, base hashes and pending
   * changes were about other data. `reset` says whether that happened.
   */
  ensure(id: string, fingerprint: string, mode: string): { state: SyncState; reset: boolean; created: boolean } {
    return this.db
      .transaction(() => {
        const now = new Date().toISOString();
        const found = this.get(id);
        if (!found) {
          this.db.prepare(`INSERT INTO syncs (id, fingerprint, mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(id, fingerprint, mode, now, now);
          return { state: this.get(id)!, reset: false, created: true };
        }
        if (found.fingerprint === fingerprint) return { state: found, reset: false, created: false };
        this.clear(found.seq);
        this.db.prepare(`UPDATE syncs SET fingerprint = ?, mode = ?, updated_at = ? WHERE seq = ?`).run(fingerprint, mode, now, found.seq);
        return { state: this.get(id)!, reset: true, created: false };
      })
      .immediate();
  }

  /** Forgets what the sync knows (high-water mark, base hashes, queue, row versions): the next run starts from scratch. */
  reset(id: string): boolean {
    return this.db
      .transaction(() => {
        const found = this.get(id);
        if (!found) return false;
        this.clear(found.seq);
        return true;
      })
      .immediate();
  }

  private clear(seq: number): void {
    this.db.prepare(`DELETE FROM sync_queue WHERE sync_seq = ?`).run(seq);
    this.db.prepare(`DELETE FROM sync_base WHERE sync_seq = ?`).run(seq);
    this.db.prepare(`DELETE FROM sync_boundary WHERE sync_seq = ?`).run(seq);
    this.rowVersions.drop(seq);
    this.db.prepare(`UPDATE syncs SET high_water = NULL, pending_high_water = NULL, updated_at = ? WHERE seq = ?`).run(new Date().toISOString(), seq);
  }

  /**
   * Takes the sync's lease for `ttlMs` when it is free, expired, held by `owner` already,
   * or held by an owner `isDead` says is gone (a killed process). Returns the holder that
   * kept it, or undefined when the lease is ours.
   */
  acquireLease(seq: number, owner: string, ttlMs: number, isDead: (holder: string) => boolean): string | undefined {
    return this.db
      .transaction(() => {
        const r = this.db.prepare(`SELECT lease_owner, lease_until FROM syncs WHERE seq = ?`).get(seq) as Pick<SyncRow, 'lease_owner' | 'lease_until'> | undefined;
        if (!r) throw new StoreError(`No sync #${seq}`);
        const now = Date.now();
        const held = r.lease_owner !== null && r.lease_owner !== owner && r.lease_until !== null && Date.parse(r.lease_until) > now;
        if (held && !isDead(r.lease_owner!)) return r.lease_owner!;
        this.db.prepare(`UPDATE syncs SET lease_owner = ?, lease_until = ? WHERE seq = ?`).run(owner, new Date(now + ttlMs).toISOString(), seq);
        return undefined;
      })
      .immediate();
  }

  renewLease(seq: number, owner: string, ttlMs: number): boolean {
    return this.db.prepare(`UPDATE syncs SET lease_until = ? WHERE seq = ? AND lease_owner = ?`).run(new Date(Date.now() + ttlMs).toISOString(), seq, owner).changes > 0;
  }

  releaseLease(seq: number, owner: string): void {
    this.db.prepare(`UPDATE syncs SET lease_owner = NULL, lease_until = NULL WHERE seq = ? AND lease_owner = ?`).run(seq, owner);
  }

  setLastRun(seq: number, runId: string): void {
    this.db.prepare(`UPDATE syncs SET last_run_id = ?, updated_at = ? WHERE seq = ?`).run(runId, new Date().toISOString(), seq);
  }

  // --- the queue ---------------------------------------------------------------------

  /**
   * Appends changes durably (one transaction): when this returns, they survive a crash.
   * Returns their ids in the entries' order; undefined in the case where that order is not
   * known (SQLite picks random rowids once the greatest one is 2^63 - 1).
   */
  enqueue(seq: number, runId: string | undefined, entries: readonly QueueEntryInput[]): number[] | undefined {
    if (entries.length === 0) return [];
    return this.db
      .transaction(() => {
        const runSeq = runId === undefined ? null : this.runs.seq(runId);
        const ids: number[] = [];
        let known = true;
        let i = 0;
        const params: unknown[] = [];
        for (; i + CHUNK <= entries.length; i += CHUNK) {
          params.length = 0;
          for (let k = i; k < i + CHUNK; k++) pushEntry(params, seq, runSeq, entries[k]);
          // RETURNING's order is not promised, but new rowids are the greatest one + 1, in
          // insertion order: consecutive ids, sorted, are the rows' in order.
          const got = (this.insertQueueChunk.all(params) as number[]).sort((a, b) => a - b);
          if (got[CHUNK - 1] - got[0] !== CHUNK - 1) known = false;
          ids.push(...got);
        }
        for (; i < entries.length; i++) {
          params.length = 0;
          pushEntry(params, seq, runSeq, entries[i]);
          ids.push(this.insertQueueOne.get(params) as number);
        }
        return known ? ids : undefined;
      })
      .immediate();
  }

  /** Pending changes in queue order, after `afterId`. */
  pending(seq: number, afterId: number, limit: number): QueueEntry[] {
    const rows = this.db
      .prepare(
        `SELECT q.id, q.op, q.key, q.row, q.hash, r.id AS run_id FROM sync_queue q LEFT JOIN runs r ON r.seq = q.run_seq
         WHERE q.sync_seq = ? AND q.confirmed_at IS NULL AND q.op IN ('upsert', 'delete') AND q.id > ? ORDER BY q.id LIMIT ?`,
      )
      .all(seq, afterId, limit) as Array<{ id: number; op: SyncOp; key: string; row: Buffer | null; hash: string | null; run_id: string | null }>;
    return rows.map((r) => {
      const e: QueueEntry = { id: r.id, op: r.op, key: r.key };
      if (r.row !== null) e.row = r.row;
      if (r.hash !== null) e.hash = r.hash;
      if (r.run_id !== null) e.runId = r.run_id;
      return e;
    });
  }

  pendingCount(seq: number): number {
    return this.db.prepare(`SELECT count(*) FROM sync_queue WHERE sync_seq = ? AND confirmed_at IS NULL AND op IN ('upsert', 'delete')`).pluck().get(seq) as number;
  }

  /**
   * Marks a batch confirmed (the target has committed it): the pending changes from id
   * `first` to id `last` (a run of pending()'s result), and records the hashes the target now
   * holds for their keys, in one transaction: a crash leaves either all of a batch pending
   * (it is applied again, harmlessly) or all of it confirmed.
   */
  confirm(seq: number, batch: { first: number; last: number }, base?: ReadonlyArray<{ key: string; hash: string | null }>): void {
    this.db
      .transaction(() => {
        const now = new Date().toISOString();
        this.confirmBatch.run(now, seq, batch.first, batch.last);
        for (const b of base ?? []) {
          if (b.hash === null) this.deleteBase.run(seq, b.key);
          else this.upsertBase.run(seq, b.key, b.hash);
        }
      })
      .immediate();
  }

  /**
   * Settles a run's tentative deletes once it has read everything: those of `held` keys (rows
   * the sync's pipeline rejected, missing from its output but not from the source) are
   * marked 'held' and never applied; the others become deletes. One transaction.
   */
  settleTentative(seq: number, runId: string, held: readonly string[]): { held: number; deletes: number } {
    return this.db
      .transaction(() => {
        const runSeq = this.runs.seq(runId);
        const hold = this.db.prepare(`UPDATE sync_queue SET op = 'held', confirmed_at = ? WHERE sync_seq = ? AND run_seq = ? AND key = ? AND op = 'tentative-delete'`);
        const now = new Date().toISOString();
        let h = 0;
        for (const k of held) h += hold.run(now, seq, runSeq, k).changes;
        const d = this.db.prepare(`UPDATE sync_queue SET op = 'delete' WHERE sync_seq = ? AND run_seq = ? AND op = 'tentative-delete'`).run(seq, runSeq).changes;
        return { held: h, deletes: d };
      })
      .immediate();
  }

  /** Drops tentative deletes a run left behind (it died before it had read everything); returns how many. */
  discardTentative(seq: number): number {
    return this.db.prepare(`DELETE FROM sync_queue WHERE sync_seq = ? AND op = 'tentative-delete'`).run(seq).changes;
  }

  /** Drops confirmed changes of runs before `keepRunId` (the last run's changes stay for inspection). */
  pruneConfirmed(seq: number, keepRunId: string): number {
    const keep = this.runs.seq(keepRunId);
    return this.db.prepare(`DELETE FROM sync_queue WHERE sync_seq = ? AND confirmed_at IS NOT NULL AND (run_seq IS NULL OR run_seq < ?)`).run(seq, keep).changes;
  }

  /** What the queue did in a run: counts per operation and state. */
  queueSummary(seq: number, runId: string): Array<{ op: string; confirmed: boolean; count: number }> {
    const rows = this.db
      .prepare(
        `SELECT op, confirmed_at IS NOT NULL AS confirmed, count(*) AS count FROM sync_queue
         WHERE sync_seq = ? AND run_seq = (SELECT seq FROM runs WHERE id = ?) GROUP BY op, confirmed ORDER BY op, confirmed`,
      )
      .all(seq, runId) as Array<{ op: string; confirmed: number; count: number }>;
    return rows.map((r) => ({ op: r.op, confirmed: r.confirmed === 1, count: r.count }));
  }

  // --- base hashes -------------------------------------------------------------------

  baseHashes(seq: number, keys: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    const stmt = this.db.prepare(`SELECT key, hash FROM sync_base WHERE sync_seq = ? AND key IN (SELECT value FROM json_each(?))`);
    for (let i = 0; i < keys.length; i += 500) {
      for (const r of stmt.all(seq, JSON.stringify(keys.slice(i, i + 500))) as Array<{ key: string; hash: string }>) out.set(r.key, r.hash);
    }
    return out;
  }

  baseCount(seq: number): number {
    return this.db.prepare(`SELECT count(*) FROM sync_base WHERE sync_seq = ?`).pluck().get(seq) as number;
  }

  // --- high-water marks --------------------------------------------------------------

  /** The cursor value (and the rows at it) a run reached, kept until its changes are confirmed. */
  setPendingHighWater(seq: number, value: string, boundary: readonly BoundaryEntry[]): void {
    this.db
      .transaction(() => {
        this.db.prepare(`DELETE FROM sync_boundary WHERE sync_seq = ? AND pending = 1`).run(seq);
        const ins = this.db.prepare(`INSERT OR REPLACE INTO sync_boundary (sync_seq, pending, key, hash) VALUES (?, 1, ?, ?)`);
        for (const b of boundary) ins.run(seq, b.key, b.hash);
        this.db.prepare(`UPDATE syncs SET pending_high_water = ?, updated_at = ? WHERE seq = ?`).run(value, new Date().toISOString(), seq);
      })
      .immediate();
  }

  /**
   * Makes the pending high-water mark the confirmed one. Called once every change found up
   * to it is confirmed, so a crash before this re-reads those rows (and finds them synced).
   */
  promoteHighWater(seq: number): boolean {
    return this.db
      .transaction(() => {
        const r = this.db.prepare(`SELECT pending_high_water FROM syncs WHERE seq = ?`).pluck().get(seq) as string | null;
        if (r === null) return false;
        this.db.prepare(`DELETE FROM sync_boundary WHERE sync_seq = ? AND pending = 0`).run(seq);
        this.db.prepare(`UPDATE sync_boundary SET pending = 0 WHERE sync_seq = ? AND pending = 1`).run(seq);
        this.db.prepare(`UPDATE syncs SET high_water = pending_high_water, pending_high_water = NULL, updated_at = ? WHERE seq = ?`).run(new Date().toISOString(), seq);
        return true;
      })
      .immediate();
  }

  /** Keys (with hashes) already synced at exactly the confirmed high-water mark. */
  boundary(seq: number): Map<string, string> {
    const rows = this.db.prepare(`SELECT key, hash FROM sync_boundary WHERE sync_seq = ? AND pending = 0`).all(seq) as BoundaryEntry[];
    return new Map(rows.map((r) => [r.key, r.hash]));
  }
}

function pushEntry(params: unknown[], seq: number, runSeq: number | null, e: QueueEntryInput): void {
  // better-sqlite3 binds a Buffer as a BLOB (a plain Uint8Array is refused).
  const row = e.row === undefined ? null : Buffer.isBuffer(e.row) ? e.row : Buffer.from(e.row.buffer, e.row.byteOffset, e.row.byteLength);
  params.push(seq, runSeq, e.op, e.key, row, e.hash ?? null);
}

function toState(r: SyncRow): SyncState {
  const s: SyncState = { seq: r.seq, id: r.id, fingerprint: r.fingerprint, mode: r.mode, createdAt: r.created_at, updatedAt: r.updated_at };
  if (r.high_water !== null) s.highWater = r.high_water;
  if (r.pending_high_water !== null) s.pendingHighWater = r.pending_high_water;
  if (r.lease_owner !== null) s.leaseOwner = r.lease_owner;
  if (r.lease_until !== null) s.leaseUntil = r.lease_until;
  if (r.last_run_id !== null) s.lastRunId = r.last_run_id;
  return s;
}
