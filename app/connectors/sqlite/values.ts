import { Decimal } from '../../model/decimal';
import type { LogicalType } from '../../model/types';
import { normalizeInt, type Value } from '../../model/values';
import { converterFor, decimalConverter, toBigint, toBoolean, toFloat, toInt } from '../files/convert';
import type { Affinity } from './typemap';

/**
 * SQLite storage values (read with safeIntegers: INTEGER -> bigint, REAL -> number,
 * TEXT -> string, BLOB -> Buffer) -> Sluice values of a column's logical type, and back.
 * SQLite does not enforce declared types, so a reader accepts what can be converted
 * exactly (an integral REAL in an INTEGER column, numeric text in a DECIMAL column) and
 * reports the rest (undefined) as a bad value.
 */
export type StoredValue = null | bigint | number | string | Uint8Array;
export type FromStored = (v: StoredValue) => Value | undefined;

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** Unix seconds (INTEGER) or a Julian day number (REAL) -> 'YYYY-MM-DD HH:MM:SS[.f]' in UTC. */
function fromEpoch(v: bigint | number): string | undefined {
  const ms = typeof v === 'bigint' ? Number(v) * 1000 : (v - 2440587.5) * 86400000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const iso = new Date(Math.round(ms)).toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined;
  // Canonical: six fraction digits when the fraction is not zero (milliseconds here).
  const frac = iso.slice(19, 23) === '.000' ? '' : `${iso.slice(19, 23)}000`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac}`;
}

function bytesOf(v: Uint8Array): Uint8Array {
  return Buffer.isBuffer(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
}

function textual(text: (s: string) => Value | undefined): FromStored {
  return (v) => (v === null ? null : typeof v === 'string' ? text(v) : undefined);
}

export function fromStored(t: LogicalType): FromStored {
  switch (t.kind) {
    case 'bigint':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'bigint') return normalizeInt(v);
        if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
        return typeof v === 'string' ? toBigint(v) : undefined;
      };
    case 'int':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'bigint') return v >= INT32_MIN && v <= INT32_MAX ? Number(v) : undefined;
        if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? v : undefined;
        return typeof v === 'string' ? toInt(v) : undefined;
      };
    case 'float':
      return (v) => {
        if (v === null || typeof v === 'number') return v;
        if (typeof v === 'bigint') return Number(v);
        return typeof v === 'string' ? toFloat(v) : undefined;
      };
    case 'decimal': {
      const fromText = decimalConverter(t);
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'string') return fromText(v);
        // A REAL prints as its shortest round-trip text (0.99, not 0.98999...), which is
        // the value that was stored in a NUMERIC column; bigint is exact.
        if (typeof v === 'number') return Number.isFinite(v) ? fromText(String(v)) : undefined;
        if (typeof v === 'bigint') return fromText(v.toString());
        return undefined;
      };
    }
    case 'boolean':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'bigint') return v !== 0n;
        if (typeof v === 'number') return v !== 0;
        return typeof v === 'string' ? toBoolean(v) : undefined;
      };
    case 'text':
      return (v) => {
        if (v === null || typeof v === 'string') return v;
        if (typeof v === 'bigint') return v.toString();
        if (typeof v === 'number') return String(v);
        return undefined;
      };
    case 'json':
      return (v) => {
        if (v === null || typeof v === 'string') return v;
        if (typeof v === 'bigint' || typeof v === 'number') return String(v);
        return undefined;
      };
    case 'bytes':
      return (v) => {
        if (v === null) return null;
        if (v instanceof Uint8Array) return bytesOf(v);
        return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : undefined;
      };
    case 'uuid': {
      const fromText = converterFor(t)!;
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'string') return fromText(v);
        if (v instanceof Uint8Array && v.length === 16) {
          const h = Buffer.from(v).toString('hex');
          return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        }
        return undefined;
      };
    }
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const fromText = converterFor(t)!;
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'string') return fromText(v);
        if (typeof v === 'bigint' || typeof v === 'number') {
          const ts = fromEpoch(v);
          if (ts === undefined) return undefined;
          return t.kind === 'date' ? ts.slice(0, 10) : t.kind === 'timestamptz' ? ts + '+00:00' : ts;
        }
        return undefined;
      };
    }
    case 'time':
      return textual(converterFor(t)!);
  }
}

/** The logical type suggested by stored values (for columns without a declared type). */
export function typeOfStored(values: readonly StoredValue[]): LogicalType {
  let ints = 0;
  let reals = 0;
  let texts = 0;
  let blobs = 0;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === 'bigint') ints++;
    else if (typeof v === 'number') reals++;
    else if (typeof v === 'string') texts++;
    else blobs++;
  }
  const n = ints + reals + texts + blobs;
  if (n === 0) return { kind: 'text' };
  if (ints === n) return { kind: 'bigint' };
  if (ints + reals === n) return { kind: 'float' };
  if (blobs === n) return { kind: 'bytes' };
  return { kind: 'text' };
}

/** Sluice value -> a value better-sqlite3 binds, for a column of the given affinity. */
export type ToStored = (v: Value) => StoredValue;

function generic(v: Value): StoredValue {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'bigint':
    case 'number':
      return v;
    case 'boolean':
      return v ? 1n : 0n;
    default:
      return v instanceof Decimal ? v.toString() : v;
  }
}

/** TEXT affinity would store the number 5 as '5.0' (it binds as a double): render text ourselves. */
function asText(v: Value): StoredValue {
  switch (typeof v) {
    case 'number':
      return v === 0 && 1 / v < 0 ? '-0' : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return generic(v);
  }
}

export function toStored(t: LogicalType, affinity: Affinity): ToStored {
  if (t.kind === 'boolean') return (v) => (typeof v === 'boolean' ? (v ? 1n : 0n) : generic(v));
  if (affinity === 'TEXT') return asText;
  return generic;
}

/** Parameters of a query: booleans as 0/1, Decimal as text. */
export function toParam(v: Value): StoredValue {
  return generic(v);
}
