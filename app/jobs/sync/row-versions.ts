import type { RowVersionPart, RowVersionRepo } from '../../store';
import type { SideState } from './row-version-scan';

/**
 * The cache of PostgreSQL full diffs — the "quick check" of this sync, as rsync's size and
 * mtime are of its: the keys of each side as the last run's scan saw them, and the facts
 * under which they were recorded (the guards). With them a run reads key-range summaries
 * and the rows changed since (key-ranges.ts), not every row.
 *
 * Entries: a range of 64 keys (key >> 6, as high and low word) and the bitmap of its keys
 * present (low, high word) — four int32s in memory, in range order; 8192 to a block in the
 * store, delta-encoded (encodeBlock). A generation has two parts: the source's keys (0)
 * and the target's (1).
 *
 * xmin has 32 bits and wraps. The guards (server, timeline, database, table and its
 * filenode, the queries; checked before a run uses the cache) say that the ids still name
 * versions of this table, and that fewer than 2^30 ids were used since the recorded
 * snapshot: the window of ids written since (key-ranges.ts) is then exact modulo 2^32. An
 * old version whose id is equal modulo 2^32 to one in the window only shows as changed:
 * compared again, for nothing, never missed.
 */

export const BLOCK_ENTRIES = 8192;
export const WORDS = 4;

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

  add(rangeHi: number, rangeLo: number, bitsLo: number, bitsHi: number): void {
    const o = this.n * WORDS;
    this.buf[o] = rangeHi;
    this.buf[o + 1] = rangeLo;
    this.buf[o + 2] = bitsLo;
    this.buf[o + 3] = bitsHi;
    this.count++;
    if (++this.n === this.blockEntries) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    this.repo.writeBlock(this.seq, this.generation, this.part, this.block++, encodeBlock(this.buf, this.n, this.bytes));
    this.n = 0;
  }

  /** The same part of an earlier generation, block for block, as this writer's whole output (an unchanged side: nothing decoded or encoded). */
  copyOf(generation: number): void {
    if (this.block !== 0 || this.n !== 0) throw new Error('copyOf: the writer has entries already');
    for (;;) {
      const bytes = this.repo.readBlock(this.seq, generation, this.part, this.block);
      if (!bytes || bytes.length === 0) break;
      this.repo.writeBlock(this.seq, this.generation, this.part, this.block++, bytes);
      // A block starts with its entry count (encodeBlock).
      this.count += bytes.readUInt32LE(0);
    }
  }
}

/** An entry takes at most a 1-byte escape, 8 bytes of range and two 5-byte varints. */
const MAX_ENTRY_BYTES = 19;

/**
 * A block as bytes: the entry count (uint32, little-endian), then per entry the range as
 * its distance from the previous one (a varint, for ranges of the same high word; 0 then
 * the range's 8 bytes otherwise) and each bitmap word as its zigzag distance from the
 * previous entry's (a full range follows a full range: 0, a byte). Ranges ascend, mostly
 * by 1: an entry is then ~3 bytes, not 16 — the cache is rewritten on every run, and its
 * bytes are most of what a run writes to the store.
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
export class PartReader {
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

/** What a generation was recorded under (JSON in the store). */
export interface RowVersionGuards {
  /** 3: the sides' keys in delta-encoded blocks (encodeBlock). */
  format: 3;
  source: SideState;
  target: SideState;
  /** The hash queries: their text encodes column names, native types and seeds. */
  sourceQuery: string;
  targetQuery: string;
  /**
   * Ids (xid8) of the transactions in which the sync's apply wrote the target after the
   * scan; the target's keys are recorded with those writes (key-ranges.ts).
   */
  written?: string[];
}

export function newGuards(source: SideState, target: SideState, sourceQuery: string, targetQuery: string): RowVersionGuards {
  return { format: 3, source, target, sourceQuery, targetQuery };
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
