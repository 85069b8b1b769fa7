import type { Column } from '../../model/schema';
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

/** One side's (key, hash) rows, a batch: the key as a signed high and an unsigned low 32-bit word, the 64-bit hash as two signed words. */
export interface KeyBatch {
  n: number;
  keyHi: Int32Array;
  keyLo: Uint32Array;
  hashHi: Int32Array;
  hashLo: Int32Array;
}

function newBatch(rows: number): KeyBatch {
  return { n: 0, keyHi: new Int32Array(rows), keyLo: new Uint32Array(rows), hashHi: new Int32Array(rows), hashLo: new Int32Array(rows) };
}

/** PGCOPY\n\377\r\n\0: the first bytes of binary COPY data. */
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

export const int32At = (c: Buffer, p: number) => (c[p] << 24) | (c[p + 1] << 16) | (c[p + 2] << 8) | c[p + 3];

/**
 * Where the rows begin in the first CopyData message of binary COPY data (its payload at
 * `q`): past the PGCOPY signature, the flags and the header extension.
 */
export function copyHeaderEnd(chunk: Buffer, q: number, bad: (why: string) => Error): number {
  for (let i = 0; i < SIGNATURE.length; i++) if (chunk[q + i] !== SIGNATURE[i]) throw bad('no PGCOPY signature');
  return q + 19 + int32At(chunk, q + 15);
}

/** Rows of (key, hash) per batch of a hash stream. */
export const HASH_BATCH = 16_384;

/**
 * Decodes the CopyData messages of `COPY (SELECT key, hash) TO STDOUT (FORMAT binary)` — an
 * integer key and an int8 hash (connection copyOut: whole messages, one row each) — into
 * batches of `batchRows` rows.
 */
export async function* keyHashBatches(chunks: AsyncIterable<Buffer>, batchRows: number, label: string): AsyncGenerator<KeyBatch> {
  let b = newBatch(batchRows);
  let header = true;
  let trailer = false;
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
        q = copyHeaderEnd(chunk, q, bad);
        header = false;
        if (q === end) continue;
      }
      const count = (chunk[q] << 8) | chunk[q + 1];
      if (count === 0xffff) {
        trailer = true;
        continue;
      }
      if (trailer || count !== 2) throw bad(`a row of ${count} fields`);
      // The key: int2, int4 or int8 as the column is (length 2, 4 or 8; -1 is NULL).
      if (chunk[q + 2] === 0xff) throw new Error(`${label} has a row whose key is NULL: a sync needs a key in every row`);
      const kw = chunk[q + 5];
      if (kw !== 8 && kw !== 4 && kw !== 2) throw bad(`a key of ${kw} bytes`);
      // Then the hash: its int32 length (8) and its bytes.
      const h = q + 6 + kw;
      if (h + 12 !== end || int32At(chunk, h) !== 8) throw bad(`a row of ${end - q} bytes`);
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
      b.hashHi[i] = int32At(chunk, h + 4);
      b.hashLo[i] = int32At(chunk, h + 8);
      if (b.n === batchRows) {
        yield b;
        b = newBatch(batchRows);
      }
    }
  }
  if (!trailer) throw bad('it ended without its trailer');
  if (b.n > 0) yield b;
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

/**
 * Merges the two sides' (key, hash) batches in key order; yields the changes' keys, at most
 * `chunk` at a time (the arrays of a ChangeKeys are the caller's once yielded). A key on
 * both sides is an update when its hashes differ.
 */
export async function* mergeKeyHashes(
  source: AsyncIterable<KeyBatch>,
  target: AsyncIterable<KeyBatch>,
  opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal },
): AsyncGenerator<ChangeKeys> {
  const s = cursor(source, 'source');
  const t = cursor(target, 'target');
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
          if (sb!.hashHi[si] !== tb!.hashHi[ti] || sb!.hashLo[si] !== tb!.hashLo[ti]) {
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
export async function fetchRows(f: FetchSide, keys: readonly string[], at: readonly number[], signal?: AbortSignal): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (keys.length === 0) return found;
  const span = at[at.length - 1] - at[0] + 1;
  if (keys.length * 4 >= span) await readInto(f, rangeQuery(f.side, f.columns, f.key, keys[0], keys[keys.length - 1]), found, signal);
  else for (let i = 0; i < keys.length; i += KEYS_PER_FETCH) await readInto(f, keysQuery(f.side, f.columns, f.key, keys.slice(i, i + KEYS_PER_FETCH)), found, signal);
  return found;
}

/**
 * The rows a query gives (rows of the side's columns), by key text; undefined when more than
 * `limit` came (the query asks for one more) or they hold more than `maxBytes` of values
 * (counted roughly: text by its length, anything else 8 bytes): the caller then fetches by key.
 */
export async function readRowsByKey(f: FetchSide, sql: string, limit: number, signal?: AbortSignal, maxBytes = 64 << 20): Promise<Map<string, Row> | undefined> {
  const found = new Map<string, Row>();
  return (await readInto(f, sql, found, signal, { rows: limit, bytes: maxBytes })) ? found : undefined;
}

/** A query's rows into `found`, by key text (coerced to the side's types); false, and the stream closed, once past `bound`. */
async function readInto(f: FetchSide, sql: string, found: Map<string, Row>, signal?: AbortSignal, bound?: { rows: number; bytes: number }): Promise<boolean> {
  const k = f.columns.indexOf(f.key);
  const coerce = coercer(f.columns.map((c) => c.type));
  const stream = await f.side.conn.read({ query: sql, schema: { columns: [...f.columns] } }, { signal });
  let bytes = 0;
  for await (const rows of stream.batches) {
    for (const r of rows) {
      found.set(String(r[k]), coerce(r));
      if (bound) for (const v of r) bytes += typeof v === 'string' ? v.length : 8;
    }
    // Leaving the loop closes the stream.
    if (bound && (found.size > bound.rows || bytes > bound.bytes)) return false;
  }
  return true;
}

/** A key's value as the connector types it (int: a number; bigint: a number when safe). */
function keyValue(hi: number, lo: number): Value {
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** keyValue's inverse: an integer key value's words (high signed, low unsigned). */
export function keyWords(v: number | bigint): [number, number] {
  if (typeof v === 'bigint') return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
  const hi = Math.floor(v / 4294967296);
  return [hi, v - hi * 4294967296];
}

/**
 * The changes of a ChangeKeys with their rows: the source rows of inserts and updates and
 * the target rows of updates, fetched concurrently. An update whose rows are canonically
 * equal (`same`) is dropped, and so is a change whose source row is gone since. No hash is
 * kept: source-wins reads none. A delete needs no row (its key is enough under source-wins,
 * the one policy this path serves). Source rows found in `sourceRead` are not fetched again.
 */
export async function fillChanges(
  ck: ChangeKeys,
  source: FetchSide,
  target: FetchSide,
  same: (a: Row, b: Row) => boolean,
  keyIdx: number,
  width: number,
  signal?: AbortSignal,
  sourceRead?: Map<string, Row>,
): Promise<RowChange[]> {
  const sKeys: string[] = [];
  const sAt: number[] = [];
  const tKeys: string[] = [];
  const tAt: number[] = [];
  const keys: string[] = new Array<string>(ck.n);
  const sRead: (Row | undefined)[] = new Array<Row | undefined>(ck.n);
  for (let i = 0; i < ck.n; i++) {
    const key = (keys[i] = ck.key(i));
    if (ck.kind[i] !== DELETE) {
      // Read already (the source's rows in the window, as of a snapshot after the one that named the key): taken once.
      const row = sourceRead?.get(key);
      if (row) {
        sRead[i] = row;
        sourceRead!.delete(key);
      } else {
        sKeys.push(key);
        sAt.push(ck.sourceAt[i]);
      }
    }
    if (ck.kind[i] === UPDATE) {
      tKeys.push(key);
      tAt.push(ck.targetAt[i]);
    }
  }
  const [sRows, tRows] = await Promise.all([fetchRows(source, sKeys, sAt, signal), fetchRows(target, tKeys, tAt, signal)]);
  const out: RowChange[] = [];
  for (let i = 0; i < ck.n; i++) {
    const kind = ck.kind[i];
    if (kind === DELETE) {
      const row: Row = new Array<Value>(width).fill(null);
      row[keyIdx] = keyValue(ck.keyHi[i], ck.keyLo[i]);
      out.push({ kind: 'delete', row });
      continue;
    }
    const row = sRead[i] ?? sRows.get(keys[i]);
    if (!row) continue;
    if (kind === INSERT) {
      out.push({ kind: 'insert', row });
      continue;
    }
    const t = tRows.get(keys[i]);
    if (t && same(row, t)) continue;
    out.push({ kind: 'update', row });
  }
  return out;
}
