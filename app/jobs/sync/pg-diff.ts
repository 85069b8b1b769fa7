import type { Column } from '../../model/schema';
import { T } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { coercer } from './canonical';
import type { DiffCounts, RowChange } from './diff';
import { keysQuery, rangeQuery } from './pushdown';
import type { TableSide } from './tables';

/**
 * The full diff over hashes computed in PostgreSQL (pushdown.ts), in this thread: each
 * side's (int8 key, int8 hash) rows arrive as binary COPY and are decoded straight into
 * typed arrays (no object per row), the two key-ordered streams are merged comparing
 * 64-bit hashes, and only the changes' rows are fetched, by key, a chunk at a time, while
 * the merge goes on. The databases do the hashing (on their own cores); what is left here
 * is a few instructions a row.
 */

/**
 * One side's rows, a batch: the key as signed high and unsigned low 32-bit words, and what
 * else the query returned: the row version's xmin (its 32 bits as an int32, for the
 * row-version cache) and the 64-bit row hash as two words.
 */
export interface KeyBatch {
  n: number;
  keyHi: Int32Array;
  keyLo: Uint32Array;
  xmin?: Int32Array;
  hashHi?: Int32Array;
  hashLo?: Int32Array;
}

/** Which fields follow the key in each row. */
export interface KeyBatchFields {
  xmin: boolean;
  hash: boolean;
}

function newBatch(rows: number, f: KeyBatchFields): KeyBatch {
  const b: KeyBatch = { n: 0, keyHi: new Int32Array(rows), keyLo: new Uint32Array(rows) };
  if (f.xmin) b.xmin = new Int32Array(rows);
  if (f.hash) {
    b.hashHi = new Int32Array(rows);
    b.hashLo = new Int32Array(rows);
  }
  return b;
}

/** PGCOPY\n\377\r\n\0: the first bytes of binary COPY data. */
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

const int32At = (c: Buffer, p: number) => (c[p] << 24) | (c[p + 1] << 16) | (c[p + 2] << 8) | c[p + 3];

/**
 * Decodes the CopyData messages of `COPY (SELECT key[, xmin][, hash]) TO STDOUT (FORMAT
 * binary)` — an integer key, the xmin, an int8 hash (connection copyOut: whole messages,
 * one row each) — into batches of `batchRows` rows.
 */
export async function* keyBatches(chunks: AsyncIterable<Buffer>, batchRows: number, label: string, fields: KeyBatchFields): AsyncGenerator<KeyBatch> {
  let b = newBatch(batchRows, fields);
  let header = true;
  let trailer = false;
  const want = 1 + (fields.xmin ? 1 : 0) + (fields.hash ? 1 : 0);
  const bad = (why: string) => new Error(`${label}: unexpected binary COPY data (${why})`);
  for await (const chunk of chunks) {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      // A CopyData message: 'd', int32 length (counting itself), one row.
      const end = p + 1 + int32At(chunk, p + 1);
      let q = p + 5;
      p = end;
      if (header) {
        for (let i = 0; i < SIGNATURE.length; i++) if (chunk[q + i] !== SIGNATURE[i]) throw bad('no PGCOPY signature');
        q += 19 + int32At(chunk, q + 15);
        header = false;
        if (q === end) continue;
      }
      const count = (chunk[q] << 8) | chunk[q + 1];
      if (count === 0xffff) {
        trailer = true;
        continue;
      }
      if (trailer || count !== want) throw bad(`a row of ${count} fields`);
      // The key: int2, int4 or int8 as the column is (length 2, 4 or 8; -1 is NULL).
      if (chunk[q + 2] === 0xff) throw new Error(`${label} has a row whose key is NULL: a sync needs a key in every row`);
      const kw = chunk[q + 5];
      if (kw !== 8 && kw !== 4 && kw !== 2) throw bad(`a key of ${kw} bytes`);
      // Then each field: its int32 length (4 for xmin, 8 for the hash) and its bytes.
      let x = q + 6 + kw;
      const xmin = x;
      if (fields.xmin) x += 8;
      const h = x;
      if (fields.hash) x += 12;
      if (x !== end || (fields.xmin && int32At(chunk, xmin) !== 4) || (fields.hash && int32At(chunk, h) !== 8)) throw bad(`a row of ${end - q} bytes`);
      const i = b.n++;
      if (kw === 8) {
        b.keyHi[i] = int32At(chunk, q + 6);
        b.keyLo[i] = int32At(chunk, q + 10) >>> 0;
      } else {
        // Sign-extended to 64 bits.
        const v = kw === 4 ? int32At(chunk, q + 6) : ((chunk[q + 6] << 24) | (chunk[q + 7] << 16)) >> 16;
        b.keyHi[i] = v < 0 ? -1 : 0;
        b.keyLo[i] = v >>> 0;
      }
      if (fields.xmin) b.xmin![i] = int32At(chunk, xmin + 4);
      if (fields.hash) {
        b.hashHi![i] = int32At(chunk, h + 4);
        b.hashLo![i] = int32At(chunk, h + 8);
      }
      if (b.n === batchRows) {
        yield b;
        b = newBatch(batchRows, fields);
      }
    }
  }
  if (!trailer) throw bad('it ended without its trailer');
  if (b.n > 0) yield b;
}

/** (key, hash) rows: the hash queries of a diff without the row-version cache. */
export function keyHashBatches(chunks: AsyncIterable<Buffer>, batchRows: number, label: string): AsyncGenerator<KeyBatch> {
  return keyBatches(chunks, batchRows, label, { xmin: false, hash: true });
}

/** The decimal text of an int64 given as words. */
export function int64Text(hi: number, lo: number): string {
  // Within ±2^53 the double is exact.
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) + BigInt(lo)).toString();
}

/** What the merge found: per change its kind and key, and where its rows are on each side. */
export const INSERT = 0;
export const UPDATE = 1;
export const DELETE = 2;

export class ChangeKeys {
  n = 0;
  readonly kind: Uint8Array;
  readonly keyHi: Int32Array;
  readonly keyLo: Uint32Array;
  /** The row's position in the source (insert, update) and in the target (update, delete), counted from 0. */
  readonly sourceAt: Float64Array;
  readonly targetAt: Float64Array;

  constructor(readonly capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.keyHi = new Int32Array(capacity);
    this.keyLo = new Uint32Array(capacity);
    this.sourceAt = new Float64Array(capacity);
    this.targetAt = new Float64Array(capacity);
  }

  key(i: number): string {
    return int64Text(this.keyHi[i], this.keyLo[i]);
  }
}

interface SideCursor {
  it: AsyncIterator<KeyBatch>;
  b: KeyBatch | undefined;
  i: number;
  done: boolean;
  /** Rows gone past. */
  count: number;
  lastHi: number;
  lastLo: number;
  name: string;
}

function cursor(batches: AsyncIterable<KeyBatch>, name: string): SideCursor {
  return { it: batches[Symbol.asyncIterator](), b: undefined, i: 0, done: false, count: 0, lastHi: -Infinity, lastLo: 0, name };
}

async function load(c: SideCursor): Promise<void> {
  while (!c.done && (!c.b || c.i >= c.b.n)) {
    const r = await c.it.next();
    if (r.done) {
      c.done = true;
      c.b = undefined;
    } else {
      c.b = r.value;
      c.i = 0;
    }
  }
}

function disorder(c: SideCursor, hi: number, lo: number): never {
  const key = int64Text(hi, lo);
  throw new Error(
    hi === c.lastHi && lo === c.lastLo
      ? `the ${c.name} has the key (${key}) twice: a sync needs a unique key`
      : `the ${c.name} rows are not in key order at (${key}): the sync merges both sides in key order`,
  );
}

/** Whether the rows of a key found on both sides (row `si` of `sb`, `ti` of `tb`) are unchanged. */
export type Unchanged = (sb: KeyBatch, si: number, tb: KeyBatch, ti: number, keyHi: number, keyLo: number) => boolean;

/** Unchanged when the hashes are equal. */
export const sameHash: Unchanged = (sb, si, tb, ti) => sb.hashHi![si] === tb.hashHi![ti] && sb.hashLo![si] === tb.hashLo![ti];

/**
 * Merges the two sides' batches in key order; yields the changes' keys, at most `chunk`
 * at a time (the arrays of a ChangeKeys are the caller's once yielded). A key on both sides
 * is an update unless `unchanged` says otherwise.
 */
export async function* mergeKeys(
  source: AsyncIterable<KeyBatch>,
  target: AsyncIterable<KeyBatch>,
  opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal; unchanged: Unchanged },
): AsyncGenerator<ChangeKeys> {
  const s = cursor(source, 'source');
  const t = cursor(target, 'target');
  const unchanged = opts.unchanged;
  let out = new ChangeKeys(opts.chunk);
  try {
    for (;;) {
      if (!s.done && (!s.b || s.i >= s.b.n)) await load(s);
      if (!t.done && (!t.b || t.i >= t.b.n)) await load(t);
      opts.signal?.throwIfAborted();
      opts.counts.sourceRows = s.count;
      opts.counts.targetRows = t.count;
      const sb = s.b;
      const tb = t.b;
      if (!sb && !tb) break;
      // Through both batches without awaiting, until one runs out (or the chunk is full).
      let si = s.i;
      let ti = t.i;
      const sn = sb ? sb.n : 0;
      const tn = tb ? tb.n : 0;
      let m = out.n;
      const cap = out.capacity;
      while ((si < sn || s.done) && (ti < tn || t.done) && m < cap) {
        let c: number;
        if (si >= sn) c = 1;
        else if (ti >= tn) c = -1;
        else {
          const aHi = sb!.keyHi[si];
          const bHi = tb!.keyHi[ti];
          const aLo = sb!.keyLo[si];
          const bLo = tb!.keyLo[ti];
          c = aHi < bHi ? -1 : aHi > bHi ? 1 : aLo < bLo ? -1 : aLo > bLo ? 1 : 0;
        }
        let kHi = 0;
        let kLo = 0;
        if (c <= 0) {
          kHi = sb!.keyHi[si];
          kLo = sb!.keyLo[si];
          if (kHi < s.lastHi || (kHi === s.lastHi && kLo <= s.lastLo)) disorder(s, kHi, kLo);
          s.lastHi = kHi;
          s.lastLo = kLo;
        }
        if (c >= 0) {
          kHi = tb!.keyHi[ti];
          kLo = tb!.keyLo[ti];
          if (kHi < t.lastHi || (kHi === t.lastHi && kLo <= t.lastLo)) disorder(t, kHi, kLo);
          t.lastHi = kHi;
          t.lastLo = kLo;
        }
        if (c === 0) {
          if (!unchanged(sb!, si, tb!, ti, kHi, kLo)) {
            out.kind[m] = UPDATE;
            out.keyHi[m] = kHi;
            out.keyLo[m] = kLo;
            out.sourceAt[m] = s.count + (si - s.i);
            out.targetAt[m] = t.count + (ti - t.i);
            m++;
          }
          si++;
          ti++;
        } else if (c < 0) {
          out.kind[m] = INSERT;
          out.keyHi[m] = kHi;
          out.keyLo[m] = kLo;
          out.sourceAt[m] = s.count + (si - s.i);
          m++;
          si++;
        } else {
          if (opts.deletes) {
            out.kind[m] = DELETE;
            out.keyHi[m] = kHi;
            out.keyLo[m] = kLo;
            out.targetAt[m] = t.count + (ti - t.i);
            m++;
          }
          ti++;
        }
        if (si >= sn && ti >= tn) break;
      }
      out.n = m;
      s.count += si - s.i;
      t.count += ti - t.i;
      s.i = si;
      t.i = ti;
      if (out.n >= cap) {
        opts.counts.sourceRows = s.count;
        opts.counts.targetRows = t.count;
        yield out;
        out = new ChangeKeys(opts.chunk);
      }
    }
    if (out.n > 0) yield out;
  } finally {
    opts.counts.sourceRows = s.count;
    opts.counts.targetRows = t.count;
    await Promise.allSettled([s.it.return?.(), t.it.return?.()]);
  }
}

/** The merge of (key, hash) batches: a key on both sides is an update when its hashes differ. */
export function mergeKeyHashes(
  source: AsyncIterable<KeyBatch>,
  target: AsyncIterable<KeyBatch>,
  opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal },
): AsyncGenerator<ChangeKeys> {
  return mergeKeys(source, target, { ...opts, unchanged: sameHash });
}

export interface FetchSide {
  side: TableSide;
  columns: readonly Column[];
  key: Column;
}

/** Keys per statement (inlined as literals). */
const KEYS_PER_FETCH = 5000;

/**
 * The rows of these keys (ascending, with their positions on the side), by key text. Where
 * the keys are a quarter or more of the rows between the first and the last, the key range
 * is read instead of a lookup per key. Statements without parameters: PostgreSQL streams
 * them with COPY.
 */
export async function fetchRows(f: FetchSide, keys: readonly string[], at: readonly number[], signal?: AbortSignal, xmins?: Map<string, number>): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (keys.length === 0) return found;
  const k = f.columns.indexOf(f.key);
  const coerce = coercer(f.columns.map((c) => c.type));
  // With xmins, each row's xmin comes last (read with the row: the version it was compared on).
  const xmin = xmins !== undefined;
  const width = f.columns.length;
  const schema = { columns: xmin ? [...f.columns, { name: 'xmin', type: T.bigint, nullable: false }] : [...f.columns] };
  const read = async (sql: string) => {
    const stream = await f.side.conn.read({ query: sql, schema }, { signal });
    for await (const rows of stream.batches) {
      for (const r of rows) {
        const key = String(r[k]);
        if (xmin) {
          xmins.set(key, Number(r[width]) | 0);
          r.length = width;
        }
        found.set(key, coerce(r));
      }
    }
  };
  const span = at[at.length - 1] - at[0] + 1;
  if (keys.length * 4 >= span) await read(rangeQuery(f.side, f.columns, f.key, keys[0], keys[keys.length - 1], xmin));
  else for (let i = 0; i < keys.length; i += KEYS_PER_FETCH) await read(keysQuery(f.side, f.columns, f.key, keys.slice(i, i + KEYS_PER_FETCH), xmin));
  return found;
}

/** A key's value as the connector types it (int: a number; bigint: a number when safe). */
function keyValue(hi: number, lo: number): Value {
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/**
 * The changes of a ChangeKeys with their rows: the source rows of inserts and updates and
 * the target rows of updates, fetched concurrently. Each fetched row is hashed canonically
 * (rehash): an update whose rows are canonically equal is dropped, and so is a change whose
 * source row is gone since. A delete needs no row (its key is enough under source-wins,
 * the one policy this path serves). With `verified`, the rows are fetched with their
 * xmins, and each update found equal is reported with them (in key order).
 */
export async function fillChanges(
  ck: ChangeKeys,
  source: FetchSide,
  target: FetchSide,
  rehash: (row: Row) => number,
  keyIdx: number,
  width: number,
  signal?: AbortSignal,
  verified?: (i: number, sourceXmin: number, targetXmin: number) => void,
): Promise<RowChange[]> {
  const sKeys: string[] = [];
  const sAt: number[] = [];
  const tKeys: string[] = [];
  const tAt: number[] = [];
  const keys: string[] = new Array<string>(ck.n);
  for (let i = 0; i < ck.n; i++) {
    const key = (keys[i] = ck.key(i));
    if (ck.kind[i] !== DELETE) {
      sKeys.push(key);
      sAt.push(ck.sourceAt[i]);
    }
    if (ck.kind[i] === UPDATE) {
      tKeys.push(key);
      tAt.push(ck.targetAt[i]);
    }
  }
  const sX = verified && new Map<string, number>();
  const tX = verified && new Map<string, number>();
  const [sRows, tRows] = await Promise.all([fetchRows(source, sKeys, sAt, signal, sX), fetchRows(target, tKeys, tAt, signal, tX)]);
  const out: RowChange[] = [];
  for (let i = 0; i < ck.n; i++) {
    const kind = ck.kind[i];
    if (kind === DELETE) {
      const row: Row = new Array<Value>(width).fill(null);
      row[keyIdx] = keyValue(ck.keyHi[i], ck.keyLo[i]);
      out.push({ kind: 'delete', row });
      continue;
    }
    const row = sRows.get(keys[i]);
    if (!row) continue;
    const hash = rehash(row);
    if (kind === INSERT) {
      out.push({ kind: 'insert', row, hash });
      continue;
    }
    const t = tRows.get(keys[i]);
    const targetHash = t ? rehash(t) : undefined;
    if (targetHash === hash) {
      // Equal as fetched: the row-version cache records the xmins read with these rows.
      verified?.(i, sX!.get(keys[i])!, tX!.get(keys[i])!);
      continue;
    }
    out.push({ kind: 'update', row, hash, targetHash });
  }
  return out;
}
