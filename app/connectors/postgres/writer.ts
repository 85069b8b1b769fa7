import type { PoolClient } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { pgDriver } from './driver';
import type { Schema } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import type { Row } from '../../model/values';
import { ConnectorError, type TableRef, type TableWriter, type WriteRequest, type WriteResult } from '../types';
import { copyEncoder, encodeCopyRows, type CopyEncoder } from './copy-text';
import { copyLineOf, describePgError, isConnectionError } from './errors';
import { findRelation, primaryKeyOf, relationColumns, type CatalogColumn } from './introspect';
import type { Lease } from './reader';
import { nativeTypeOf } from './typemap';

/**
 * Writes through COPY ... FROM STDIN (text format) inside a transaction on one pooled
 * client. One COPY stays open across write() calls until a checkpoint or the commit, so
 * a load is one statement per transaction, not one per batch; each batch is encoded into
 * one string (copy-text.ts) and written with back-pressure (a full socket makes write()
 * wait for 'drain'). Errors the server reports during the COPY (a bad value, a duplicate
 * key) name the COPY line, which maps back to the row of this writer.
 *
 * Modes, all inside the transaction, so abort() (ROLLBACK) leaves the table as it was:
 *   insert           COPY into the table;
 *   truncate-insert  TRUNCATE, then COPY (PostgreSQL's TRUNCATE is transactional);
 *   replace          DROP TABLE + CREATE TABLE from the incoming schema, then COPY;
 *   upsert           COPY into a temporary table, then INSERT ... SELECT DISTINCT ON (key)
 *                    ... ON CONFLICT (key) DO UPDATE (the last row of a key wins), at
 *                    each checkpoint / commit and every MERGE_EVERY rows.
 * statement_timeout is switched off inside the writer's transactions: a bulk COPY lasts
 * as long as its rows take, which a per-statement limit meant for queries would cut.
 */

/** Rows per encoded chunk (bounded memory for callers handing over huge arrays). */
const ROWS_PER_CHUNK = 2048;
/** Upsert: merge the staged rows into the table after this many (bounds the temp table). */
const MERGE_EVERY = 500_000;
const STAGE = 'sluice_upsert_stage';
const ORD = 'sluice_ord';

export interface WriterContext {
  schema: string;
  label: string;
  acquire: () => Promise<Lease>;
  /** Called after the commit (the table had rows written into a table it created or emptied). */
  afterLoad?: (t: TableRef) => Promise<void>;
}

function q(name: string): string {
  return quoteIdent(name, 'postgres');
}

export function createTableSql(t: TableRef & { schema: string }, schema: Schema, key: readonly string[] | undefined): string {
  const keySet = new Set(key ?? []);
  const cols = schema.columns.map((c) => `${q(c.name)} ${nativeTypeOf(c.type)}${!c.nullable || keySet.has(c.name) ? ' NOT NULL' : ''}`);
  if (key && key.length > 0) cols.push(`PRIMARY KEY (${key.map(q).join(', ')})`);
  return `CREATE TABLE ${q(t.schema)}.${q(t.name)} (${cols.join(', ')})`;
}

export class PostgresTableWriter implements TableWriter {
  private client!: PoolClient;
  private lease!: Lease;
  private inTx = false;
  private closed = false;
  private written = 0;
  /** Rows sent in the current COPY (to map its line numbers back to rows). */
  private sentBeforeCopy = 0;
  private copy: CopyStreamQuery | undefined;
  private copyDone: Promise<void> | undefined;
  private copyError: unknown;
  private encoders: CopyEncoder[] = [];
  private columnList = '';
  private targetNames: string[] = [];
  private target!: { schema: string; name: string };
  private upsertKey: string[] | undefined;
  /** Committed at a checkpoint: the rows were written by more than one transaction. */
  private checkpointed = false;
  private staged = 0;
  private loaded = false;
  private created = false;
  private emptied = false;
  /** A failed ROLLBACK (the connection is dropped, which ends the transaction anyway). */
  closeError: unknown;

  private constructor(
    private readonly request: WriteRequest,
    private readonly ctx: WriterContext,
  ) {}

  static async open(request: WriteRequest, ctx: WriterContext): Promise<PostgresTableWriter> {
    const w = new PostgresTableWriter(request, ctx);
    w.lease = await ctx.acquire();
    w.client = w.lease.client;
    try {
      await w.begin();
      await w.prepare();
    } catch (e) {
      await w.close(true);
      throw w.fail(e);
    }
    return w;
  }

  private get ref(): TableRef {
    return typeof this.request.table === 'string' ? { name: this.request.table } : this.request.table;
  }

  private get qualified(): string {
    return `${q(this.target.schema)}.${q(this.target.name)}`;
  }

  private fail(e: unknown, row?: number): ConnectorError {
    if (e instanceof ConnectorError) return e;
    const at = row !== undefined ? `row ${row} of this write: ` : '';
    let m = describePgError(e);
    if (/no unique or exclusion constraint matching the ON CONFLICT/i.test(m)) m = `upsert needs a primary key or unique constraint on exactly the key columns (${(this.upsertKey ?? []).join(', ')})`;
    return new ConnectorError(`table '${this.ref.name}': ${at}${m}`, { connector: 'postgres', table: this.ref.name, cause: e });
  }

  private async begin(): Promise<void> {
    await this.client.query('BEGIN');
    this.inTx = true;
    await this.client.query('SET LOCAL statement_timeout = 0');
    if (this.upsertKey) await this.createStage();
  }

  private async prepare(): Promise<void> {
    const req = this.request;
    const ref = this.ref;
    const schema = req.schema;
    const key = req.key && req.key.length > 0 ? req.key : schema.key;
    let rel = await findRelation(this.client, ref, this.ctx.schema);
    this.target = { schema: ref.schema ?? this.ctx.schema, name: rel?.name ?? ref.name };
    if (rel?.kind === 'view') throw new ConnectorError(`table '${ref.name}': is a view; write to a table`, { connector: 'postgres', table: ref.name });
    if (req.mode === 'replace' && rel) {
      await this.client.query(`DROP TABLE ${this.qualified}`);
      rel = undefined;
      this.target.name = ref.name;
    }
    if (!rel) {
      if (req.create === false && req.mode !== 'replace') throw new ConnectorError(`table '${ref.name}': does not exist (and create is false)`, { connector: 'postgres', table: ref.name });
      if (schema.columns.length === 0) throw new ConnectorError(`table '${ref.name}': cannot create a table without columns`, { connector: 'postgres', table: ref.name });
      for (const k of key ?? []) {
        if (!schema.columns.some((c) => c.name === k)) throw new ConnectorError(`table '${ref.name}': key column '${k}' is not among the columns`, { connector: 'postgres', table: ref.name });
      }
      await this.client.query(createTableSql(this.target, schema, key));
      this.created = true;
      rel = await findRelation(this.client, this.target, this.ctx.schema);
      if (!rel) throw new ConnectorError(`table '${ref.name}': was created but cannot be found`, { connector: 'postgres', table: ref.name });
    } else if (req.mode === 'truncate-insert') {
      await this.client.query(`TRUNCATE ${this.qualified}`);
      this.emptied = true;
    }
    const cols = await relationColumns(this.client, rel.oid);
    const matched = schema.columns.map((c) => cols.find((x) => x.name === c.name) ?? cols.find((x) => x.name.toLowerCase() === c.name.toLowerCase()));
    const missing = schema.columns.filter((_, i) => matched[i] === undefined).map((c) => `'${c.name}'`);
    if (missing.length > 0) {
      throw new ConnectorError(`table '${ref.name}': has no column ${missing.join(', ')} (its columns: ${cols.map((c) => c.name).join(', ')}); use mode replace to re-create it`, {
        connector: 'postgres',
        table: ref.name,
      });
    }
    const targetCols = matched as CatalogColumn[];
    this.encoders = targetCols.map((c) => copyEncoder(c.type));
    this.targetNames = targetCols.map((c) => c.name);
    this.columnList = this.targetNames.map(q).join(', ');
    if (req.mode === 'upsert') {
      const pk = key ?? (await primaryKeyOf(this.client, rel.oid));
      if (pk.length === 0) throw new ConnectorError(`table '${ref.name}': upsert needs key columns, and the table has no primary key: give key`, { connector: 'postgres', table: ref.name });
      const names = targetCols.map((c) => c.name);
      this.upsertKey = pk.map((k) => {
        const found = names.find((n) => n === k) ?? names.find((n) => n.toLowerCase() === k.toLowerCase());
        if (!found) throw new ConnectorError(`table '${ref.name}': upsert key column '${k}' is not among the written columns`, { connector: 'postgres', table: ref.name });
        return found;
      });
      await this.createStage();
    }
  }

  /** The upsert staging table: the written columns plus an ordinal, dropped at commit. */
  private async createStage(): Promise<void> {
    await this.client.query(
      `CREATE TEMP TABLE ${q(STAGE)} ON COMMIT DROP AS SELECT ${this.columnList} FROM ${this.qualified} WITH NO DATA`,
    );
    await this.client.query(`ALTER TABLE ${q(STAGE)} ADD COLUMN ${q(ORD)} bigint GENERATED ALWAYS AS IDENTITY`);
    this.staged = 0;
  }

  private startCopy(): void {
    const into = this.upsertKey ? q(STAGE) : this.qualified;
    const copy = this.client.query(pgDriver().copy.from(`COPY ${into} (${this.columnList}) FROM STDIN`));
    this.copy = copy;
    this.copyError = undefined;
    this.sentBeforeCopy = this.written;
    this.copyDone = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', (e: unknown) => {
        this.copyError = e;
        reject(e);
      });
    });
    // Observed through copyError / endCopy; never an unhandled rejection.
    this.copyDone.catch(() => {});
  }

  private copyFailure(e: unknown): ConnectorError {
    const line = copyLineOf(e);
    return this.fail(e, line === undefined ? undefined : this.sentBeforeCopy + line);
  }

  async write(rows: Row[]): Promise<void> {
    const copy = this.openCopy();
    for (let r = 0; r < rows.length; r += ROWS_PER_CHUNK) {
      await this.send(copy, encodeCopyRows(rows, r, Math.min(rows.length, r + ROWS_PER_CHUNK), this.encoders));
    }
    await this.sent(rows.length);
  }

  /** COPY's text format is tab text: the page goes as it is. */
  async writeTabText(bytes: Buffer, rows: number): Promise<void> {
    await this.send(this.openCopy(), bytes);
    await this.sent(rows);
  }

  private openCopy(): CopyStreamQuery {
    if (!this.inTx || this.closed) throw new ConnectorError(`table '${this.ref.name}': the writer is closed`, { connector: 'postgres', table: this.ref.name });
    if (this.copyError !== undefined) throw this.copyFailure(this.copyError);
    if (!this.copy) this.startCopy();
    return this.copy!;
  }

  private async send(copy: CopyStreamQuery, data: string | Buffer): Promise<void> {
    if (!copy.write(data)) {
      // Wait for the socket to drain, or for the server to refuse the data.
      await new Promise<void>((resolve) => {
        const done = () => {
          copy.off('drain', done);
          copy.off('error', done);
          resolve();
        };
        copy.on('drain', done);
        copy.on('error', done);
      });
    }
    if (this.copyError !== undefined) throw this.copyFailure(this.copyError);
  }

  private async sent(rows: number): Promise<void> {
    this.written += rows;
    this.staged += rows;
    if (this.upsertKey && this.staged >= MERGE_EVERY) await this.flush();
  }

  /** Ends the open COPY and, for upsert, merges the staged rows. */
  private async flush(): Promise<void> {
    if (this.copy) {
      const copy = this.copy;
      this.copy = undefined;
      copy.end();
      try {
        await this.copyDone;
      } catch (e) {
        throw this.copyFailure(e);
      }
    }
    if (this.upsertKey && this.staged > 0) {
      const key = this.upsertKey.map(q).join(', ');
      const keySet = new Set(this.upsertKey);
      const others = this.targetNames.filter((c) => !keySet.has(c));
      const action = others.length > 0 ? `UPDATE SET ${others.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}` : 'NOTHING';
      try {
        await this.client.query(
          `INSERT INTO ${this.qualified} (${this.columnList}) SELECT DISTINCT ON (${key}) ${this.columnList} FROM ${q(STAGE)} ORDER BY ${key}, ${q(ORD)} DESC ON CONFLICT (${key}) DO ${action}`,
        );
        await this.client.query(`TRUNCATE ${q(STAGE)}`);
      } catch (e) {
        throw this.fail(e);
      }
      this.staged = 0;
    }
  }

  async checkpoint(): Promise<void> {
    if (!this.inTx || this.closed) throw new ConnectorError(`table '${this.ref.name}': the writer is closed`, { connector: 'postgres', table: this.ref.name });
    await this.flush();
    await this.client.query('COMMIT');
    this.inTx = false;
    this.loaded ||= this.written > 0;
    this.checkpointed = true;
    await this.begin();
  }

  async commit(): Promise<WriteResult> {
    if (!this.inTx || this.closed) throw new ConnectorError(`table '${this.ref.name}': the writer is closed`, { connector: 'postgres', table: this.ref.name });
    let transactionId: string | undefined;
    try {
      await this.flush();
      if (!this.checkpointed && this.written > 0) transactionId = String((await this.client.query('SELECT txid_current()::text AS x')).rows[0].x);
      await this.client.query('COMMIT');
      this.inTx = false;
    } catch (e) {
      await this.close(true);
      throw this.fail(e);
    }
    await this.close(false);
    if ((this.created || this.emptied) && this.written > 0 && this.ctx.afterLoad) {
      // Fresh statistics for a table that was just filled (planner and row estimates).
      await this.ctx.afterLoad(this.target).catch(() => {});
    }
    return { rowsWritten: this.written, transactionId };
  }

  async abort(): Promise<void> {
    await this.close(true);
  }

  private async close(rollback: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let destroy = false;
    try {
      if (this.copy) {
        const copy = this.copy;
        this.copy = undefined;
        // A COPY the server already ended with an error needs nothing more; otherwise
        // destroy() sends CopyFail and the server answers with the (expected) error.
        if (this.copyError === undefined) {
          copy.destroy(new Error('aborted by Sluice'));
          await this.copyDone?.catch(() => {});
        }
      }
      if (rollback && this.inTx) await this.client.query('ROLLBACK');
    } catch (e) {
      // A connection that cannot even roll back is not given back to the pool.
      destroy = true;
      if (!isConnectionError(e)) this.closeError = e;
    } finally {
      this.inTx = false;
      this.lease.release(destroy);
    }
  }
}
