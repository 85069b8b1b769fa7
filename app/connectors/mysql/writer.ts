import { randomBytes } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import type { PoolConnection, ResultSetHeader } from 'mysql2';
import type { Schema } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import type { Row } from '../../model/values';
import { ConnectorError, type TableRef, type TableWriter, type WriteRequest, type WriteResult } from '../types';
import { describeMyError } from './errors';
import { findRelation, relationColumns, uniqueKeysOf, type CatalogColumn, type Relation } from './introspect';
import type { Lease } from './reader';
import { exec, query, type ServerInfo } from './session';
import { nativeTypeOf } from './typemap';
import { encodeInfileRows, infileEncoder, literalEncoder, UnstorableValue, type InfileEncoder } from './values';

/**
 * Writes on one pooled connection, in a transaction, by one of two paths (measured, see
 * the README's table):
 *  - infile (default when the server allows local_infile): LOAD DATA LOCAL INFILE reading
 *    a stream that write() feeds; one LOAD statement stays open across write() calls until
 *    a checkpoint or the commit. mysql2 forwards the stream to the socket without looking
 *    at the socket's buffer, so write() waits for the socket to drain itself (real
 *    back-pressure, flat memory). LOAD DATA LOCAL turns data errors and duplicate keys
 *    into warnings and skips the row (the server cannot stop the client's file midway),
 *    so after each LOAD the writer checks the warning count and the rows taken, and
 *    fails with the server's first warnings: nothing is silently dropped or truncated.
 *  - insert: multi-row INSERT statements of up to ~4 MB of literals.
 *
 * Modes. MySQL commits DDL implicitly, so what a transaction can undo differs from
 * PostgreSQL's and the writer arranges it:
 *   insert           rows go into the table in the transaction;
 *   truncate-insert  DELETE FROM (transactional; TRUNCATE would commit) then insert;
 *   replace          the new table is created under a temporary name (sluice_new_...)
 *                    and loaded in the transaction; at the first checkpoint or the commit
 *                    RENAME TABLE swaps it in atomically and the old table is dropped;
 *                    abort drops the new table and leaves the old one untouched;
 *   upsert           infile: LOAD into a session temporary table, then
 *                    INSERT ... SELECT ... ORDER BY arrival ON DUPLICATE KEY UPDATE
 *                    (the last row of a key wins); insert path: INSERT ... ON DUPLICATE KEY
 *                    UPDATE. MySQL matches any unique key of the table, not only `key`.
 * A table that did not exist is created before the transaction; abort() before any
 * checkpoint drops it again. What abort() cannot undo: a process killed mid-write leaves
 * such a created table (empty) or a sluice_new_* table behind.
 */

const ROWS_PER_CHUNK = 2048;
/** Bytes buffered on the socket before write() waits for it to drain. */
const SOCKET_HIGH_WATER = 4 * 1024 * 1024;
/** Bytes the infile stream holds before write() waits for mysql2 to read it. */
const STREAM_HIGH_WATER = 1024 * 1024;
const STATEMENT_BYTES = 4 * 1024 * 1024;
const MERGE_EVERY = 500_000;
const STAGE = 'sluice_upsert_stage';
const ORD = 'sluice_ord';

export interface WriterContext {
  database: string;
  server: ServerInfo;
  /** 'infile' or 'insert' (resolved from the 'auto' option by the connection). */
  load: 'infile' | 'insert';
  statementTimeoutMs: number;
  acquire: () => Promise<Lease>;
}

function q(name: string): string {
  return quoteIdent(name, 'mysql');
}

/** MySQL identifiers: at most 64 characters of the Basic Multilingual Plane, no trailing space. */
export function checkIdentifier(name: string, what: string): void {
  const problem =
    name.length === 0
      ? 'is empty'
      : /[\u{10000}-\u{10FFFF}]/u.test(name)
        ? 'has characters outside the Basic Multilingual Plane (such as emoji), which MySQL / MariaDB identifiers cannot hold'
        : [...name].length > 64
          ? 'is longer than 64 characters'
          : name.endsWith(' ')
            ? 'ends with a space'
            : name.includes('\u0000')
              ? 'contains NUL'
              : undefined;
  if (problem) throw new ConnectorError(`${what} ${JSON.stringify(name)} ${problem}`, { connector: 'mysql' });
}

export function createTableSql(name: string, database: string, schema: Schema, key: readonly string[] | undefined, server: ServerInfo): string {
  const keySet = new Set(key ?? []);
  const keyText = schema.columns.filter((c) => keySet.has(c.name) && (c.type.kind === 'text' || c.type.kind === 'bytes')).length;
  const cols = schema.columns.map((c) => {
    checkIdentifier(c.name, 'column');
    const inKey = keySet.has(c.name);
    const native = nativeTypeOf(c.type, { key: inKey, keyTextColumns: keyText, uuidType: server.uuidType });
    // NOT NULL goes before a COMMENT the type text may end with.
    const m = /^(.*?)( COMMENT '.*')?$/.exec(native)!;
    return `${q(c.name)} ${m[1]}${!c.nullable || inKey ? ' NOT NULL' : ' NULL'}${m[2] ?? ''}`;
  });
  if (key && key.length > 0) cols.push(`PRIMARY KEY (${key.map(q).join(', ')})`);
  return `CREATE TABLE ${q(database)}.${q(name)} (${cols.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}

function tempName(kind: string): string {
  return `sluice_${kind}_${randomBytes(6).toString('hex')}`;
}

export class MysqlTableWriter implements TableWriter {
  private conn!: PoolConnection;
  private lease!: Lease;
  private inTx = false;
  private closed = false;
  private written = 0;
  private target!: string;
  /** replace: the live table the shadow will be swapped in for. */
  private swapWith: string | undefined;
  private created = false;
  private committedOnce = false;
  private columns: CatalogColumn[] = [];
  private names: string[] = [];
  private upsert = false;
  private upsertKey: string[] = [];
  private stageReady = false;
  private staged = 0;
  private load: Readable | undefined;
  private loadDone: Promise<ResultSetHeader> | undefined;
  private loadError: unknown;
  private sentInLoad = 0;
  private sentBeforeLoad = 0;
  private infileEnc: InfileEncoder[] = [];
  private literalEnc: ((v: Row[number]) => string)[] = [];
  /** LOAD DATA's format here is tab text (see startLoad): a page goes as it is. Set in infile mode only. */
  readonly writeTabText?: (bytes: Buffer, rows: number) => Promise<void>;

  private constructor(
    private readonly request: WriteRequest,
    private readonly ctx: WriterContext,
  ) {
    if (ctx.load === 'infile') this.writeTabText = (bytes, rows) => this.writeInfileTabText(bytes, rows);
  }

  static async open(request: WriteRequest, ctx: WriterContext): Promise<MysqlTableWriter> {
    const w = new MysqlTableWriter(request, ctx);
    w.lease = await ctx.acquire();
    w.conn = w.lease.conn;
    try {
      await w.prepare();
      await w.begin();
    } catch (e) {
      await w.close(true);
      throw w.fail(e);
    }
    return w;
  }

  private get ref(): TableRef {
    return typeof this.request.table === 'string' ? { name: this.request.table } : this.request.table;
  }

  private get database(): string {
    return this.ref.schema ?? this.ctx.database;
  }

  private qualified(name = this.target): string {
    return `${q(this.database)}.${q(name)}`;
  }

  private fail(e: unknown, rows?: string): ConnectorError {
    if (e instanceof ConnectorError) return e;
    const at = rows ? `${rows}: ` : '';
    return new ConnectorError(`table '${this.ref.name}': ${at}${describeMyError(e)}`, { connector: 'mysql', table: this.ref.name, cause: e });
  }

  private closedError(): ConnectorError {
    return new ConnectorError(`table '${this.ref.name}': the writer is closed`, { connector: 'mysql', table: this.ref.name });
  }

  private async prepare(): Promise<void> {
    const req = this.request;
    const ref = this.ref;
    const schema = req.schema;
    const key = req.key && req.key.length > 0 ? req.key : schema.key;
    checkIdentifier(ref.name, 'table name');
    let rel: Relation | undefined = await findRelation(this.conn, ref, this.ctx.database);
    if (rel?.kind === 'view') throw new ConnectorError(`table '${ref.name}': is a view; write to a table`, { connector: 'mysql', table: ref.name });
    const creating = !rel || req.mode === 'replace';
    if (creating) {
      if (!rel && req.create === false && req.mode !== 'replace') throw new ConnectorError(`table '${ref.name}': does not exist (and create is false)`, { connector: 'mysql', table: ref.name });
      if (schema.columns.length === 0) throw new ConnectorError(`table '${ref.name}': cannot create a table without columns`, { connector: 'mysql', table: ref.name });
      for (const k of key ?? []) {
        if (!schema.columns.some((c) => c.name === k)) throw new ConnectorError(`table '${ref.name}': key column '${k}' is not among the columns`, { connector: 'mysql', table: ref.name });
      }
    }
    if (req.mode === 'replace' && rel) {
      const { rows } = await query<{ t: string }[]>(
        this.conn,
        'SELECT DISTINCT TABLE_NAME AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND BINARY REFERENCED_TABLE_NAME = ? AND NOT (BINARY TABLE_NAME = ?)',
        [this.database, rel.name, rel.name],
      );
      if (rows.length > 0) {
        throw new ConnectorError(`table '${ref.name}': cannot be replaced while foreign keys of ${rows.map((r) => `'${r.t}'`).join(', ')} reference it`, { connector: 'mysql', table: ref.name });
      }
      this.swapWith = rel.name;
      this.target = tempName('new');
      await exec(this.conn, createTableSql(this.target, this.database, schema, key, this.ctx.server));
    } else if (!rel) {
      this.target = ref.name;
      await exec(this.conn, createTableSql(this.target, this.database, schema, key, this.ctx.server));
      this.created = true;
    } else {
      this.target = rel.name;
    }
    rel = await findRelation(this.conn, { name: this.target, schema: ref.schema }, this.ctx.database);
    if (!rel) throw new ConnectorError(`table '${ref.name}': was created but cannot be found`, { connector: 'mysql', table: ref.name });
    const cols = await relationColumns(this.conn, rel, this.ctx.server.mariadb);
    const matched = schema.columns.map((c) => cols.find((x) => x.name === c.name) ?? cols.find((x) => x.name.toLowerCase() === c.name.toLowerCase()));
    const missing = schema.columns.filter((_, i) => matched[i] === undefined).map((c) => `'${c.name}'`);
    if (missing.length > 0) {
      throw new ConnectorError(`table '${ref.name}': has no column ${missing.join(', ')} (its columns: ${cols.map((c) => c.name).join(', ')}); use mode replace to re-create it`, {
        connector: 'mysql',
        table: ref.name,
      });
    }
    this.columns = matched as CatalogColumn[];
    this.names = this.columns.map((c) => c.name);
    this.infileEnc = this.columns.map((c) => infileEncoder(c.type));
    this.literalEnc = this.columns.map((c) => literalEncoder(c.type));
    if (req.mode === 'upsert') {
      const keys = await uniqueKeysOf(this.conn, rel);
      const wanted = key ?? keys[0];
      if (!wanted || wanted.length === 0) {
        throw new ConnectorError(`table '${ref.name}': upsert needs key columns, and the table has no primary key or unique key: give key`, { connector: 'mysql', table: ref.name });
      }
      for (const k of wanted) {
        if (!this.names.some((n) => n.toLowerCase() === k.toLowerCase())) throw new ConnectorError(`table '${ref.name}': upsert key column '${k}' is not among the written columns`, { connector: 'mysql', table: ref.name });
      }
      const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
      if (!keys.some((k) => same(k, wanted))) {
        throw new ConnectorError(`table '${ref.name}': upsert needs a primary key or unique key on exactly the key columns (${wanted.join(', ')})`, { connector: 'mysql', table: ref.name });
      }
      this.upsert = true;
      this.upsertKey = wanted;
      if (this.ctx.load === 'infile') {
        // A session temporary table: CREATE TEMPORARY does not commit; the ordinal keeps arrival order.
        await exec(this.conn, `DROP TEMPORARY TABLE IF EXISTS ${q(STAGE)}`);
        await exec(this.conn, `CREATE TEMPORARY TABLE ${q(STAGE)} (${q(ORD)} BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB SELECT ${this.names.map(q).join(', ')} FROM ${this.qualified()} LIMIT 0`);
        this.stageReady = true;
      }
    }
  }

  private async begin(): Promise<void> {
    await exec(this.conn, 'START TRANSACTION');
    this.inTx = true;
    if (this.request.mode === 'truncate-insert' && !this.created && !this.swapWith && !this.committedOnce) {
      await exec(this.conn, `DELETE FROM ${this.qualified()}`);
    }
  }

  /** Runs a bulk statement without the session's statement time limit. */
  private unlimited(sql: string): string {
    if (this.ctx.statementTimeoutMs <= 0) return sql;
    return this.ctx.server.mariadb ? `SET STATEMENT max_statement_time=0 FOR ${sql}` : sql;
  }

  // ---- infile path ----

  private startLoad(): void {
    const into = this.upsert ? q(STAGE) : this.qualified();
    const vars: string[] = [];
    const sets: string[] = [];
    this.columns.forEach((c, i) => {
      if (c.type.kind === 'bytes') {
        vars.push(`@v${i}`);
        sets.push(`${q(c.name)} = UNHEX(@v${i})`);
      } else vars.push(q(c.name));
    });
    const sql =
      `LOAD DATA LOCAL INFILE 'sluice:stream' INTO TABLE ${into} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${vars.join(', ')})` +
      (sets.length > 0 ? ` SET ${sets.join(', ')}` : '');
    const stream = new Readable({
      highWaterMark: STREAM_HIGH_WATER,
      read: () => this.wakeWriter(),
    });
    this.load = stream;
    this.loadError = undefined;
    this.sentInLoad = 0;
    this.sentBeforeLoad = this.written;
    this.loadDone = new Promise<ResultSetHeader>((resolve, reject) => {
      this.conn.query({ sql: this.unlimited(sql), infileStreamFactory: () => stream }, (err: Error | null, result: unknown) => {
        if (err) {
          this.loadError = err;
          reject(err);
        } else resolve(result as ResultSetHeader);
      });
    });
    this.loadDone.catch(() => {});
    // A LOAD that ends (an error) while write() waits for the stream to be read wakes it too.
    this.loadDone.then(
      () => this.wakeWriter(),
      () => this.wakeWriter(),
    );
  }

  private waiting: (() => void) | undefined;

  private wakeWriter(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private get socket(): Writable | undefined {
    return (this.conn as unknown as { stream?: Writable }).stream;
  }

  private async writeInfile(rows: Row[]): Promise<void> {
    if (!this.load) this.startLoad();
    const stream = this.load!;
    for (let r = 0; r < rows.length; r += ROWS_PER_CHUNK) {
      if (this.loadError !== undefined) throw this.fail(this.loadError);
      let text: string;
      try {
        text = encodeInfileRows(rows, r, Math.min(rows.length, r + ROWS_PER_CHUNK), this.infileEnc);
      } catch (e) {
        if (e instanceof UnstorableValue) throw this.fail(e, `rows ${this.written + r + 1}-${this.written + Math.min(rows.length, r + ROWS_PER_CHUNK)} of this write`);
        throw e;
      }
      await this.push(stream, Buffer.from(text, 'utf8'));
    }
    this.sentInLoad += rows.length;
  }

  private async writeInfileTabText(bytes: Buffer, rows: number): Promise<void> {
    if (!this.inTx || this.closed) throw this.closedError();
    if (rows === 0) return;
    if (!this.load) this.startLoad();
    if (this.loadError !== undefined) throw this.fail(this.loadError);
    await this.push(this.load!, bytes);
    this.sentInLoad += rows;
    await this.sent(rows);
  }

  private async push(stream: Readable, bytes: Buffer): Promise<void> {
    // mysql2 starts reading the stream only when the server asks for the file, and then
    // forwards it without regard for the socket: wait for both, or everything would pile
    // up in memory (the callers' loops never yield to the event loop on their own).
    if (!stream.push(bytes)) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const sock = this.socket;
    if (sock && sock.writableLength > SOCKET_HIGH_WATER) {
      await new Promise<void>((resolve) => {
        const done = () => {
          sock.off('drain', done);
          sock.off('close', done);
          resolve();
        };
        sock.on('drain', done);
        sock.on('close', done);
      });
    }
  }


  /** Ends the open LOAD and checks that every row was taken without a warning. */
  private async endLoad(): Promise<void> {
    if (!this.load) return;
    const stream = this.load;
    this.load = undefined;
    stream.push(null);
    let result: ResultSetHeader;
    try {
      result = await this.loadDone!;
    } catch (e) {
      throw this.fail(e);
    }
    if (result.warningStatus > 0 || result.affectedRows !== this.sentInLoad) {
      const { rows } = await query<{ Level: string; Code: number; Message: string }[]>(this.conn, 'SHOW WARNINGS LIMIT 5');
      const serious = rows.filter((w) => w.Level !== 'Note');
      if (serious.length > 0 || result.affectedRows !== this.sentInLoad) {
        const first = serious
          .map((w) => w.Message.replace(/ at row (\d+)$/, (_, n: string) => ` (row ${this.sentBeforeLoad + Number(n)} of this write)`))
          .join('; ');
        const refused = this.sentInLoad - result.affectedRows;
        throw new ConnectorError(
          `table '${this.ref.name}': the rows were not stored as given${refused > 0 ? ` (${refused} of ${this.sentInLoad} refused)` : ''}` +
            (first ? `: ${first}` : '') +
            (result.warningStatus > serious.length ? ` (and ${result.warningStatus - serious.length} more warning(s))` : ''),
          { connector: 'mysql', table: this.ref.name },
        );
      }
    }
  }

  // ---- insert path ----

  private async writeInsert(rows: Row[]): Promise<void> {
    const head = `INSERT INTO ${this.qualified()} (${this.names.map(q).join(', ')}) VALUES `;
    const tail = this.upsert ? this.onDuplicate() : '';
    const enc = this.literalEnc;
    const n = enc.length;
    let sql = '';
    let first = 0;
    const flush = async (upTo: number) => {
      if (sql === '') return;
      try {
        await exec(this.conn, this.unlimited(head + sql + tail));
      } catch (e) {
        throw this.fail(e, `rows ${this.written + first + 1}-${this.written + upTo} of this write`);
      }
      sql = '';
      first = upTo;
    };
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      let tuple: string;
      try {
        tuple = '(' + (n > 0 ? enc[0](row[0]) : '');
        for (let i = 1; i < n; i++) tuple += ',' + enc[i](row[i]);
        tuple += ')';
      } catch (e) {
        if (e instanceof UnstorableValue) throw this.fail(e, `row ${this.written + r + 1} of this write`);
        throw e;
      }
      sql += (sql === '' ? '' : ',') + tuple;
      if (sql.length >= Math.min(STATEMENT_BYTES, this.ctx.server.maxAllowedPacket / 4)) await flush(r + 1);
    }
    await flush(rows.length);
  }

  private onDuplicate(): string {
    const keys = new Set(this.upsertKey.map((k) => k.toLowerCase()));
    const others = this.names.filter((c) => !keys.has(c.toLowerCase()));
    // Without other columns, re-assign a key column to itself: the row stays as it is.
    const set = (others.length > 0 ? others : this.names.slice(0, 1)).map((c) => `${q(c)} = VALUES(${q(c)})`);
    return ` ON DUPLICATE KEY UPDATE ${set.join(', ')}`;
  }

  // ---- shared ----

  async write(rows: Row[]): Promise<void> {
    if (!this.inTx || this.closed) throw this.closedError();
    if (rows.length === 0) return;
    if (this.ctx.load === 'infile') await this.writeInfile(rows);
    else await this.writeInsert(rows);
    await this.sent(rows.length);
  }

  private async sent(rows: number): Promise<void> {
    this.written += rows;
    this.staged += rows;
    if (this.stageReady && this.staged >= MERGE_EVERY) await this.flush();
  }

  private async flush(): Promise<void> {
    await this.endLoad();
    if (this.stageReady && this.staged > 0) {
      const cols = this.names.map(q).join(', ');
      try {
        await exec(this.conn, this.unlimited(`INSERT INTO ${this.qualified()} (${cols}) SELECT ${cols} FROM ${q(STAGE)} ORDER BY ${q(ORD)}${this.onDuplicate()}`));
        await exec(this.conn, `DELETE FROM ${q(STAGE)}`);
      } catch (e) {
        throw this.fail(e);
      }
    }
    this.staged = 0;
  }

  /** replace: the new table takes the old one's name (one atomic RENAME), the old is dropped. */
  private async swap(): Promise<void> {
    if (!this.swapWith) return;
    const old = tempName('old');
    await exec(this.conn, `RENAME TABLE ${this.qualified(this.swapWith)} TO ${this.qualified(old)}, ${this.qualified(this.target)} TO ${this.qualified(this.swapWith)}`);
    this.target = this.swapWith;
    this.swapWith = undefined;
    await exec(this.conn, `DROP TABLE ${this.qualified(old)}`);
  }

  async checkpoint(): Promise<void> {
    if (!this.inTx || this.closed) throw this.closedError();
    await this.flush();
    await exec(this.conn, 'COMMIT');
    this.inTx = false;
    this.committedOnce = true;
    await this.swap();
    await this.begin();
  }

  async commit(): Promise<WriteResult> {
    if (!this.inTx || this.closed) throw this.closedError();
    try {
      await this.flush();
      await exec(this.conn, 'COMMIT');
      this.inTx = false;
      this.committedOnce = true;
      await this.swap();
    } catch (e) {
      await this.close(true);
      throw this.fail(e);
    }
    await this.close(false);
    return { rowsWritten: this.written };
  }

  async abort(): Promise<void> {
    await this.close(true);
  }

  private async close(rollback: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let destroy = false;
    try {
      if (this.load) {
        // Ending the file early: the server finishes the LOAD with what it got, which the
        // rollback below takes back.
        const stream = this.load;
        this.load = undefined;
        stream.push(null);
        await this.loadDone?.catch(() => {});
      }
      if (rollback && this.inTx) await exec(this.conn, 'ROLLBACK');
      this.inTx = false;
      if (rollback && this.swapWith && this.target) await exec(this.conn, `DROP TABLE IF EXISTS ${this.qualified()}`);
      else if (rollback && this.created && !this.committedOnce) await exec(this.conn, `DROP TABLE IF EXISTS ${this.qualified()}`);
      if (this.stageReady) await exec(this.conn, `DROP TEMPORARY TABLE IF EXISTS ${q(STAGE)}`);
    } catch {
      // A connection that cannot roll back is not given back to the pool.
      destroy = true;
    } finally {
      this.inTx = false;
      this.lease.release(destroy);
    }
  }
}
