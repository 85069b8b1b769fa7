import type { z } from 'zod';
import type { Column, Schema } from '../model/schema';
import type { LogicalType } from '../model/types';
import type { Row, Value } from '../model/values';

/** SQL dialects Sluice renders expressions and DDL for. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

/** What a pipeline's `connections` entry (or a bare URL) resolves to before opening. */
export interface ConnectionConfig {
  /** `sqlite:PATH`, `csv:PATH`, `ndjson:PATH`, `json:PATH`, `postgres://…`, `mysql://…` */
  url: string;
  /** The resolved secret (from `${env:NAME}`, safeStorage or a prompt), never from a file. */
  password?: string;
  /** Connector options; URL query parameters are merged in (the explicit options win). */
  options?: Record<string, unknown>;
}

export interface OpenContext {
  /** Relative paths in URLs are resolved against this folder (the pipeline file's). */
  baseDir: string;
  signal?: AbortSignal;
}

export interface TableInfo {
  name: string;
  /** Database schema / namespace when the engine has them (PostgreSQL). */
  schema?: string;
  kind: 'table' | 'view' | 'file';
  rowEstimate?: number;
}

export interface ColumnInfo extends Column {
  /** The type as the database or file declares it, e.g. `VARCHAR(20)`, `numeric(12,2)`. */
  nativeType: string;
  /** The column default as SQL text, when there is one. */
  default?: string;
  autoIncrement?: boolean;
}

export interface ForeignKeyInfo {
  name?: string;
  columns: string[];
  refTable: string;
  refSchema?: string;
  refColumns: string[];
  onDelete?: string;
  onUpdate?: string;
}

export interface IndexInfo {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface TableDescription {
  name: string;
  schema?: string;
  kind: 'table' | 'view' | 'file';
  columns: ColumnInfo[];
  primaryKey?: string[];
  uniques: { name?: string; columns: string[] }[];
  foreignKeys: ForeignKeyInfo[];
  indexes: IndexInfo[];
  rowEstimate?: number;
}

export interface TableRef {
  name: string;
  schema?: string;
}

export type ReadRequest =
  | { table: string | TableRef; columns?: string[]; orderBy?: string[]; limit?: number }
  | {
      query: string;
      params?: Value[] | Record<string, Value>;
      limit?: number;
      /**
       * The result's columns and types, when the caller knows them exactly: a connector may
       * then stream the query with its bulk path (PostgreSQL: COPY) instead of a cursor.
       * Only without params.
       */
      schema?: Schema;
    };

/** A record a file connector could not read: where it is and why. */
export interface SourceError {
  file?: string;
  /** 1-based line where the bad record starts. */
  line?: number;
  /** 1-based record number (data rows, header excluded). */
  record?: number;
  message: string;
  /** The raw text of the record, when available (truncated). */
  raw?: string;
}

export interface ReadOptions {
  /** Rows per batch (default 4096). */
  batchSize?: number;
  signal?: AbortSignal;
  /**
   * What to do with a record that cannot be read or converted: `stop` (default) throws a
   * SourceReadError after the rows before it have been delivered; `skip` reports it to
   * `onError` and goes on.
   */
  onError?: 'stop' | 'skip';
  onErrorRecord?: (e: SourceError) => void;
}

/**
 * A stream of rows: the schema up front, then batches. The source (file, statement,
 * database handle) stays open until the batches are read to the end or the loop is left
 * (break, throw); a stream that is not read at all must be closed with
 * `batches[Symbol.asyncIterator]().return()`. Batches can be iterated once.
 */
export interface RowStream {
  schema: Schema;
  batches: AsyncIterable<Row[]>;
}

/**
 * insert: add rows (fails on a key conflict);
 * upsert: insert or update the non-key columns of the row with the same key;
 * replace: drop the table and create it anew from the incoming schema, then insert;
 * truncate-insert: delete every row, keep the table definition, then insert.
 */
export type WriteMode = 'insert' | 'upsert' | 'replace' | 'truncate-insert';

export interface WriteRequest {
  table: string | TableRef;
  schema: Schema;
  mode: WriteMode;
  /** Key columns for upsert (default: the table's primary key). */
  key?: string[];
  /** Create the table when it does not exist (default true). */
  create?: boolean;
}

export interface WriteResult {
  rowsWritten: number;
  /**
   * PostgreSQL: the id (txid_current(), 64-bit, decimal) of the one transaction that wrote the rows — the
   * versions it wrote carry it as xmin (modulo 2^32). Absent when the writer committed in
   * several transactions (checkpoints) or wrote nothing.
   */
  transactionId?: string;
}

/**
 * Writes run inside a transaction: nothing is visible to others before `commit`, and
 * `abort` leaves the target as it was. `checkpoint` commits what was written so far and
 * opens the next transaction (long loads commit in chunks).
 */
export interface TableWriter {
  write(rows: Row[]): Promise<void>;
  /**
   * Bulk loaders whose wire format is tab text (PostgreSQL's COPY text, MySQL's LOAD DATA):
   * takes `rows` rows already encoded (see TabTextPage) as they are.
   */
  writeTabText?(bytes: Buffer, rows: number): Promise<void>;
  checkpoint(): Promise<void>;
  commit(): Promise<WriteResult>;
  abort(): Promise<void>;
}

/**
 * Tab text: what PostgreSQL's COPY (text format) and MySQL's LOAD DATA (tab-separated,
 * backslash escapes) both read. One line per row ending in '\n', fields separated by a tab,
 * NULL as \N; integers, decimals and floats as plain or exponent numbers, booleans 1/0,
 * dates 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS', text as UTF-8. A page never holds
 * a value that would need an escape: such pages are marked unclean instead.
 */
export interface TabTextPage {
  /** The encoded rows (only when clean). */
  bytes?: Buffer;
  rows: number;
  /** The key of the page's first and last row (key order). */
  firstKey: Value;
  lastKey: Value;
  /**
   * False when a value is not one the encoding carries exactly as Sluice would convert it
   * (a type the column does not declare, text that needs escaping, a value out of the
   * target's range ...): the caller reads those rows the ordinary way.
   */
  clean: boolean;
}

export interface TabTextColumn {
  name: string;
  /** The logical type both sides have (the fast form applies only where no cast is needed). */
  type: LogicalType;
  /** varchar(n) in the target. */
  maxLength?: number;
  /** The target refuses NULL. */
  notNull?: boolean;
}

export interface TabTextRequest {
  table: TableRef;
  columns: TabTextColumn[];
  /** The single-column integer key the pages follow. */
  key: string;
  /** Rows the table is expected to hold: a large table's pages are encoded in a worker thread while the caller sends the last. */
  rows?: number;
}

export interface TabTextPages {
  /** The next page of at most `limit` rows with a key above `after` (from the start without it); undefined at the end. */
  next(after: Value | undefined, limit: number): Promise<TabTextPage | undefined>;
  close(): Promise<void>;
}

export interface Connection {
  readonly connectorId: string;
  /** Set for SQL databases: what expressions and DDL render to. */
  readonly dialect?: Dialect;
  /** Cheap round trip: throws a ConnectorError with a clear message when unusable. */
  test(): Promise<void>;
  listTables(): Promise<TableInfo[]>;
  describeTable(table: string | TableRef): Promise<TableDescription>;
  read(request: ReadRequest, options?: ReadOptions): Promise<RowStream>;
  write(request: WriteRequest): Promise<TableWriter>;
  /**
   * SQL databases only: runs one statement that returns no rows (DDL, DELETE, setval) on
   * the primary, on its own (autocommit), outside any writer's transaction; `?` marks a
   * parameter. Resolves to the rows affected. The migration job creates tables, indexes,
   * foreign keys and sequence positions with it.
   */
  execute?(sql: string, params?: Value[]): Promise<number>;
  /**
   * Bulk copies (the migration): rows of a table in key order as tab text pages, encoded by
   * the database itself, which costs a fraction of reading them as values. Undefined when
   * the table, its key or a column's type does not allow it.
   */
  readTabText?(request: TabTextRequest): TabTextPages | undefined;
  /**
   * PostgreSQL only: `COPY (sql) TO STDOUT (FORMAT binary)` handed over undecoded, whole
   * CopyData messages per Buffer, for callers that decode a few fixed-width columns of
   * whole tables themselves (the sync's full diff). `settings` hold for this statement only.
   */
  copyOut?(sql: string, options?: CopyOutOptions): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

export interface CopyOutOptions {
  signal?: AbortSignal;
  /** Configuration parameters for this statement only. */
  settings?: Readonly<Record<string, string>>;
  /**
   * Called once the statement's snapshot is taken, before the statement runs (which waits for
   * a promise it returns): a query started after this call sees at least every row version
   * the COPY sees, and what commits after it the COPY does not see.
   */
  onSnapshot?: () => void | Promise<void>;
}

export interface ConnectorModule {
  id: string;
  title: string;
  description: string;
  kind: 'database' | 'file';
  /** URL schemes this connector opens, e.g. ['postgres', 'postgresql']. */
  schemes: string[];
  /** Options with descriptions, defaults and examples (the UI and `--help` are built from it). */
  options: z.ZodType<Record<string, unknown>>;
  /** Example URLs, for help and the connection dialog. */
  examples: string[];
  open(config: ConnectionConfig, ctx: OpenContext): Promise<Connection>;
}

/** An error a user can act on: it names the connection, file, line or table concerned. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly details: { connector?: string; file?: string; line?: number; table?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConnectorError';
  }
}

/** Thrown by a file read in `stop` mode; the rows before the bad record were delivered. */
export class SourceReadError extends ConnectorError {
  constructor(readonly error: SourceError) {
    super(
      `${error.file ?? 'input'}${error.line !== undefined ? `:${error.line}` : ''}: ${error.message}`,
      { file: error.file, line: error.line },
    );
    this.name = 'SourceReadError';
  }
}
