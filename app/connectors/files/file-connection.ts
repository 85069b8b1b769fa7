import { access, constants, open, stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { formatType } from '../../model/types';
import {
  ConnectorError,
  type Connection,
  type ReadOptions,
  type ReadRequest,
  type RowStream,
  type TableDescription,
  type TableInfo,
  type TableRef,
  type TableWriter,
  type WriteRequest,
} from '../types';
import type { BomHandling, FileEncoding } from './decode';
import { FileTableWriter, type WritableFormat } from './file-writer';

/** What a file format (CSV, NDJSON, JSON array) provides to the shared file connection. */
export interface FileFormat<O extends FileConnectionOptions> {
  id: string;
  read(path: string, o: O, req: { columns?: string[]; limit?: number }, read: ReadOptions): Promise<RowStream>;
  writable(o: O): WritableFormat;
  /** Records per line break, for row estimates (CSV and NDJSON: 1 per line, less a header). */
  headerLines(o: O): number;
}

export interface FileConnectionOptions {
  encoding: FileEncoding;
  bom: BomHandling;
  writeBom?: boolean;
}

/** The one table of a file connection is named after the file: orders.csv holds table orders. */
export function tableNameOf(path: string): string {
  return basename(path, extname(path));
}

/**
 * A connection to one file. It holds no open handle: each read and write opens the file
 * itself, so reads and writes may overlap (a read sees the last committed file).
 */
export class FileConnection<O extends FileConnectionOptions> implements Connection {
  readonly dialect = undefined;
  readonly table: string;

  constructor(
    private readonly format: FileFormat<O>,
    readonly path: string,
    readonly options: O,
  ) {
    this.table = tableNameOf(path);
  }

  get connectorId(): string {
    return this.format.id;
  }

  private error(message: string, cause?: unknown): ConnectorError {
    return new ConnectorError(`${this.path}: ${message}`, { connector: this.format.id, file: this.path, cause });
  }

  private checkTable(t: string | TableRef): void {
    const name = typeof t === 'string' ? t : t.name;
    if (name !== this.table && name !== '') {
      throw new ConnectorError(`no table '${name}' in ${this.path}: a ${this.format.id} connection is one file, whose table is '${this.table}'`, {
        connector: this.format.id,
        file: this.path,
        table: name,
      });
    }
  }

  private async exists(): Promise<boolean> {
    try {
      return (await stat(this.path)).isFile();
    } catch {
      return false;
    }
  }

  async test(): Promise<void> {
    if (await this.exists()) {
      try {
        await access(this.path, constants.R_OK);
      } catch (e) {
        throw this.error('cannot read the file', e);
      }
      return;
    }
    // Not there yet: fine for a target, if its folder is writable.
    try {
      await access(dirname(this.path), constants.W_OK);
    } catch (e) {
      throw this.error('the file does not exist and its folder is not writable', e);
    }
  }

  async listTables(): Promise<TableInfo[]> {
    if (!(await this.exists())) return [];
    return [{ name: this.table, kind: 'file', rowEstimate: await this.estimateRows() }];
  }

  /** File size times the line density of the first 64 KiB: cheap, and close for line-based files. */
  private async estimateRows(): Promise<number> {
    const fh = await open(this.path, 'r');
    try {
      const size = (await fh.stat()).size;
      if (size === 0) return 0;
      const buf = Buffer.alloc(Math.min(size, 64 * 1024));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      let lines = 0;
      for (let i = 0; i < bytesRead; i++) if (buf[i] === 10) lines++;
      if (bytesRead > 0 && buf[bytesRead - 1] !== 10 && bytesRead === size) lines++;
      const est = bytesRead === size ? lines : Math.round((lines * size) / bytesRead);
      return Math.max(0, est - this.format.headerLines(this.options));
    } finally {
      await fh.close();
    }
  }

  async describeTable(t: string | TableRef): Promise<TableDescription> {
    this.checkTable(t);
    if (!(await this.exists())) throw this.error('the file does not exist');
    const stream = await this.format.read(this.path, this.options, { limit: 0 }, {});
    await stream.batches[Symbol.asyncIterator]().return?.();
    return {
      name: this.table,
      kind: 'file',
      columns: stream.schema.columns.map((c) => ({ ...c, nativeType: formatType(c.type) })),
      uniques: [],
      foreignKeys: [],
      indexes: [],
      rowEstimate: await this.estimateRows(),
    };
  }

  async read(request: ReadRequest, options: ReadOptions = {}): Promise<RowStream> {
    if ('query' in request) {
      throw new ConnectorError(`${this.path}: a ${this.format.id} file has no SQL queries; read its table '${this.table}' and filter with a node`, {
        connector: this.format.id,
        file: this.path,
      });
    }
    this.checkTable(request.table);
    if (request.orderBy?.length) {
      throw new ConnectorError(`${this.path}: a file is read in file order; sort with a sort node`, { connector: this.format.id, file: this.path });
    }
    return this.format.read(this.path, this.options, { columns: request.columns, limit: request.limit }, options);
  }

  async write(request: WriteRequest): Promise<TableWriter> {
    this.checkTable(request.table);
    return FileTableWriter.open(this.format.writable(this.options), this.path, request, {
      encoding: this.options.encoding,
      writeBom: this.options.writeBom,
    });
  }

  async close(): Promise<void> {}
}
