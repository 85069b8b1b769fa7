import { compareValues, formatValue, type Row } from '../../model/values';

/**
 * The full diff: both tables streamed in key order and merged, batch by batch, so neither
 * is ever held in memory (a batch of each side at a time). Rows present on both sides are
 * compared by the hash of their canonical values; a key only the source has is an
 * insert, one only the target has a delete.
 */

export interface RowChange {
  kind: 'insert' | 'update' | 'delete';
  /** The source row (insert, update) or the target row (delete). */
  row: Row;
  /** Hash of the source row (insert, update). */
  hash?: number;
  /** Hash of the target row (update, delete): what the conflict policies compare with. */
  targetHash?: number;
}

export interface DiffCounts {
  sourceRows: number;
  targetRows: number;
}

/** Reads one side batch by batch, checking that keys strictly increase. */
const NEED: unique symbol = Symbol('load the next batch');

class OrderedCursor {
  private batch: Row[] = [];
  private i = 0;
  private done = false;
  private last: Row | undefined;
  private readonly it: AsyncIterator<Row[]>;
  count = 0;

  constructor(
    rows: AsyncIterable<Row[]>,
    private readonly keyIdx: readonly number[],
    private readonly side: string,
  ) {
    this.it = rows[Symbol.asyncIterator]();
  }

  /**
   * The current row without waiting: undefined at the end, NEED when the next batch must be
   * loaded first (load()). The merge runs synchronously through a batch: an await per row
   * would cost a promise and a microtask for each of millions of rows.
   */
  peek(): Row | undefined | typeof NEED {
    if (this.i < this.batch.length) return this.batch[this.i];
    return this.done ? undefined : NEED;
  }

  async load(): Promise<void> {
    while (this.i >= this.batch.length && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.batch = r.value;
        this.i = 0;
      }
    }
  }

  /** The current row, loading the next batch when needed; undefined at the end. */
  async current(): Promise<Row | undefined> {
    const r = this.peek();
    if (r !== NEED) return r;
    await this.load();
    return this.peek() as Row | undefined;
  }

  advance(): void {
    const row = this.batch[this.i++];
    if (this.last && compareKeys(this.last, row, this.keyIdx) >= 0) {
      const key = this.keyIdx.map((k) => formatValue(row[k])).join(', ');
      throw new Error(
        compareKeys(this.last, row, this.keyIdx) === 0
          ? `the ${this.side} has the key (${key}) twice: a sync needs a unique key`
          : `the ${this.side} rows are not in key order at (${key}): the sync merges both sides in key order (a transform must keep the order)`,
      );
    }
    this.last = row;
    this.count++;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export function compareKeys(a: Row, b: Row, keyIdx: readonly number[]): number {
  for (let k = 0; k < keyIdx.length; k++) {
    const c = compareValues(a[keyIdx[k]], b[keyIdx[k]]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Yields the differences in batches of at most `chunk` changes, in key order. Both
 * streams must hold the same columns in the same order (the target is read with the
 * source's column list), typed alike (canonical.ts's coercer).
 */
export async function* fullDiff(
  source: AsyncIterable<Row[]>,
  target: AsyncIterable<Row[]>,
  opts: { keyIdx: readonly number[]; hash: (row: Row) => number; deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal },
): AsyncGenerator<RowChange[]> {
  const src = new OrderedCursor(source, opts.keyIdx, 'source');
  const tgt = new OrderedCursor(target, opts.keyIdx, 'target');
  const { keyIdx, hash } = opts;
  let out: RowChange[] = [];
  try {
    for (;;) {
      const s = src.peek();
      const t = tgt.peek();
      if (s === NEED || t === NEED) {
        // Between batches: where progress is reported and cancellation noticed.
        opts.signal?.throwIfAborted();
        opts.counts.sourceRows = src.count;
        opts.counts.targetRows = tgt.count;
        await (s === NEED ? src : tgt).load();
        continue;
      }
      if (s === undefined && t === undefined) break;
      const c = s === undefined ? 1 : t === undefined ? -1 : compareKeys(s, t, keyIdx);
      if (c === 0) {
        src.advance();
        tgt.advance();
        const hs = hash(s!);
        const ht = hash(t!);
        if (hs !== ht) out.push({ kind: 'update', row: s!, hash: hs, targetHash: ht });
      } else if (c < 0) {
        src.advance();
        out.push({ kind: 'insert', row: s!, hash: hash(s!) });
      } else {
        tgt.advance();
        if (opts.deletes) out.push({ kind: 'delete', row: t!, targetHash: hash(t!) });
      }
      if (out.length >= opts.chunk) {
        opts.signal?.throwIfAborted();
        opts.counts.sourceRows = src.count;
        opts.counts.targetRows = tgt.count;
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    opts.counts.sourceRows = src.count;
    opts.counts.targetRows = tgt.count;
    await Promise.allSettled([src.close(), tgt.close()]);
  }
}

/** Keys only the target has (the incremental sync's delete scan): both key streams in key order. */
export async function* keysOnlyInTarget(
  sourceKeys: AsyncIterable<Row[]>,
  targetKeys: AsyncIterable<Row[]>,
  opts: { keyWidth: number; chunk: number; counts: DiffCounts; signal?: AbortSignal },
): AsyncGenerator<Row[]> {
  const keyIdx = [...Array(opts.keyWidth).keys()];
  const src = new OrderedCursor(sourceKeys, keyIdx, 'source');
  const tgt = new OrderedCursor(targetKeys, keyIdx, 'target');
  let out: Row[] = [];
  try {
    for (;;) {
      const t = await tgt.current();
      if (t === undefined) break;
      const s = await src.current();
      const c = s === undefined ? 1 : compareKeys(s, t, keyIdx);
      if (c === 0) {
        src.advance();
        tgt.advance();
      } else if (c < 0) src.advance();
      else {
        tgt.advance();
        out.push(t);
        if (out.length >= opts.chunk) {
          opts.signal?.throwIfAborted();
          yield out;
          out = [];
        }
      }
    }
    if (out.length > 0) yield out;
  } finally {
    opts.counts.sourceRows = src.count;
    opts.counts.targetRows = tgt.count;
    await Promise.allSettled([src.close(), tgt.close()]);
  }
}
