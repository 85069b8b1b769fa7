import type { Column, Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import type { QueueEntry, WorkbenchStore } from '../../store';
import { decodeRow } from './codec';
import type { QueuedChange, QueueTail } from './queue-tail';
import { deleteByKeys, keyParams, keysPerStatement } from './sql';
import type { TableSide } from './tables';

/**
 * Applying the queue to the target: pending changes in queue order, a batch at a time.
 * Each batch is written (upserts through the connector's upsert, in one transaction;
 * deletes by key) and committed on the target, and only then marked confirmed in the
 * store. Both operations are idempotent — an upsert of a row the target already holds
 * changes nothing, a delete of a missing key deletes nothing — so a crash after the
 * target committed but before the store confirmed only means the batch is applied again
 * by the next run: nothing lost, nothing twice. A key met twice in one batch (a row
 * changed and then deleted while the sync read) is applied once, as last seen.
 */

export interface ApplyContext {
  store: WorkbenchStore;
  seq: number;
  target: TableSide;
  /** The synced columns (the schema of queued rows), with the key. */
  schema: Schema;
  key: readonly Column[];
  create: boolean;
  batchSize: number;
  /** Keep base hashes (the conflict policies other than source-wins need them). */
  trackBase: boolean;
  signal?: AbortSignal;
  /** After each confirmed batch. */
  onBatch?: (done: { upserts: number; deletes: number }) => void;
  /** After each confirmed batch: its rows (deletes: key values only), and the id of the transaction that wrote the upserts (PostgreSQL). */
  onApplied?: (batch: { upserts: readonly Row[]; deletes: readonly Row[]; transactionId?: string }) => void;
  /** This run's queued changes in memory: taken instead of the store's copy when they are all that is pending. */
  tail?: QueueTail;
}

export interface ApplyResult {
  upserts: number;
  deletes: number;
  batches: number;
  cancelled: boolean;
}

export async function applyPending(ctx: ApplyContext): Promise<ApplyResult> {
  const result: ApplyResult = { upserts: 0, deletes: 0, batches: 0, cancelled: false };
  const inMemory = ctx.tail?.changes(ctx.store.syncs.pendingCount(ctx.seq));
  let after = 0;
  // The next batch: from memory, or read back from the store (as pending() orders and cuts them).
  const next = (): QueuedChange[] => {
    if (inMemory) return inMemory.slice(result.batches * ctx.batchSize, (result.batches + 1) * ctx.batchSize);
    return ctx.store.syncs.pending(ctx.seq, after, ctx.batchSize).map(decoded);
  };
  for (;;) {
    if (ctx.signal?.aborted) {
      result.cancelled = true;
      return result;
    }
    const entries = next();
    if (entries.length === 0) return result;
    const last = new Map<string, QueuedChange>();
    for (const e of entries) {
      last.delete(e.key);
      last.set(e.key, e);
    }
    const upserts: Row[] = [];
    const deletes: Row[] = [];
    for (const e of last.values()) (e.op === 'upsert' ? upserts : deletes).push(e.row);
    if (deletes.length > 0) await deleteKeys(ctx.target, ctx.key, deletes);
    const transactionId = upserts.length > 0 ? await upsertRows(ctx, upserts) : undefined;
    // The target has committed: now, and only now, the batch is confirmed.
    const base = ctx.trackBase ? [...last.values()].map((e) => ({ key: e.key, hash: e.op === 'upsert' ? (e.hash ?? null) : null })) : undefined;
    ctx.store.syncs.confirm(ctx.seq, { first: entries[0].id, last: entries[entries.length - 1].id }, base);
    result.upserts += upserts.length;
    result.deletes += deletes.length;
    result.batches++;
    ctx.onBatch?.({ upserts: upserts.length, deletes: deletes.length });
    ctx.onApplied?.({ upserts, deletes, transactionId });
    after = entries[entries.length - 1].id;
  }
}

function decoded(e: QueueEntry): QueuedChange {
  if (!e.row) throw new Error(`the sync queue entry ${e.id} has no row`);
  if (e.op !== 'upsert' && e.op !== 'delete') throw new Error(`the sync queue entry ${e.id} is a '${e.op}', not a change to apply`);
  return { id: e.id, op: e.op, key: e.key, hash: e.hash, row: decodeRow(e.row) };
}

/** Upserts in one transaction; its id where the connector tells it. */
async function upsertRows(ctx: ApplyContext, rows: Row[]): Promise<string | undefined> {
  const t = ctx.target.table;
  const writer = await ctx.target.conn.write({
    table: t.schema ? { name: t.name, schema: t.schema } : t.name,
    schema: ctx.schema,
    mode: 'upsert',
    key: ctx.key.map((k) => k.name),
    create: ctx.create,
  });
  try {
    for (let i = 0; i < rows.length; i += 4096) await writer.write(rows.slice(i, i + 4096));
    return (await writer.commit()).transactionId;
  } catch (e) {
    await writer.abort().catch(() => {});
    throw e;
  }
}

/** Deletes by key, a statement per few hundred keys (each one atomic; repeating one is harmless). */
export async function deleteKeys(side: TableSide, key: readonly Column[], keys: readonly Row[]): Promise<number> {
  const execute = side.conn.execute?.bind(side.conn);
  if (!execute) throw new Error(`${side.label}: this connection cannot run SQL statements, so the sync cannot delete from it`);
  const per = keysPerStatement(key.length);
  let n = 0;
  for (let i = 0; i < keys.length; i += per) {
    const part = keys.slice(i, i + per);
    n += await execute(deleteByKeys(side.table, key, part.length, side.dialect), keyParams(part));
  }
  return n;
}
