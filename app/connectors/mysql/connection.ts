import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2';
import type { Schema } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import type { Value } from '../../model/values';
import { bindPlaceholders } from '../sql/placeholders';
import { resolveTableRead } from '../sql/table-read';
import { parseHostPort, parseServerUrl } from '../sql/server-url';
import { ConnectorError, type Connection, type ReadOptions, type ReadRequest, type RowStream, type TableDescription, type TableInfo, type TableRef, type TableWriter, type WriteRequest } from '../types';
import { connectError, myError } from './errors';
import { describeRelation, findRelation, listTables, missingRelation, primaryKeyOf, relationColumns, relationNames } from './introspect';
import type { MysqlOptions } from './options';
import { queryStream, tableStream, type Lease } from './reader';
import { exec, serverInfo, type ServerInfo } from './session';
import { markerOf } from './typemap';
import { sqlLiteral } from './values';
import { MysqlTableWriter } from './writer';

/**
 * A MySQL or MariaDB database: a pool for the primary and, when `replica` is set, one for
 * reads (read, listTables, describeTable); writes always go to the primary.
 *
 * Each new connection is set up before its first use: time_zone '+00:00' (TIMESTAMP
 * values and NOW() in UTC, as Sluice's timestamptz), a strict sql_mode (bad values fail
 * instead of being truncated; NO_AUTO_VALUE_ON_ZERO so a copied 0 stays 0 in an
 * AUTO_INCREMENT column; no ANSI_QUOTES or NO_BACKSLASH_ESCAPES, which the literal and
 * LOAD DATA encoders assume), and the statement time limit. mysql2 hands BIGINT and
 * DECIMAL over as exact text, temporal values as text and binary columns as Buffers.
 */

export interface ServerTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

const SQL_MODE = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';

function sslConfig(o: MysqlOptions): PoolOptions['ssl'] {
  switch (o.sslmode) {
    case 'disable':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(o.sslrootcert ? { ca: readFileSync(o.sslrootcert, 'utf8') } : {}) };
  }
}

/** The replica's server: `host[:port][/database]` or a mysql:// URL (its parts override the primary's). */
export function replicaTarget(replica: string, primary: ServerTarget): ServerTarget {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(replica)) {
    const u = parseServerUrl(replica, 'MySQL').query;
    return { host: u.host ?? primary.host, port: u.port ? Number(u.port) : primary.port, user: u.user ?? primary.user, database: u.database ?? primary.database };
  }
  const slash = replica.indexOf('/');
  const hp = parseHostPort(slash < 0 ? replica : replica.slice(0, slash), 3306);
  return { ...primary, host: hp.host, port: hp.port, database: slash < 0 ? primary.database : replica.slice(slash + 1) };
}

// mysql2 is loaded when the first MySQL/MariaDB connection opens, not when Sluice starts
// (a run that never touches MySQL would otherwise spend a tenth of its start-up on it).
// Required, not imported: see postgres/driver.ts.
let mysqlDriver: typeof import('mysql2') | undefined;
const requireHere = createRequire(import.meta.url);

class ServerPool {
  readonly pool: Pool;
  readonly leased = new Map<PoolConnection, (destroy?: boolean) => void>();
  private readonly ready = new WeakSet<PoolConnection>();
  info: ServerInfo | undefined;

  constructor(
    readonly target: ServerTarget,
    password: string | undefined,
    private readonly o: MysqlOptions,
    readonly product: string,
  ) {
    this.pool = mysqlDriver!.createPool({
      host: target.host,
      port: target.port,
      user: target.user,
      password,
      database: target.database,
      ssl: sslConfig(o),
      connectTimeout: o.connectTimeoutMs,
      connectionLimit: o.poolSize,
      maxIdle: o.poolSize,
      idleTimeout: 30_000,
      waitForConnections: true,
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      multipleStatements: false,
    });
    // Errors of idle connections: the pool drops them; without a listener they would crash the process.
    this.pool.on('error' as 'connection', () => {});
  }

  get hostPort(): string {
    return `${this.target.host.includes(':') ? `[${this.target.host}]` : this.target.host}:${this.target.port}`;
  }

  private session(): string {
    const parts = [`time_zone = '+00:00'`, `sql_mode = '${SQL_MODE}'`];
    if (this.o.statementTimeoutMs > 0 && this.info) {
      parts.push(this.info.mariadb ? `max_statement_time = ${this.o.statementTimeoutMs / 1000}` : `max_execution_time = ${this.o.statementTimeoutMs}`);
    }
    return `SET SESSION ${parts.join(', ')}`;
  }

  async acquire(): Promise<Lease> {
    const conn = await new Promise<PoolConnection>((resolve, reject) => this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c)))).catch((e: unknown) => {
      throw connectError(e, this.info?.product ?? this.product, this.hostPort, this.target.user, this.target.database);
    });
    const onError = () => {};
    conn.on('error', onError);
    let released = false;
    const release = (destroy = false) => {
      if (released) return;
      released = true;
      this.leased.delete(conn);
      conn.off('error', onError);
      if (destroy) {
        // mysql2's destroy() only half-closes (FIN) the socket; a server thread blocked
        // sending a result the client no longer reads would wait for net_write_timeout
        // (60 s), holding its table locks. Closing the socket outright (RST) ends it now.
        conn.destroy();
        (conn as unknown as { stream?: { destroy(): void } }).stream?.destroy();
      } else conn.release();
    };
    this.leased.set(conn, release);
    if (!this.ready.has(conn)) {
      try {
        this.info ??= await serverInfo(conn);
        await exec(conn, this.session());
        this.ready.add(conn);
      } catch (e) {
        release(true);
        throw myError(`${this.product} ${this.hostPort}`, e);
      }
    }
    return { conn, release };
  }

  async end(): Promise<void> {
    for (const release of [...this.leased.values()]) release(true);
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }
}

export class MysqlConnection implements Connection {
  readonly connectorId = 'mysql';
  readonly dialect = 'mysql' as const;

  private constructor(
    private readonly primary: ServerPool,
    private readonly replica: ServerPool | undefined,
    private readonly o: MysqlOptions,
  ) {}

  /** Opens the pools and makes one round trip to each server, so a bad address or password fails here. */
  static async open(o: MysqlOptions, password: string | undefined, product: string): Promise<MysqlConnection> {
    const target: ServerTarget = { host: o.host, port: o.port, user: o.user, database: o.database };
    mysqlDriver ??= requireHere('mysql2') as typeof import('mysql2');
    const primary = new ServerPool(target, password, o, product);
    const replica = o.replica ? new ServerPool(replicaTarget(o.replica, target), password, o, product) : undefined;
    const conn = new MysqlConnection(primary, replica, o);
    try {
      await conn.test();
    } catch (e) {
      await conn.close();
      throw e;
    }
    return conn;
  }

  /** What the primary server is (version, UUID type, local_infile). */
  get server(): ServerInfo {
    return this.primary.info!;
  }

  /**
   * How writes travel: the option, with auto resolved against the server's local_infile
   * (read when the connection opened). With local_infile OFF, auto falls back to INSERTs,
   * about 3x slower; the migration job can report which path it got from here.
   */
  get loadPath(): 'infile' | 'insert' {
    if (this.o.load === 'auto') return this.server.localInfile ? 'infile' : 'insert';
    return this.o.load;
  }

  private get reads(): ServerPool {
    return this.replica ?? this.primary;
  }

  private label(what: string): string {
    return `${this.primary.info?.product ?? this.primary.product} ${this.primary.hostPort}/${this.o.database} (${what})`;
  }

  private async onPool<T>(p: ServerPool, what: string, f: (c: PoolConnection) => Promise<T>): Promise<T> {
    const lease = await p.acquire();
    let destroy = false;
    try {
      return await f(lease.conn);
    } catch (e) {
      destroy = (e as { fatal?: boolean }).fatal === true;
      throw myError(this.label(what), e);
    } finally {
      lease.release(destroy);
    }
  }

  async test(): Promise<void> {
    for (const p of this.replica ? [this.primary, this.replica] : [this.primary]) {
      await this.onPool(p, 'test', async (c) => {
        await exec(c, 'SELECT 1');
      });
    }
  }

  async listTables(): Promise<TableInfo[]> {
    return this.onPool(this.reads, 'list tables', (c) => listTables(c, this.reads.target.database));
  }

  async describeTable(table: string | TableRef): Promise<TableDescription> {
    const ref = typeof table === 'string' ? { name: table } : table;
    return this.onPool(this.reads, ref.name, async (c) => {
      const rel = await findRelation(c, ref, this.reads.target.database);
      if (!rel) throw missingRelation(ref, this.reads.target.database, await relationNames(c, ref.schema ?? this.reads.target.database));
      return describeRelation(c, rel, this.reads.info!.mariadb);
    });
  }

  async read(request: ReadRequest, options: ReadOptions = {}): Promise<RowStream> {
    const pool = this.reads;
    const acquire = () => pool.acquire();
    const decode = { zeroDates: this.o.zeroDates };
    if ('query' in request) {
      const bound = bindPlaceholders(request.query, request.params, 'mysql', (_, v) => sqlLiteral(v));
      return queryStream(acquire, bound.sql, { label: this.label('query'), decode, read: options }, request.limit);
    }
    const ref = typeof request.table === 'string' ? { name: request.table } : request.table;
    const database = ref.schema ?? pool.target.database;
    const { rel, cols, pk } = await this.onPool(pool, ref.name, async (c) => {
      const found = await findRelation(c, ref, pool.target.database);
      if (!found) throw missingRelation(ref, pool.target.database, await relationNames(c, database));
      return { rel: found, cols: await relationColumns(c, found, pool.info!.mariadb), pk: found.kind === 'table' ? await primaryKeyOf(c, found) : [] };
    });
    const { wanted, picked, selectList, orderBy } = resolveTableRead({ columns: cols, request, dialect: 'mysql', connector: 'mysql', table: rel.name, where: this.label(rel.name) });
    const q = (n: string) => quoteIdent(n, 'mysql');
    const limit = request.limit !== undefined ? Math.max(0, Math.floor(request.limit)) : undefined;
    let sql = `SELECT ${selectList} FROM ${q(database)}.${q(rel.name)}${orderBy}` + (limit !== undefined ? ` LIMIT ${limit}` : '');
    // A table read lasts as long as its consumer takes: exempt it from the statement time limit.
    if (this.o.statementTimeoutMs > 0 && pool.info?.mariadb) sql = `SET STATEMENT max_statement_time=0 FOR ${sql}`;
    else if (this.o.statementTimeoutMs > 0) sql = sql.replace(/^SELECT /, 'SELECT /*+ MAX_EXECUTION_TIME(0) */ ');
    const schema: Schema = { columns: picked.map((c) => ({ name: c.name, type: c.type, nullable: !c.notNull })) };
    if (pk.length > 0 && pk.every((k) => wanted.includes(k))) schema.key = pk;
    const normalize = picked.map((c) => markerOf(c.comment)?.kind === 'decimal' && markerOf(c.comment)?.precision === undefined);
    const ctx = { label: this.label(rel.name), table: rel.name, decode, read: options, normalizeDecimal: normalize };
    return tableStream(acquire, sql, schema, ctx, limit);
  }

  async write(request: WriteRequest): Promise<TableWriter> {
    if (this.o.load === 'infile' && !this.server.localInfile) {
      throw new ConnectorError(
        `${this.label('write')}: the server does not allow LOAD DATA LOCAL INFILE (local_infile is OFF): an administrator can enable it (SET GLOBAL local_infile = 1), or use load=insert (or auto)`,
        { connector: 'mysql' },
      );
    }
    return MysqlTableWriter.open(request, {
      database: this.o.database,
      server: this.server,
      load: this.loadPath,
      statementTimeoutMs: this.o.statementTimeoutMs,
      acquire: () => this.primary.acquire(),
    });
  }

  async execute(sql: string, params: Value[] = []): Promise<number> {
    const bound = bindPlaceholders(sql, params, 'mysql', (_, v) => sqlLiteral(v));
    return this.onPool(this.primary, 'execute', async (c) => (await exec(c, bound.sql)).affectedRows);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.end(), this.replica?.end()]);
  }
}
