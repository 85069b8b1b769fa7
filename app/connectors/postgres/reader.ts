import type { Connection as PgConnection, PoolClient, Submittable } from 'pg';
import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { formatValue, type Row, type Value } from '../../model/values';
import { uniqueNames } from '../names';
import { ConnectorError, SourceReadError, type ReadOptions, type RowStream, type SourceError } from '../types';
import { CopyTextDecoder, fieldDecoder, type BadField, type FieldDecoder, type InfinityPolicy } from './copy-text';
import { pgError } from './errors';
import { logicalTypeOfOid } from './typemap';

/**
 * Streaming reads. Two paths, both with memory bounded by one batch:
 *  - COPY (SELECT ...) TO STDOUT for table reads: the server streams text rows, the
 *    socket is paused when the consumer falls behind (pg-copy-streams is a Readable with
 *    back-pressure), and copy-text.ts decodes whole chunks. Measured fastest (see the
 *    README's table).
 *  - A server-side cursor (DECLARE ... NO SCROLL CURSOR, FETCH n) for queries: it takes
 *    bound parameters (COPY cannot) and the first FETCH describes the result columns
 *    before any row is handed out, so read() can return the schema and fail early on a
 *    bad query.
 * Leaving the loop early ends the stream: a cursor is closed and its transaction ended;
 * a COPY cannot be stopped on the same connection, so that connection is discarded (the
 * server notices the closed socket and ends the COPY).
 */

/** A checked-out client and how to give it back (destroy = drop it from the pool). */
export interface Lease {
  client: PoolClient;
  release(destroy?: boolean): void;
}

/** Values as pg binds them: text for numbers that JS cannot carry exactly, Buffers for bytes. */
export function toPgParam(v: Value): string | boolean | Buffer | null {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return v === 0 && 1 / v < 0 ? '-0' : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v.toString();
}

/** pg parses nothing: every value reaches the decoders as the server's text. */
export const RAW_TYPES = { getTypeParser: () => (text: string) => text };

interface StreamContext {
  label: string;
  table?: string;
  infinity: InfinityPolicy;
  read: ReadOptions;
}

function sourceError(ctx: StreamContext, names: readonly string[], types: readonly LogicalType[], record: number, column: number, text: string, raw: string): SourceError {
  return {
    file: ctx.label,
    record,
    message: `column '${names[column]}': ${formatValue(text)} is not a valid ${types[column].kind}`,
    raw: raw.length > 200 ? raw.slice(0, 199) + '…' : raw,
  };
}

/** Wraps a generator so that return() works before the first next() and releases once. */
function batchesOf(gen: AsyncGenerator<Row[]>, onReturn: () => void): AsyncIterable<Row[]> {
  let used = false;
  return {
    [Symbol.asyncIterator]: () => {
      if (used) throw new ConnectorError('the batches of a row stream can be iterated once');
      used = true;
      return {
        next: () => gen.next(),
        return: async () => {
          await gen.return(undefined);
          onReturn();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

const PIECE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * COPY (sql) TO STDOUT, decoded with the given column types. The client is taken only
 * when iteration starts, so a stream that is never read holds no connection.
 */
export function copyStream(acquire: () => Promise<Lease>, sql: string, schema: Schema, ctx: StreamContext, limit: number | undefined): RowStream {
  const names = schema.columns.map((c) => c.name);
  const types = schema.columns.map((c) => c.type);
  const decoders: FieldDecoder[] = types.map((t) => fieldDecoder(t, ctx.infinity));
  const batchSize = ctx.read.batchSize ?? 4096;
  const onError = ctx.read.onError ?? 'stop';
  async function* rows(): AsyncGenerator<Row[]> {
    if (limit !== undefined && limit <= 0) return;
    let stop: SourceError | undefined;
    const decoder = new CopyTextDecoder(decoders, (bad: BadField) => {
      const err = sourceError(ctx, names, types, bad.record, bad.column, bad.text, bad.line);
      if (onError === 'stop') {
        stop = err;
        return false;
      }
      ctx.read.onErrorRecord?.(err);
      return true;
    });
    let out: Row[] = [];
    try {
      // The rows' text as it came, without pg-copy-streams' copy of each row's message.
      for await (const chunk of copyOutMessages(acquire, sql, { label: ctx.label, table: ctx.table, signal: ctx.read.signal }, true)) {
        // Decoded in pieces of whole rows: each piece becomes one string the rows' fields are
        // cut from, and pieces this small die young (1 MiB strings raised the peak RSS of a
        // 1M-row read by ~55 MB).
        for (let start = 0; start < chunk.length; ) {
          let end = start + PIECE_BYTES >= chunk.length ? chunk.length : chunk.lastIndexOf(NEWLINE, start + PIECE_BYTES) + 1;
          if (end <= start) end = chunk.indexOf(NEWLINE, start + PIECE_BYTES) + 1 || chunk.length;
          const go = decoder.push(chunk.subarray(start, end), out);
          start = end;
          if (!go) {
            if (out.length > 0) yield out;
            throw new SourceReadError(stop!);
          }
          if (out.length >= batchSize) {
            ctx.read.signal?.throwIfAborted();
            yield out;
            out = [];
          }
        }
      }
      if (decoder.pending) throw new ConnectorError(`${ctx.label}: the COPY data ended in the middle of a row`, { connector: 'postgres', table: ctx.table });
      if (out.length > 0) yield out;
    } catch (e) {
      if (e instanceof ConnectorError || (e as Error).name === 'AbortError') throw e;
      throw pgError(ctx.label, e, ctx.table);
    }
  }
  // The COPY's connection is taken when iteration starts and given back (or discarded, if left early) when it ends.
  return { schema, batches: batchesOf(rows(), () => {}) };
}

export interface CursorSource {
  sql: string;
  values: unknown[];
  /** Declared types (a table's catalog); otherwise from the result's type OIDs. */
  types?: LogicalType[];
  nullable?: boolean[];
  key?: string[];
  limit?: number;
}

const READ_FIRST = /^\s*(?:\(\s*)*(select|with|values|table)\b/i;

/**
 * A query through a cursor, in its own transaction. Statements a cursor cannot hold (SHOW,
 * EXPLAIN, INSERT ... RETURNING) run directly and their (small) result is returned whole.
 */
export async function cursorStream(acquire: () => Promise<Lease>, src: CursorSource, ctx: StreamContext): Promise<RowStream> {
  const batchSize = ctx.read.batchSize ?? 4096;
  const onError = ctx.read.onError ?? 'stop';
  const limit = src.limit ?? Infinity;
  const sql = src.sql.replace(/[\s;]+$/, '');
  const lease = await acquire();
  const { client } = lease;
  const viaCursor = READ_FIRST.test(sql);
  let open = true;
  let inTx = false;
  const finish = async (destroy = false) => {
    if (!open) return;
    open = false;
    try {
      // COMMIT ends the cursor; in a failed transaction it rolls back without complaint.
      if (inTx && !destroy) await client.query('COMMIT');
      lease.release(destroy);
    } catch {
      lease.release(true);
    }
  };
  let first: { fields: { name: string; dataTypeID: number; dataTypeModifier: number }[]; rows: string[][] };
  try {
    if (viaCursor) {
      await client.query('BEGIN');
      inTx = true;
      await client.query({ text: `DECLARE sluice_read NO SCROLL CURSOR FOR ${sql}`, values: src.values });
      first = await client.query({ text: `FETCH ${Math.min(batchSize, limit === Infinity ? batchSize : Math.max(limit, 1))} FROM sluice_read`, rowMode: 'array', types: RAW_TYPES });
    } else {
      first = await client.query({ text: sql, values: src.values, rowMode: 'array', types: RAW_TYPES });
    }
  } catch (e) {
    await finish();
    throw pgError(ctx.label, e, ctx.table);
  }
  const fields = first.fields ?? [];
  if (fields.length === 0) {
    await finish();
    throw new ConnectorError(`${ctx.label}: the statement returns no rows (only queries can be read)`, { connector: 'postgres' });
  }
  const names = uniqueNames(fields.map((f) => f.name));
  const types = fields.map((f, i) => src.types?.[i] ?? logicalTypeOfOid(f.dataTypeID, f.dataTypeModifier));
  const columns: Column[] = names.map((name, i) => ({ name, type: types[i], nullable: src.nullable?.[i] ?? true }));
  const schema: Schema = src.key ? { columns, key: src.key } : { columns };
  const decoders = types.map((t) => fieldDecoder(t, ctx.infinity));
  const width = decoders.length;

  async function* rows(): AsyncGenerator<Row[]> {
    if (limit <= 0) {
      await finish();
      return;
    }
    let page = first.rows;
    let record = 0;
    let delivered = 0;
    try {
      for (;;) {
        const out: Row[] = [];
        for (const raw of page) {
          record++;
          const row: Value[] = new Array<Value>(width);
          let bad = -1;
          for (let i = 0; i < width; i++) {
            const text = raw[i] as string | null;
            const v = text === null ? null : decoders[i](text);
            if (v === undefined) {
              bad = i;
              break;
            }
            row[i] = v;
          }
          if (bad >= 0) {
            const err = sourceError(ctx, names, types, record, bad, raw[bad], raw.map((x) => (x === null ? '\\N' : x)).join('\t'));
            if (onError === 'stop') {
              if (out.length > 0) yield out;
              throw new SourceReadError(err);
            }
            ctx.read.onErrorRecord?.(err);
            continue;
          }
          out.push(row);
          if (++delivered >= limit) break;
        }
        if (out.length > 0) {
          ctx.read.signal?.throwIfAborted();
          yield out;
        }
        if (!viaCursor || delivered >= limit || page.length === 0) break;
        const want = Math.min(batchSize, limit - delivered);
        const next = await client.query({ text: `FETCH ${want} FROM sluice_read`, rowMode: 'array', types: RAW_TYPES });
        page = next.rows as string[][];
        if (page.length === 0) break;
      }
    } catch (e) {
      if (e instanceof ConnectorError || (e as Error).name === 'AbortError') throw e;
      throw pgError(ctx.label, e, ctx.table);
    } finally {
      await finish();
    }
  }
  const close = () => void finish();
  return { schema, batches: batchesOf(rows(), close) };
}

/** Protocol message codes met during a COPY out. */
const COPY_DATA = 0x64; // d
const COPY_OUT_RESPONSE = 0x48; // H
const COPY_DONE = 0x63; // c
/** Asynchronous messages the server may send between CopyData messages; they are skipped. */
const INTERSPERSED = new Set([0x41, 0x4e, 0x53]); // A, N, S

/**
 * Bytes gathered before the consumer is woken, and at which the socket is paused. A
 * socket read brings whatever the server has sent, often a few KiB: waking the consumer
 * for each cost more than decoding them (measured: over 0.1 s of promise handling for a
 * 1M-row COPY read in small pieces on a busy machine).
 */
const COPY_WAKE_BYTES = 256 * 1024;
const COPY_PAUSE_BYTES = 1024 * 1024;

/**
 * COPY (sql) TO STDOUT with the protocol's CopyData messages handed over undecoded: each
 * Buffer yielded holds whole messages, framing included (byte 'd', int32 length counting
 * itself, the payload; the server sends one row per message, after the header in the
 * first one for FORMAT binary). For consumers that decode a few fixed-width columns of
 * millions of rows into typed arrays: pg-copy-streams copies each message out of the
 * socket's chunk, here the socket's reads are passed on as they are, cut only where a
 * message straddles two reads, a few hundred KiB together (measured, a (bigint, bigint)
 * COPY of 1M rows decoded: 0.27-0.45 s of client CPU through pg-copy-streams, 0.15-0.19 s
 * this way). Back-pressure: the socket is paused while COPY_PAUSE_BYTES wait for the
 * consumer. Leaving early discards the connection (a COPY cannot be stopped on it).
 * With `text`: COPY's text format, and only the payloads (copyStream), so the rows read
 * as one text.
 */
export function copyOutMessages(
  acquire: () => Promise<Lease>,
  sql: string,
  ctx: { label: string; signal?: AbortSignal; settings?: Readonly<Record<string, string>>; table?: string; onSnapshot?: () => void | Promise<void> },
  text = false,
): AsyncIterable<Buffer> {
  async function* chunks(): AsyncGenerator<Buffer> {
    const lease = await acquire();
    const query = text ? new CopyOutQuery(`COPY (${sql}) TO STDOUT`, true) : new CopyOutQuery(`COPY (${sql}) TO STDOUT (FORMAT binary)`);
    const settings = Object.entries(ctx.settings ?? {});
    const inTransaction = settings.length > 0 || ctx.onSnapshot !== undefined;
    let finished = false;
    try {
      // Settings local to a transaction around the COPY: the pooled session keeps none.
      // Repeatable read when the caller waits for the snapshot: the transaction's first
      // statement takes it, and the COPY reads as of that moment.
      if (inTransaction) {
        await lease.client.query(ctx.onSnapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        await lease.client.query(
          `SELECT ${settings.length > 0 ? settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ') : '1'}`,
          settings.flat(),
        );
        await ctx.onSnapshot?.();
      }
      lease.client.query(query);
      for (;;) {
        const b = await query.next();
        if (b === undefined) break;
        ctx.signal?.throwIfAborted();
        yield b;
      }
      await query.done;
      if (inTransaction) await lease.client.query('COMMIT');
      finished = true;
    } catch (e) {
      if (e instanceof ConnectorError || (e as Error).name === 'AbortError') throw e;
      throw pgError(ctx.label, e, ctx.table);
    } finally {
      query.stop();
      lease.release(!finished);
    }
  }
  return { [Symbol.asyncIterator]: () => chunks() };
}

/**
 * A pg Submittable (what pg-copy-streams' CopyToStream does, minus its per-message copies):
 * while the COPY runs it takes the socket's data from pg's parser, and gives the rest
 * back to it at CopyDone or at an ErrorResponse, so that pg handles CommandComplete,
 * the error and ReadyForQuery as usual.
 */
class CopyOutQuery implements Submittable {
  private queue: Buffer[] = [];
  private queued = 0;
  private carry: Buffer | undefined;
  private ended = false;
  /** Left early: what still arrives is dropped until the connection is closed. */
  private discarding = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private conn: PgConnection | undefined;
  private pgData: ((b: Buffer) => void) | undefined;
  private paused = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  /** Settles at ReadyForQuery: resolved after a complete COPY, rejected with the server's error. */
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  /**
   * payloads: pass on the messages' payloads only, moved together in the read's own buffer
   * (the framing between them dropped): for COPY's text format, whose rows then read as
   * one text. Otherwise whole messages, framing included.
   */
  constructor(
    private readonly text: string,
    private readonly payloads = false,
  ) {
    this.done.catch(() => {});
  }

  submit(connection: PgConnection): void {
    this.conn = connection;
    const stream = connection.stream;
    const handlers = stream.listeners('data');
    if (handlers.length !== 1) throw new Error('the PostgreSQL connection is not in the state a COPY expects');
    this.pgData = handlers[0] as (b: Buffer) => void;
    stream.removeListener('data', this.pgData);
    stream.on('data', this.onData);
    connection.query(this.text);
  }

  private receive(input: Buffer): void {
    if (this.discarding) return;
    let chunk = input;
    if (this.carry) {
      // A message straddled the last read: complete it alone, then go on in this read.
      const carry = this.carry;
      const head = carry.length >= 5 ? carry : Buffer.concat([carry, input.subarray(0, 5 - carry.length)]);
      if (head.length < 5) {
        this.carry = head;
        return;
      }
      const need = 1 + head.readUInt32BE(1) - carry.length;
      if (input.length < need) {
        this.carry = Buffer.concat([carry, input]);
        return;
      }
      this.carry = undefined;
      chunk = input.subarray(need);
      if (!this.scan(Buffer.concat([carry, input.subarray(0, need)]))) {
        // That message ended the COPY: what follows it is pg's too.
        if (chunk.length > 0) this.pgData?.(chunk);
        return;
      }
    }
    this.scan(chunk);
  }

  /** Passes on the CopyData messages of a chunk; false once pg has taken the connection back. */
  private scan(chunk: Buffer): boolean {
    const n = chunk.length;
    const payloads = this.payloads;
    let p = 0;
    let runStart = 0;
    /** payloads: where the run's next payload goes (never past p: the buffer is only moved left). */
    let to = 0;
    while (p + 5 <= n) {
      const code = chunk[p];
      const end = p + 1 + ((chunk[p + 1] << 24) | (chunk[p + 2] << 16) | (chunk[p + 3] << 8) | chunk[p + 4]);
      if (code === COPY_DATA) {
        if (end > n) break;
        if (payloads) {
          chunk.copyWithin(to, p + 5, end);
          to += end - p - 5;
        }
        p = end;
        continue;
      }
      // A message other than CopyData ends the run of CopyData before it.
      if (payloads ? to > runStart : p > runStart) this.push(chunk.subarray(runStart, payloads ? to : p));
      runStart = p;
      if (code === COPY_OUT_RESPONSE || INTERSPERSED.has(code)) {
        if (end > n) break;
        p = runStart = to = end;
        continue;
      }
      // CopyDone, or an ErrorResponse (or anything else ending copy-out mode): pg takes over.
      this.detach(code === COPY_DONE && end <= n ? chunk.subarray(end) : chunk.subarray(p));
      if (code === COPY_DONE) this.finish();
      return false;
    }
    if (payloads ? to > runStart : p > runStart) this.push(chunk.subarray(runStart, payloads ? to : p));
    if (p < n) this.carry = Buffer.from(chunk.subarray(p));
    return true;
  }

  private push(b: Buffer): void {
    this.queue.push(b);
    this.queued += b.length;
    if (this.queued >= COPY_PAUSE_BYTES && !this.paused) {
      this.paused = true;
      this.conn?.stream.pause();
    }
    if (this.queued >= COPY_WAKE_BYTES) this.wakeUp();
  }

  private detach(rest: Buffer): void {
    const conn = this.conn;
    const pgData = this.pgData;
    if (!conn || !pgData) return;
    this.conn = undefined;
    conn.stream.removeListener('data', this.onData);
    conn.stream.on('data', pgData);
    if (this.paused) {
      this.paused = false;
      conn.stream.resume();
    }
    if (rest.length > 0) pgData(rest);
  }

  private finish(): void {
    this.ended = true;
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The next run of whole CopyData messages, or undefined after the last. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.queue.length > 0 && (this.queued >= COPY_WAKE_BYTES || this.ended || this.failure)) {
        const b = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue, this.queued);
        this.queue = [];
        this.queued = 0;
        if (this.paused) {
          this.paused = false;
          this.conn?.stream.resume();
        }
        return b;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /**
   * Leaving early: the caller discards the connection. The socket stays with this query,
   * dropping what still arrives (pg's parser would meet the middle of a message).
   */
  stop(): void {
    this.queue = [];
    this.queued = 0;
    if (!this.conn) return;
    this.discarding = true;
    if (this.paused) {
      this.paused = false;
      this.conn.stream.resume();
    }
  }

  // pg's callbacks (Submittable).
  handleError(err: Error): void {
    this.failure ??= err;
    this.ended = true;
    this.detach(Buffer.alloc(0));
    this.rejectDone(err);
    this.wakeUp();
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.ended = true;
    this.resolveDone();
    this.wakeUp();
  }
}
