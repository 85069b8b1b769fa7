import type { FieldPacket, PoolConnection } from 'mysql2';
import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { formatValue, type Row, type Value } from '../../model/values';
import { uniqueNames } from '../names';
import { ConnectorError, SourceReadError, type ReadOptions, type RowStream, type SourceError } from '../types';
import { myError } from './errors';
import { wireDecoder, type DecodeContext, type WireDecoder, type WireValue } from './values';

/**
 * Streaming reads: one plain query per stream, its rows taken from mysql2's 'result'
 * events as they are parsed. When a batch is full the connection is paused (mysql2 stops
 * reading the socket, TCP pushes back on the server) until the consumer asks for the
 * next batch, so memory stays at about one batch whatever the table's size. mysql2 is
 * configured to hand over BIGINT / DECIMAL as text, temporal values as text and binary
 * columns as Buffers; values.ts turns those into Sluice values.
 *
 * A stream left early cannot finish its result set cheaply (the server is still sending
 * it), so its connection is destroyed rather than returned to the pool.
 */

export interface Lease {
  conn: PoolConnection;
  release(destroy?: boolean): void;
}

const FLAG_UNSIGNED = 32;
const BINARY_CHARSET = 63;

/** The logical type of a result column from its protocol metadata (queries). */
export function logicalTypeOfField(f: FieldPacket): LogicalType {
  const flags = typeof f.flags === 'number' ? f.flags : 0;
  const unsigned = (flags & FLAG_UNSIGNED) !== 0;
  const binary = f.characterSet === BINARY_CHARSET;
  if (f.extendedTypeName === 'uuid') return { kind: 'uuid' };
  if (f.extendedFormat === 'json') return { kind: 'json' };
  switch (f.columnType) {
    case 1: // TINY
      return f.columnLength === 1 ? { kind: 'boolean' } : { kind: 'int' };
    case 2: // SHORT
    case 9: // INT24
    case 13: // YEAR
      return { kind: 'int' };
    case 3: // LONG
      return unsigned ? { kind: 'bigint' } : { kind: 'int' };
    case 8: // LONGLONG
      return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'bigint' };
    case 0: // DECIMAL
    case 246: {
      // NEWDECIMAL: the display length counts the sign and the point.
      const scale = f.decimals ?? 0;
      const precision = (f.columnLength ?? 0) - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return precision >= 1 && precision <= 65 && scale <= precision ? { kind: 'decimal', precision, scale } : { kind: 'decimal' };
    }
    case 4: // FLOAT
    case 5: // DOUBLE
      return { kind: 'float' };
    case 10: // DATE
    case 14: // NEWDATE
      return { kind: 'date' };
    case 11: // TIME
      return { kind: 'time' };
    case 7: // TIMESTAMP
      return { kind: 'timestamptz' };
    case 12: // DATETIME
      return { kind: 'timestamp' };
    case 245: // JSON (MySQL)
      return { kind: 'json' };
    case 16: // BIT
      return f.columnLength === 1 ? { kind: 'boolean' } : { kind: 'bytes' };
    case 249: // TINY_BLOB
    case 250: // MEDIUM_BLOB
    case 251: // LONG_BLOB
    case 252: // BLOB
    case 253: // VAR_STRING
    case 254: // STRING
    case 15: // VARCHAR
      return binary ? { kind: 'bytes' } : { kind: 'text' };
    default:
      return { kind: 'text' };
  }
}

export interface StreamContext {
  label: string;
  table?: string;
  decode: DecodeContext;
  read: ReadOptions;
  /** Per column: an unconstrained decimal stored as DECIMAL(65,30) (trailing zeros dropped). */
  normalizeDecimal?: boolean[];
}

interface Pump {
  /** Resolves with the result's fields (undefined when the statement returns no rows). */
  fields: Promise<FieldPacket[] | undefined>;
  /** The next batch; undefined at the end. */
  next(): Promise<Row[] | undefined>;
  /** Stops early: the connection is destroyed. */
  stop(): void;
}

/** Runs a query on a leased connection and pumps its rows into batches of converted values. */
function pump(lease: Lease, sql: string, types: LogicalType[] | undefined, ctx: StreamContext, limit: number): Pump {
  const batchSize = ctx.read.batchSize ?? 4096;
  const onError = ctx.read.onError ?? 'stop';
  const conn = lease.conn;
  let decoders: WireDecoder[] = [];
  let names: string[] = [];
  let resolvedTypes: LogicalType[] = [];
  let batch: Row[] = [];
  let ended = false;
  let failure: unknown;
  let stopError: SourceError | undefined;
  let record = 0;
  let delivered = 0;
  let released = false;
  let wake: (() => void) | undefined;
  let paused = false;
  const release = (destroy: boolean) => {
    if (released) return;
    released = true;
    lease.release(destroy);
  };
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let fieldsResolve!: (f: FieldPacket[] | undefined) => void;
  let fieldsReject!: (e: unknown) => void;
  const fields = new Promise<FieldPacket[] | undefined>((res, rej) => {
    fieldsResolve = res;
    fieldsReject = rej;
  });
  fields.catch(() => {});
  let haveFields = false;
  const q = conn.query({ sql, rowsAsArray: true });
  q.on('fields', (f: FieldPacket[]) => {
    haveFields = true;
    names = uniqueNames(f.map((x) => x.name));
    resolvedTypes = f.map((x, i) => types?.[i] ?? logicalTypeOfField(x));
    decoders = resolvedTypes.map((t, i) => wireDecoder(t, { ...ctx.decode, normalizeDecimal: ctx.normalizeDecimal?.[i] }));
    fieldsResolve(f);
  });
  q.on('result', (raw: unknown) => {
    if (ended || stopError) return;
    const wire = raw as WireValue[];
    record++;
    if (delivered >= limit) return;
    const width = decoders.length;
    const row: Value[] = new Array<Value>(width);
    for (let i = 0; i < width; i++) {
      const v = decoders[i](wire[i]);
      if (v === undefined) {
        const err: SourceError = {
          file: ctx.label,
          record,
          message: `column '${names[i]}': ${formatValue(wire[i] as Value)} is not a valid ${resolvedTypes[i].kind}`,
          raw: wire.map((x) => formatValue(x as Value, 40)).join(', '),
        };
        if (onError === 'stop') {
          stopError = err;
          conn.pause();
          paused = true;
          signal();
        } else ctx.read.onErrorRecord?.(err);
        return;
      }
      row[i] = v;
    }
    batch.push(row);
    delivered++;
    if (batch.length >= batchSize || delivered >= limit) {
      conn.pause();
      paused = true;
      signal();
    }
  });
  q.on('end', () => {
    ended = true;
    if (!haveFields) fieldsResolve(undefined);
    signal();
  });
  q.on('error', (e: unknown) => {
    failure = e;
    ended = true;
    fieldsReject(e);
    signal();
  });
  return {
    fields,
    async next() {
      for (;;) {
        if (failure !== undefined) {
          release(true);
          throw myError(ctx.label, failure, ctx.table);
        }
        const full = batch.length >= batchSize || delivered >= limit || stopError !== undefined;
        if (full || ended) {
          const out = batch;
          batch = [];
          if (out.length > 0) {
            if (paused && !stopError && delivered < limit) {
              paused = false;
              conn.resume();
            }
            return out;
          }
          if (stopError) {
            release(true);
            throw new SourceReadError(stopError);
          }
          if (ended) {
            release(false);
            return undefined;
          }
          // The limit was reached with nothing left to hand over: stop the query.
          release(true);
          return undefined;
        }
        await new Promise<void>((res) => (wake = res));
      }
    },
    stop() {
      if (!ended) release(true);
      else release(false);
    },
  };
}

function batchesOf(start: () => Promise<Pump>, ctx: StreamContext, limit: number, running?: Pump): AsyncIterable<Row[]> {
  let used = false;
  return {
    [Symbol.asyncIterator]: () => {
      if (used) throw new ConnectorError('the batches of a row stream can be iterated once');
      used = true;
      let p: Pump | undefined = running;
      let done = limit <= 0;
      return {
        async next() {
          if (done) {
            p?.stop();
            return { done: true, value: undefined };
          }
          p ??= await start();
          try {
            const b = await p.next();
            if (b === undefined) {
              done = true;
              return { done: true, value: undefined };
            }
            ctx.read.signal?.throwIfAborted();
            return { done: false, value: b };
          } catch (e) {
            done = true;
            p.stop();
            throw e;
          }
        },
        async return() {
          done = true;
          p?.stop();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** A table read: the schema is known from the catalog; the query starts when iteration does. */
export function tableStream(acquire: () => Promise<Lease>, sql: string, schema: Schema, ctx: StreamContext, limit: number | undefined): RowStream {
  const lim = limit ?? Infinity;
  const types = schema.columns.map((c) => c.type);
  const start = async () => pump(await acquire(), sql, types, ctx, lim);
  return { schema, batches: batchesOf(start, ctx, lim) };
}

/** A query: waits for the result's column metadata, so read() fails early on a bad query. */
export async function queryStream(acquire: () => Promise<Lease>, sql: string, ctx: StreamContext, limit: number | undefined): Promise<RowStream> {
  const lim = limit ?? Infinity;
  const lease = await acquire();
  const p = pump(lease, sql, undefined, ctx, lim);
  let fields: FieldPacket[] | undefined;
  try {
    fields = await p.fields;
  } catch (e) {
    p.stop();
    throw myError(ctx.label, e, ctx.table);
  }
  if (!fields) {
    p.stop();
    throw new ConnectorError(`${ctx.label}: the statement returns no rows (only queries can be read)`, { connector: 'mysql' });
  }
  const names = uniqueNames(fields.map((f) => f.name));
  const columns: Column[] = fields.map((f, i) => ({ name: names[i], type: logicalTypeOfField(f), nullable: true }));
  if (lim <= 0) p.stop();
  return { schema: { columns }, batches: batchesOf(async () => p, ctx, lim, p) };
}
