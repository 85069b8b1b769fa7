import type { DetectContext } from './detect';
import type { DiffCounts } from './diff';
import { UPDATE, type ChangeKeys, type KeyBatch } from './pg-diff';
import type { PushdownPlan } from './pushdown';
import { readSideState, snapshotXmax, versionBatches, versionScanQuery, type SideState } from './row-version-scan';
import type { TableSide } from './tables';
import { CacheCursor, EntryWriter, guardsProblem, mergeRowVersions, newGuards, trustWindow, type RowVersionGuards, type RowVersionStats } from './row-versions';

/**
 * One run's use of the row-version cache (row-versions.ts) in a PostgreSQL full diff:
 * whether the previous generation can be used (the guards), which queries the sides run,
 * and the new generation written as the merge and the fetches go — current only once the
 * whole detection succeeded.
 */
export interface RowVersionSession {
  sourceSql: string;
  targetSql: string;
  /** The queries return hashes (no usable cache): rows are equal by hash, not by xmins. */
  withHash: boolean;
  merge(source: AsyncIterable<KeyBatch>, target: AsyncIterable<KeyBatch>, opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal }): AsyncGenerator<ChangeKeys>;
  /**
   * With the cache: the candidate updates of a chunk whose rows hash alike on both sides
   * now, found by the hash query of their keys, are taken out of it and returned as
   * entries, with the xmins read with the hashes (the rows then need no fetch).
   */
  precheck(ck: ChangeKeys): Promise<number[]>;
  /** Records candidates found equal after their fetch: (keyHi, keyLo, xmin source, xmin target) in key order. */
  verified(entries: readonly number[]): void;
  /** Makes the new generation current (detection succeeded). */
  commit(): void;
  /** Deletes the new generation (detection failed or was cancelled): the previous one stays. */
  abandon(): void;
}

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
  const guards = newGuards(source, target, plan.versioned.source, plan.versioned.target);
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
  const generation = repo.begin(ctx.seq);
  const base = new EntryWriter(repo, ctx.seq, generation, 0);
  const verifiedOut = new EntryWriter(repo, ctx.seq, generation, 1);
  const stats: RowVersionStats = { carried: 0, equalByHash: 0, candidates: 0, rehashedEqual: 0, untrusted: 0 };
  if (previous) ctx.log.info(`full diff: (key, xmin) of both sides compared with the row-version cache of ${current!.entries} row(s); only rows whose xmins moved are checked further`);
  return {
    sourceSql: previous ? versionScanQuery(ctx.source, key) : plan.versioned.source,
    targetSql: previous ? versionScanQuery(ctx.target, key) : plan.versioned.target,
    withHash: !previous,
    async *merge(s, t, opts) {
      let cache: { entries: CacheCursor; window: ReturnType<typeof trustWindow> } | undefined;
      if (previous) {
        // The scans have begun once each has sent its first batch: a snapshot taken now
        // bounds every xmin they can show (the trust window's end).
        const [sp, tp] = await Promise.all([primed(s), primed(t)]);
        s = sp;
        t = tp;
        const [sHi, tHi] = await Promise.all([snapshotXmax(ctx.source), snapshotXmax(ctx.target)]);
        cache = { entries: new CacheCursor(repo, ctx.seq, previous.generation), window: trustWindow(previous.guards, sHi, tHi) };
      }
      yield* mergeRowVersions(s, t, { ...opts, cache, base, stats });
    },
    async precheck(ck) {
      if (!previous) return [];
      const keys: string[] = [];
      for (let i = 0; i < ck.n; i++) if (ck.kind[i] === UPDATE) keys.push(ck.key(i));
      if (keys.length === 0) return [];
      const [a, b] = await Promise.all([hashesOf(ctx.source, plan.versionedOf.source(keys), keys.length, ctx.signal), hashesOf(ctx.target, plan.versionedOf.target(keys), keys.length, ctx.signal)]);
      const out: number[] = [];
      let ai = 0;
      let bi = 0;
      let m = 0;
      for (let i = 0; i < ck.n; i++) {
        const hi = ck.keyHi[i];
        const lo = ck.keyLo[i];
        let keep = true;
        if (ck.kind[i] === UPDATE) {
          while (ai < a.n && (a.keyHi[ai] < hi || (a.keyHi[ai] === hi && a.keyLo[ai] < lo))) ai++;
          while (bi < b.n && (b.keyHi[bi] < hi || (b.keyHi[bi] === hi && b.keyLo[bi] < lo))) bi++;
          const both = ai < a.n && bi < b.n && a.keyHi[ai] === hi && a.keyLo[ai] === lo && b.keyHi[bi] === hi && b.keyLo[bi] === lo;
          if (both && a.hashHi![ai] === b.hashHi![bi] && a.hashLo![ai] === b.hashLo![bi]) {
            out.push(hi, lo, a.xmin![ai], b.xmin![bi]);
            keep = false;
          }
        }
        if (keep) {
          ck.kind[m] = ck.kind[i];
          ck.keyHi[m] = hi;
          ck.keyLo[m] = lo;
          ck.sourceAt[m] = ck.sourceAt[i];
          ck.targetAt[m] = ck.targetAt[i];
          m++;
        }
      }
      ck.n = m;
      stats.rehashedEqual += out.length / 4;
      return out;
    },
    verified(entries) {
      for (let i = 0; i < entries.length; i += 4) verifiedOut.add(entries[i], entries[i + 1], entries[i + 2], entries[i + 3]);
    },
    commit() {
      verifiedOut.flush();
      repo.commit(ctx.seq, generation, JSON.stringify(guards), base.count + verifiedOut.count);
      const fetchedEqual = verifiedOut.count - stats.rehashedEqual;
      ctx.log.info(
        `row-version cache: ${stats.carried} row(s) unchanged by their xmins, ${stats.equalByHash} equal by the hash scan, ${stats.candidates} compared again ` +
          `(${stats.rehashedEqual} equal by the hashes of their keys, ${fetchedEqual} equal once fetched${stats.untrusted ? `; ${stats.untrusted} had their cached xmins but in the window of recent transaction ids` : ''}); ` +
          `${base.count + verifiedOut.count} row(s) recorded`,
        { ...stats, verified: verifiedOut.count },
      );
    },
    abandon() {
      repo.discard(ctx.seq, generation);
    },
  };
}

/** (key, xmin, hash) of some keys, in key order, as one batch. */
async function hashesOf(side: TableSide, sql: string, rows: number, signal?: AbortSignal): Promise<KeyBatch> {
  if (!side.conn.copyOut) throw new Error(`${side.label}: the connection cannot stream binary COPY`);
  for await (const b of versionBatches(side.conn.copyOut(sql, { signal }), rows + 1, side.label, true)) return b;
  return { n: 0, keyHi: new Int32Array(0), keyLo: new Uint32Array(0), xmin: new Int32Array(0), hashHi: new Int32Array(0), hashLo: new Int32Array(0) };
}

/** The stream with its first item already awaited (so that the query behind it has begun). */
async function primed<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const it = items[Symbol.asyncIterator]();
  const first = await it.next();
  async function* rest(): AsyncGenerator<T> {
    try {
      if (first.done) return;
      yield first.value;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return rest();
}
