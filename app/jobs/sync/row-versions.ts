import type { RowVersionPart, RowVersionRepo } from '../../store';
import type { DiffCounts } from './diff';
import { mergeKeys, sameHash, type ChangeKeys, type KeyBatch, type Unchanged } from './pg-diff';
import type { SideState } from './row-version-scan';

/**
 * The row-version cache of PostgreSQL full diffs — the "quick check" of this sync, as
 * rsync's size and mtime are of its. PostgreSQL gives each row version the id of the
 * transaction that wrote it (xmin); a row version is never changed in place, so a row
 * whose xmin is the same on both sides as when the sync last found the two rows equal is
 * still equal, and a run with the cache reads (key, xmin) of each side instead of hashing
 * every row. A row whose xmins differ is a candidate: both rows are fetched and compared,
 * and if equal recorded again with the xmins fetched with them.
 *
 * Entries: key (high, low word), source xmin, target xmin — four int32s in memory, in key
 * order; 8192 to a block in the store, delta-encoded (encodeBlock). A generation has two sorted parts (a run learns
 * that a candidate is equal only after its fetch, a chunk after the merge passed it): the
 * base (entries carried over, or equal by the hash scan) and the verified; a run reads the
 * previous generation as the merge of both and writes a new pair.
 *
 * xmin has 32 bits and wraps. The guards (server, timeline, database, table and its
 * filenode, the queries; checked before a run uses the cache) say that the ids still name
 * versions of this table; an id met again after a wrap is what remains. A change after
 * an entry was recorded has an id in [lo, hi): lo the oldest transaction running when the
 * generation's run began (snapshot xmin), hi the xmax of a snapshot taken after this run's
 * scan began. An entry whose xmin falls in that window (modulo 2^32) may be an old version
 * whose id came round again, so it is not trusted: the rows are fetched and compared. The
 * window holds the few versions written while the last run ran and, rarely, an old id
 * equal modulo 2^32 — nothing else, so this costs little and leaves no chance of a miss.
 */

export const BLOCK_ENTRIES = 8192;
const WORDS = 4;

/** Appends entries (in key order) to a part of a generation, a block at a time. */
export class EntryWriter {
  private readonly buf: Int32Array;
  /** A block's encoded bytes (encodeBlock), reused from block to block. */
  private readonly bytes: Uint8Array;
  private n = 0;
  private block = 0;
  count = 0;

  constructor(
    private readonly repo: RowVersionRepo,
    private readonly seq: number,
    private readonly generation: number,
    private readonly part: RowVersionPart,
    private readonly blockEntries = BLOCK_ENTRIES,
  ) {
    this.buf = new Int32Array(blockEntries * WORDS);
    this.bytes = new Uint8Array(4 + blockEntries * MAX_ENTRY_BYTES);
  }

  add(keyHi: number, keyLo: number, xs: number, xt: number): void {
    const o = this.n * WORDS;
    this.buf[o] = keyHi;
    this.buf[o + 1] = keyLo;
    this.buf[o + 2] = xs;
    this.buf[o + 3] = xt;
    this.count++;
    if (++this.n === this.blockEntries) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    this.repo.writeBlock(this.seq, this.generation, this.part, this.block++, encodeBlock(this.buf, this.n, this.bytes));
    this.n = 0;
  }
}

/** An entry takes at most a 1-byte escape, 8 bytes of key and two 5-byte varints. */
const MAX_ENTRY_BYTES = 19;

/**
 * A block as bytes: the entry count (uint32, little-endian), then per entry the key as
 * its distance from the previous key (a varint, for keys of the same high word; 0 then
 * the key's 8 bytes otherwise) and each xmin as its zigzag distance from the previous
 * one's (rows loaded or changed together share an xmin). Keys ascend, mostly by 1: an
 * entry is then ~3 bytes, not 16 — the cache is rewritten on every run, and its bytes
 * are most of what a run writes to the store.
 */
export function encodeBlock(words: Int32Array, n: number, into: Uint8Array): Uint8Array {
  const out = into.length >= 4 + n * MAX_ENTRY_BYTES ? into : new Uint8Array(4 + n * MAX_ENTRY_BYTES);
  out[0] = n & 0xff;
  out[1] = (n >>> 8) & 0xff;
  out[2] = (n >>> 16) & 0xff;
  out[3] = n >>> 24;
  let p = 4;
  let hi = 0;
  let lo = 0;
  let xs = 0;
  let xt = 0;
  const varint = (v: number) => {
    while (v > 0x7f) {
      out[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[p++] = v;
  };
  for (let i = 0; i < n; i++) {
    const o = i * WORDS;
    const kHi = words[o];
    const kLo = words[o + 1] >>> 0;
    if (i > 0 && kHi === hi && kLo > lo) varint(kLo - lo);
    else {
      out[p++] = 0;
      for (const w of [kHi, kLo]) {
        out[p++] = w & 0xff;
        out[p++] = (w >>> 8) & 0xff;
        out[p++] = (w >>> 16) & 0xff;
        out[p++] = (w >>> 24) & 0xff;
      }
    }
    hi = kHi;
    lo = kLo;
    const ds = (words[o + 2] - xs) | 0;
    const dt = (words[o + 3] - xt) | 0;
    varint(((ds << 1) ^ (ds >> 31)) >>> 0);
    varint(((dt << 1) ^ (dt >> 31)) >>> 0);
    xs = words[o + 2];
    xt = words[o + 3];
  }
  return out.subarray(0, p);
}

/** encodeBlock's bytes back as entries (WORDS int32s each). */
export function decodeBlock(b: Uint8Array): Int32Array {
  const bad = () => new Error('the row-version cache has a damaged block: run the sync with rehash to rebuild it');
  if (b.length < 4) throw bad();
  const n = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const words = new Int32Array(n * WORDS);
  let p = 4;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= b.length || shift > 28) throw bad();
      const c = b[p++];
      v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return v;
      shift += 7;
    }
  };
  const int32 = () => {
    if (p + 4 > b.length) throw bad();
    const v = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    p += 4;
    return v;
  };
  let hi = 0;
  let lo = 0;
  let xs = 0;
  let xt = 0;
  for (let i = 0; i < n; i++) {
    const d = varint();
    if (d === 0) {
      hi = int32();
      lo = int32() >>> 0;
    } else {
      lo += d;
      if (lo > 0xffffffff) throw bad();
    }
    const zs = varint();
    const zt = varint();
    xs = (xs + ((zs >>> 1) ^ -(zs & 1))) | 0;
    xt = (xt + ((zt >>> 1) ^ -(zt & 1))) | 0;
    const o = i * WORDS;
    words[o] = hi;
    words[o + 1] = lo | 0;
    words[o + 2] = xs;
    words[o + 3] = xt;
  }
  if (p !== b.length) throw bad();
  return words;
}

/** One part of a generation, read a block at a time. */
class PartReader {
  private block = 0;
  words: Int32Array = new Int32Array(0);
  i = 0;
  n = 0;
  done = false;

  constructor(
    private readonly repo: RowVersionRepo,
    private readonly seq: number,
    private readonly generation: number,
    private readonly part: RowVersionPart,
  ) {
    this.advance();
  }

  /** Moves to the next entry (the first at construction); loads the next block when needed. */
  advance(): void {
    if (!this.done && this.i + 1 < this.n) {
      this.i++;
      return;
    }
    const b = this.done ? undefined : this.repo.readBlock(this.seq, this.generation, this.part, this.block++);
    if (!b || b.length === 0) {
      this.done = true;
      this.n = 0;
      return;
    }
    this.words = decodeBlock(b);
    this.n = this.words.length / WORDS;
    this.i = 0;
    if (this.n === 0) this.done = true;
  }
}

/** The previous generation's entries in key order: the merge of its base and verified parts. */
export class CacheCursor {
  keyHi = 0;
  keyLo = 0;
  xs = 0;
  xt = 0;
  done = false;
  private first = true;
  private readonly parts: [PartReader, PartReader];

  constructor(repo: RowVersionRepo, seq: number, generation: number) {
    this.parts = [new PartReader(repo, seq, generation, 0), new PartReader(repo, seq, generation, 1)];
    this.next();
  }

  next(): void {
    const [a, b] = this.parts;
    let p: PartReader;
    if (a.done && b.done) {
      this.done = true;
      return;
    }
    if (a.done) p = b;
    else if (b.done) p = a;
    else {
      const aHi = a.words[a.i * WORDS];
      const bHi = b.words[b.i * WORDS];
      const aLo = a.words[a.i * WORDS + 1] >>> 0;
      const bLo = b.words[b.i * WORDS + 1] >>> 0;
      p = aHi < bHi || (aHi === bHi && aLo <= bLo) ? a : b;
    }
    const o = p.i * WORDS;
    const hi = p.words[o];
    const lo = p.words[o + 1] >>> 0;
    if (!this.first && (hi < this.keyHi || (hi === this.keyHi && lo <= this.keyLo))) {
      throw new Error('the row-version cache is not in key order: run the sync with rehash to rebuild it');
    }
    this.first = false;
    this.keyHi = hi;
    this.keyLo = lo;
    this.xs = p.words[o + 2];
    this.xt = p.words[o + 3];
    p.advance();
  }
}

/** What a generation was recorded under (JSON in the store). */
export interface RowVersionGuards {
  /** 2: delta-encoded blocks (encodeBlock). */
  format: 2;
  source: SideState;
  target: SideState;
  /** The hash queries: their text encodes column names, native types and seeds. */
  sourceQuery: string;
  targetQuery: string;
}

export function newGuards(source: SideState, target: SideState, sourceQuery: string, targetQuery: string): RowVersionGuards {
  return { format: 2, source, target, sourceQuery, targetQuery };
}

/** Ids may advance this far past the recorded snapshot before the cache is rebuilt. */
const MAX_XID_AGE = 2n ** 30n;

const IDENTITY: ReadonlyArray<[keyof SideState, string]> = [
  ['system', 'the server (system identifier)'],
  ['timeline', 'the timeline (a point-in-time recovery or a promotion)'],
  ['walTimeline', 'the timeline of the WAL (a point-in-time recovery or a promotion)'],
  ['database', 'the database'],
  ['relation', 'the table (dropped and created again)'],
  ['filenode', 'the table\'s file (TRUNCATE, VACUUM FULL, CLUSTER or a rewrite)'],
];

/** Why recorded guards do not hold now, or undefined when they do. */
export function guardsProblem(old: unknown, now: RowVersionGuards): string | undefined {
  if (typeof old !== 'object' || old === null || (old as { format?: unknown }).format !== now.format) return 'the cache was recorded in another format';
  const o = old as RowVersionGuards;
  if (o.sourceQuery !== now.sourceQuery || o.targetQuery !== now.targetQuery) return 'the synced columns or their types changed';
  for (const side of ['source', 'target'] as const) {
    const a = o[side];
    const b = now[side];
    if (typeof a !== 'object' || a === null) return `no recorded state of the ${side}`;
    for (const [k, what] of IDENTITY) if (a[k] !== b[k]) return `${what} of the ${side} changed`;
    let lo: bigint, oldMax: bigint, max: bigint;
    try {
      lo = BigInt(a.snapshotXmin);
      oldMax = BigInt(a.snapshotXmax);
      max = BigInt(b.snapshotXmax);
    } catch {
      return `the recorded transaction ids of the ${side} are not numbers`;
    }
    if (max < oldMax) return `the transaction ids of the ${side} went back`;
    if (max - lo >= MAX_XID_AGE) return `the ${side} has used 2^30 transaction ids or more since the cache was recorded`;
  }
  return undefined;
}

/** Entries whose xmin is in [lo, lo + width) modulo 2^32 on a side are not trusted (see above). */
export interface TrustWindow {
  sourceLo: number;
  sourceWidth: number;
  targetLo: number;
  targetWidth: number;
}

export function trustWindow(old: RowVersionGuards, sourceHi: bigint, targetHi: bigint): TrustWindow {
  const side = (lo: bigint, hi: bigint) => ({ lo: Number(BigInt.asIntN(32, lo)), width: hi > lo ? Number(hi - lo) : 0 });
  const s = side(BigInt(old.source.snapshotXmin), sourceHi);
  const t = side(BigInt(old.target.snapshotXmin), targetHi);
  return { sourceLo: s.lo, sourceWidth: s.width, targetLo: t.lo, targetWidth: t.width };
}

export interface RowVersionStats {
  /** Rows equal by their cached xmins. */
  carried: number;
  /** Rows equal by their hashes (a run without a usable cache). */
  equalByHash: number;
  /** Rows on both sides whose xmins moved (or that the hashes found different): compared again. */
  candidates: number;
  /** Of those, rows whose hashes, read for their keys, were equal (a run with the cache). */
  rehashedEqual: number;
  /** Of those, rows whose cached xmins matched but fell in the trust window. */
  untrusted: number;
}

/**
 * Merges the two sides' (key, xmin[, hash]) batches in key order, with the previous
 * generation's entries when there is one. A key on both sides is unchanged when its xmins
 * are the cached entry's (and trusted) or, from hash queries, when the hashes are equal:
 * it goes to `base` with its xmins. Otherwise it is a candidate update (fetched and
 * compared by the caller). Yields the changes' keys, at most `chunk` at a time.
 */
export async function* mergeRowVersions(
  source: AsyncIterable<KeyBatch>,
  target: AsyncIterable<KeyBatch>,
  opts: {
    cache?: { entries: CacheCursor; window: TrustWindow };
    base: EntryWriter;
    deletes: boolean;
    chunk: number;
    counts: DiffCounts;
    stats: RowVersionStats;
    signal?: AbortSignal;
  },
): AsyncGenerator<ChangeKeys> {
  const { base, stats } = opts;
  const cache = opts.cache?.entries;
  const w = opts.cache?.window;
  const unchanged: Unchanged = (sb, si, tb, ti, kHi, kLo) => {
    const xs = sb.xmin![si];
    const xt = tb.xmin![ti];
    let same = false;
    if (cache) {
      while (!cache.done && (cache.keyHi < kHi || (cache.keyHi === kHi && cache.keyLo < kLo))) cache.next();
      if (!cache.done && cache.keyHi === kHi && cache.keyLo === kLo && cache.xs === xs && cache.xt === xt) {
        if (((xs - w!.sourceLo) >>> 0) >= w!.sourceWidth && ((xt - w!.targetLo) >>> 0) >= w!.targetWidth) {
          same = true;
          stats.carried++;
        } else stats.untrusted++;
      }
    } else if (sb.hashHi && tb.hashHi && sameHash(sb, si, tb, ti, kHi, kLo)) {
      same = true;
      stats.equalByHash++;
    }
    if (same) base.add(kHi, kLo, xs, xt);
    else stats.candidates++;
    return same;
  };
  yield* mergeKeys(source, target, { deletes: opts.deletes, chunk: opts.chunk, counts: opts.counts, signal: opts.signal, unchanged });
  base.flush();
}

/** Two lists of entries (flat: keyHi, keyLo, xmin source, xmin target), each in key order, as one in key order. */
export function mergeEntries(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0) return b as number[];
  if (b.length === 0) return a as number[];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && (a[i] < b[j] || (a[i] === b[j] && a[i + 1] >>> 0 < b[j + 1] >>> 0)));
    const src = takeA ? a : b;
    const k = takeA ? i : j;
    out.push(src[k], src[k + 1], src[k + 2], src[k + 3]);
    if (takeA) i += 4;
    else j += 4;
  }
  return out;
}
