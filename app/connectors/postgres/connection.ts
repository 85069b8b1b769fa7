import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { Schema } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import type { Value } from '../../model/values';
import { bindPlaceholders } from '../sql/placeholders';
import { resolveTableRead } from '../sql/table-read';
import { parseHostPort, parseServerUrl } from '../sql/server-url';
import { ConnectorError, type Connection, type CopyOutOptions, type ReadOptions, type ReadRequest, type RowStream, type TableDescription, type TableInfo, type TableRef, type TableWriter, type WriteRequest } from '../types';
import { loadPgDriver, pgDriver } from './driver';
import { connectError, pgError } from './errors';
import { describeRelation, findRelation, listTables, missingRelation, primaryKeyOf, relationColumns, relationNames } from './introspect';
import type { PostgresOptions } from './options';
import { copyOutMessages, copyStream, cursorStream, toPgParam, type Lease } from './reader';
import { PostgresTableWriter } from './writer';

/**
 * A PostgreSQL database: a pool for the primary and, when `replica` is set, a second pool
 * for reads (read, listTables, describeTable); writes always go to the primary.
 *
 * Every session is set up the same way at connect time (startup options, no extra round
 * trip): TimeZone UTC, DateStyle ISO, extra_float_digits 1 (shortest exact floats),
 * bytea_output hex, standard_conforming_strings on, client_encoding UTF8, search_path
 * to the chosen schema. Values then have one text form each, which copy-text.ts relies on.
 */

export interface ServerTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

function escapeOption(v: string): string {
  // libpq startup options: backslash escapes spaces and backslashes.
  return v.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
}

function sessionOptions(schema: string): string {
  const searchPath = `${quoteIdent(schema, 'postgres')}${schema === 'public' ? '' : ',public'}`;
  return [
    'TimeZone=UTC',
    'DateStyle=ISO,YMD',
    'IntervalStyle=iso_8601',
    'extra_float_digits=1',
    'bytea_output=hex',
    'standard_conforming_strings=on',
    'client_encoding=UTF8',
    `search_path=${searchPath}`,
  ]
    .map((o) => `-c ${escapeOption(o)}`)
    .join(' ');
}

function sslConfig(o: PostgresOptions, host: string): pg.PoolConfig['ssl'] {
  switch (o.sslmode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, servername: host, ...(o.sslrootcert ? { ca: readFileSync(o.sslrootcert, 'utf8') } : {}) };
  }
}

/** The replica's server: `host[:port][/database]` or a postgres:// URL (its parts override the primary's). */
export function replicaTarget(replica: string, primary: ServerTarget): ServerTarget {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(replica)) {
    const u = parseServerUrl(replica, 'PostgreSQL').query;
    return { host: u.host ?? primary.host, port: u.port ? Number(u.port) : primary.port, user: u.user ?? primary.user, database: u.database ?? primary.database };
  }
  const slash = replica.indexOf('/');
  const hp = parseHostPort(slash < 0 ? replica : replica.slice(0, slash), 5432);
  return { ...primary, host: hp.host, port: hp.port, database: slash < 0 ? primary.database : replica.slice(slash + 1) };
}

class ServerPool {
  readonly pool: pg.Pool;
  /** Clients handed out, with their release (close() discards them). */
  readonly leased = new Map<pg.PoolClient, (destroy?: boolean) => void>();

  constructor(
    readonly target: ServerTarget,
    password: string | undefined,
    private readonly o: PostgresOptions,
  ) {
    this.pool = new (pgDriver().pg.Pool)({
      host: target.host,
      port: target.port,
      user: target.user,
      database: target.database,
      password,
      ssl: sslConfig(o, target.host),
      max: o.poolSize,
      connectionTimeoutMillis: o.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'sluice',
      options: sessionOptions(o.schema),
      ...(o.statementTimeoutMs > 0 ? { statement_timeout: o.statementTimeoutMs } : {}),
    });
    // An idle client losing its connection emits 'error' on the pool; without a listener
    // that would end the process. The pool drops the client; the next use reconnects.
    this.pool.on('error', () => {});
  }

  get hostPort(): string {
    return `${this.target.host.includes(':') ? `[${this.target.host}]` : this.target.host}:${this.target.port}`;
  }

  async acquire(): Promise<Lease> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw connectError(e, this.hostPort, this.target.user, this.target.database, this.o.connectTimeoutMs);
    }
    const onError = () => {};
    client.on('error', onError);
    let released = false;
    const release = (destroy = false) => {
      if (released) return;
      released = true;
      this.leased.delete(client);
      client.off('error', onError);
      client.release(destroy ? true : undefined);
    };
    this.leased.set(client, release);
    return { client, release };
  }

  async end(): Promise<void> {
    for (const release of [...this.leased.values()]) release(true);
    await this.pool.end();
  }
}

export class PostgresConnection implements Connection {
  readonly connectorId = 'postgres';
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly primary: ServerPool,
    private readonly replica: ServerPool | undefined,
    private readonly o: PostgresOptions,
  ) {}

  /** Opens the pools and makes one round trip to each server, so a bad address or password fails here. */
  static async open(o: PostgresOptions, password: string | undefined): Promise<PostgresConnection> {
    const target: ServerTarget = { host: o.host, port: o.port, user: o.user, database: o.database ?? o.user };
    await loadPgDriver();
    const primary = new ServerPool(target, password, o);
    const replica = o.replica ? new ServerPool(replicaTarget(o.replica, target), password, o) : undefined;
    const conn = new PostgresConnection(primary, replica, o);
    try {
      await conn.test();
    } catch (e) {
      await conn.close();
      throw e;
    }
    return conn;
  }

  private get reads(): ServerPool {
    return this.replica ?? this.primary;
  }

  private label(what: string): string {
    return `PostgreSQL ${this.primary.hostPort}/${this.primary.target.database} (${what})`;
  }

  private async onPool<T>(p: ServerPool, what: string, f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const lease = await p.acquire();
    let destroy = false;
    try {
      return await f(lease.client);
    } catch (e) {
      destroy = !(e instanceof ConnectorError) && (e as { code?: string }).code === undefined;
      throw pgError(this.label(what), e);
    } finally {
      lease.release(destroy);
    }
  }

  async test(): Promise<void> {
    for (const p of this.replica ? [this.primary, this.replica] : [this.primary]) {
      await this.onPool(p, 'test', async (c) => {
        await c.query('SELECT 1');
      });
    }
  }

  async listTables(): Promise<TableInfo[]> {
    return this.onPool(this.reads, 'list tables', (c) => listTables(c, this.o.schema));
  }

  async describeTable(table: string | TableRef): Promise<TableDescription> {
    const ref = typeof table === 'string' ? { name: table } : table;
    return this.onPool(this.reads, ref.name, async (c) => {
      const rel = await findRelation(c, ref, this.o.schema);
      if (!rel) throw missingRelation(ref, this.o.schema, await relationNames(c, ref.schema ?? this.o.schema));
      return describeRelation(c, rel);
    });
  }

  async read(request: ReadRequest, options: ReadOptions = {}): Promise<RowStream> {
    const acquire = () => this.reads.acquire();
    if ('query' in request) {
      const noParams = request.params === undefined || (Array.isArray(request.params) ? request.params.length === 0 : Object.keys(request.params).length === 0);
      if (request.schema && noParams && this.o.readWith === 'copy') {
        return copyStream(acquire, request.query, request.schema, { label: this.label('query'), infinity: this.o.infinity, read: options }, request.limit);
      }
      const bound = bindPlaceholders(request.query, request.params, 'postgres', (i) => `$${i + 1}`);
      return cursorStream(acquire, { sql: bound.sql, values: bound.values.map(toPgParam), limit: request.limit }, { label: this.label('query'), infinity: this.o.infinity, read: options });
    }
    const ref = typeof request.table === 'string' ? { name: request.table } : request.table;
    const { rel, cols, pk } = await this.onPool(this.reads, ref.name, async (c) => {
      const found = await findRelation(c, ref, this.o.schema);
      if (!found) throw missingRelation(ref, this.o.schema, await relationNames(c, ref.schema ?? this.o.schema));
      return { rel: found, cols: await relationColumns(c, found.oid), pk: found.kind === 'table' ? await primaryKeyOf(c, found.oid) : [] };
    });
    const { wanted, picked, selectList, orderBy } = resolveTableRead({ columns: cols, request, dialect: 'postgres', connector: 'postgres', table: rel.name, where: this.label(rel.name) });
    const q = (n: string) => quoteIdent(n, 'postgres');
    const limit = request.limit !== undefined ? Math.max(0, Math.floor(request.limit)) : undefined;
    const sql = `SELECT ${selectList} FROM ${q(rel.schema)}.${q(rel.name)}${orderBy}` + (limit !== undefined ? ` LIMIT ${limit}` : '');
    const schema: Schema = { columns: picked.map((c) => ({ name: c.name, type: c.type, nullable: !c.notNull })) };
    if (pk.length > 0 && pk.every((k) => wanted.includes(k))) schema.key = pk;
    const ctx = { label: this.label(rel.name), table: rel.name, infinity: this.o.infinity, read: options };
    if (this.o.readWith === 'cursor') {
      return cursorStream(acquire, { sql, values: [], types: schema.columns.map((c) => c.type), nullable: schema.columns.map((c) => c.nullable), key: schema.key, limit }, ctx);
    }
    return copyStream(acquire, sql, schema, ctx, limit);
  }

  /**
   * A query's rows as binary COPY, undecoded (reader.ts's copyOutMessages), from the read
   * server: for callers that decode fixed-width columns themselves (the sync's full diff
   * reads a (key, hash) pair per row of whole tables this way). `settings` (configuration
   * parameters) hold for this statement only.
   */
  copyOut(sql: string, options: CopyOutOptions = {}): AsyncIterable<Buffer> {
    return copyOutMessages(() => this.reads.acquire(), sql, { label: this.label('query'), signal: options.signal, settings: options.settings, onSnapshot: options.onSnapshot });
  }

  async write(request: WriteRequest): Promise<TableWriter> {
    return PostgresTableWriter.open(request, {
      schema: this.o.schema,
      label: this.label('write'),
      acquire: () => this.primary.acquire(),
      afterLoad: async (t) => {
        await this.onPool(this.primary, 'analyze', async (c) => {
          await c.query(`ANALYZE ${quoteIdent(t.schema ?? this.o.schema, 'postgres')}.${quoteIdent(t.name, 'postgres')}`);
        });
      },
    });
  }

  async execute(sql: string, params: Value[] = []): Promise<number> {
    const bound = bindPlaceholders(sql, params, 'postgres', (i) => `$${i + 1}`);
    return this.onPool(this.primary, 'execute', async (c) => (await c.query(bound.sql, bound.values.map(toPgParam))).rowCount ?? 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.end(), this.replica?.end()]);
  }
}
