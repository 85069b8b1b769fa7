import type { DetectContext } from './detect';
import type { DiffCounts } from './diff';
import type { ChangeKeys } from './pg-diff';
import type { PushdownPlan } from './pushdown';
import { readSideState, snapshotXmax, versionScanQuery, type SideState, type VersionBatch } from './row-version-scan';
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
  merge(source: AsyncIterable<VersionBatch>, target: AsyncIterable<VersionBatch>, opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal }): AsyncGenerator<ChangeKeys>;
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
  const stats: RowVersionStats = { carried: 0, equalByHash: 0, candidates: 0, untrusted: 0 };
  if (previous) ctx.log.info(`full diff: (key, xmin) of both sides compared with the row-version cache of ${current!.entries} row(s); rows not hashed`);
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
    verified(entries) {
      for (let i = 0; i < entries.length; i += 4) verifiedOut.add(entries[i], entries[i + 1], entries[i + 2], entries[i + 3]);
    },
    commit() {
      verifiedOut.flush();
      repo.commit(ctx.seq, generation, JSON.stringify(guards), base.count + verifiedOut.count);
      ctx.log.info(
        `row-version cache: ${stats.carried} row(s) unchanged by their xmins, ${stats.equalByHash} equal by hash, ${stats.candidates} compared after a fetch ` +
          `(${verifiedOut.count} found equal${stats.untrusted ? `; ${stats.untrusted} of them because their xmins fell in the window of recent transaction ids` : ''}); ` +
          `${base.count + verifiedOut.count} row(s) recorded`,
        { ...stats, verified: verifiedOut.count },
      );
    },
    abandon() {
      repo.discard(ctx.seq, generation);
    },
  };
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
