import { castValue } from '../../expr';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { isValueOf, type Row, type Value } from '../../model/values';

/**
 * One text per value and logical type, the same whichever database the value came from, so
 * that equal data hashes equal across SQLite, PostgreSQL and MariaDB: decimals without
 * trailing zeros (1.50 = 1.5), floats in their shortest exact form with -0 as 0 (SQLite
 * stores -0 as 0), temporal values without trailing fractional zeros, uuids lower-case,
 * JSON re-serialised with sorted keys and no spaces (jsonb and MySQL's JSON reorder and
 * reformat what they store), bytes in hex.
 */
export function canonicalValue(v: Value, t: LogicalType): string {
  if (v === null) return '\u0000';
  switch (t.kind) {
    case 'boolean':
      return v === true ? 't' : v === false ? 'f' : String(v);
    case 'int':
    case 'bigint':
      return String(v);
    case 'decimal':
      return v instanceof Decimal ? v.normalize().toString() : String(v);
    case 'float':
      return typeof v === 'number' ? (v === 0 ? '0' : String(v)) : String(v);
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return typeof v === 'string' ? trimFraction(v) : String(v);
    case 'uuid':
      return typeof v === 'string' ? v.toLowerCase() : String(v);
    case 'json':
      return typeof v === 'string' ? canonicalJson(v) : String(v);
    case 'bytes':
      return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : String(v);
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/**
 * A decimal's canonical text, cheaply: its digits with trailing fractional zeros dropped and
 * the scale that is left (1.50 and 1.5 give '15e1'). One bigint-to-string, no division.
 */
function decimalText(d: Decimal): string {
  if (d.unscaled === 0n) return '0';
  const digits = d.unscaled.toString();
  let z = 0;
  while (z < d.scale && z < digits.length - 1 && digits.charCodeAt(digits.length - 1 - z) === 48) z++;
  return `${z === 0 ? digits : digits.slice(0, digits.length - z)}e${d.scale - z}`;
}

/** '12:00:00.500000' -> '12:00:00.5'; '12:00:00.000000+00:00' -> '12:00:00+00:00'. */
function trimFraction(s: string): string {
  const dot = s.indexOf('.');
  if (dot < 0) return s;
  let end = dot + 1;
  while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
  let last = end;
  while (last > dot + 1 && s.charCodeAt(last - 1) === 48) last--;
  return (last === dot + 1 ? s.slice(0, dot) : s.slice(0, last)) + s.slice(end);
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text) as unknown));
  } catch {
    return text;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** How a column's values are fed to the hash: specialised paths for the common types. */
const enum Feed {
  Text,
  Number,
  Bool,
  Temporal,
  Decimal,
  Other,
}

function feedOf(t: LogicalType): Feed {
  switch (t.kind) {
    case 'text':
      return Feed.Text;
    case 'int':
    case 'bigint':
    case 'float':
      return Feed.Number;
    case 'boolean':
      return Feed.Bool;
    case 'decimal':
      return Feed.Decimal;
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return Feed.Temporal;
    default:
      return Feed.Other;
  }
}

/**
 * A 53-bit hash of a row's canonical values (cyrb53's mixing). Equal canonical values hash
 * equal whatever database they came from; each value is followed by a separator, so
 * ['ab','c'] and ['a','bc'] differ. Text is hashed as it is and numbers by their bits
 * (no string made per value: the diff hashes every row of both tables). A number, not a
 * string: comparing two is one instruction, and 2^-53 per compared key pair is far below
 * any other source of error. As text in the store: hashText().
 */
export function rowHasher(types: readonly LogicalType[]): (row: Row) => number {
  const feeds = types.map(feedOf);
  const n = types.length;
  return (row) => {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      let s: string | undefined;
      if (v === null) {
        // NULL: a 17-bit value, which no text (UTF-16 units) can feed.
        h1 = Math.imul(h1 ^ 0x10002, 2654435761);
        h2 = Math.imul(h2 ^ 0x10002, 1597334677);
      } else {
        switch (feeds[i]) {
          case Feed.Text:
            s = v as string;
            break;
          case Feed.Number: {
            let x = v as number | bigint;
            if (typeof x === 'bigint') {
              if (x <= MAX_SAFE && x >= MIN_SAFE) x = Number(x);
              else {
                s = x.toString();
                break;
              }
            }
            // -0 is 0 (SQLite keeps no -0); every NaN is one NaN.
            F64[0] = x === 0 ? 0 : x;
            const lo = Number.isNaN(x) ? 0x7ff80000 : U32[0];
            const hi = Number.isNaN(x) ? 0x7ff80000 : U32[1];
            h1 = Math.imul(h1 ^ lo, 2654435761);
            h2 = Math.imul(h2 ^ lo, 1597334677);
            h1 = Math.imul(h1 ^ hi, 2654435761);
            h2 = Math.imul(h2 ^ hi, 1597334677);
            break;
          }
          case Feed.Bool:
            s = v === true ? 't' : v === false ? 'f' : String(v);
            break;
          case Feed.Temporal:
            s = typeof v === 'string' && v.indexOf('.') >= 0 ? trimFraction(v) : String(v);
            break;
          case Feed.Decimal:
            s = v instanceof Decimal ? decimalText(v) : canonicalValue(v, types[i]);
            break;
          default:
            s = canonicalValue(v, types[i]);
        }
        if (s !== undefined) {
          for (let k = 0; k < s.length; k++) {
            const c = s.charCodeAt(k);
            h1 = Math.imul(h1 ^ c, 2654435761);
            h2 = Math.imul(h2 ^ c, 1597334677);
          }
        }
      }
      // The separator (as a 17-bit value it is no UTF-16 unit).
      h1 = Math.imul(h1 ^ 0x10001, 2654435761);
      h2 = Math.imul(h2 ^ 0x10001, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  };
}

/**
 * Whether two rows are canonically equal: what comparing their rowHasher hashes tells, but
 * exactly (no collision) and stopping at the first column that differs. For a diff that
 * keeps no hash (source-wins): an update's source and target rows.
 */
export function rowEquality(types: readonly LogicalType[]): (a: Row, b: Row) => boolean {
  const canon = types.map(canonOf);
  const n = types.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (x === null || y === null || canon[i](x) !== canon[i](y)) return false;
    }
    return true;
  };
}

/** A non-null value as rowHasher feeds it: the text it hashes, or for numbers the number (bigints beyond 2^53 as text). */
function canonOf(t: LogicalType): (v: Exclude<Value, null>) => string | number {
  switch (feedOf(t)) {
    case Feed.Text:
      return (v) => (typeof v === 'string' ? v : String(v));
    case Feed.Number:
      return (v) => {
        if (typeof v === 'bigint') return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : `n${v.toString()}`;
        if (typeof v !== 'number') return `s${String(v)}`;
        // -0 is 0; every NaN is one NaN.
        return Number.isNaN(v) ? 'NaN' : v === 0 ? 0 : v;
      };
    case Feed.Bool:
      return (v) => (v === true ? 't' : v === false ? 'f' : String(v));
    case Feed.Temporal:
      return (v) => (typeof v === 'string' && v.indexOf('.') >= 0 ? trimFraction(v) : String(v));
    case Feed.Decimal:
      return (v) => (v instanceof Decimal ? decimalText(v) : canonicalValue(v, t));
    default:
      return (v) => canonicalValue(v, t);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

export function hashText(h: number): string {
  return h.toString(36);
}

/** The canonical text of a key (values of the key columns): what the store keys queue, base and boundary by. */
export function keyText(row: Row, keyIndexes: readonly number[], types: readonly LogicalType[]): string {
  let s = '';
  for (let i = 0; i < keyIndexes.length; i++) {
    const k = keyIndexes[i];
    if (i > 0) s += '\u0001';
    s += canonicalValue(row[k], types[k]);
  }
  return s;
}

/**
 * Values as the sync's schema types them. Each database reads its own way (MySQL has no
 * boolean, SQLite stores what it is given, a query types columns from the result set):
 * a value that is not yet of the column's logical type is cast to it.
 */
export function coercer(types: readonly LogicalType[]): (row: Row) => Row {
  const n = types.length;
  return (row) => {
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (v !== null && !isValueOf(v, types[i])) row[i] = castValue(v, types[i]);
    }
    return row;
  };
}

export function typesOf(schema: Schema): LogicalType[] {
  return schema.columns.map((c) => c.type);
}
