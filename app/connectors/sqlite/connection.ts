import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Value } from '../../model/values';
import { resolveTableRead } from '../sql/table-read';
import { ConnectorError, type Connection, type ReadOptions, type ReadRequest, type RowStream, type TableDescription, type TableInfo, type TabTextPages, type TabTextRequest, type TableRef, type TableWriter, type WriteRequest } from '../types';
import { describeTable, findTable, listTables, qualified, refOf, tableColumns, withoutRowid } from './introspect';
import type { SqliteOptions } from './options';
import { readStatement } from './reader';
import { pagePlan, tabTextPages } from './tab-text';
import { pageWorkerFile, threadTabTextPages } from './tab-text-thread';
import { logicalTypeOf } from './typemap';
import { toParam } from './values';
import { SqliteTableWriter } from './writer';

type Db = Database.Database;

/**
 * A table read in rowid order can be fetched a page at a time with keyset queries
 * (`WHERE rowid > ? ORDER BY rowid LIMIT n`, each page one .all()) instead of one
 * iterate() that crosses into SQLite once per row: measured ~40% less time on 1M rows of
 * 10 columns. That order is the table's own (no ORDER BY asked) or its INTEGER PRIMARY KEY
 * (the rowid). The rowid is selected under a name no column has; the pages run in one
 * read transaction, so they see one snapshot, as a single statement would.
 */
function rowidPages(db: Db, t: TableRef, all: { name: string; type: string; pk: number }[], pk: string[], orderBy: string[], list: string, size: number): { first: string; next: string; size: number } | undefined {
  const found = findTable(db, t);
  if (found?.type !== 'table' || withoutRowid(db, t)) return undefined;
  const alias = pk.length === 1 ? all.find((c) => c.name === pk[0] && c.type.toUpperCase() === 'INTEGER') : undefined;
  const order = orderBy.map((o) => o.replace(/\s+asc$/i, ''));
  if (order.length > 0 && !(alias && order.length === 1 && order[0] === alias.name)) return undefined;
  const names = new Set(all.map((c) => c.name.toLowerCase()));
  const rowid = ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n));
  if (!rowid) return undefined;
  const from = `SELECT ${list}, ${rowid} FROM ${qualified(t)}`;
  return { first: `${from} ORDER BY ${rowid} LIMIT ${size}`, next: `${from} WHERE ${rowid} > ? ORDER BY ${rowid} LIMIT ${size}`, size };
}

function closeQuietly(db: Db): void {
  try {
    db.close();
  } catch {
    // Already closed.
  }
}

/** Rows from which a table's tab text pages are encoded in a worker thread (starting one takes ~40 ms). */
const WORKER_ROWS = 50_000;

/**
 * One SQLite database. Catalog queries use the connection's own handle. Each read and
 * each write of a database file opens a handle of its own: better-sqlite3 cannot run a
 * write on a handle while a read iterates on it, and a pipeline often reads one table
 * and writes another of the same file. With WAL (on by default) readers and the one
 * writer do not block each other. An in-memory database exists only in its handle, so
 * there everything shares it (a read and a write cannot overlap there).
 *
 * Pragmas: journal_mode=WAL (set once, it is stored in the file); on write handles
 * synchronous=NORMAL (durable at checkpoints, safe with WAL, much faster for bulk loads),
 * a 64 MiB page cache and temp_store=MEMORY; busy_timeout on every handle.
 */
export class SqliteConnection implements Connection {
  readonly connectorId = 'sqlite';
  readonly dialect = 'sqlite' as const;
  private mainDb: Db | undefined;
  private readonly open_ = new Set<Db>();
  private memoryWriter = false;
  /** A new file being bulk-loaded with the rollback journal (createForBulkLoad): WAL once closed. */
  private walOnClose = false;

  constructor(
    readonly path: string,
    private readonly o: SqliteOptions,
  ) {
    // A database file that does not exist yet is created by the first write, not by
    // opening: a mistyped source path must not leave an empty database behind.
    if (this.memory || existsSync(path)) this.openMain();
  }

  private openMain(): Db {
    if (!this.mainDb) {
      this.mainDb = this.handle(this.o.readonly);
      if (!this.memory && this.o.wal && !this.o.readonly && !this.walOnClose) this.mainDb.pragma('journal_mode = WAL');
    }
    return this.mainDb;
  }

  /**
   * For a bulk load into a file that does not exist yet (a migration's new target): the
   * file is created with the rollback journal and switched to WAL when the connection
   * closes. Its pages are then written once, not to the WAL and again into the file at each
   * checkpoint (1M rows: ~0.1 s of 2.5). Readers and the writer block each other meanwhile,
   * which a file only this load uses does not mind. Returns whether it applies.
   */
  createForBulkLoad(): boolean {
    if (this.memory || this.exists || !this.o.wal || this.o.readonly) return false;
    this.walOnClose = true;
    return true;
  }

  /** The connection's own handle; a database that does not exist yet is an error here. */
  private get main(): Db {
    if (this.mainDb) return this.mainDb;
    if (existsSync(this.path)) return this.openMain();
    throw new ConnectorError(`${this.path}: the database file does not exist (a write creates it)`, { connector: 'sqlite', file: this.path });
  }

  private get exists(): boolean {
    return this.mainDb !== undefined || existsSync(this.path);
  }

  private get memory(): boolean {
    return this.path === ':memory:';
  }

  private handle(readonly: boolean): Db {
    let db: Db;
    try {
      db = new Database(this.path, { readonly, fileMustExist: readonly, timeout: this.o.busyTimeoutMs });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'SQLITE_CANTOPEN' && !existsSync(this.path) ? 'the database file does not exist' : (e as Error).message;
      throw new ConnectorError(`${this.path}: ${why}`, { connector: 'sqlite', file: this.path, cause: e });
    }
    // Both ways: better-sqlite3 is built with foreign keys ON by default, unlike SQLite
    // itself, so leaving the pragma alone would enforce them when the option says off.
    db.pragma(`foreign_keys = ${this.o.foreignKeys ? 'ON' : 'OFF'}`);
    this.open_.add(db);
    return db;
  }

  private closeHandle(db: Db): void {
    if (db === this.mainDb || !this.open_.delete(db)) return;
    db.close();
  }

  private label(what: string): string {
    return `${this.path} (${what})`;
  }

  async test(): Promise<void> {
    if (!this.exists) {
      // Not there yet: fine for a target, if its folder is writable.
      try {
        await access(dirname(this.path), constants.W_OK);
        return;
      } catch (e) {
        throw new ConnectorError(`${this.path}: the database file does not exist and its folder is not writable`, { connector: 'sqlite', file: this.path, cause: e });
      }
    }
    try {
      this.main.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (e) {
      throw new ConnectorError(`${this.path}: ${(e as Error).message}`, { connector: 'sqlite', file: this.path, cause: e });
    }
  }

  async listTables(): Promise<TableInfo[]> {
    return this.exists ? listTables(this.main) : [];
  }

  async describeTable(table: string | TableRef): Promise<TableDescription> {
    const d = describeTable(this.main, refOf(table));
    const untyped = d.columns.filter((c) => logicalTypeOf(c.nativeType) === undefined);
    if (untyped.length > 0) {
      // Columns declared without a type: their values decide (as a read would).
      const s = await this.read({ table: { name: d.name, schema: d.schema }, columns: untyped.map((c) => c.name), limit: 0 });
      for (const c of untyped) c.type = s.schema.columns.find((x) => x.name === c.name)!.type;
    }
    return d;
  }

  private readHandle(): { db: Db; release: () => void } {
    if (this.memory) return { db: this.main, release: () => {} };
    const db = this.handle(true);
    return { db, release: () => this.closeHandle(db) };
  }

  async read(request: ReadRequest, options: ReadOptions = {}): Promise<RowStream> {
    if ('query' in request) {
      const { db, release } = this.readHandle();
      const params = Array.isArray(request.params)
        ? request.params.map(toParam)
        : request.params
          ? Object.fromEntries(Object.entries(request.params).map(([k, v]) => [k.replace(/^[:@$]/, ''), toParam(v)]))
          : undefined;
      return readStatement(
        { db, release, sql: request.query, params, limit: request.limit, inferRows: this.o.inferRows, onErrorDefault: this.o.onError, label: this.label('query') },
        options,
      );
    }
    const ref = refOf(request.table);
    const found = findTable(this.main, ref);
    if (!found) {
      const names = (await this.listTables()).map((t) => t.name);
      throw new ConnectorError(`${this.path}: no table or view '${ref.name}' (tables: ${names.slice(0, 20).join(', ')})`, {
        connector: 'sqlite',
        table: ref.name,
      });
    }
    const t: TableRef = { name: found.name, schema: ref.schema };
    const all = tableColumns(this.main, t);
    const { wanted, picked: cols, selectList: list, orderBy } = resolveTableRead({ columns: all, request, dialect: 'sqlite', connector: 'sqlite', table: t.name, where: this.path });
    const pk = all
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const sql = `SELECT ${list} FROM ${qualified(t)}${orderBy}` + (request.limit !== undefined && request.limit > 0 ? ` LIMIT ${Math.floor(request.limit)}` : '');
    const pages = this.memory ? undefined : rowidPages(this.main, t, all, pk, request.orderBy ?? [], list, options.batchSize ?? 4096);
    const { db, release } = this.readHandle();
    return readStatement(
      {
        db,
        release,
        sql,
        pages,
        types: cols.map((c) => logicalTypeOf(c.type)),
        nullable: cols.map((c) => c.notnull === 0),
        key: pk.length > 0 && pk.every((k) => wanted.includes(k)) ? pk : undefined,
        limit: request.limit,
        inferRows: this.o.inferRows,
        onErrorDefault: this.o.onError,
        label: this.label(t.name),
      },
      options,
    );
  }

  async write(request: WriteRequest): Promise<TableWriter> {
    if (this.o.readonly) throw new ConnectorError(`${this.path}: the connection is read-only`, { connector: 'sqlite', file: this.path });
    if (this.memory) {
      if (this.memoryWriter) throw new ConnectorError(`${this.path}: another write to this in-memory database is still open`, { connector: 'sqlite' });
      this.memoryWriter = true;
      try {
        return SqliteTableWriter.open(this.main, () => (this.memoryWriter = false), request);
      } catch (e) {
        this.memoryWriter = false;
        throw e;
      }
    }
    this.openMain();
    const db = this.handle(false);
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    try {
      return SqliteTableWriter.open(db, () => this.closeHandle(db), request);
    } catch (e) {
      this.closeHandle(db);
      if ((e as { code?: string }).code === 'SQLITE_BUSY' || /database is locked/.test((e as Error).message)) {
        throw new ConnectorError(`${this.path}: the database is locked by another writer (SQLite allows one writer at a time)`, { connector: 'sqlite', cause: e });
      }
      throw e;
    }
  }

  readTabText(request: TabTextRequest): TabTextPages | undefined {
    // An in-memory database has one handle, which a read transaction would tie up.
    if (this.memory) return undefined;
    const t = request.table;
    const found = findTable(this.main, t);
    if (found?.type !== 'table') return undefined;
    const cols = tableColumns(this.main, t);
    const key = cols.find((c) => c.name === request.key);
    // The whole primary key, never NULL (pages continue after their last key): a rowid alias, or NOT NULL.
    if (!key || key.pk !== 1 || cols.some((c) => c.pk > 1) || !(key.notnull === 1 || (key.type.toUpperCase() === 'INTEGER' && !withoutRowid(this.main, t)))) return undefined;
    const file = (request.rows ?? 0) >= WORKER_ROWS ? pageWorkerFile() : undefined;
    if (file) {
      const plan = pagePlan(this.main, request);
      return plan && threadTabTextPages(file, { path: this.path, plan, width: request.columns.length, busyTimeoutMs: this.o.busyTimeoutMs });
    }
    const { db, release } = this.readHandle();
    return tabTextPages(db, request, release);
  }

  async execute(sql: string, params: Value[] = []): Promise<number> {
    if (this.o.readonly) throw new ConnectorError(`${this.path}: the connection is read-only`, { connector: 'sqlite', file: this.path });
    // Like a write, a statement creates a database file that does not exist yet.
    const db = this.openMain();
    try {
      return db.prepare(sql).run(params.map(toParam)).changes;
    } catch (e) {
      throw new ConnectorError(`${this.path}: ${(e as Error).message}`, { connector: 'sqlite', file: this.path, cause: e });
    }
  }

  async close(): Promise<void> {
    const main = this.mainDb;
    for (const db of this.open_) if (db !== main) closeQuietly(db);
    if (main) {
      // Last, alone on the file: a bulk-loaded new file becomes WAL (if busy, the next open does it).
      if (this.walOnClose && main.open) {
        try {
          main.pragma('journal_mode = WAL');
        } catch {
          // Left to the next open.
        }
      }
      closeQuietly(main);
    }
    this.open_.clear();
    this.mainDb = undefined;
    this.walOnClose = false;
  }
}
