import { RunConnections, type Env } from '../../engine/connections';
import type { NodeStats } from '../../engine/run';
import type { Problem } from '../../model/problems';
import type { Column, Schema } from '../../model/schema';
import { formatType } from '../../model/types';
import type { Logger } from '../../nodes/types';
import type { WorkbenchStore } from '../../store';
import { applyPending } from './apply';
import { QueueTail } from './queue-tail';
import { syncFingerprint, type SyncDocument } from './definition';
import { decodeMark, detectFull, detectIncremental, encodeMark, type DetectContext, type DetectCounts, type DetectResult } from './detect';
import { acquireLease, sweepOrphans, type Lease } from './lease';
import { sideOf, tableExists, tableSchema } from './tables';
import type { TransformPlan } from './transform';

/**
 * One run of a sync: source -> sync -> queue -> target -> confirm.
 *
 *  1. Plan: the columns read, the transform (if any), the key; the sync's state in the store
 *     (a changed definition starts afresh); the lease (one run of a sync at a time).
 *  2. Recover: changes an earlier run queued but did not confirm (it crashed or was
 *     cancelled) are applied first — again, harmlessly, if the target had committed them.
 *  3. Detect: the full diff or the incremental read appends every change to the queue in
 *     the store (durable before anything touches the target).
 *  4. Apply: queued changes are applied to the target batch by batch and each batch marked
 *     confirmed once the target committed it (apply.ts).
 *  5. An incremental sync's high-water mark moves only when all it covers is confirmed.
 * Any step may be killed: the next run picks up from the queue and the confirmed mark.
 */

export type SyncCounts = DetectCounts & {
  mode: 'incremental' | 'full';
  phase: 'recover' | 'detect' | 'apply' | 'done';
  applied: number;
  recovered: number;
};

export interface SyncProgress {
  runId: string;
  elapsedMs: number;
  nodes: NodeStats[];
  rowsRead: number;
  rowsPerSecond: number;
  sync: SyncCounts;
}

export interface SyncResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  durationMs: number;
  nodes: NodeStats[];
  /** Source rows read. */
  rowsRead: number;
  /** Changes applied to the target (inserts, updates and deletes). */
  rowsWritten: number;
  rejected: number;
  sync: SyncCounts;
  details: SyncCounts;
  /** When the definition could not run as it is: every problem. */
  problems?: Problem[];
}

export interface SyncOptions {
  /** Relative paths (SQLite files, a transform pipeline) resolve against this folder: the definition's. */
  baseDir: string;
  env?: Env;
  signal?: AbortSignal;
  store: WorkbenchStore;
  /** The run record (made by the job history or the CLI before the run starts). */
  runId: string;
  /** Forget the sync's state first: a full resync from scratch. */
  reset?: boolean;
  /** Full diff: hash every row even where the row-version cache could be used (as the definition's `rehash`). */
  rehash?: boolean;
  onProgress?: (p: SyncProgress) => void;
  progressIntervalMs?: number;
  logger?: Logger;
  /**
   * Encoded bytes of the run's queued rows kept in memory for its apply (default 4 MB; more
   * changes than that are read back from the store; 0 always reads them back).
   */
  queueMemoryBytes?: number;
}

/** A definition that cannot run as it is: every problem found. */
export class SyncInvalidError extends Error {
  override name = 'SyncInvalidError';
  constructor(readonly problems: Problem[]) {
    super(`the sync definition has ${problems.length} problem(s):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

const silent: Logger = { info() {}, warn() {}, error() {} };

export async function runSync(doc: SyncDocument, opts: SyncOptions): Promise<SyncResult> {
  const started = performance.now();
  const { store, runId } = opts;
  const log = opts.logger ?? silent;
  const counts: SyncCounts = {
    mode: doc.mode,
    phase: 'recover',
    sourceRows: 0,
    targetRows: 0,
    inserts: 0,
    updates: 0,
    deletes: 0,
    conflicts: 0,
    applied: 0,
    recovered: 0,
  };
  let detected: DetectResult | undefined;
  const progress = (): SyncProgress => {
    const elapsedMs = Math.round(performance.now() - started);
    return { runId, elapsedMs, nodes: detected?.nodes ?? [], rowsRead: counts.sourceRows, rowsPerSecond: elapsedMs > 0 ? Math.round((counts.sourceRows * 1000) / elapsedMs) : 0, sync: { ...counts } };
  };
  const timer = opts.onProgress && setInterval(() => opts.onProgress!(progress()), opts.progressIntervalMs ?? 250);
  const connections = new RunConnections(doc.connections ?? {}, { baseDir: opts.baseDir, env: opts.env, signal: opts.signal });
  let lease: Lease | undefined;
  let status: SyncResult['status'] = 'succeeded';
  let error: string | undefined;
  let problems: Problem[] | undefined;
  try {
    const [sourceConn, targetConn] = await Promise.all([connections.open(doc.source.connection), connections.open(doc.target.connection)]);
    const source = sideOf(sourceConn, { name: doc.source.table, schema: doc.source.schema }, `source table '${doc.source.table}' (${connections.describe(doc.source.connection)})`);
    const target = sideOf(targetConn, { name: doc.target.table, schema: doc.target.schema }, `target table '${doc.target.table}' (${connections.describe(doc.target.connection)})`);

    // 1. What is read, what reaches the target, by which key.
    const { input, output, keyNames, plan } = await planSync(doc, source, opts);
    const fingerprint = syncFingerprint(doc, keyNames, output);
    if (opts.reset && store.syncs.reset(doc.name)) log.warn(`sync state reset: the high-water mark, base hashes and queue of '${doc.name}' were forgotten`);
    const { state, reset } = store.syncs.ensure(doc.name, fingerprint, doc.mode);
    if (reset) log.warn(`the definition of '${doc.name}' changed (source, target, key, mode, cursor or columns): its earlier state was dropped and it starts afresh`);
    lease = acquireLease(store, state.seq, doc.name, runId);
    const previous = state.leaseOwner?.split(':')[2];
    for (const orphan of new Set([previous, lease.tookOverFrom])) {
      if (orphan && orphan !== runId && store.finishRunIfOpen(orphan, { status: 'failed', error: 'the process running this sync ended before it finished (killed or crashed); the next run took over its queue' })) {
        log.warn(`run ${orphan} of this sync had been left unfinished (its process is gone): marked failed, its queued changes are recovered now`);
      }
    }
    const swept = sweepOrphans(store, doc.name, runId);
    if (swept.length > 0) log.warn(`${swept.length} earlier run(s) of this sync had been killed before they finished: marked failed`, { runs: swept });
    store.syncs.setLastRun(state.seq, runId);
    const seq = state.seq;
    const key = keyNames.map((n) => output.columns.find((c) => c.name === n)!);
    const applyCtx = {
      store,
      seq,
      target,
      schema: { ...output, key: [...keyNames] },
      key,
      create: doc.target.create,
      batchSize: doc.batchSize,
      trackBase: doc.conflicts !== 'source-wins',
      signal: opts.signal,
    };

    // 2. Recover what an earlier run left in the queue.
    const discarded = store.syncs.discardTentative(seq);
    if (discarded > 0) log.info(`dropped ${discarded} tentative delete(s) of an unfinished run (they are found again below)`);
    const pending = store.syncs.pendingCount(seq);
    if (pending > 0) {
      log.warn(`recovering ${pending} queued change(s) an earlier run did not confirm: applying them (again) first`);
      const r = await applyPending(applyCtx);
      counts.recovered = r.upserts + r.deletes;
      if (r.cancelled) throw new Cancelled();
    }
    store.syncs.promoteHighWater(seq);

    // 3. Detect.
    counts.phase = 'detect';
    const targetExists = await tableExists(target);
    const tail = new QueueTail(opts.queueMemoryBytes ?? 4 << 20);
    // Earlier runs' confirmed changes go (this run's stay, for its summary): while the
    // databases scan where the diff waits for them (~10 ms per 10,000 entries), else (or if
    // that failed: then the error is the run's) at the end.
    let pruned = false;
    const prune = () => {
      if (pruned) return;
      store.syncs.pruneConfirmed(seq, runId);
      pruned = true;
    };
    const whileScanning = () => {
      try {
        prune();
      } catch {
        // tried again at the end
      }
    };
    const ctx: DetectContext = { doc, store, seq, runId, source, target, targetExists, input, output, keyNames, plan, counts, signal: opts.signal, env: opts.env, baseDir: opts.baseDir, log, rehash: opts.rehash === true || doc.rehash === true, tail, whileScanning };
    if (doc.mode === 'full') {
      log.info(`full diff of ${source.label} against ${target.label}${targetExists ? '' : ' (not there yet: every row is new)'}`);
      detected = await detectFull(ctx);
    } else {
      const fresh = store.syncs.get(doc.name)!;
      const cursor = input.columns.find((c) => c.name === doc.cursor)!;
      const mark = fresh.highWater === undefined ? undefined : decodeMark(fresh.highWater, cursor.type);
      log.info(mark === undefined ? `incremental read of ${source.label}: first run, every row` : `incremental read of ${source.label} from ${doc.cursor} >= ${fresh.highWater}`);
      detected = await detectIncremental(ctx, mark, store.syncs.boundary(seq));
    }
    const settled = store.syncs.settleTentative(seq, runId, [...detected.held]);
    tail.settle(detected.held);
    if (settled.held > 0) {
      counts.deletes -= settled.held;
      log.warn(`${settled.held} row(s) the transform rejected are missing from its output: their target rows are kept, not deleted`);
    }
    if (detected.mark) store.syncs.setPendingHighWater(seq, encodeMark(detected.mark.value), detected.mark.boundary);
    log.info(`found ${counts.inserts} insert(s), ${counts.updates} update(s), ${counts.deletes} delete(s), ${counts.conflicts} conflict(s)`, {
      sourceRows: counts.sourceRows,
      targetRows: counts.targetRows,
    });

    // 4. Apply and confirm.
    counts.phase = 'apply';
    const applied = await applyPending({
      ...applyCtx,
      tail,
      onBatch: (b) => {
        counts.applied += b.upserts + b.deletes;
        log.info(`batch confirmed: ${b.upserts} upsert(s), ${b.deletes} delete(s)`, { applied: counts.applied });
      },
      onApplied: detected.applied && ((b) => detected!.applied!.add(b)),
    });
    if (applied.cancelled) throw new Cancelled();
    // The cache learns the writes, so that the next run need not compare them again.
    detected.applied?.finish();
    // 5. Everything up to the new mark is on the target.
    store.syncs.promoteHighWater(seq);
    prune();
    counts.phase = 'done';
    log.info(`applied ${counts.applied} change(s) in ${applied.batches} batch(es)${counts.recovered ? ` after recovering ${counts.recovered}` : ''}`);
  } catch (e) {
    if (e instanceof Cancelled || (opts.signal?.aborted && isAbort(e))) {
      status = 'cancelled';
      error = 'the sync was cancelled; changes queued but not applied are applied by its next run';
      log.warn(error);
    } else {
      status = 'failed';
      error = e instanceof Error ? e.message : String(e);
      log.error(`sync failed: ${error}`);
      if (e instanceof SyncInvalidError) problems = e.problems;
    }
  } finally {
    if (timer) clearInterval(timer);
    lease?.release();
    await connections.closeAll();
  }
  const rejected = (detected?.rejected ?? 0) + (doc.conflicts === 'skip' ? counts.conflicts : 0);
  const final = { ...counts };
  store.finishRunIfOpen(runId, { status, error, rowsIn: counts.sourceRows, rowsOut: counts.applied + counts.recovered, rejected, details: final });
  opts.onProgress?.(progress());
  return {
    runId,
    status,
    error,
    durationMs: Math.round(performance.now() - started),
    nodes: detected?.nodes ?? [],
    rowsRead: counts.sourceRows,
    rowsWritten: counts.applied + counts.recovered,
    rejected,
    sync: final,
    details: final,
    ...(problems ? { problems } : {}),
  };
}

class Cancelled extends Error {
  override name = 'Cancelled';
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /cancel|abort/i.test(e.message));
}

/** The columns read, the transform, what reaches the target, the key: checked before anything runs. */
async function planSync(
  doc: SyncDocument,
  source: ReturnType<typeof sideOf>,
  opts: SyncOptions,
): Promise<{ input: Schema; output: Schema; keyNames: string[]; plan?: TransformPlan }> {
  const problems: Problem[] = [];
  const all = await tableSchema(source);
  const byName = new Map(all.columns.map((c) => [c.name, c]));
  const keyNames = doc.key ?? all.key ?? [];
  if (keyNames.length === 0) problems.push({ path: 'key', severity: 'error', message: `${source.label} has no primary key: name the columns that identify a row with key:` });
  for (const k of keyNames) if (!byName.has(k)) problems.push({ path: 'key', severity: 'error', message: `${source.label} has no column '${k}'` });
  if (doc.cursor && !byName.has(doc.cursor)) problems.push({ path: 'cursor', severity: 'error', message: `${source.label} has no column '${doc.cursor}' (the cursor)` });
  for (const c of doc.source.columns ?? []) if (!byName.has(c)) problems.push({ path: 'source.columns', severity: 'error', message: `${source.label} has no column '${c}'` });
  if (problems.length > 0) throw new SyncInvalidError(problems);
  // The key and the cursor are always read.
  const names = doc.source.columns ? [...new Set([...doc.source.columns, ...keyNames, ...(doc.cursor ? [doc.cursor] : [])])] : all.columns.map((c) => c.name);
  const input: Schema = { columns: names.map((n) => byName.get(n)!), key: keyNames };
  if (!doc.transform) return { input, output: input, keyNames };
  // The pipeline engine and its nodes are loaded only by a sync that has a transform.
  const { planTransform } = await import('./transform');
  const planned = await planTransform(doc, input, { syncDir: opts.baseDir, env: opts.env });
  if (!planned.plan) throw new SyncInvalidError(planned.problems);
  const output = planned.plan.output;
  const missing: Problem[] = [];
  for (const k of keyNames) {
    const o = output.columns.find((c) => c.name === k);
    const i = byName.get(k)!;
    if (!o) missing.push({ path: 'transform', severity: 'error', message: `the key column '${k}' does not reach the target: the transform must pass the key through` });
    else if (o.type.kind !== i.type.kind) missing.push({ path: 'transform', severity: 'error', message: `the key column '${k}' reaches the target as ${formatType(o.type)}, not ${formatType(i.type)}: the transform must pass the key through unchanged` });
  }
  if (missing.length > 0) throw new SyncInvalidError(missing);
  return { input, output: { columns: output.columns.map((c): Column => ({ ...c })), key: keyNames }, keyNames, plan: planned.plan };
}
