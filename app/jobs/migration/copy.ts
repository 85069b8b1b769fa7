import { ConnectorError, type Connection, type RowStream, type SourceError, type TableWriter, type TabTextPage, type WriteMode } from '../../connectors/types';
import type { Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';
import type { RejectedRowInput } from '../../store';
import type { MigrationCheckpoints, TableCheckpoint } from './checkpoints';
import { castStep, RowConverter, type Rejection } from './convert';
import { deleteAllSql } from './ddl';
import { formatKey, keyIndexes, keyOf, orderedSelect, type Key, type OrderedSelect } from './keys';
import { executor } from './query';
import type { OnError, PlannedTable } from './types';

/**
 * The chunked copy of one table, with a checkpoint per chunk.
 *
 * Tables with a primary key are read in key order (one streaming read; a resume reads
 * `WHERE key > last checkpointed key`) and written in chunks of `chunkRows` source rows:
 * one target transaction each (TableWriter.checkpoint commits it). Only after the target
 * committed a chunk is it recorded in the store, with its last key and its rejected rows,
 * in one store transaction (checkpoints.ts). A process that dies between the two leaves
 * the target one chunk ahead of the store; the resume reads from the recorded key with the
 * same chunk size, so its first chunk is exactly that one, and writes it with upsert: the
 * rows already there are overwritten with the same values, the others inserted. After
 * that first chunk, plain inserts again. Every row ends up there exactly once.
 *
 * Tables without a primary key have no order to resume in: they are loaded in one
 * transaction and recorded at its commit; a resume empties such a table (when the
 * migration created it or truncates it) and loads it again.
 *
 * Bad rows: values the target cannot hold are found before writing (convert.ts). With
 * on-error 'reject' they are recorded as rejected rows of the run (table, column, value,
 * reason, key) and the rest is loaded; when the database itself refuses a chunk (a
 * constraint), the chunk is rolled back and written again in halves, down to the rows it
 * refuses, which are rejected with the database's message. With 'stop' the first bad row
 * rolls back the current chunk and stops the migration; the checkpoints before it stay,
 * so the run can be resumed once the cause is fixed.
 */

export interface CopyEnv {
  source: Connection;
  target: Connection;
  checkpoints: MigrationCheckpoints;
  chunkRows: number;
  onError: OnError;
  /** This attempt continues an earlier one. */
  resumed: boolean;
  signal?: AbortSignal;
  /** Source rows handled since the last call, and how many of them were rejected. */
  onRows(rows: number, rejected: number): void;
  log(level: 'info' | 'warn', message: string): void;
  batchSize?: number;
}

export interface CopyResult {
  /** Rows written by this attempt. */
  copied: number;
  rejected: number;
}

/** A row the target refused or could not hold, stopping the migration (on-error stop). */
export class RowRejectedError extends ConnectorError {
  constructor(
    message: string,
    readonly table: string,
  ) {
    super(message, { table });
    this.name = 'RowRejectedError';
  }
}

/** The target refused a chunk that holds tab text pages: it is copied again the ordinary way. */
class RedoChunk extends Error {
  constructor(reason: unknown) {
    super(`the target refused a chunk: ${(reason as Error)?.message ?? String(reason)}`, { cause: reason });
  }
}

/** Rows per tab text page (one statement in the source, one write to the target). */
const PAGE_ROWS = 2000;

let lastBreath = Date.now();

/**
 * Lets the event loop run now and then. A SQLite read and a SQLite write are synchronous
 * under their promises, so a copy between two SQLite files would otherwise never give
 * way to a cancel message from the host (or Ctrl-C) until it ended.
 */
export async function breathe(everyMs = 50): Promise<void> {
  const now = Date.now();
  if (now - lastBreath < everyMs) return;
  lastBreath = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}

function isConnectionTrouble(e: unknown): boolean {
  const m = `${(e as Error)?.message ?? ''} ${String((e as { code?: unknown })?.code ?? '')}`;
  return /ECONN|EPIPE|ETIMEDOUT|Connection terminated|connection (is )?(closed|lost)|PROTOCOL_CONNECTION_LOST|server closed|57P01|ER_SERVER_SHUTDOWN/i.test(m);
}

class TableCopy {
  private readonly t: PlannedTable;
  private readonly keyIdx: number[];
  private readonly targetSchema: Schema;
  private writer: TableWriter | undefined;
  private writerMode: WriteMode = 'insert';
  private chunk: number;
  private chunksThisAttempt = 0;
  private inChunk = 0;
  private chunkFirstKey: Key | undefined;
  private chunkLastKey: Key | undefined;
  private chunkGood = 0;
  private chunkRejects: RejectedRowInput[] = [];
  /** reject mode: the chunk's rows, to write them again in halves when the database refuses the chunk. */
  private chunkRows: Row[] = [];
  /** The chunk holds tab text pages (see copyTabText). */
  private chunkHasPages = false;
  /** The last key of the last chunk recorded in the store. */
  private committedKey: Key | undefined;
  private copied = 0;
  private rejected = 0;
  private converter: RowConverter | undefined;

  constructor(
    private readonly env: CopyEnv,
    table: PlannedTable,
    private readonly cp: TableCheckpoint,
  ) {
    this.t = table;
    this.keyIdx = table.key ? keyIndexes(table.columns, table.key) : [];
    this.targetSchema = {
      columns: table.columns.map((c) => ({ name: c.targetName ?? c.name, type: c.targetLogical, nullable: c.nullable })),
      ...(table.key ? { key: table.key.map((k) => table.columns.find((c) => c.name === k)?.targetName ?? k) } : {}),
    };
    this.chunk = cp.chunks;
    this.committedKey = cp.lastKey;
  }

  private get keyed(): boolean {
    return this.keyIdx.length > 0;
  }

  /** The write mode of the chunk about to start. */
  private modeForChunk(): WriteMode {
    if (this.t.action === 'upsert') return 'upsert';
    // The first chunk of a resumed table may be in the target already (see the module comment).
    if (this.env.resumed && this.keyed && this.chunksThisAttempt === 0) return 'upsert';
    return 'insert';
  }

  private async openWriter(mode: WriteMode): Promise<TableWriter> {
    return this.env.target.write({ table: this.t.name, schema: this.targetSchema, mode, key: this.targetSchema.key, create: false });
  }

  async run(): Promise<CopyResult> {
    const { env, t, cp } = this;
    if (!this.keyed && (t.action === 'truncate' || (env.resumed && t.action === 'create'))) {
      // Keyless: start from an empty table (what an interrupted attempt left is ours).
      if (cp.chunks > 0) env.checkpoints.resetTable(t.name);
      this.chunk = 0;
      await executor(env.target, `table '${t.name}'`)(deleteAllSql(t.name, env.target.dialect!));
    } else if (this.keyed && cp.chunks === 0 && t.action === 'truncate') {
      await executor(env.target, `table '${t.name}'`)(deleteAllSql(t.name, env.target.dialect!));
    }
    try {
      if (!(await this.copyTabText())) {
        const pending: SourceError[] = [];
        await this.copyStream(await this.openSource(pending), pending);
      }
      await this.endChunk(true);
      env.checkpoints.tableState(t.name, 'loaded');
      return { copied: this.copied, rejected: this.rejected };
    } catch (e) {
      await this.writer?.abort().catch(() => {});
      this.writer = undefined;
      throw e;
    }
  }

  /** Reads a stream to its end, chunk by chunk. */
  private async copyStream(stream: RowStream, pending: SourceError[]): Promise<void> {
    const { env, t } = this;
    this.converter ??= new RowConverter(t.columns, stream.schema.columns.map((c) => c.type), env.source.dialect !== 'sqlite');
    const perChunk = this.keyed ? env.chunkRows : Infinity;
    const iterator = stream.batches[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const batch = next.value;
        await breathe();
        env.signal?.throwIfAborted();
        for (const e of pending.splice(0)) this.rejectUnreadable(e);
        let start = 0;
        while (start < batch.length) {
          const take = Math.min(batch.length - start, perChunk - this.inChunk);
          const part = start === 0 && take === batch.length ? batch : batch.slice(start, start + take);
          await this.process(part);
          start += take;
          if (this.inChunk >= perChunk) await this.endChunk(false);
        }
      }
      for (const e of pending.splice(0)) this.rejectUnreadable(e);
    } finally {
      await iterator.return?.();
    }
  }

  // ---- tab text pages -------------------------------------------------------------------
  //
  // A source that encodes its own rows (SQLite: Connection.readTabText) and a target that
  // loads tab text (PostgreSQL's COPY, MySQL's LOAD DATA) skip the values altogether: each
  // page of rows goes from the source's bytes to the target's socket. Chunks, checkpoints
  // and resume work as above, by the pages' keys. A page with a value the encoding cannot
  // carry exactly is read again the ordinary way (copyRange). When the target refuses a
  // chunk holding pages, nothing says which row it was: the chunk (rolled back) is copied
  // again the ordinary way, which finds and rejects or reports the row as it always does.

  /** Copies the table with tab text pages; false (having read nothing) when source, target or a column does not allow it. */
  private async copyTabText(): Promise<boolean> {
    const { env, t, cp } = this;
    if (!env.source.readTabText || !this.keyed || this.keyIdx.length !== 1) return false;
    // Only columns whose values pass unconverted (the checks use the source's type; int -> bigint widens).
    if (t.columns.some((c) => castStep(c.sourceLogical, c.targetLogical) !== undefined)) return false;
    const pages = env.source.readTabText({
      table: { name: t.source, schema: t.sourceSchema },
      key: t.key![0],
      columns: t.columns.map((c) => ({ name: c.name, type: c.sourceLogical, notNull: !c.nullable, ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}) })),
      rows: t.rows,
    });
    if (!pages) return false;
    try {
      let after: Value | undefined = cp.lastKey?.[0];
      // At least four pages a chunk, so small chunks still mix pages (and tests see that).
      const pageRows = Math.min(PAGE_ROWS, Math.ceil(env.chunkRows / 4));
      const nextPage = () => pages.next(after, Math.min(pageRows, env.chunkRows - this.inChunk));
      let page = await nextPage();
      if (!page) return true;
      // Nothing is written yet: a target that cannot take pages gets the table the ordinary way.
      if (!(await this.ensureWriter()).writeTabText) return false;
      for (; page; page = await nextPage()) {
        await breathe();
        env.signal?.throwIfAborted();
        try {
          if (page.clean) await this.writePage(page);
          else await this.copyRange(page);
          if (this.inChunk >= env.chunkRows) await this.endChunk(false);
          after = page.lastKey;
        } catch (e) {
          if (!(e instanceof RedoChunk)) throw e;
          after = await this.redoChunk();
        }
      }
      // The last chunk's commit is where a refusal shows last.
      try {
        await this.endChunk(true);
      } catch (e) {
        if (!(e instanceof RedoChunk)) throw e;
        await this.redoChunk();
        await this.endChunk(true);
      }
      return true;
    } finally {
      await pages.close();
    }
  }

  private async ensureWriter(): Promise<TableWriter> {
    if (!this.writer) {
      this.writerMode = this.modeForChunk();
      this.writer = await this.openWriter(this.writerMode);
    }
    return this.writer;
  }

  private async writePage(page: TabTextPage): Promise<void> {
    if (this.inChunk === 0) this.chunkFirstKey = [page.firstKey];
    this.chunkLastKey = [page.lastKey];
    this.chunkHasPages = true;
    const writer = await this.ensureWriter();
    try {
      await writer.writeTabText!(page.bytes!, page.rows);
    } catch (e) {
      await this.failed(e);
    }
    this.inChunk += page.rows;
    this.chunkGood += page.rows;
    this.env.onRows(page.rows, 0);
  }

  /** The rows of a page that is not clean, read as values. */
  private async copyRange(page: TabTextPage): Promise<void> {
    const pending: SourceError[] = [];
    await this.copyStream(await this.openSource(pending, { from: [page.firstKey], through: [page.lastKey] }), pending);
  }

  /**
   * The target rolled back a chunk holding pages: its rows so far (after the last recorded
   * key, through the last one sent) are copied again the ordinary way, and the chunk goes
   * on from there. Returns the key to go on after.
   */
  private async redoChunk(): Promise<Value | undefined> {
    const through = this.chunkLastKey;
    const after = this.committedKey;
    this.env.onRows(-this.inChunk, -this.chunkRejects.length);
    this.rejected -= this.chunkRejects.length;
    this.resetChunk();
    if (!through) return after?.[0];
    this.env.log('info', `table '${this.t.name}': the target refused a chunk; copying its rows again one by one`);
    const pending: SourceError[] = [];
    await this.copyStream(await this.openSource(pending, { ...(after ? { after } : {}), through }), pending);
    return through[0];
  }

  /** The table in key order: all of it, what follows the last checkpoint, or the given key range. */
  private async openSource(pending: SourceError[], range?: Pick<OrderedSelect, 'after' | 'from' | 'through'>): Promise<RowStream> {
    const { env, t, cp } = this;
    const options = {
      batchSize: env.batchSize,
      signal: env.signal,
      onError: env.onError === 'reject' ? ('skip' as const) : ('stop' as const),
      onErrorRecord: (e: SourceError) => pending.push(e),
    };
    const columns = t.columns.map((c) => c.name);
    const keyRange = range ?? (cp.lastKey ? { after: cp.lastKey } : undefined);
    if (this.keyed && keyRange && Object.keys(keyRange).length > 0) {
      const key = t.key!.map((k) => ({ name: k, type: t.columns.find((c) => c.name === k)!.sourceLogical }));
      const q = orderedSelect({ table: { name: t.source, schema: t.sourceSchema }, columns, key, dialect: env.source.dialect!, ...keyRange });
      return env.source.read({ query: q.sql, params: q.params }, options);
    }
    return env.source.read({ table: { name: t.source, schema: t.sourceSchema }, columns, orderBy: t.key }, options);
  }

  private record(row: Row, r: Rejection): RejectedRowInput {
    const out: RejectedRowInput = {
      nodeId: this.t.name,
      rule: r.rule,
      message: r.message,
      row: Object.fromEntries(this.t.columns.map((c, i) => [c.name, row[i]])),
    };
    if (r.column !== undefined) out.column = r.column;
    if (r.value !== undefined) out.value = r.value;
    if (this.keyed) out.rowKey = formatKey(this.t.key!, keyOf(row, this.keyIdx));
    return out;
  }

  private rejectUnreadable(e: SourceError): void {
    this.chunkRejects.push({ nodeId: this.t.name, rule: 'source', message: e.message, value: e.raw, row: { record: e.record ?? null, raw: e.raw ?? null } });
    this.rejected++;
    this.env.onRows(0, 1);
  }

  /** Converts and writes rows of the current chunk. */
  private async process(part: Row[]): Promise<void> {
    const { env, t } = this;
    if (this.inChunk === 0 && this.keyed) this.chunkFirstKey = keyOf(part[0], this.keyIdx);
    let good = part;
    let rejectedHere = 0;
    const converter = this.converter!;
    if (!converter.passThrough) {
      let kept: Row[] | undefined;
      for (let i = 0; i < part.length; i++) {
        const row = part[i];
        const why = converter.convert(row);
        if (why) {
          if (env.onError === 'stop') {
            throw new RowRejectedError(`table '${t.name}'${this.keyed ? `, row ${formatKey(t.key!, keyOf(row, this.keyIdx))}` : ''}: ${why.message} (the chunk was rolled back; choose --on-error reject to load the other rows, or fix the value or the type rule and resume)`, t.name);
          }
          kept ??= part.slice(0, i);
          this.chunkRejects.push(this.record(row, why));
          rejectedHere++;
        } else if (kept) kept.push(row);
      }
      if (kept) good = kept;
    }
    if (this.keyed) this.chunkLastKey = keyOf(part[part.length - 1], this.keyIdx);
    this.inChunk += part.length;
    this.rejected += rejectedHere;
    if (good.length > 0) {
      if (env.onError === 'reject') for (const r of good) this.chunkRows.push(r);
      this.chunkGood += good.length;
      if (!this.writer) {
        this.writerMode = this.modeForChunk();
        this.writer = await this.openWriter(this.writerMode);
      }
      try {
        await this.writer.write(good);
      } catch (e) {
        await this.failed(e);
      }
    }
    env.onRows(part.length, rejectedHere);
  }

  /** The database refused the chunk: stop, or (reject mode) find the rows it refuses. */
  private async failed(e: unknown): Promise<void> {
    await this.writer?.abort().catch(() => {});
    this.writer = undefined;
    if (this.chunkHasPages && !isConnectionTrouble(e)) throw new RedoChunk(e);
    if (this.env.onError === 'stop' || isConnectionTrouble(e)) {
      throw new ConnectorError(`table '${this.t.name}': ${(e as Error).message} (the chunk was rolled back; the checkpoints before it stay: fix the cause and resume)`, { table: this.t.name, cause: e });
    }
    this.env.log('warn', `table '${this.t.name}': the target refused a chunk (${(e as Error).message}); writing it again in parts to find the rows it refuses`);
    const refused = await this.isolate(this.chunkRows);
    this.chunkRows = [];
    this.chunkGood -= refused.length;
    this.rejected += refused.length;
    for (const r of refused) this.chunkRejects.push(r);
    this.env.onRows(0, refused.length);
    // What was written of the chunk is committed now (in parts); its next rows open a new writer.
  }

  /** Writes rows in their own transactions, halving on failure; returns the rows refused with the database's reason. */
  private async isolate(rows: Row[]): Promise<RejectedRowInput[]> {
    if (rows.length === 0) return [];
    // A writer that cannot even open is no row's fault: that error stops the copy.
    const w = await this.openWriter(this.writerMode);
    try {
      await w.write(rows);
      await w.commit();
      return [];
    } catch (e) {
      await w.abort().catch(() => {});
      if (isConnectionTrouble(e)) throw e;
      if (rows.length === 1) return [this.record(rows[0], { rule: 'database', message: (e as Error).message })];
      const half = Math.ceil(rows.length / 2);
      return [...(await this.isolate(rows.slice(0, half))), ...(await this.isolate(rows.slice(half)))];
    }
  }

  /** Commits the chunk in the target, then records it (its last key, its rejected rows) in the store. */
  private async endChunk(last: boolean): Promise<void> {
    if (this.inChunk === 0 && !this.writer && this.chunkRejects.length === 0) return;
    if (this.writer) {
      const nextMode = last ? undefined : this.modeAfter();
      try {
        if (last || nextMode !== this.writerMode) {
          await this.writer.commit();
          this.writer = undefined;
        } else await this.writer.checkpoint();
      } catch (e) {
        await this.failed(e);
      }
    }
    this.chunk++;
    this.chunksThisAttempt++;
    this.env.checkpoints.recordChunk({
      table: this.t.name,
      chunk: this.chunk,
      firstKey: this.chunkFirstKey,
      lastKey: this.chunkLastKey,
      rows: this.chunkGood,
      rejected: this.chunkRejects,
    });
    this.copied += this.chunkGood;
    this.committedKey = this.chunkLastKey ?? this.committedKey;
    this.resetChunk();
  }

  private resetChunk(): void {
    this.inChunk = 0;
    this.chunkGood = 0;
    this.chunkRejects = [];
    this.chunkRows = [];
    this.chunkFirstKey = undefined;
    this.chunkLastKey = undefined;
    this.chunkHasPages = false;
  }

  /** The mode of the next chunk, once this one is counted. */
  private modeAfter(): WriteMode {
    if (this.t.action === 'upsert') return 'upsert';
    return 'insert';
  }
}

/** Copies one table (or what a resume has left of it); see the module comment. */
export async function copyTable(env: CopyEnv, table: PlannedTable, cp: TableCheckpoint): Promise<CopyResult> {
  return new TableCopy(env, table, cp).run();
}
