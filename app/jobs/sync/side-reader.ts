import { Worker } from 'node:worker_threads';
import { compareValues, formatValue, type Row } from '../../model/values';
import { decodeRows } from '../../nodes/sort/row-codec';
import { workerBeside } from '../worker-entry';
import type { DiffCounts, RowChange } from './diff';
import type { SideCredit, SideMessage, SideWorkerData } from './side-worker';

/**
 * The full diff on two cores: each table is read, typed and hashed in a worker thread of
 * its own (side-worker.ts), and the merge here only compares keys and hashes; rows are
 * decoded from the batches' bytes only where they differ. Measured on 1M rows, reading and
 * hashing is most of a diff's work, so this halves its time on two cores.
 */

export interface HashedBatch {
  n: number;
  hashes: Float64Array;
  keyNums?: Float64Array;
  keys?: Row[];
  /** The rows at these indexes (the changes); with release, the worker may drop the batch. */
  fetch(indexes: number[], release: boolean): Promise<Row[]>;
}

export interface Side {
  batches: AsyncIterable<HashedBatch>;
  /** Ends the worker (after the last rows were fetched). */
  close(): Promise<void>;
}

/** The side worker's script: beside the running bundle (dist/sync-side-worker.mjs), or the source bundled on the fly. */
export function sideWorkerFile(): string | undefined {
  return workerBeside(import.meta.url, ['./sync-side-worker.mjs', './sync-side-worker.js', './side-worker.ts'])?.filename as string | undefined;
}

const IN_FLIGHT = 2;

/** One side's batches, with back-pressure (the worker reads at most a few batches ahead). */
export function readSide(file: string, data: SideWorkerData, signal?: AbortSignal): Side {
  // A larger young generation: the worker makes millions of short-lived values.
  const worker = new Worker(file, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
  let connectionsClosed: (() => void) | undefined;
  const closedOnce = new Promise<void>((r) => (connectionsClosed = r));
  const queue: SideMessage[] = [];
  const waiting = new Map<number, Array<{ resolve: (rows: Row[]) => void; reject: (e: Error) => void }>>();
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let closed = false;
  const fail = (e: Error) => {
    failure ??= e;
    for (const list of waiting.values()) for (const w of list) w.reject(e);
    waiting.clear();
    wake?.();
  };
  worker.on('message', (m: SideMessage) => {
    if (m.type === 'rows') {
      const w = waiting.get(m.id)?.shift();
      const rows: Row[] = [];
      decodeRows(Buffer.from(m.rows.buffer, m.rows.byteOffset, m.rows.byteLength), rows);
      w?.resolve(rows);
      return;
    }
    if (m.type === 'closed') return connectionsClosed?.();
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => {
    connectionsClosed?.(); // nothing left to wait for in close()
    if (!closed) fail(new Error(`the reader of ${data.table.name} stopped (exit code ${code})`));
  });
  const onAbort = () => worker.postMessage({ type: 'stop' } satisfies SideCredit);
  signal?.addEventListener('abort', onAbort, { once: true });
  worker.postMessage({ type: 'credit', n: IN_FLIGHT } satisfies SideCredit);

  async function* batches(): AsyncGenerator<HashedBatch> {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((r) => (wake = r));
      const m = queue.shift();
      if (!m) throw failure!;
      if (m.type === 'error') throw new Error(m.message);
      if (m.type === 'end') return;
      if (m.type !== 'batch') continue;
      worker.postMessage({ type: 'credit', n: 1 } satisfies SideCredit);
      const id = m.id;
      const batch: HashedBatch = {
        n: m.n,
        hashes: m.hashes,
        keyNums: m.keyNums,
        fetch: (indexes, release) =>
          new Promise<Row[]>((resolve, reject) => {
            if (failure) return reject(failure);
            let list = waiting.get(id);
            if (!list) waiting.set(id, (list = []));
            list.push({ resolve, reject });
            worker.postMessage({ type: 'rows', id, indexes, release } satisfies SideCredit);
          }),
      };
      if (!m.keyNums && m.keyRows) {
        const keys: Row[] = [];
        decodeRows(Buffer.from(m.keyRows.buffer, m.keyRows.byteOffset, m.keyRows.byteLength), keys);
        batch.keys = keys;
      }
      yield batch;
    }
  }
  return {
    batches: batches(),
    async close() {
      closed = true;
      signal?.removeEventListener('abort', onAbort);
      // Let the worker close its connections, then end it.
      worker.postMessage({ type: 'stop' } satisfies SideCredit);
      await Promise.race([closedOnce, new Promise((r) => setTimeout(r, 2000).unref())]);
      await worker.terminate();
    },
  };
}

class Cursor {
  private b: HashedBatch | undefined;
  i = 0;
  done = false;
  count = 0;
  private lastNum = -Infinity;
  private lastKey: Row | undefined;
  private readonly it: AsyncIterator<HashedBatch>;

  constructor(
    batches: AsyncIterable<HashedBatch>,
    private readonly side: string,
    /** Called with each batch the cursor has gone past (its needed rows can be fetched, and it dropped). */
    private readonly onDone: (b: HashedBatch) => void,
  ) {
    this.it = batches[Symbol.asyncIterator]();
  }

  get batch(): HashedBatch | undefined {
    return this.b && this.i < this.b.n ? this.b : undefined;
  }

  async load(): Promise<void> {
    while (!this.done && (!this.b || this.i >= this.b.n)) {
      if (this.b) this.onDone(this.b);
      this.b = undefined;
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.b = r.value;
        this.i = 0;
      }
    }
  }

  key(i: number): Row {
    const b = this.b!;
    return b.keyNums ? [b.keyNums[i]] : b.keys![i];
  }

  /** Steps past the current row, checking that keys strictly increase. */
  advance(): void {
    const b = this.b!;
    if (b.keyNums) {
      const k = b.keyNums[this.i];
      if (!(k > this.lastNum)) this.disorder([k], k === this.lastNum);
      this.lastNum = k;
      this.lastKey = undefined;
    } else {
      const k = b.keys![this.i];
      if (this.lastKey && compareKeyRows(this.lastKey, k) >= 0) this.disorder(k, compareKeyRows(this.lastKey, k) === 0);
      this.lastKey = k;
    }
    this.i++;
    this.count++;
  }

  private disorder(k: Row, duplicate: boolean): never {
    const key = k.map((v) => formatValue(v)).join(', ');
    throw new Error(
      duplicate ? `the ${this.side} has the key (${key}) twice: a sync needs a unique key` : `the ${this.side} rows are not in key order at (${key}): the sync merges both sides in key order`,
    );
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function compareKeyRows(a: Row, b: Row): number {
  for (let k = 0; k < a.length; k++) {
    const c = compareValues(a[k], b[k]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * fullDiff (diff.ts) over hashed batches: the same changes, in key order. A change's row
 * is fetched from its side's worker before the change is handed on: all of a batch's
 * changes at once, when the merge is past the batch or about to hand changes on.
 */
export async function* hashedDiff(
  source: AsyncIterable<HashedBatch>,
  target: AsyncIterable<HashedBatch>,
  opts: { deletes: boolean; chunk: number; counts: DiffCounts; signal?: AbortSignal },
): AsyncGenerator<RowChange[]> {
  const needs = new Map<HashedBatch, Array<[number, RowChange]>>();
  const pending: Promise<void>[] = [];
  const settle = (b: HashedBatch, release: boolean) => {
    const list = needs.get(b) ?? [];
    needs.delete(b);
    if (list.length === 0 && !release) return;
    const p = b.fetch(
      list.map((x) => x[0]),
      release,
    ).then((rows) => rows.forEach((r, k) => (list[k][1].row = r)));
    p.catch(() => {});
    pending.push(p);
  };
  const want = (b: HashedBatch, i: number, c: RowChange) => {
    let list = needs.get(b);
    if (!list) needs.set(b, (list = []));
    list.push([i, c]);
    return c;
  };
  const filled = async () => {
    for (const b of [...needs.keys()]) settle(b, false);
    await Promise.all(pending.splice(0));
  };
  const src = new Cursor(source, 'source', (b) => settle(b, true));
  const tgt = new Cursor(target, 'target', (b) => settle(b, true));
  let out: RowChange[] = [];
  try {
    for (;;) {
      let s = src.batch;
      let t = tgt.batch;
      if ((!s && !src.done) || (!t && !tgt.done)) {
        opts.signal?.throwIfAborted();
        opts.counts.sourceRows = src.count;
        opts.counts.targetRows = tgt.count;
        if (!s && !src.done) await src.load();
        if (!t && !tgt.done) await tgt.load();
        continue;
      }
      if (!s && !t) break;
      // Walk both batches without awaiting until one of them runs out.
      while (s || t) {
        let c: number;
        if (!s) c = 1;
        else if (!t) c = -1;
        else if (s.keyNums && t.keyNums) {
          const a = s.keyNums[src.i];
          const b = t.keyNums[tgt.i];
          c = a < b ? -1 : a > b ? 1 : 0;
        } else c = compareKeyRows(src.key(src.i), tgt.key(tgt.i));
        if (c === 0) {
          const hs = s!.hashes[src.i];
          const ht = t!.hashes[tgt.i];
          if (hs !== ht) out.push(want(s!, src.i, { kind: 'update', row: [], hash: hs, targetHash: ht }));
          src.advance();
          tgt.advance();
        } else if (c < 0) {
          out.push(want(s!, src.i, { kind: 'insert', row: [], hash: s!.hashes[src.i] }));
          src.advance();
        } else {
          if (opts.deletes) out.push(want(t!, tgt.i, { kind: 'delete', row: [], targetHash: t!.hashes[tgt.i] }));
          tgt.advance();
        }
        if (out.length >= opts.chunk) {
          opts.counts.sourceRows = src.count;
          opts.counts.targetRows = tgt.count;
          await filled();
          yield out;
          out = [];
        }
        s = src.batch;
        t = tgt.batch;
        // One side needs its next batch (and is not at its end): go and load it.
        if ((!s && !src.done) || (!t && !tgt.done)) break;
      }
    }
    await filled();
    if (out.length > 0) yield out;
  } finally {
    opts.counts.sourceRows = src.count;
    opts.counts.targetRows = tgt.count;
    await Promise.allSettled([src.close(), tgt.close(), ...pending]);
  }
}
