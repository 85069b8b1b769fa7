import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Row } from '../../model/values';
import { decodeRows, RowEncoder } from '../../nodes/sort/row-codec';

/**
 * A chunk's row output, kept in order in a file of its own (the sort node's binary row
 * codec: exact for every value) until the combine step streams the chunks one after the
 * other into the rest of the pipeline.
 */
export class SpillWriter {
  private readonly enc = new RowEncoder(1 << 18);
  private fh: FileHandle | undefined;
  rows = 0;

  constructor(readonly path: string) {}

  async write(rows: readonly Row[]): Promise<void> {
    this.fh ??= await open(this.path, 'w');
    for (const r of rows) this.enc.write(r);
    this.rows += rows.length;
    if (this.enc.length >= 1 << 18) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.enc.length === 0) return;
    const bytes = this.enc.take();
    await this.fh!.write(bytes, 0, bytes.length);
  }

  async close(): Promise<void> {
    this.fh ??= await open(this.path, 'w');
    await this.flush();
    await this.fh.close();
  }
}

/** The rows of a spill file, in batches. */
export async function* readSpill(path: string, batch = 4096): AsyncGenerator<Row[]> {
  let rest: Buffer = Buffer.alloc(0);
  let rows: Row[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 18 })) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    const used = decodeRows(buf, rows);
    rest = used < buf.length ? Buffer.from(buf.subarray(used)) : Buffer.alloc(0);
    if (rows.length >= batch) {
      yield rows;
      rows = [];
    }
  }
  if (rest.length > 0) throw new Error(`${path}: the spill file ends inside a row`);
  if (rows.length > 0) yield rows;
}
