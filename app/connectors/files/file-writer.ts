import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { ConnectorError, type TableWriter, type WriteRequest, type WriteResult } from '../types';
import type { FileEncoding } from './decode';
import { bomBytes, encodeText, unitBytes } from './encode';

/**
 * Writing a file as a transaction: rows go to a temporary file beside the target, which
 * replaces the target (rename, atomic on one file system) only on commit. abort() or a
 * crash leaves the previous file as it was. Appending (mode insert) starts the temporary
 * file as a copy of the target; checkpoint() commits, then appends to a fresh copy (so
 * each checkpoint costs a copy of the file: commit in large chunks).
 */

/** Serialises rows for one file session. */
export interface FormatWriter {
  /** Text that starts a new file (CSV header, JSON '['). */
  start(): string;
  rows(rows: readonly Row[]): string;
  /** Text that ends the file (JSON ']'). */
  finish(): string;
}

/** How to extend an existing file: keep its first keepBytes, write prefix, then rows. */
export interface AppendPlan {
  writer: FormatWriter;
  keepBytes: number;
  prefix: string;
}

export interface WritableFormat {
  id: string;
  /** A writer for a new file. */
  newFile(schema: Schema): FormatWriter;
  /** How to append to the existing, non-empty file at path. */
  appendTo(path: string, schema: Schema): Promise<AppendPlan>;
}

export interface FileWriteSettings {
  encoding: FileEncoding;
  writeBom: boolean | undefined;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The last bytes of a file (at most max). */
export async function readTail(path: string, max: number): Promise<{ bytes: Uint8Array; start: number }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const n = Math.min(size, max);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, size - n);
    return { bytes: buf, start: size - n };
  } finally {
    await fh.close();
  }
}

/** Whether a non-empty file ends with a line feed (in its encoding). */
export async function endsWithLineFeed(path: string, encoding: FileEncoding): Promise<boolean> {
  const unit = unitBytes(encoding);
  const { bytes } = await readTail(path, unit);
  if (unit === 1) return bytes[0] === 10;
  return encoding === 'utf-16le' ? bytes[0] === 10 && bytes[1] === 0 : bytes[0] === 0 && bytes[1] === 10;
}

export class FileTableWriter implements TableWriter {
  private fh: FileHandle | undefined;
  private temp = '';
  private writer!: FormatWriter;
  private written = 0;
  private failed = false;
  /** The last write handed to the file, not awaited yet (see put). */
  private inFlight: Promise<unknown> | undefined;

  private constructor(
    private readonly format: WritableFormat,
    private readonly path: string,
    private readonly schema: Schema,
    private readonly settings: FileWriteSettings,
  ) {}

  static async open(format: WritableFormat, path: string, request: WriteRequest, settings: FileWriteSettings): Promise<FileTableWriter> {
    if (request.mode === 'upsert') {
      throw new ConnectorError(`${path}: files do not support upsert (there is no key to match rows by); use insert to append or truncate-insert to overwrite`, {
        connector: format.id,
        file: path,
      });
    }
    const size = await sizeOf(path);
    if (size === undefined && request.create === false) {
      throw new ConnectorError(`${path}: the file does not exist and create is false`, { connector: format.id, file: path });
    }
    const w = new FileTableWriter(format, path, request.schema, settings);
    await w.begin(request.mode === 'insert');
    return w;
  }

  private async begin(append: boolean): Promise<void> {
    this.temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      // An empty file (nothing committed yet) is started afresh: header, BOM, '['.
      if (append && ((await sizeOf(this.path)) ?? 0) > 0) {
        const plan = await this.format.appendTo(this.path, this.schema);
        await copyFile(this.path, this.temp);
        await truncate(this.temp, plan.keepBytes);
        this.fh = await open(this.temp, 'a');
        this.writer = plan.writer;
        if (plan.prefix) await this.put(plan.prefix);
      } else {
        this.fh = await open(this.temp, 'w');
        this.writer = this.format.newFile(this.schema);
        const bom = this.settings.writeBom ?? this.settings.encoding.startsWith('utf-16');
        if (bom) await this.fh.write(bomBytes(this.settings.encoding));
        await this.put(this.writer.start());
      }
    } catch (e) {
      await this.discard();
      throw e instanceof ConnectorError ? e : new ConnectorError(`${this.path}: ${(e as Error).message}`, { connector: this.format.id, file: this.path, cause: e });
    }
  }

  /**
   * Hands text to the file without waiting for it to land: the caller goes on with the
   * next batch while libuv writes this one (waiting for each write left the CSV bench idle
   * ~7% of its run). At most one write is in flight, so memory stays one batch; its error
   * surfaces at the next put, or at commit, which waits for it before syncing (as an error
   * of the fsync there would: either way the file is not committed).
   */
  private async put(text: string): Promise<void> {
    if (text.length === 0) return;
    const bytes = encodeText(text, this.settings.encoding);
    await this.settle();
    const p = this.fh!.write(bytes);
    // Handled when settled; marked here so a rejection never counts as unhandled meanwhile.
    p.catch(() => undefined);
    this.inFlight = p;
  }

  /** Waits for the write in flight; throws its error. */
  private async settle(): Promise<void> {
    const p = this.inFlight;
    if (!p) return;
    this.inFlight = undefined;
    await p;
  }

  async write(rows: Row[]): Promise<void> {
    if (!this.fh) throw new ConnectorError(`${this.path}: the writer is closed`, { file: this.path });
    try {
      await this.put(this.writer.rows(rows));
    } catch (e) {
      this.failed = true;
      throw e instanceof ConnectorError ? e : new ConnectorError(`${this.path}: ${(e as Error).message}`, { connector: this.format.id, file: this.path, cause: e });
    }
    this.written += rows.length;
  }

  private async finishFile(): Promise<void> {
    if (this.failed) throw new ConnectorError(`${this.path}: a write failed; abort instead of committing`, { file: this.path });
    try {
      await this.put(this.writer.finish());
      await this.settle();
    } catch (e) {
      this.failed = true;
      throw e instanceof ConnectorError ? e : new ConnectorError(`${this.path}: ${(e as Error).message}`, { connector: this.format.id, file: this.path, cause: e });
    }
    await this.fh!.sync();
    await this.fh!.close();
    this.fh = undefined;
    await rename(this.temp, this.path);
  }

  async checkpoint(): Promise<void> {
    await this.finishFile();
    await this.begin(true);
  }

  async commit(): Promise<WriteResult> {
    await this.finishFile();
    return { rowsWritten: this.written };
  }

  private async discard(): Promise<void> {
    // A write still in flight must finish before its file handle closes.
    const pending = this.inFlight;
    this.inFlight = undefined;
    await pending?.catch(() => undefined);
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }

  async abort(): Promise<void> {
    await this.discard();
  }
}
