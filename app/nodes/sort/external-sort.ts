import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Row } from '../../model/values';
import { BATCH_SIZE } from '../common/batches';
import { decodeRows, RowEncoder } from './row-codec';

export type RowCompare = (a: Row, b: Row) => number;

export interface ExternalSortOptions {
  compare: RowCompare;
  /** Rows held in memory at most; beyond, sorted runs of this size are spilled to disk. */
  memoryRows: number;
  /** The folder for spill files (asked for on the first spill). */
  tempDir: () => Promise<string>;
  signal?: AbortSignal;
  /** Runs merged at once; more runs are merged in several passes. */
  fanIn?: number;
  /** Bytes read from a run at a time during the merge. */
  readChunk?: number;
}

const WRITE_CHUNK = 1 << 20;

/** One sorted run: rows in memory, or a spill file read back in chunks. */
interface RunSource {
  next(): Promise<Row[] | undefined>;
  close(): Promise<void>;
}

class MemoryRun implements RunSource {
  private done = false;
  constructor(private readonly rows: Row[]) {}
  async next(): Promise<Row[] | undefined> {
    if (this.done) return undefined;
    this.done = true;
    return this.rows;
  }
  async close(): Promise<void> {}
}

class FileRun implements RunSource {
  private fh: FileHandle | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(
    readonly path: string,
    private readonly chunk: number,
  ) {}

  async next(): Promise<Row[] | undefined> {
    this.fh ??= await open(this.path, 'r');
    const rows: Row[] = [];
    while (rows.length === 0) {
      if (this.eof) {
        if (this.pending.length > 0) throw new Error(`spill file ${this.path} ends inside a row`);
        return undefined;
      }
      const buf = Buffer.allocUnsafe(Math.max(this.chunk, this.pending.length * 2));
      this.pending.copy(buf);
      const { bytesRead } = await this.fh.read(buf, this.pending.length, buf.length - this.pending.length, null);
      if (bytesRead === 0) this.eof = true;
      const filled = buf.subarray(0, this.pending.length + bytesRead);
      const used = decodeRows(filled, rows);
      this.pending = Buffer.from(filled.subarray(used));
    }
    return rows;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}

/** A binary min-heap of run cursors, ordered by their current row, then by run (stability). */
interface Cursor {
  rows: Row[];
  pos: number;
  run: number;
  source: RunSource;
}

class CursorHeap {
  readonly items: Cursor[] = [];
  constructor(private readonly compare: RowCompare) {}

  private less(a: Cursor, b: Cursor): boolean {
    const c = this.compare(a.rows[a.pos], b.rows[b.pos]);
    return c < 0 || (c === 0 && a.run < b.run);
  }

  push(c: Cursor): void {
    const h = this.items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  /** Restores the order after the top cursor moved on (or removes it when `remove`). */
  fixTop(remove: boolean): void {
    const h = this.items;
    if (remove) {
      const last = h.pop()!;
      if (h.length === 0) return;
      h[0] = last;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

/**
 * Sorts any number of rows in bounded memory: rows are buffered up to `memoryRows`, each
 * full buffer is sorted (stably) and spilled as a run file, and the runs are merged with a
 * heap, ties going to the earlier run, so the whole sort is stable. Spill files are removed
 * as soon as they are merged, and by `dispose` on failure.
 */
export class ExternalSorter {
  private buffer: Row[] = [];
  private runs: string[] = [];
  /** Every spill file not yet removed, whatever stage it is in. */
  private readonly live = new Set<string>();
  private dir: string | undefined;
  private files = 0;
  /** How many runs were spilled (for tests and logs). */
  spilled = 0;

  constructor(private readonly o: ExternalSortOptions) {}

  async add(rows: Row[]): Promise<void> {
    for (const row of rows) {
      this.buffer.push(row);
      if (this.buffer.length >= this.o.memoryRows) await this.spill();
    }
  }

  private checkAbort(): void {
    if (this.o.signal?.aborted) throw this.o.signal.reason;
  }

  private async newFile(): Promise<string> {
    this.dir ??= await this.o.tempDir();
    const path = join(this.dir, `run-${this.files++}.bin`);
    this.live.add(path);
    return path;
  }

  private async spill(): Promise<void> {
    this.checkAbort();
    const rows = this.buffer.sort(this.o.compare);
    this.buffer = [];
    const path = await this.newFile();
    this.runs.push(path);
    this.spilled++;
    const fh = await open(path, 'w');
    try {
      const enc = new RowEncoder(WRITE_CHUNK + (1 << 16));
      for (const row of rows) {
        enc.write(row);
        // Awaiting each write is the back-pressure: at most one chunk is in flight.
        if (enc.length >= WRITE_CHUNK) await fh.write(enc.take());
      }
      if (enc.length > 0) await fh.write(enc.take());
    } finally {
      await fh.close();
    }
  }

  private fileRun(path: string, fanIn: number): FileRun {
    // Each open run holds about one chunk: keep the total near a few MB whatever the fan-in.
    const chunk = this.o.readChunk ?? Math.max(16 << 10, Math.floor((8 << 20) / fanIn));
    return new FileRun(path, chunk);
  }

  /** Merges runs into batches of rows in order; removes the run files it has finished. */
  private async *merge(sources: RunSource[], files: string[]): AsyncGenerator<Row[]> {
    const heap = new CursorHeap(this.o.compare);
    try {
      for (let run = 0; run < sources.length; run++) {
        const rows = await sources[run].next();
        if (rows && rows.length > 0) heap.push({ rows, pos: 0, run, source: sources[run] });
      }
      let batch: Row[] = [];
      const items = heap.items;
      while (items.length > 0) {
        const top = items[0];
        batch.push(top.rows[top.pos++]);
        if (top.pos < top.rows.length) heap.fixTop(false);
        else {
          const more = await top.source.next();
          if (more && more.length > 0) {
            top.rows = more;
            top.pos = 0;
            heap.fixTop(false);
          } else heap.fixTop(true);
        }
        if (batch.length >= BATCH_SIZE) {
          this.checkAbort();
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      for (const s of sources) await s.close();
      for (const f of files) await this.remove(f);
    }
  }

  /** The sorted rows, in batches. Call once, after the last `add`. */
  async *sorted(): AsyncGenerator<Row[]> {
    const fanIn = Math.max(2, this.o.fanIn ?? 64);
    const last = this.buffer.sort(this.o.compare);
    this.buffer = [];
    if (this.runs.length === 0) {
      for (let i = 0; i < last.length; i += BATCH_SIZE) yield last.slice(i, i + BATCH_SIZE);
      return;
    }
    // Too many runs to open at once: merge the oldest ones into one run, which keeps stability.
    while (this.runs.length + 1 > fanIn) {
      const group = this.runs.slice(0, fanIn);
      const merged = await this.newFile();
      const fh = await open(merged, 'w');
      try {
        const enc = new RowEncoder(WRITE_CHUNK + (1 << 16));
        for await (const rows of this.merge(group.map((p) => this.fileRun(p, fanIn)), group)) {
          for (const row of rows) enc.write(row);
          if (enc.length >= WRITE_CHUNK) await fh.write(enc.take());
        }
        if (enc.length > 0) await fh.write(enc.take());
      } finally {
        await fh.close();
      }
      this.runs = [merged, ...this.runs.slice(fanIn)];
    }
    const files = this.runs;
    this.runs = [];
    const sources: RunSource[] = files.map((p) => this.fileRun(p, fanIn));
    if (last.length > 0) sources.push(new MemoryRun(last));
    yield* this.merge(sources, files);
  }

  private async remove(path: string): Promise<void> {
    await rm(path, { force: true });
    this.live.delete(path);
  }

  /** Removes every spill file left (after a failure or an early stop). */
  async dispose(): Promise<void> {
    this.buffer = [];
    this.runs = [];
    for (const f of [...this.live]) await this.remove(f);
  }
}
