import { castValue } from '../../expr/cast';
import type { RunRecorder } from '../../engine/run';
import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { compareValues, toJsonValue, type Row, type Value } from '../../model/values';
import type { NodeStats } from '../../engine/run';
import type { BoundaryEntry, QueueEntryInput, WorkbenchStore } from '../../store';
import { hashText, keyText, rowEquality, rowHasher } from './canonical';
import { encodeRows } from './codec';
import type { QueueTail } from './queue-tail';
import { classify, type Conflict } from './conflicts';
import type { SyncDocument } from './definition';
import { fullDiff, keysOnlyInTarget, type DiffCounts, type RowChange } from './diff';
import { orderedRows, rowsByKeys, rowsSince, type TableSide } from './tables';
import type { TransformPlan } from './transform';
import { hashedDiff, readSide, sideWorkerFile, type HashedBatch } from './side-reader';
import { HASH_SETTINGS, pushdownPlan, type PushdownPlan } from './pushdown';
import { fillChanges, HASH_BATCH, keyHashBatches, mergeKeyHashes, type ChangeKeys } from './pg-diff';
import { openRowVersions, type AppliedWrites } from './detect-row-versions';
import { RunConnections, type Env } from '../../engine/connections';
import type { Logger } from '../../nodes/types';

/**
 * Finding the changes (the "source -> sync -> queue" half of a run): a full diff or an
 * incremental read, each change classified by the conflict policy and appended to the
 * durable queue in the store, chunk by chunk. Nothing here touches the target.
 */

export interface DetectCounts extends DiffCounts {
  inserts: number;
  updates: number;
  deletes: number;
  conflicts: number;
}

export interface DetectContext {
  doc: SyncDocument;
  store: WorkbenchStore;
  seq: number;
  runId: string;
  source: TableSide;
  target: TableSide;
  targetExists: boolean;
  /** The columns read from the source. */
  input: Schema;
  /** The columns that reach the target (= input without a transform). */
  output: Schema;
  keyNames: readonly string[];
  plan?: TransformPlan;
  counts: DetectCounts;
  signal?: AbortSignal;
  env?: Env;
  /** The definition's folder (the side readers open their connections from it). */
  baseDir: string;
  log: Logger;
  /** Hash every row even where the row-version cache could be used (and record it afresh). */
  rehash?: boolean;
  /** Where queued changes are kept in memory for the apply as well. */
  tail?: QueueTail;
  /** The host's own store work, done once while the databases scan and this thread would wait (where a diff has such a wait); it must not throw. */
  whileScanning?: () => void;
}

export interface DetectResult {
  /** Keys (canonical text) of rows the transform rejected: a delete of them is held back. */
  held: Set<string>;
  nodes: NodeStats[];
  rejected: number;
  /** Incremental: the cursor value reached and the rows at it. */
  mark?: { value: Value; boundary: BoundaryEntry[] };
  /** Full diff with the cache: where the apply's writes to the target are recorded (row-versions.ts). */
  applied?: AppliedWrites;
}

const READ_BATCH = 8192;
/**
 * Rows per batch of a side reader: small, so that the rows a worker keeps until the merge
 * has compared them die young (kept longer they are promoted, and the old generation's
 * collections cost more than the reading).
 */
const SIDE_BATCH = 2048;
/**
 * Rows at the high-water mark remembered with it. Beyond this many (a bulk load sharing one
 * timestamp) none are: the next run compares those rows with the target instead, which is
 * as exact, only slower.
 */
const BOUNDARY_CAP = 10_000;

function indexes(schema: Schema, names: readonly string[]): number[] {
  return names.map((n) => schema.columns.findIndex((c) => c.name === n));
}

function columnsOf(schema: Schema, names: readonly string[]): Column[] {
  return names.map((n) => schema.columns.find((c) => c.name === n)!);
}

/** How a cursor value is kept in the store: JSON, cast back to the column's type when read. */
export function encodeMark(v: Value): string {
  return JSON.stringify(toJsonValue(v));
}

export function decodeMark(text: string, t: LogicalType): Value {
  return castValue(JSON.parse(text) as Value, t);
}

/**
 * The recorder the transform's engine run uses: node statistics and rejected rows go under
 * the sync's run; the run itself is the sync's to start and finish. The keys of rejected
 * rows are collected: such a row is missing from the transform's output, and must not be
 * taken for a row deleted from the source.
 */
function transformRecorder(ctx: DetectContext, held: Set<string>): RunRecorder {
  const keyTypes = ctx.keyNames.map((n) => ctx.output.columns.find((c) => c.name === n)!.type);
  const keyIdx = keyTypes.map((_, i) => i);
  return {
    startRun: () => ctx.runId,
    finishRun: () => {},
    recordNodeStats: (_id, stats) => ctx.store.recordNodeStats(ctx.runId, stats),
    addRejectedRows: (_id, rows) => {
      ctx.store.addRejectedRows(ctx.runId, rows);
      for (const r of rows) {
        if (r.severity === 'warning') continue;
        try {
          const key = ctx.keyNames.map((n, i) => {
            const raw = r.row[n];
            if (raw === undefined) throw new Error(`no key column '${n}'`);
            if (raw === null) return null;
            return keyTypes[i].kind === 'bytes' && typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'base64')) : castValue(raw as Value, keyTypes[i]);
          });
          held.add(keyText(key, keyIdx, keyTypes));
        } catch (e) {
          ctx.log.warn(`a rejected row's key could not be read (${(e as Error).message}): if its row is on the target, this run may delete it`, { node: r.nodeId });
        }
      }
    },
  };
}

/** Appends classified changes to the queue; reports conflicts as the policy says. */
class Enqueuer {
  private readonly keyIdx: number[];
  private readonly types: LogicalType[];

  constructor(private readonly ctx: DetectContext) {
    this.keyIdx = indexes(ctx.output, ctx.keyNames);
    this.types = ctx.output.columns.map((c) => c.type);
  }

  keyText = (row: Row): string => keyText(row, this.keyIdx, this.types);

  keyValues(row: Row): Row {
    return this.keyIdx.map((i) => row[i]);
  }

  add(changes: readonly RowChange[]): void {
    if (changes.length === 0) return;
    const { ctx } = this;
    const policy = ctx.doc.conflicts;
    const base = policy === 'source-wins' ? undefined : ctx.store.syncs.baseHashes(
            ctx.seq,
            changes.map((c) => this.keyText(c.row)),
          );
    const { apply, conflicts } = classify(changes, this.keyText, policy, base ?? new Map(), hashText);
    const values = apply.map((c) => (c.kind === 'delete' ? this.keyValues(c.row) : c.row));
    const rows = encodeRows(values);
    // The row's hash is kept only for the policies that compare with it (as the apply's base hashes).
    const withHash = policy !== 'source-wins';
    const entries: QueueEntryInput[] = apply.map((c, i) =>
      c.kind === 'delete'
        ? { op: 'tentative-delete', key: this.keyText(c.row), row: rows[i] }
        : { op: 'upsert', key: this.keyText(c.row), row: rows[i], ...(withHash && { hash: hashText(c.hash!) }) },
    );
    ctx.tail?.add(ctx.store.syncs.enqueue(ctx.seq, ctx.runId, entries), entries, values);
    for (const c of apply) {
      if (c.kind === 'insert') ctx.counts.inserts++;
      else if (c.kind === 'update') ctx.counts.updates++;
      else ctx.counts.deletes++;
    }
    if (conflicts.length > 0) this.report(conflicts);
  }

  private report(conflicts: Conflict[]): void {
    const { ctx } = this;
    ctx.counts.conflicts += conflicts.length;
    const skip = ctx.doc.conflicts === 'skip';
    ctx.store.addRejectedRows(
      ctx.runId,
      conflicts.map((c) => {
        const row: Record<string, unknown> = {};
        ctx.output.columns.forEach((col, i) => (row[col.name] = c.change.row[i] === undefined ? null : toJsonValue(c.change.row[i])));
        return {
          nodeId: 'sync',
          rule: 'conflict',
          message: `${c.change.kind} of key ${this.keyText(c.change.row)}: ${c.reason} (${skip ? 'skipped' : 'the target wins'})`,
          rowKey: this.keyText(c.change.row),
          row,
          severity: skip ? ('error' as const) : ('warning' as const),
        };
      }),
    );
  }
}

async function* emptyRows(): AsyncGenerator<Row[]> {}

async function* noBatches(): AsyncGenerator<HashedBatch> {}

/** Full diff without a transform: each side read and hashed in a worker thread of its own. */
async function detectFullParallel(ctx: DetectContext, file: string): Promise<DetectResult> {
  const q = new Enqueuer(ctx);
  const env = plainEnv(ctx);
  const common = { connections: ctx.doc.connections ?? {}, baseDir: ctx.baseDir, env, batchSize: SIDE_BATCH };
  const side = (connection: string, table: TableSide, schema: Schema) => ({
    ...common,
    connection,
    table: table.table,
    columns: schema.columns,
    key: columnsOf(schema, ctx.keyNames),
    keyIdx: indexes(schema, ctx.keyNames),
  });
  const source = readSide(file, side(ctx.doc.source.connection, ctx.source, ctx.input), ctx.signal);
  const target = ctx.targetExists ? readSide(file, side(ctx.doc.target.connection, ctx.target, ctx.output), ctx.signal) : undefined;
  try {
    const diff = hashedDiff(source.batches, target ? target.batches : noBatches(), {
      deletes: ctx.doc.deletes === 'propagate',
      chunk: ctx.doc.batchSize,
      counts: ctx.counts,
      signal: ctx.signal,
    });
    for await (const changes of diff) q.add(changes);
  } finally {
    await Promise.allSettled([source.close(), target?.close()]);
  }
  return { held: new Set(), nodes: [], rejected: 0 };
}

function plainEnv(ctx: DetectContext): Record<string, string> | undefined {
  if (!ctx.env) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * Changes whose rows are fetched together. Smaller than an apply batch: the last chunk's
 * fetch waits for the end of the merge, and all the others run while it goes on.
 */
const FETCH_CHUNK = 1000;

/**
 * Full diff on hashes computed in PostgreSQL (pushdown.ts, pg-diff.ts), in this thread:
 * the databases hash, here the pairs are merged and the changes' rows fetched, one chunk's
 * fetch running while the merge goes on to the next. With the cache, only the keys the
 * key-range summaries name are compared (key-ranges.ts).
 */
async function detectPushdown(ctx: DetectContext, plan: PushdownPlan): Promise<DetectResult> {
  const q = new Enqueuer(ctx);
  // Where both sides are ordinary tables, the cache (row-versions.ts) spares reading
  // every row when the last run's keys and transaction ids can be used.
  const versions = await openRowVersions(ctx, plan);
  // The streams get connections of their own: a pool of one could not hold both streams
  // and the fetches by key (which go through the run's connections).
  const own = () => new RunConnections(ctx.doc.connections ?? {}, { baseDir: ctx.baseDir, env: ctx.env, signal: ctx.signal });
  const streams = [own(), own()];
  let committed = false;
  let applied: AppliedWrites | undefined;
  try {
    const [sc, tc] = await Promise.all([streams[0].open(ctx.doc.source.connection), streams[1].open(ctx.doc.target.connection)]);
    if (!sc.copyOut || !tc.copyOut) throw new Error('a connection cannot stream binary COPY');
    const mergeOpts = { deletes: ctx.doc.deletes === 'propagate', chunk: Math.min(ctx.doc.batchSize, FETCH_CHUNK), counts: ctx.counts, signal: ctx.signal };
    const copy = (c: typeof sc, sql: string) => c.copyOut!(sql, { signal: ctx.signal, settings: HASH_SETTINGS });
    const [sKey] = columnsOf(ctx.input, ctx.keyNames);
    const [tKey] = columnsOf(ctx.output, ctx.keyNames);
    const [keyIdx] = indexes(ctx.output, ctx.keyNames);
    const sFetch = { side: ctx.source, columns: ctx.input.columns, key: sKey };
    const tFetch = { side: ctx.target, columns: ctx.output.columns, key: tKey };
    const fromSummaries = versions ? await versions.summaries(sc, tc, mergeOpts, sFetch) : undefined;
    const merge: AsyncGenerator<ChangeKeys> =
      fromSummaries?.changes ??
      (versions
        ? versions.hashMerge(copy(sc, plan.source), copy(tc, plan.target), mergeOpts)
        : mergeKeyHashes(keyHashBatches(copy(sc, plan.source), HASH_BATCH, ctx.source.label), keyHashBatches(copy(tc, plan.target), HASH_BATCH, ctx.target.label), mergeOpts));
    const same = rowEquality(ctx.output.columns.map((c) => c.type));
    // Each chunk is queued as soon as its rows are in (in merge order), while the merge,
    // which mostly waits for the databases, goes on; at most two chunks are being fetched.
    let queued: Promise<void> = Promise.resolve();
    try {
      for await (const keys of merge) {
        const filled = fillChanges(keys, sFetch, tFetch, same, keyIdx, ctx.output.columns.length, ctx.signal, fromSummaries?.sourceRead);
        filled.catch(() => {}); // awaited in the chain; failing before it gets there is no unhandled rejection
        // The chunk before this one is queued (or failing) first: two fetches at most.
        await queued;
        queued = queued.then(async () => q.add(await filled));
        // Awaited at the next chunk or below; failing while the merge waits for the databases
        // is no unhandled rejection (which would end the process, not report the failure).
        queued.catch(() => {});
      }
      await queued;
      applied = versions?.commit();
      committed = true;
    } finally {
      // A failure of the merge leaves no fetch or insert running behind it.
      await queued.catch(() => {});
    }
  } finally {
    if (versions && !committed) versions.abandon();
    await Promise.allSettled(streams.map((s) => s.closeAll()));
  }
  return { held: new Set(), nodes: [], rejected: 0, applied };
}

/**
 * Hashes computed in PostgreSQL when both sides allow it (pushdown.ts); conflict policies
 * other than source-wins compare canonical hashes of every row with the base, so they read rows.
 */
async function pushdown(ctx: DetectContext): Promise<PushdownPlan | undefined> {
  if (!ctx.targetExists || ctx.doc.conflicts !== 'source-wins' || ctx.source.dialect !== 'postgres' || ctx.target.dialect !== 'postgres') return undefined;
  const plan = await pushdownPlan(ctx.source, ctx.target, ctx.input.columns, ctx.output.columns, ctx.keyNames);
  if ('reason' in plan) {
    ctx.log.info(`full diff: rows hashed here, not in PostgreSQL (${plan.reason})`);
    return undefined;
  }
  ctx.log.info('full diff: row hashes computed in PostgreSQL on both sides; changed rows fetched by key');
  return plan;
}

/** Full diff: source (through the transform) and target merged in key order. */
export async function detectFull(ctx: DetectContext): Promise<DetectResult> {
  if (!ctx.plan) {
    const plan = await pushdown(ctx);
    if (plan) return detectPushdown(ctx, plan);
  }
  // Without a transform, both sides can be read and hashed in parallel (side-reader.ts).
  const file = ctx.plan ? undefined : sideWorkerFile();
  if (file) return detectFullParallel(ctx, file);
  const held = new Set<string>();
  const q = new Enqueuer(ctx);
  const inKey = columnsOf(ctx.input, ctx.keyNames);
  const outKey = columnsOf(ctx.output, ctx.keyNames);
  const source = await orderedRows(ctx.source, ctx.input.columns, inKey, { signal: ctx.signal, batchSize: READ_BATCH });
  const transform = ctx.plan ? (await import('./transform')).runTransform(ctx.plan, source, ctx.input, { recorder: transformRecorder(ctx, held), logger: ctx.log, env: ctx.env, signal: ctx.signal }) : undefined;
  try {
    const target = ctx.targetExists ? await orderedRows(ctx.target, ctx.output.columns, outKey, { signal: ctx.signal, batchSize: READ_BATCH }) : emptyRows();
    const diff = fullDiff(transform ? transform.rows : source, target, {
      keyIdx: indexes(ctx.output, ctx.keyNames),
      hash: rowHasher(ctx.output.columns.map((c) => c.type)),
      deletes: ctx.doc.deletes === 'propagate',
      chunk: ctx.doc.batchSize,
      counts: ctx.counts,
      signal: ctx.signal,
    });
    for await (const changes of diff) q.add(changes);
  } catch (e) {
    transform?.cancel();
    throw e;
  }
  const r = transform ? await transform.done : undefined;
  return { held, nodes: r?.nodes ?? [], rejected: r?.rejected ?? 0 };
}

/**
 * Incremental: rows whose cursor reached the high-water mark, in cursor order. Rows at
 * exactly the mark that were synced before (their key and hash are in the boundary) are
 * skipped; the others go through the transform and are compared with the target's rows of
 * the same keys (a row already equal is not queued). Deletes, which no cursor shows, are
 * found by a scan of the keys of both tables.
 */
export async function detectIncremental(ctx: DetectContext, mark: Value | undefined, boundary: ReadonlyMap<string, string>): Promise<DetectResult> {
  const held = new Set<string>();
  const q = new Enqueuer(ctx);
  const cursorName = ctx.doc.cursor!;
  const cursor = ctx.input.columns.find((c) => c.name === cursorName)!;
  const cursorIdx = ctx.input.columns.indexOf(cursor);
  const inKeyIdx = indexes(ctx.input, ctx.keyNames);
  const inTypes = ctx.input.columns.map((c) => c.type);
  const sourceHash = rowHasher(inTypes);
  const inKey = columnsOf(ctx.input, ctx.keyNames);
  const outKey = columnsOf(ctx.output, ctx.keyNames);
  const outKeyIdx = indexes(ctx.output, ctx.keyNames);
  const outHash = rowHasher(ctx.output.columns.map((c) => c.type));

  let max: Value | undefined = mark;
  let atMax: BoundaryEntry[] = [];
  let overflow = false;
  const changed = await rowsSince(ctx.source, ctx.input.columns, cursor, inKey, mark, { signal: ctx.signal, batchSize: READ_BATCH });
  const counts = ctx.counts;
  // Source rows past the boundary, with the new mark tracked on the way.
  async function* fresh(): AsyncGenerator<Row[]> {
    for await (const rows of changed) {
      const keep: Row[] = [];
      for (const r of rows) {
        counts.sourceRows++;
        const c = r[cursorIdx];
        const k = keyText(r, inKeyIdx, inTypes);
        const h = hashText(sourceHash(r));
        if (max === undefined || compareValues(c, max) > 0) {
          max = c;
          atMax = [];
          overflow = false;
        }
        if (!overflow) {
          atMax.push({ key: k, hash: h });
          if (atMax.length > BOUNDARY_CAP) {
            atMax = [];
            overflow = true;
          }
        }
        if (mark !== undefined && compareValues(c, mark) === 0 && boundary.get(k) === h) continue;
        keep.push(r);
      }
      if (keep.length > 0) yield keep;
    }
  }
  const transform = ctx.plan ? (await import('./transform')).runTransform(ctx.plan, fresh(), ctx.input, { recorder: transformRecorder(ctx, held), logger: ctx.log, env: ctx.env, signal: ctx.signal }) : undefined;
  try {
    for await (const rows of transform ? transform.rows : fresh()) {
      ctx.signal?.throwIfAborted();
      const targetRows = ctx.targetExists
        ? await rowsByKeys(
            ctx.target,
            ctx.output.columns,
            outKey,
            rows.map((r) => outKeyIdx.map((i) => r[i])),
            { signal: ctx.signal },
          )
        : [];
      const onTarget = new Map<string, number>();
      for (const t of targetRows) onTarget.set(q.keyText(t), outHash(t));
      counts.targetRows += targetRows.length;
      const changes: RowChange[] = [];
      for (const r of rows) {
        const h = outHash(r);
        const th = onTarget.get(q.keyText(r));
        if (th === h) continue;
        changes.push(th === undefined ? { kind: 'insert', row: r, hash: h } : { kind: 'update', row: r, hash: h, targetHash: th });
      }
      for (let i = 0; i < changes.length; i += ctx.doc.batchSize) q.add(changes.slice(i, i + ctx.doc.batchSize));
    }
  } catch (e) {
    transform?.cancel();
    throw e;
  }
  const r = transform ? await transform.done : undefined;

  if (ctx.doc.deletes === 'propagate' && ctx.targetExists) {
    const scanCounts: DiffCounts = { sourceRows: 0, targetRows: 0 };
    const sourceKeys = await orderedRows(ctx.source, inKey, inKey, { signal: ctx.signal, batchSize: READ_BATCH });
    const targetKeys = await orderedRows(ctx.target, outKey, outKey, { signal: ctx.signal, batchSize: READ_BATCH });
    const trackBase = ctx.doc.conflicts !== 'source-wins';
    for await (const keys of keysOnlyInTarget(sourceKeys, targetKeys, { keyWidth: outKey.length, chunk: ctx.doc.batchSize, counts: scanCounts, signal: ctx.signal })) {
      // The conflict policies compare the target row with what the sync last wrote: fetch it.
      const rows = trackBase
        ? await rowsByKeys(ctx.target, ctx.output.columns, outKey, keys, { signal: ctx.signal })
        : keys.map((k) => {
            const row: Row = new Array<Value>(ctx.output.columns.length).fill(null);
            outKeyIdx.forEach((i, j) => (row[i] = k[j]));
            return row;
          });
      q.add(rows.map((row) => ({ kind: 'delete', row, targetHash: trackBase ? outHash(row) : undefined })));
    }
  }
  return { held, nodes: r?.nodes ?? [], rejected: r?.rejected ?? 0, mark: max === undefined ? undefined : { value: max, boundary: atMax } };
}
