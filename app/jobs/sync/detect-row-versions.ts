import type { DetectContext } from './detect';
import type { DiffCounts } from './diff';
import { countQuery, presence, RangeEdits, RangeRecorder, readCounts, readSummaries, recordedSummaries, sideChanges, summaryQuery, SUMMARY_SETTINGS, unionKeys, windowRowsQuery, type SideChanges, type Summaries } from './key-ranges';
import { ChangeKeys, DELETE, HASH_BATCH, INSERT, UPDATE, keyHashBatches, keyWords, mergeKeyHashes, readRowsByKey, type FetchSide, type KeyBatch } from './pg-diff';
import type { PushdownPlan } from './pushdown';
import { readSideState, type SideState } from './row-version-scan';
import { EntryWriter, guardsProblem, newGuards, PartReader, type RowVersionGuards } from './row-versions';
import type { TableSide } from './tables';
import type { Connection } from '../../connectors/types';
import type { Row, Value } from '../../model/values';

/**
 * One run's use of the cache (row-versions.ts) in a PostgreSQL full diff: whether the
 * previous generation can be used (the guards); if so, the candidates from the key-range
 * summaries (key-ranges.ts), whose rows the caller fetches by key as their kinds need; if not,
 * the merge of both sides' hashes of every row. Either way the new generation (each
 * side's keys) is written as the run goes, and made current only once the whole detection
 * succeeded.
 */
export interface RowVersionSession {
  /**
   * With a usable cache: the candidates, in key order, at most `chunk` at a time, each an
   * insert, update or delete as the summaries tell. Undefined when too much changed:
   * the run then goes on with `hashMerge` (a fresh generation).
   */
  summaries(source: Connection, target: Connection, opts: MergeOpts, sourceRows: FetchSide): Promise<{ changes: AsyncGenerator<ChangeKeys>; sourceRead?: Map<string, Row> } | undefined>;
  /** Every row's (key, hash) of both sides merged (the hash queries of the plan); each side's keys recorded. */
  hashMerge(source: AsyncIterable<Buffer>, target: AsyncIterable<Buffer>, opts: MergeOpts): AsyncGenerator<ChangeKeys>;
  /** Makes the new generation current (detection succeeded); where the apply's writes are then recorded. */
  commit(): AppliedWrites;
  /** Deletes the new generation (detection failed or was cancelled): the previous one stays. */
  abandon(): void;
}

/**
 * The apply's writes to the target, recorded in the cache once all are confirmed: a new
 * generation with the target's bitmaps edited (upserted keys present, deleted keys gone)
 * and the ids of the upserts' transactions, so that the next run does not compare those
 * rows again. Not finished (a failed or cancelled apply), nothing is recorded: the next
 * run compares them, for nothing but time.
 */
export interface AppliedWrites {
  add(batch: { upserts: readonly Row[]; deletes: readonly Row[]; transactionId?: string }): void;
  finish(): void;
}

/** Ranges edited before the apply's writes are left to the next run to compare (memory). */
const MAX_EDITED_RANGES = 200_000;

interface MergeOpts {
  deletes: boolean;
  chunk: number;
  counts: DiffCounts;
  signal?: AbortSignal;
}

/**
 * Candidates a side may have, of its rows, before hashing every row is the quicker way:
 * measured on 1M rows, a candidate costs ~25 µs (its rows read by key on both sides,
 * compared, queued), a run that hashes every row ~1.3 s: ~5%, 1 in 16 here.
 */
const candidateLimit = (rows: number) => Math.max(1000, Math.round(rows / 16));

/**
 * The session, or undefined when the cache cannot serve this sync at all (a side's state
 * cannot be read, or it is not an ordinary table): the diff then runs as before, on hashes
 * alone. Logs which way it goes and why.
 */
export async function openRowVersions(ctx: DetectContext, plan: PushdownPlan): Promise<RowVersionSession | undefined> {
  const [ss, ts] = await Promise.all([readSideState(ctx.source), readSideState(ctx.target)]);
  for (const st of [ss, ts]) {
    if ('reason' in st) {
      ctx.log.info(`row-version cache not used: ${st.reason}`);
      return undefined;
    }
  }
  const source = ss as SideState;
  const target = ts as SideState;
  for (const [st, side] of [[source, ctx.source], [target, ctx.target]] as const) {
    if (st.relkind !== 'r') {
      ctx.log.info(`row-version cache not used: ${side.label} is not an ordinary table (relkind ${st.relkind})`);
      return undefined;
    }
  }
  const repo = ctx.store.syncs.rowVersions;
  const guards = newGuards(source, target, plan.source, plan.target);
  let previous: { generation: number; guards: RowVersionGuards } | undefined;
  const current = repo.current(ctx.seq);
  if (ctx.rehash) ctx.log.info('row-version cache not used: rehash asked for; every row is hashed and the cache written afresh');
  else if (!current) ctx.log.info('row-version cache not used: none recorded yet; every row is hashed and the cache written');
  else {
    let old: unknown;
    try {
      old = JSON.parse(current.guards);
    } catch {
      old = undefined;
    }
    const problem = guardsProblem(old, guards);
    if (problem) ctx.log.info(`row-version cache not used: ${problem}; every row is hashed and the cache written afresh`);
    else previous = { generation: current.generation, guards: old as RowVersionGuards };
  }
  const key = ctx.keyNames[0];
  let generation = repo.begin(ctx.seq);
  const writers = () => [new EntryWriter(repo, ctx.seq, generation, 0), new EntryWriter(repo, ctx.seq, generation, 1)] as const;
  let [sourceKeys, targetKeys] = writers();

  return {
    async summaries(sc, tc, opts, sourceRows) {
      if (!previous) return undefined;
      const last = previous;
      const copy = (c: Connection, sql: string, onSnapshot?: () => void) => c.copyOut!(sql, { signal: opts.signal, settings: SUMMARY_SETTINGS, onSnapshot });
      const read = (c: Connection, side: TableSide, since: string, own?: readonly string[], onSnapshot?: () => void) =>
        readSummaries(copy(c, summaryQuery(side, key, BigInt(since), own), onSnapshot), side.label);
      const window = new SourceWindow(ctx, sourceRows, BigInt(last.guards.source.snapshotXmin), opts.signal);
      const recorded = (part: 0 | 1) => new PartReader(repo, ctx.seq, last.generation, part);
      // The target is mostly written by this sync alone. A plain count first: with no row in
      // the window (the apply's own writes aside) and as many rows as the last run left, its
      // keys are the recorded ones (an insert or update by anyone else is in the window, a
      // delete lowers the count), and the grouping scan, which costs ~3 counts, is spared.
      // The target's side is compared with the cache here, while the source's scan (the
      // longer one) still runs: ~15 ms less after it.
      const targetSide = async (): Promise<{ summaries: Summaries; kept: boolean; changes: SideChanges | { reason: string } }> => {
        const since = last.guards.target.snapshotXmin;
        const counts = await readCounts(copy(tc, countQuery(ctx.target, BigInt(since), last.guards.written)), ctx.target.label);
        window.start(counts.rows);
        // The window's query goes out before the work below keeps this thread busy (~25 ms).
        await new Promise((resolve) => setImmediate(resolve));
        if (counts.changed === 0) {
          const kept = recordedSummaries(recorded(1));
          if (kept.rows === counts.rows) {
            // Its keys as recorded: the new generation takes the blocks as they are.
            targetKeys.copyOf(last.generation);
            return { summaries: kept, kept: true, changes: { keys: [], changed: 0, deleted: 0 } };
          }
        }
        const summaries = await read(tc, ctx.target, since, last.guards.written);
        return { summaries, kept: false, changes: sideChanges(summaries, recorded(1), targetKeys, candidateLimit(summaries.rows)) };
      };
      const scans = [read(sc, ctx.source, last.guards.source.snapshotXmin, undefined, window.snapshotTaken), targetSide()] as const;
      // Once the scans run (their statements sent: the source's snapshot taken, a turn of the loop later).
      if (ctx.whileScanning) {
        const work = ctx.whileScanning;
        void window.taken.then(() => setImmediate(work));
      }
      // Both settle before anything fails: no side writes to a generation after it is abandoned.
      const [sourceSummaries, targetRead] = await Promise.allSettled(scans);
      if (sourceSummaries.status === 'rejected' || targetRead.status === 'rejected') window.stop();
      if (sourceSummaries.status === 'rejected') throw sourceSummaries.reason;
      if (targetRead.status === 'rejected') throw targetRead.reason;
      const sr = sourceSummaries.value;
      const { summaries: tr, kept, changes: t } = targetRead.value;
      const s = sideChanges(sr, recorded(0), sourceKeys, candidateLimit(sr.rows));
      if ('reason' in s || 'reason' in t) {
        const which = 'reason' in s ? ctx.source : ctx.target;
        ctx.log.info(`row-version cache not used: in ${which.label}, ${'reason' in s ? s.reason : (t as { reason: string }).reason}; every row is hashed and the cache written afresh`);
        // The partly written generation goes; the hash run writes a new one.
        window.stop();
        repo.discard(ctx.seq, generation);
        generation = repo.begin(ctx.seq);
        [sourceKeys, targetKeys] = writers();
        return undefined;
      }
      opts.counts.sourceRows = sr.rows;
      opts.counts.targetRows = tr.rows;
      const keys = unionKeys(s.keys, t.keys);
      const { rows: windowRows, note: windowNote } = await window.result();
      ctx.log.info(
        `full diff: key-range summaries of both sides compared with the cache: ${sr.n} and ${tr.n} range(s) of 64 keys` +
          `${kept ? ' (the target unchanged since the last run but for its writes: counted, not grouped)' : ''}; ` +
          `source ${s.changed} changed and ${s.deleted} deleted key(s), target ${t.changed} and ${t.deleted}, since the last run; ${keys.length / 2} key(s) compared again; ${windowNote}`,
        { source: { rows: sr.rows, changed: s.changed, deleted: s.deleted, windowRows: windowRows?.size }, target: { rows: tr.rows, changed: t.changed, deleted: t.deleted }, candidates: keys.length / 2 },
      );
      return { changes: candidates(keys, sr, tr, opts), sourceRead: windowRows };
    },
    hashMerge(s, t, opts) {
      return mergeKeyHashes(withKeysRecorded(keyHashBatches(s, HASH_BATCH, ctx.source.label), new RangeRecorder(sourceKeys)), withKeysRecorded(keyHashBatches(t, HASH_BATCH, ctx.target.label), new RangeRecorder(targetKeys)), opts);
    },
    commit() {
      sourceKeys.flush();
      targetKeys.flush();
      repo.commit(ctx.seq, generation, JSON.stringify(guards), sourceKeys.count + targetKeys.count);
      ctx.log.info(`row-version cache: the keys of ${sourceKeys.count} source and ${targetKeys.count} target range(s) recorded`, { source: sourceKeys.count, target: targetKeys.count });
      return appliedWrites(ctx, generation, guards, sourceKeys.count);
    },
    abandon() {
      repo.discard(ctx.seq, generation);
    },
  };
}

/** At most this many of the source's rows in the window are held (then 64 MB of values). */
const WINDOW_ROWS = 50_000;

/**
 * The source's rows in the window, read beside its summary (on the run's connection, idle
 * meanwhile): most of them are the candidates' source rows, which are then not fetched by key
 * after the scans (~8,000 lookups fewer per 1% of 1M rows changed). The read starts once the
 * summary's snapshot is taken, so its rows are as of then or later: a row gone or changed
 * again since is what a fetch by key would also find. It starts when the target's count is
 * in (that scan's core is free then; the count bounds how many rows are kept).
 */
class SourceWindow {
  /** The summary's COPY calls this once its snapshot is taken. */
  readonly snapshotTaken: () => void;
  readonly taken: Promise<void>;
  private read: Promise<Map<string, Row> | undefined> | undefined;
  private readonly stopper = new AbortController();

  constructor(
    private readonly ctx: DetectContext,
    private readonly side: FetchSide,
    private readonly since: bigint,
    private readonly signal: AbortSignal | undefined,
  ) {
    let resolve!: () => void;
    this.taken = new Promise<void>((r) => (resolve = r));
    this.snapshotTaken = resolve;
  }

  /** Starts the read (after the snapshot), keeping at most 1 in 16 of `rows` and 50,000 rows (64 MB of values). */
  start(rows: number): void {
    // Held in memory until the candidates are fetched: bounded whatever the table's size.
    const limit = Math.min(candidateLimit(rows), WINDOW_ROWS);
    const sql = windowRowsQuery(this.ctx.source, this.side.columns, this.since, limit + 1);
    const signal = this.signal ? AbortSignal.any([this.signal, this.stopper.signal]) : this.stopper.signal;
    this.read = this.taken.then(() => readRowsByKey(this.side, sql, limit, signal));
    this.read.catch(() => {}); // awaited in result(), or dropped after stop()
  }

  /** The summaries failed or are not used: the read ends. */
  stop(): void {
    this.stopper.abort();
  }

  /** The rows by key text, or none (too many, or the read failed: the candidates' rows are then fetched by key); for the log, what happened. */
  async result(): Promise<{ rows?: Map<string, Row>; note: string }> {
    if (!this.read) return { note: "the source's rows in the window not read" };
    try {
      const rows = await this.read;
      return rows ? { rows, note: `${rows.size} source row(s) in the window read beside its summary` } : { note: "the source's rows in the window too many to keep: fetched by key" };
    } catch (e) {
      this.signal?.throwIfAborted();
      return { note: `the source's rows in the window not read (${e instanceof Error ? e.message : String(e)}): fetched by key` };
    }
  }
}

function appliedWrites(ctx: DetectContext, generation: number, guards: RowVersionGuards, sourceRanges: number): AppliedWrites {
  const repo = ctx.store.syncs.rowVersions;
  const keyIdx = ctx.output.columns.findIndex((c) => c.name === ctx.keyNames[0]);
  const edits = new RangeEdits();
  const written: string[] = [];
  let complete = true;
  const words = (v: Value) => keyWords(typeof v === 'bigint' ? v : Number(v));
  return {
    add({ upserts, deletes, transactionId }) {
      if (!complete) return;
      // The apply deletes a batch's keys before it upserts its rows (a key is in one or the other).
      for (const d of deletes) edits.edit(...words(d[0]), false);
      for (const u of upserts) edits.edit(...words(u[keyIdx]), true);
      // Upserts whose transaction is unknown stay in the window: compared again next time.
      if (upserts.length > 0 && transactionId) written.push(transactionId);
      if (edits.size > MAX_EDITED_RANGES) complete = false;
    },
    finish() {
      if (!complete || edits.size === 0 || repo.current(ctx.seq)?.generation !== generation) return;
      const next = repo.begin(ctx.seq);
      // The source's bitmaps as they are; the target's edited.
      new EntryWriter(repo, ctx.seq, next, 0).copyOf(generation);
      const out = new EntryWriter(repo, ctx.seq, next, 1);
      edits.applyTo(new PartReader(repo, ctx.seq, generation, 1), out);
      repo.commit(ctx.seq, next, JSON.stringify({ ...guards, written } satisfies RowVersionGuards), sourceRanges + out.count);
      ctx.log.info(`row-version cache: the apply's writes recorded (${edits.size} range(s) of the target, ${written.length} transaction(s))`);
    },
  };
}

/**
 * The candidates as ChangeKeys chunks (positions: the keys themselves, an upper bound of the
 * rows between them), each with its kind from the two sides' summaries: present on both, an
 * update if their rows differ; on the source alone, an insert; on the target alone, a delete
 * (its row need not be read); on neither, nothing. A row written on either side after its
 * summary is in the next run's window, so taking the kind from the summaries (and reading only
 * the rows they name) misses nothing: such a change is found by the next run.
 */
async function* candidates(keys: readonly number[], source: Summaries, target: Summaries, opts: MergeOpts): AsyncGenerator<ChangeKeys> {
  const inSource = presence(source);
  const inTarget = presence(target);
  for (let i = 0; i < keys.length; ) {
    opts.signal?.throwIfAborted();
    const ck = new ChangeKeys(opts.chunk);
    for (; i < keys.length && ck.n < ck.capacity; i += 2) {
      const s = inSource(keys[i], keys[i + 1]);
      const t = inTarget(keys[i], keys[i + 1]);
      if (!s && (!t || !opts.deletes)) continue;
      const m = ck.n++;
      ck.kind[m] = s ? (t ? UPDATE : INSERT) : DELETE;
      ck.keyHi[m] = keys[i];
      ck.keyLo[m] = keys[i + 1];
      ck.sourceAt[m] = ck.targetAt[m] = keys[i] * 4294967296 + keys[i + 1];
    }
    if (ck.n > 0) yield ck;
  }
}

/** The batches as they are, each key also recorded in its range's bitmap. */
async function* withKeysRecorded(batches: AsyncIterable<KeyBatch>, out: RangeRecorder): AsyncGenerator<KeyBatch> {
  for await (const b of batches) {
    for (let i = 0; i < b.n; i++) out.add(b.keyHi[i], b.keyLo[i]);
    yield b;
  }
  out.finish();
}
