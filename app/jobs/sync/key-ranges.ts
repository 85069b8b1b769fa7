import type { Column } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import { copyHeaderEnd, int32At } from './pg-diff';
import { HASH_SETTINGS, selectRows } from './pushdown';
import { type EntryWriter, type PartReader, WORDS } from './row-versions';
import { qualified } from './sql';
import type { TableSide } from './tables';

/**
 * The key-range summaries of a PostgreSQL full diff with the cache (row-versions.ts): what
 * a run reads of each side instead of every row.
 *
 * The keys are cut into ranges of 64 (key >> 6), and for each range the side's scan returns
 * two bitmaps of 64 bits: the keys present, and the keys whose row was written since the
 * last run's scan. PostgreSQL gives each row version the id of the transaction that wrote
 * it (xmin), and every version that scan did not see has an id in a window from that
 * snapshot's xmin on (a transaction running then, or a later one): the second bitmap is
 * the rows whose xmin is in the window, found by a filter in the scan — less the target
 * rows the sync's own apply wrote after that scan, which it recorded in the bitmaps (its
 * upserts present, its deletes gone) with the ids of its transactions. A key is then a
 * candidate when it is in the window, or when its presence differs from the last run's
 * bitmap (inserted or deleted since): every other key's row is the very version the last
 * run saw, on both sides, and that run found the two equal or queued the change. The
 * bitmaps of present keys are the next run's cache (~3 bytes per 64 keys).
 */

const BITS = 6;

/**
 * The summary query of one side, in range order. `since` is the window's start (a
 * transaction id, taken modulo 2^32 as xmin is); age() is an id's distance back from now,
 * the same reference for every row, so a row is in the window when its age is at most the
 * start's. Ids that are not normal (frozen, bootstrap) have the greatest age.
 */
export function summaryQuery(side: TableSide, key: string, since: bigint, own: readonly string[] = []): string {
  const k = `${quoteIdent(key, 'postgres')}::int8`;
  const bit = `1::int8 << (${k} & 63)::int4`;
  const ranges = `SELECT ${k} >> ${BITS} AS r, bit_or(${bit}) AS present, bit_or(${bit}) FILTER (WHERE ${windowFilter(since, own)}) AS changed FROM ${qualified(side.table, 'postgres')} GROUP BY 1`;
  // Aggregated first, then the ranges sorted: the planner would otherwise sort every row.
  return `WITH g AS MATERIALIZED (${ranges}) SELECT r, present, changed FROM g ORDER BY r`;
}

/**
 * A side's rows and its rows in the window, counted by one plain scan (no grouping), in the
 * summary query's row format (one row, range 0, the counts for bitmaps): see readCounts.
 */
export function countQuery(side: TableSide, since: bigint, own: readonly string[] = []): string {
  return `SELECT 0::int8 AS r, count(*)::int8 AS present, (count(*) FILTER (WHERE ${windowFilter(since, own)}))::int8 AS changed FROM ${qualified(side.table, 'postgres')}`;
}

/**
 * A side's rows in the window (the summary query's filter), at most `limit`: the rows of the
 * keys that query marks changed, read while it runs (see detect-row-versions.ts). With a
 * LIMIT the planner expects to stop early and keeps to one process (no parallel workers).
 */
export function windowRowsQuery(side: TableSide, columns: readonly Column[], since: bigint, limit: number): string {
  return `${selectRows(side, columns)} WHERE ${windowFilter(since)} LIMIT ${Math.floor(limit)}`;
}

/** countQuery's answer. */
export async function readCounts(chunks: AsyncIterable<Buffer>, label: string): Promise<{ rows: number; changed: number }> {
  const s = await readSummaries(chunks, label);
  if (s.n !== 1) throw new Error(`${label}: the row count came as ${s.n} rows`);
  const count = (words: Int32Array) => words[1] * 4294967296 + (words[0] >>> 0);
  return { rows: count(s.present), changed: count(s.changed) };
}

/** A row version in the window from `since` on, less the sync's own writes (`own`, its apply's transactions). */
function windowFilter(since: bigint, own: readonly string[] = []): string {
  const xid = (x: bigint) => BigInt.asUintN(32, x).toString();
  // Versions the sync wrote itself (its apply), already in the recorded bitmaps, are not changes.
  const mine = own.length > 0 ? ` AND NOT (xmin = ANY('{${own.map((x) => xid(BigInt(x))).join(',')}}'::xid[]))` : '';
  // One age() per row: the start's age is worked out once (an InitPlan; age() is only stable, so
  // written plainly it is evaluated for every row), and a visible version's age is never below 0
  // (its writer began before this scan's snapshot; frozen ids have the greatest age). ~20% of a
  // count's time.
  return `age(xmin) <= (SELECT age('${xid(since)}'::xid))${mine}`;
}

/**
 * For the summary queries: a hash aggregate (the planner expects a group per row and, with
 * little memory or sorts allowed, would sort every row first; there are 64 times fewer),
 * no parallel workers and no JIT (as the hash queries).
 */
export const SUMMARY_SETTINGS: Readonly<Record<string, string>> = { ...HASH_SETTINGS, enable_sort: 'off', work_mem: '64MB' };

/** One side's ranges, in order: per range its number (key >> 6, as words) and the two bitmaps (as words, bit i of the low word = offset i). */
export interface Summaries {
  n: number;
  /** Rows (keys present) in all. */
  rows: number;
  rHi: Int32Array;
  rLo: Uint32Array;
  present: Int32Array;
  changed: Int32Array;
}

/** Reads the summary query's binary COPY (int8, int8, int8 or NULL), in range order. */
export async function readSummaries(chunks: AsyncIterable<Buffer>, label: string): Promise<Summaries> {
  let cap = 4096;
  let out = noSummaries(cap);
  const bad = (why: string) => new Error(`${label}: unexpected binary COPY data in the key-range summaries (${why})`);
  let header = true;
  let trailer = false;
  for await (const c of chunks) {
    let p = 0;
    while (p < c.length) {
      const end = p + 1 + int32At(c, p + 1);
      let q = p + 5;
      p = end;
      if (header) {
        q = copyHeaderEnd(c, q, bad);
        header = false;
        if (q === end) continue;
      }
      const count = (c[q] << 8) | c[q + 1];
      if (count === 0xffff) {
        trailer = true;
        continue;
      }
      if (trailer || count !== 3) throw bad(`a row of ${count} fields`);
      if (int32At(c, q + 2) !== 8 || int32At(c, q + 14) !== 8) throw bad('a NULL or short number');
      const cl = int32At(c, q + 26);
      if (q + 30 + Math.max(cl, 0) !== end || (cl !== 8 && cl !== -1)) throw bad(`a row of ${end - q} bytes`);
      const n = out.n;
      if (n === cap) out = grown(out, (cap *= 2));
      const rHi = int32At(c, q + 6);
      const rLo = int32At(c, q + 10) >>> 0;
      if (n > 0 && (rHi < out.rHi[n - 1] || (rHi === out.rHi[n - 1] && rLo <= out.rLo[n - 1]))) throw bad('ranges out of order');
      out.rHi[n] = rHi;
      out.rLo[n] = rLo;
      // An int8 bitmap: its high word first.
      const lo = int32At(c, q + 22);
      const hi = int32At(c, q + 18);
      out.present[2 * n] = lo;
      out.present[2 * n + 1] = hi;
      out.rows += popcount(lo) + popcount(hi);
      if (cl === 8) {
        out.changed[2 * n] = int32At(c, q + 34);
        out.changed[2 * n + 1] = int32At(c, q + 30);
      }
      out.n = n + 1;
    }
  }
  if (!trailer) throw bad('it ended without its trailer');
  return out;
}

/** Bitmaps recorded by an earlier run (`prev`, one entry per range), as summaries with nothing in the window. */
export function recordedSummaries(prev: PartReader): Summaries {
  let cap = 4096;
  let out = noSummaries(cap);
  for (; !prev.done; prev.advance()) {
    const p = prev.i * WORDS;
    const n = out.n;
    if (n === cap) out = grown(out, (cap *= 2));
    out.rHi[n] = prev.words[p];
    out.rLo[n] = prev.words[p + 1] >>> 0;
    out.present[2 * n] = prev.words[p + 2];
    out.present[2 * n + 1] = prev.words[p + 3];
    out.rows += popcount(prev.words[p + 2]) + popcount(prev.words[p + 3]);
    out.n = n + 1;
  }
  return out;
}

/** Room for `cap` ranges, none yet. */
function noSummaries(cap: number): Summaries {
  return { n: 0, rows: 0, rHi: new Int32Array(cap), rLo: new Uint32Array(cap), present: new Int32Array(2 * cap), changed: new Int32Array(2 * cap) };
}

function grown(s: Summaries, cap: number): Summaries {
  const g = { ...noSummaries(cap), n: s.n, rows: s.rows };
  g.rHi.set(s.rHi);
  g.rLo.set(s.rLo);
  g.present.set(s.present);
  g.changed.set(s.changed);
  return g;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface SideChanges {
  /** Candidate keys (changed, inserted or deleted since the last run), ascending: keyHi, keyLo pairs. */
  keys: number[];
  changed: number;
  deleted: number;
}

/**
 * One side's candidates: its summaries merged with the bitmaps the last run recorded
 * (`prev`, one entry per range: r's words and the bitmap's), range by range in key order;
 * the new bitmaps are written to `out` as it goes. A reason instead when there are more
 * than `maxKeys` candidates: hashing every row is then the quicker way.
 */
export function sideChanges(now: Summaries, prev: PartReader, out: EntryWriter, maxKeys: number): SideChanges | { reason: string } {
  const keys: number[] = [];
  let changed = 0;
  let deleted = 0;
  let i = 0;
  for (;;) {
    const p = prev.done ? -1 : prev.i * WORDS;
    if (i >= now.n && p < 0) break;
    // The block the reader is in (it loads the next one as it advances).
    const words = prev.words;
    let c: number;
    if (i >= now.n) c = 1;
    else if (p < 0) c = -1;
    else c = now.rHi[i] !== words[p] ? now.rHi[i] - words[p] : now.rLo[i] - (words[p + 1] >>> 0);
    let rHi = 0;
    let rLo = 0;
    let wasLo = 0;
    let wasHi = 0;
    let isLo = 0;
    let isHi = 0;
    let chLo = 0;
    let chHi = 0;
    if (c >= 0) {
      rHi = words[p];
      rLo = words[p + 1] >>> 0;
      wasLo = words[p + 2];
      wasHi = words[p + 3];
      prev.advance();
    }
    if (c <= 0) {
      // A range with rows now (with none, every key it had is deleted).
      rHi = now.rHi[i];
      rLo = now.rLo[i];
      isLo = now.present[2 * i];
      isHi = now.present[2 * i + 1];
      chLo = now.changed[2 * i];
      chHi = now.changed[2 * i + 1];
      out.add(rHi, rLo | 0, isLo, isHi);
      changed += popcount(chLo) + popcount(chHi);
      i++;
    }
    deleted += popcount(wasLo & ~isLo) + popcount(wasHi & ~isHi);
    // Changed since, or inserted or deleted since (a key present now but neither before nor
    // in the window cannot be: compared all the same).
    const lo = chLo | (wasLo ^ isLo);
    const hi = chHi | (wasHi ^ isHi);
    if (lo === 0 && hi === 0) continue;
    // Key = r * 64 + offset: the high word takes r's top 6 bits of its low word.
    const kHi = (rHi << BITS) | (rLo >>> (32 - BITS));
    const base = (rLo << BITS) >>> 0;
    for (let m = lo; m !== 0; m &= m - 1) keys.push(kHi, (base | (31 - Math.clz32(m & -m))) >>> 0);
    for (let m = hi; m !== 0; m &= m - 1) keys.push(kHi, (base | (63 - Math.clz32(m & -m))) >>> 0);
    if (keys.length > 2 * maxKeys) return { reason: `more than ${maxKeys} keys changed, inserted or deleted` };
  }
  out.flush();
  return { keys, changed, deleted };
}

/**
 * The bitmaps of the keys of a stream of ascending keys (a run without the cache reads every
 * row): an entry per range with keys, to `out`.
 */
export class RangeRecorder {
  private rHi = 0;
  private rLo = 0;
  private lo = 0;
  private hi = 0;
  private any = false;

  constructor(private readonly out: EntryWriter) {}

  add(kHi: number, kLo: number): void {
    const rHi = kHi >> BITS;
    const rLo = rangeLo(kHi, kLo);
    if (this.any && (rHi !== this.rHi || rLo !== this.rLo)) this.emit();
    this.rHi = rHi;
    this.rLo = rLo;
    this.any = true;
    const o = kLo & 63;
    if (o < 32) this.lo |= 1 << o;
    else this.hi |= 1 << (o - 32);
  }

  private emit(): void {
    if (this.any) this.out.add(this.rHi, this.rLo | 0, this.lo, this.hi);
    this.lo = this.hi = 0;
    this.any = false;
  }

  /** The last range written, and the writer's last block. */
  finish(): void {
    this.emit();
    this.out.flush();
  }
}

/**
 * Whether keys are present in a side's summaries, asked in ascending key order (a cursor:
 * each range is passed once).
 */
export function presence(now: Summaries): (kHi: number, kLo: number) => boolean {
  let i = 0;
  return (kHi, kLo) => {
    const rHi = kHi >> BITS;
    const rLo = rangeLo(kHi, kLo);
    while (i < now.n && (now.rHi[i] < rHi || (now.rHi[i] === rHi && now.rLo[i] < rLo))) i++;
    if (i >= now.n || now.rHi[i] !== rHi || now.rLo[i] !== rLo) return false;
    const o = kLo & 63;
    return (now.present[2 * i + (o >> 5)] & (1 << (o & 31))) !== 0;
  };
}

/** The low word of a key's range (key >> 6); its high word is kHi >> 6. */
const rangeLo = (kHi: number, kLo: number) => (((kHi & 63) << (32 - BITS)) | (kLo >>> BITS)) >>> 0;

/**
 * Keys to mark present or gone in recorded bitmaps (the apply's upserts and deletes, in
 * the order they were applied), per range.
 */
export class RangeEdits {
  /** Per range: its words, then the bits to set and to clear (low, high words each). */
  private readonly ranges = new Map<string, number[]>();

  get size(): number {
    return this.ranges.size;
  }

  edit(kHi: number, kLo: number, present: boolean): void {
    const rHi = kHi >> BITS;
    const rLo = rangeLo(kHi, kLo);
    const id = `${rHi}:${rLo}`;
    let e = this.ranges.get(id);
    if (!e) this.ranges.set(id, (e = [rHi, rLo, 0, 0, 0, 0]));
    const o = kLo & 63;
    const w = o < 32 ? 0 : 1;
    const b = 1 << (o & 31);
    const [on, off] = present ? [2 + w, 4 + w] : [4 + w, 2 + w];
    e[on] |= b;
    e[off] &= ~b;
  }

  /** `prev`'s entries with the edits made, in range order, to `out`. */
  applyTo(prev: PartReader, out: EntryWriter): void {
    const edits = [...this.ranges.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let j = 0;
    for (;;) {
      const p = prev.done ? -1 : prev.i * WORDS;
      if (p < 0 && j >= edits.length) break;
      const e = edits[j];
      const c = p < 0 ? 1 : j >= edits.length ? -1 : prev.words[p] !== e[0] ? prev.words[p] - e[0] : (prev.words[p + 1] >>> 0) - e[1];
      const [rHi, rLo] = c <= 0 ? [prev.words[p], prev.words[p + 1] >>> 0] : [e[0], e[1]];
      let [lo, hi] = c <= 0 ? [prev.words[p + 2], prev.words[p + 3]] : [0, 0];
      if (c >= 0) {
        lo = (lo | e[2]) & ~e[4];
        hi = (hi | e[3]) & ~e[5];
        j++;
      }
      if (c <= 0) prev.advance();
      if (lo !== 0 || hi !== 0) out.add(rHi, rLo | 0, lo, hi);
    }
    out.flush();
  }
}

/** Two ascending lists of (hi, lo) pairs as one, without repeats. */
export function unionKeys(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let c: number;
    if (i >= a.length) c = 1;
    else if (j >= b.length) c = -1;
    else c = a[i] !== b[j] ? a[i] - b[j] : a[i + 1] - b[j + 1];
    if (c <= 0) out.push(a[i], a[i + 1]);
    else out.push(b[j], b[j + 1]);
    if (c <= 0) i += 2;
    if (c >= 0) j += 2;
  }
  return out;
}
