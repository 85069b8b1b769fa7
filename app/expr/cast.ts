import { Decimal } from '../model/decimal';
import { formatType, type LogicalType, type TypeKind } from '../model/types';
import { normalizeInt, type Value } from '../model/values';
import type { ExprType } from './ast';
import { CastError } from './errors';
import { parseDate, parseTime, parseTimestamp, type Parsed } from './temporal';
import { decodeUtf8, encodeUtf8, trimAsciiSpace } from './text';

/**
 * Conversions between logical types, shared by CAST in expressions and by file connectors
 * turning text into typed values. Text is parsed strictly: surrounding ASCII white space is
 * allowed, anything else that is not the type's syntax is an error (never a silent 0).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const INT_RE = /^[+-]?\d+$/;
// Exponents of up to 4 digits: 1e31000000 is not a number anyone means (and PostgreSQL overflows).
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$/;
const SPECIAL_FLOAT_RE = /^([+-]?)(inf|infinity|nan)$/i;
const UUID_RE = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;
const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', 'off', '0']);

function fail(message: string, reason: 'invalid' | 'range' = 'invalid'): never {
  throw new CastError(message, reason);
}

function show(v: Value): string {
  if (typeof v === 'string') return `'${v.length > 60 ? v.slice(0, 59) + '…' : v}'`;
  if (v instanceof Uint8Array) return `bytes of length ${v.length}`;
  return String(v);
}

/** Checks an integer against the range of int (32 bits) or bigint (64 bits). */
export function checkIntRange(v: number | bigint, kind: 'int' | 'bigint'): number | bigint {
  if (kind === 'int') {
    if (v < INT32_MIN || v > INT32_MAX) fail(`${v} is out of range for int`, 'range');
    return Number(v);
  }
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    return checkIntRange(BigInt(v), kind);
  }
  if (v < INT64_MIN || v > INT64_MAX) fail(`${v} is out of range for bigint`, 'range');
  return normalizeInt(v);
}

/** Rounds a float half away from zero to an integer (exact: no x + 0.5 trickery). */
export function roundFloatToInteger(x: number): number {
  const t = Math.trunc(x);
  const diff = x - t;
  if (diff >= 0.5) return t + 1;
  if (diff <= -0.5) return t - 1;
  return t === 0 ? 0 : t;
}

export function floatToInt(x: number, kind: 'int' | 'bigint'): number | bigint {
  if (!Number.isFinite(x)) fail(`${x} cannot become ${kind}`, 'range');
  const r = roundFloatToInteger(x);
  if (Math.abs(r) <= Number.MAX_SAFE_INTEGER) return checkIntRange(r, kind);
  // Beyond 2^53 every float is an integer already; go through bigint for the range check.
  return checkIntRange(BigInt(r), kind);
}

export function decimalToInt(d: Decimal, kind: 'int' | 'bigint'): number | bigint {
  return checkIntRange(normalizeInt(d.round(0).toBigInt()), kind);
}

/** Fits a decimal to decimal(p,s): rounds half away from zero to s digits, fails when too wide. */
export function fitDecimal(d: Decimal, t: { precision?: number; scale?: number }): Decimal {
  if (t.precision === undefined) return d;
  const s = t.scale ?? 0;
  const r = d.rescale(s);
  if (!r.fits(t.precision, s)) fail(`${d.toString()} does not fit decimal(${t.precision},${s})`, 'range');
  return r;
}

/** The text of a float: JavaScript's shortest round-trip form (NaN, Infinity, 1e+21). */
export function formatFloat(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

export function parseIntText(text: string, kind: 'int' | 'bigint'): number | bigint {
  const s = trimAsciiSpace(text);
  if (!INT_RE.test(s)) fail(s === '' ? `empty text is not ${kind === 'int' ? 'an int' : 'a bigint'}` : `${show(text)} is not ${kind === 'int' ? 'an int' : 'a bigint'}`);
  const digits = s.replace(/^[+-]/, '');
  if (digits.length <= 15) return checkIntRange(Number(s) + 0, kind); // + 0: '-0' is 0
  return checkIntRange(BigInt(s), kind);
}

export function parseDecimalText(text: string, t: { precision?: number; scale?: number }): Decimal {
  const s = trimAsciiSpace(text);
  const d = NUMBER_RE.test(s) ? Decimal.parse(s) : undefined;
  if (!d) fail(s === '' ? 'empty text is not a decimal' : `${show(text)} is not a decimal`);
  return fitDecimal(d, t);
}

export function parseFloatText(text: string): number {
  const s = trimAsciiSpace(text);
  if (NUMBER_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) fail(`${show(text)} is out of range for float`, 'range');
    return v;
  }
  const m = SPECIAL_FLOAT_RE.exec(s);
  if (m) return m[2].toLowerCase() === 'nan' ? Number.NaN : m[1] === '-' ? -Infinity : Infinity;
  return fail(s === '' ? 'empty text is not a float' : `${show(text)} is not a float`);
}

export function parseBooleanText(text: string): boolean {
  const s = trimAsciiSpace(text).toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return fail(`${show(text)} is not a boolean (true/false, t/f, yes/no, y/n, on/off, 1/0)`);
}

function parsed(r: Parsed<string>, text: string, kind: string): string {
  if (!r.ok) fail(`${show(text)} is not a valid ${kind}: ${r.message}`);
  return r.value;
}

export function parseUuidText(text: string): string {
  const m = UUID_RE.exec(trimAsciiSpace(text));
  if (!m) fail(`${show(text)} is not a uuid`);
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
}

/** Converts text to a type; throws CastError. */
export function textTo(text: string, to: LogicalType | ExprType): Value {
  switch (to.kind) {
    case 'text':
    case 'null':
      return text;
    case 'boolean':
      return parseBooleanText(text);
    case 'int':
    case 'bigint':
      return parseIntText(text, to.kind);
    case 'decimal':
      return parseDecimalText(text, to);
    case 'float':
      return parseFloatText(text);
    case 'date':
      return parsed(parseDate(text), text, 'date');
    case 'time':
      return parsed(parseTime(text), text, 'time');
    case 'timestamp':
    case 'timestamptz':
      return parsed(parseTimestamp(text, to.kind), text, to.kind);
    case 'uuid':
      return parseUuidText(text);
    case 'json':
      try {
        JSON.parse(text);
      } catch (e) {
        fail(`${show(text)} is not valid JSON: ${(e as Error).message}`);
      }
      return text;
    case 'bytes':
      return encodeUtf8(text);
  }
}

/** castText for the parser and checker: a result instead of an exception. */
export function castText(text: string, to: ExprType): { ok: true; value: Value } | { ok: false; message: string } {
  try {
    return { ok: true, value: textTo(text, to) };
  } catch (e) {
    if (e instanceof CastError) return { ok: false, message: e.message };
    throw e;
  }
}

/** The text form of a value of a known type (CAST(x AS text)). */
export function toText(v: Value, from: TypeKind | 'null'): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return from === 'float' ? formatFloat(v) : String(v);
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) {
    const s = decodeUtf8(v);
    if (s === undefined) fail('bytes are not valid UTF-8 text');
    return s;
  }
  return String(v);
}

/** Which casts exist; the checker reports the others as type errors. */
export function canCast(from: TypeKind | 'null', to: TypeKind): boolean {
  if (from === to || from === 'null' || from === 'text' || to === 'text') return true;
  const numeric = (k: string) => k === 'int' || k === 'bigint' || k === 'decimal' || k === 'float';
  if (numeric(from) && numeric(to)) return true;
  if ((from === 'boolean' && (to === 'int' || to === 'bigint')) || ((from === 'int' || from === 'bigint') && to === 'boolean')) return true;
  const dated = (k: string) => k === 'date' || k === 'timestamp' || k === 'timestamptz';
  if (dated(from) && dated(to)) return true;
  if ((from === 'timestamp' || from === 'timestamptz') && to === 'time') return true;
  return false;
}

/**
 * A converter from a statically known type to another. It receives non-null values and
 * throws CastError when a value cannot be converted.
 */
export function castFunction(from: ExprType, to: LogicalType): (v: Value) => Value {
  const f = from.kind;
  switch (to.kind) {
    case 'text':
      return f === 'text' ? (v) => v : (v) => toText(v, f);
    case 'int':
    case 'bigint': {
      const k = to.kind;
      if (f === 'text') return (v) => parseIntText(v as string, k);
      if (f === 'float') return (v) => floatToInt(v as number, k);
      if (f === 'decimal') return (v) => decimalToInt(v as Decimal, k);
      if (f === 'boolean') return (v) => (v ? 1 : 0);
      if (k === 'int' && f !== 'int') return (v) => checkIntRange(v as number | bigint, 'int');
      return (v) => v;
    }
    case 'decimal': {
      if (f === 'text') return (v) => parseDecimalText(v as string, to);
      if (f === 'float')
        return (v) => {
          const d = Decimal.fromNumber(v as number);
          if (!d) fail(`${v} cannot become decimal`);
          return fitDecimal(d, to);
        };
      if (f === 'int' || f === 'bigint') return (v) => fitDecimal(Decimal.fromBigInt(BigInt(v as number | bigint)), to);
      if (f === 'boolean') return (v) => fitDecimal(Decimal.of(v ? 1n : 0n), to);
      return (v) => fitDecimal(v as Decimal, to);
    }
    case 'float':
      if (f === 'text') return (v) => parseFloatText(v as string);
      if (f === 'decimal') return (v) => (v as Decimal).toNumber();
      if (f === 'boolean') return (v) => (v ? 1 : 0);
      return (v) => Number(v as number | bigint);
    case 'boolean':
      if (f === 'text') return (v) => parseBooleanText(v as string);
      if (f === 'int' || f === 'bigint') return (v) => v !== 0;
      return (v) => v;
    case 'date':
      if (f === 'text') return (v) => parsed(parseDate(v as string), v as string, 'date');
      if (f === 'timestamp' || f === 'timestamptz') return (v) => (v as string).slice(0, 10);
      return (v) => v;
    case 'timestamp':
      if (f === 'text') return (v) => parsed(parseTimestamp(v as string, 'timestamp'), v as string, 'timestamp');
      if (f === 'date') return (v) => `${v as string} 00:00:00`;
      if (f === 'timestamptz') return (v) => (v as string).slice(0, -6);
      return (v) => v;
    case 'timestamptz':
      if (f === 'text') return (v) => parsed(parseTimestamp(v as string, 'timestamptz'), v as string, 'timestamptz');
      if (f === 'date') return (v) => `${v as string} 00:00:00+00:00`;
      if (f === 'timestamp') return (v) => `${v as string}+00:00`;
      return (v) => v;
    case 'time':
      if (f === 'text') return (v) => parsed(parseTime(v as string), v as string, 'time');
      if (f === 'timestamp') return (v) => (v as string).slice(11);
      if (f === 'timestamptz') return (v) => (v as string).slice(11, -6);
      return (v) => v;
    case 'uuid':
      return f === 'text' ? (v) => parseUuidText(v as string) : (v) => v;
    case 'json':
      return f === 'text' ? (v) => textTo(v as string, to) : (v) => v;
    case 'bytes':
      return f === 'text' ? (v) => encodeUtf8(v as string) : (v) => v;
  }
}

/** The logical type a run-time value most plausibly has (strings count as text). */
function typeOfValue(v: Value): ExprType {
  if (typeof v === 'boolean') return { kind: 'boolean' };
  if (typeof v === 'bigint') return { kind: 'bigint' };
  if (typeof v === 'number') return { kind: Number.isInteger(v) && !Object.is(v, -0) ? 'bigint' : 'float' };
  if (v instanceof Decimal) return { kind: 'decimal' };
  if (v instanceof Uint8Array) return { kind: 'bytes' };
  return { kind: 'text' };
}

/**
 * Converts a run-time value to a logical type (NULL stays NULL). Strings are read as text,
 * so castValue('2024-01-31', T.date) parses the date. Throws CastError with a message that
 * names the value and the type.
 */
export function castValue(v: Value, to: LogicalType): Value {
  if (v === null) return null;
  const from = typeOfValue(v);
  if (!canCast(from.kind, to.kind)) fail(`${show(v)} cannot become ${formatType(to)}`);
  return castFunction(from, to)(v);
}

const INFER_ORDER: TypeKind[] = ['boolean', 'int', 'bigint', 'decimal', 'float', 'date', 'timestamp', 'timestamptz', 'text'];

/**
 * Guesses the narrowest type that every non-empty sample converts to (empty strings count as
 * NULL). Integers with leading zeros (zip codes, ids) stay text; decimal gets the precision
 * and scale that hold every sample.
 */
export function inferTextType(samples: string[]): LogicalType {
  const values = samples.map((s) => trimAsciiSpace(s)).filter((s) => s !== '');
  if (values.length === 0) return { kind: 'text' };
  const ok = (kind: TypeKind): boolean => {
    switch (kind) {
      case 'boolean':
        return values.every((s) => /^(true|false)$/i.test(s));
      case 'int':
      case 'bigint':
        return values.every((s) => INT_RE.test(s) && !/^[+-]?0\d/.test(s) && castText(s, { kind }).ok);
      case 'decimal':
        return values.every((s) => /^[+-]?(\d+\.\d+|\d+)$/.test(s) && !/^[+-]?0\d/.test(s));
      case 'float':
        return values.every((s) => NUMBER_RE.test(s) && !/^[+-]?0\d/.test(s));
      case 'date':
        return values.every((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && parseDate(s).ok);
      case 'timestamp':
        return values.every((s) => parseTimestamp(s, 'timestamp').ok && s.length > 10);
      case 'timestamptz':
        return values.every((s) => parseTimestamp(s, 'timestamptz').ok && s.length > 10);
      default:
        return true;
    }
  };
  for (const kind of INFER_ORDER) {
    if (!ok(kind)) continue;
    if (kind === 'decimal') {
      let integer = 1;
      let scale = 0;
      for (const s of values) {
        const [i, f = ''] = s.replace(/^[+-]/, '').split('.');
        integer = Math.max(integer, i.replace(/^0+(?=\d)/, '').length);
        scale = Math.max(scale, f.length);
      }
      // All integers but some beyond 64 bits: an exact decimal keeps them.
      if (scale === 0) return { kind: 'decimal', precision: Math.min(integer, 1000), scale: 0 };
      return { kind: 'decimal', precision: Math.min(integer + scale, 1000), scale };
    }
    return { kind };
  }
  return { kind: 'text' };
}
