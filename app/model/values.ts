import { Decimal } from './decimal';
import type { LogicalType } from './types';

/**
 * How values travel at run time, by logical type (null is SQL NULL for every type):
 *   boolean            boolean
 *   int, bigint        number while |v| <= 2^53-1, bigint beyond (always normalised, so
 *                      a given integer has exactly one representation and === works)
 *   decimal            Decimal (exact)
 *   float              number (may be NaN / ±Infinity)
 *   text, json, uuid   string (json keeps its text; uuid lower-case canonical)
 *   date               'YYYY-MM-DD'
 *   time               'HH:MM:SS[.ffffff]'
 *   timestamp          'YYYY-MM-DD HH:MM:SS[.ffffff]'          (no zone)
 *   timestamptz        'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00'    (normalised to UTC)
 *   bytes              Uint8Array
 * The string forms of temporal types sort correctly as strings, are exact to the
 * microsecond, and cover dates before 1970 and after 2038 alike.
 */
export type Value = null | boolean | number | bigint | string | Decimal | Uint8Array;

/** A row is an array of values in the order of its schema's columns. */
export type Row = Value[];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** The canonical form of an integer: a number when exactly representable, else a bigint. */
export function normalizeInt(v: bigint | number): number | bigint {
  if (typeof v === 'number') return v;
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

export function isBytes(v: Value): v is Uint8Array {
  return v instanceof Uint8Array;
}

function rank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 4;
    default:
      return v instanceof Decimal ? 2 : 5;
  }
}

function compareNumeric(a: number | bigint | Decimal, b: number | bigint | Decimal): number {
  if (typeof a !== 'object' && typeof b !== 'object') {
    if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1;
    if (typeof b === 'number' && Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const da = toDecimalLoose(a);
  const db = toDecimalLoose(b);
  if (da === undefined || db === undefined) {
    const na = typeof a === 'object' ? a.toNumber() : Number(a);
    const nb = typeof b === 'object' ? b.toNumber() : Number(b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return da.cmp(db);
}

function toDecimalLoose(v: number | bigint | Decimal): Decimal | undefined {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return Decimal.fromBigInt(v);
  return Decimal.fromNumber(v);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Strings by code point, as SQLite and PostgreSQL (C collation) compare UTF-8 bytes. JS's
 * `<` compares UTF-16 units, which puts emoji (surrogates) before U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Total order used by sort, dedupe and min/max: NULL first, then booleans, numbers (exact
 * across number/bigint/Decimal), strings by code point, bytes. NaN sorts after numbers.
 */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumeric(a as number | bigint | Decimal, b as number | bigint | Decimal);
    case 4:
      return compareStrings(a as string, b as string);
    default:
      return compareBytes(a as Uint8Array, b as Uint8Array);
  }
}

/** Equality as grouping sees it: NULL equals NULL, 1.50 equals 1.5. */
export function valuesEqual(a: Value, b: Value): boolean {
  return a === b || compareValues(a, b) === 0;
}

/**
 * A string that is equal for values that group together: used as a Map key by
 * aggregate, dedupe, lookup and the diff of a sync.
 */
export function valueKey(v: Value): string {
  if (v === null) return '\u0000N';
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return Number.isInteger(v) ? 'n' + v : 'n' + (Decimal.fromNumber(v)?.normalize().toString() ?? String(v));
    case 'bigint':
      return 'n' + v.toString();
    case 'boolean':
      return v ? 'T' : 'F';
    default:
      if (v instanceof Decimal) return 'n' + v.normalize().toString();
      return 'x' + Buffer.from(v).toString('hex');
  }
}

/** One key for several columns; the separator cannot occur inside a valueKey's prefix. */
export function rowKey(row: Row, indexes: readonly number[]): string {
  if (indexes.length === 1) return valueKey(row[indexes[0]]);
  let k = '';
  for (const i of indexes) k += valueKey(row[i]) + '\u0001';
  return k;
}

/** A short, human-readable rendering of a value for error messages and the CLI. */
export function formatValue(v: Value, max = 80): string {
  let s: string;
  if (v === null) s = 'NULL';
  else if (typeof v === 'string') s = JSON.stringify(v);
  else if (v instanceof Uint8Array) s = `0x${Buffer.from(v.subarray(0, 32)).toString('hex')}${v.length > 32 ? '…' : ''}`;
  else s = String(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Plain JSON-able form (bigint and Decimal as strings, bytes as base64) for the API and files. */
export function toJsonValue(v: Value): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Decimal) return v.toString();
  return Buffer.from(v).toString('base64');
}

/** True when v is a valid run-time representation of logical type t (NULL always is). */
export function isValueOf(v: Value, t: LogicalType): boolean {
  if (v === null) return true;
  switch (t.kind) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
    case 'bigint':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'decimal':
      return v instanceof Decimal;
    case 'float':
      return typeof v === 'number';
    case 'bytes':
      return v instanceof Uint8Array;
    default:
      return typeof v === 'string';
  }
}
