import { Decimal } from '../../model/decimal';
import type { LogicalType, TypeKind } from '../../model/types';
import { normalizeInt, type Value } from '../../model/values';

/**
 * Text -> value conversion for file readers, one specialised function per target type
 * (they run once per field, so each avoids regexes and allocation on the common forms).
 * The rules are CAST's from text (app/expr/cast.ts; convert.test.ts checks them against
 * it), with two deliberate differences for files: an empty (or blank) field is NULL rather
 * than an error, and bytes are base64 (how Sluice writes them) rather than UTF-8 text.
 *  - surrounding ASCII whitespace is trimmed;
 *  - int is 32-bit, bigint 64-bit, both exact (a number up to 2^53, a bigint beyond);
 *  - decimal is exact (Decimal); with a declared scale it is rounded half away from zero
 *    to that scale, and a value with too many integer digits is an error;
 *  - float: plain or exponent notation (finite), NaN, Infinity, inf (any case, signed);
 *  - boolean: true/false, t/f, yes/no, y/n, on/off, 1/0, any case;
 *  - date 'YYYY-MM-DD' (a timestamp's date part is taken); time 'HH:MM[:SS[.f]]';
 *    timestamp 'YYYY-MM-DD[ T]HH:MM[:SS[.f]]' or a date alone (midnight); timestamptz the
 *    same with an optional zone (Z, ±HH, ±HHMM, ±HH:MM), converted to UTC (no zone: UTC).
 *    Years 0001-9999; fractions rounded to microseconds; canonical output has six
 *    fraction digits when the fraction is not zero, none otherwise;
 *  - uuid: 32 hex digits with or without dashes or braces -> lower case with dashes;
 *  - json: must parse; the text is kept as it is.
 * A converter returns undefined when the text is not a value of its type; explain() says why.
 */
export type TextConverter = (text: string) => Value | undefined;

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

const EDGE_SPACE = /^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g;

function trim(s: string): string {
  const n = s.length;
  return n > 0 && (isAsciiSpace(s.charCodeAt(0)) || isAsciiSpace(s.charCodeAt(n - 1))) ? s.replace(EDGE_SPACE, '') : s;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Exact integer from trimmed text, or undefined. */
function parseInteger(s: string): number | bigint | undefined {
  const n = s.length;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    neg = true;
    i = 1;
  } else if (c0 === 43) i = 1;
  if (i === n) return undefined;
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      v = v * 10 + d;
    }
    return neg ? (v === 0 ? 0 : -v) : v;
  }
  for (let k = i; k < n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return undefined;
  }
  return normalizeInt(BigInt(s));
}

export function toInt(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const v = parseInteger(s);
  if (typeof v !== 'number' || v < INT32_MIN || v > INT32_MAX) return undefined;
  return v;
}

export function toBigint(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const v = parseInteger(s);
  if (typeof v === 'bigint' && (v < INT64_MIN || v > INT64_MAX)) return undefined;
  return v;
}

// Exponents of up to four digits, as CAST: 1e31000000 is not a number anyone means.
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$/;
const SPECIAL_FLOAT_RE = /^([+-]?)(inf|infinity|nan)$/i;

export function toFloat(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  if (NUMBER_RE.test(s)) {
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  const m = SPECIAL_FLOAT_RE.exec(s);
  if (!m) return undefined;
  return m[2].toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
}

/**
 * Exact decimal from trimmed text. Plain notation with up to 15 digits (almost every
 * value in practice) skips the regex and the string -> BigInt parse. When the text is
 * already what Decimal.toString gives back (no sign '+', no leading zeros, not '-0', a
 * point only with digits after it), the value keeps it (Decimal.ofPlain): writing the
 * column out again, the usual fate of a column a pipeline only passes along, then costs
 * no BigInt -> text conversion.
 */
function parseDecimal(s: string): Decimal | undefined {
  const n = s.length;
  if (n <= 16) {
    let i = 0;
    let neg = false;
    const c0 = s.charCodeAt(0);
    if (c0 === 45) {
      neg = true;
      i = 1;
    } else if (c0 === 43) i = 1;
    let v = 0;
    let digits = 0;
    let point = -1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 46 && point < 0) {
        point = i;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return slowDecimal(s);
      v = v * 10 + d;
      digits++;
    }
    if (digits === 0) return undefined;
    if (digits > 15) return slowDecimal(s);
    const scale = point < 0 ? 0 : n - point - 1;
    const unscaled = BigInt(neg ? -v : v);
    const intStart = neg || c0 === 43 ? 1 : 0;
    const intDigits = (point < 0 ? n : point) - intStart;
    const canonical =
      c0 !== 43 &&
      intDigits > 0 &&
      (intDigits === 1 || s.charCodeAt(intStart) !== 48) &&
      (point < 0 || scale > 0) &&
      !(neg && v === 0);
    return canonical ? Decimal.ofPlain(unscaled, scale, s) : Decimal.of(unscaled, scale);
  }
  return slowDecimal(s);
}

function slowDecimal(s: string): Decimal | undefined {
  return NUMBER_RE.test(s) ? Decimal.parse(s) : undefined;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000', '0000000000'];

/**
 * The fast path for decimal(p,s) text in plain notation with at most s fraction digits
 * (how databases print such columns, and how a NUMERIC(p,s) REAL prints in SQLite): one
 * pass over the characters, one BigInt, and the canonical text kept (Decimal.ofPlain) for
 * writing the value out again. Anything else (exponents, spaces, leading zeros, more
 * fraction digits to round, zero, too many digits) answers undefined and takes the general
 * path, which decides the same way (plain-decimal.test.ts).
 */
export function plainDecimal(precision: number, scale: number): ((s: string) => Decimal | undefined) | undefined {
  if (scale >= ZEROS.length) return undefined;
  return (s) => {
    const n = s.length;
    const neg = s.charCodeAt(0) === 45;
    let i = neg ? 1 : 0;
    const intStart = i;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const intLen = i - intStart;
    if (intLen === 0 || (intLen > 1 && s.charCodeAt(intStart) === 48)) return undefined;
    let frac = 0;
    if (i < n) {
      if (s.charCodeAt(i) !== 46) return undefined;
      const fracStart = ++i;
      while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      frac = i - fracStart;
      if (i !== n || frac === 0 || frac > scale) return undefined;
    }
    const zeroInt = intLen === 1 && s.charCodeAt(intStart) === 48;
    const digits = frac === 0 ? s.slice(intStart) : s.slice(intStart, intStart + intLen) + s.slice(intStart + intLen + 1);
    const unscaled = BigInt(digits + ZEROS[scale - frac]);
    if (unscaled === 0n) return undefined;
    // Integer digits as Decimal.fits counts them (0.5 has none).
    if ((zeroInt ? 0 : intLen) > precision - scale) return undefined;
    const text = scale === 0 ? s : frac === 0 ? `${s}.${ZEROS[scale]}` : s + ZEROS[scale - frac];
    return Decimal.ofPlain(neg ? -unscaled : unscaled, scale, text);
  };
}

export function decimalConverter(t: LogicalType): TextConverter {
  const p = t.precision;
  const sc = t.scale ?? 0;
  if (p === undefined) {
    return (text) => {
      const s = trim(text);
      return s === '' ? null : parseDecimal(s);
    };
  }
  const plain = plainDecimal(p, sc);
  return (text) => {
    const fast = plain?.(text);
    if (fast) return fast;
    const s = trim(text);
    if (s === '') return null;
    const d = parseDecimal(s);
    if (d === undefined) return undefined;
    const r = d.scale === sc ? d : d.rescale(sc);
    return r.fits(p, sc) ? r : undefined;
  };
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', 'off', '0']);

export function toBoolean(text: string): Value | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const s = trim(text);
  if (s === '') return null;
  const w = s.length <= 5 ? s.toLowerCase() : '';
  return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : undefined;
}

function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True when s[i..i+10) is a valid YYYY-MM-DD with a year from 0001. */
function isDateAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return false;
  const hi = digits2(s, i);
  const lo = digits2(s, i + 2);
  const m = digits2(s, i + 5);
  const d = digits2(s, i + 8);
  if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1 || hi + lo === 0) return false;
  return d <= daysInMonth(hi * 100 + lo, m);
}

/** True when s[i..i+8) is HH:MM:SS with hours 00-23. */
function isPlainClockAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false;
  const h = digits2(s, i);
  const m = digits2(s, i + 3);
  const se = digits2(s, i + 6);
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && se >= 0 && se <= 59;
}

/** True when s[i..i+7) is '.ffffff' with six digits, not all zero (the canonical fraction). */
function isCanonicalFractionAt(s: string, i: number): boolean {
  if (s.charCodeAt(i) !== 46) return false;
  let nonzero = false;
  for (let k = i + 1; k < i + 7; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
    if (c !== 48) nonzero = true;
  }
  return nonzero;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

// Civil date <-> day number (days since 1970-01-01), valid for any proleptic Gregorian year.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

const MICROS_PER_DAY = 86_400_000_000;
const MIN_DAY = daysFromCivil(1, 1, 1);
const MAX_DAY = daysFromCivil(9999, 12, 31);

function formatDay(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** 'HH:MM:SS' plus '.ffffff' when the fraction is not zero. */
function formatTimeOfDay(micros: number): string {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const hms = `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
  return frac === 0 ? hms : `${hms}.${String(frac).padStart(6, '0')}`;
}

const TIME_PART = '(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?';
const TIMESTAMP_RE = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ]${TIME_PART}(?:\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?))?)?$`);
const TIME_RE = new RegExp(`^${TIME_PART}$`);

/** Microseconds of the day from matched clock fields, or undefined when out of range. */
function clockMicros(h: string, mi: string, se: string | undefined, frac: string | undefined): number | undefined {
  const H = Number(h);
  const M = Number(mi);
  const S = se === undefined ? 0 : Number(se);
  if (H > 23 || M > 59 || S > 59) return undefined;
  // More than six fraction digits round to the microsecond, as PostgreSQL does.
  let f = 0;
  if (frac) f = frac.length <= 6 ? Number(frac.padEnd(6, '0')) : Math.round(Number(frac.slice(0, 6) + '.' + frac.slice(6)));
  return ((H * 60 + M) * 60 + S) * 1_000_000 + f;
}

/** A trimmed timestamp text as day number and microseconds of the day (UTC for timestamptz). */
function parseInstant(s: string, kind: 'timestamp' | 'timestamptz'): { days: number; micros: number } | undefined {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  let micros = 0;
  if (m[4] !== undefined) {
    const c = clockMicros(m[4], m[5], m[6], m[7]);
    if (c === undefined) return undefined;
    micros = c;
  }
  const zone = m[8];
  if (zone !== undefined) {
    if (kind === 'timestamp') return undefined;
    if (zone !== 'Z' && zone !== 'z') {
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 15 || om > 59) return undefined;
      micros -= (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000_000;
    }
  }
  let days = daysFromCivil(y, mo, d);
  const carry = Math.floor(micros / MICROS_PER_DAY);
  days += carry;
  micros -= carry * MICROS_PER_DAY;
  return days >= MIN_DAY && days <= MAX_DAY ? { days, micros } : undefined;
}

function formatInstant(t: { days: number; micros: number }): string {
  return `${formatDay(t.days)} ${formatTimeOfDay(t.micros)}`;
}

export function toDate(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  if (s.length === 10) return isDateAt(s, 0) ? s : undefined;
  // A timestamp's date part (of its UTC instant when it has a zone).
  const t = parseInstant(s, 'timestamptz');
  return t ? formatDay(t.days) : undefined;
}

export function toTime(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  if (s.length === 8 && isPlainClockAt(s, 0)) return s;
  const m = TIME_RE.exec(s);
  if (m) {
    const c = clockMicros(m[1], m[2], m[3], m[4]);
    return c === undefined || c >= MICROS_PER_DAY ? undefined : formatTimeOfDay(c);
  }
  // A timestamp's time of day (of its UTC instant when it has a zone).
  const t = TIMESTAMP_RE.exec(s);
  if (!t || t[4] === undefined) return undefined;
  const i = parseInstant(s, 'timestamptz');
  return i ? formatTimeOfDay(i.micros) : undefined;
}

/** The canonical form 'YYYY-MM-DD HH:MM:SS[.ffffff]' at the start of s, of length n. */
function isCanonicalTimestamp(s: string, n: number): boolean {
  return (n === 19 || (n === 26 && isCanonicalFractionAt(s, 19))) && s.charCodeAt(10) === 32 && isDateAt(s, 0) && isPlainClockAt(s, 11);
}

export function toTimestamp(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  // The canonical form itself (the common case) comes back as is, without allocating.
  if (isCanonicalTimestamp(s, s.length)) return s;
  const t = parseInstant(s, 'timestamp');
  return t ? formatInstant(t) : undefined;
}

export function toTimestamptz(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const n = s.length;
  if ((n === 25 || n === 32) && s.endsWith('+00:00') && isCanonicalTimestamp(s, n - 6)) return s;
  const t = parseInstant(s, 'timestamptz');
  return t ? formatInstant(t) + '+00:00' : undefined;
}

const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

export function toUuid(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const m = UUID_RE.exec(s);
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
}

export function toJson(text: string): Value | undefined {
  if (trim(text) === '') return null;
  try {
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBytes(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return new Uint8Array(0);
  if (!BASE64_RE.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The converter for a type; undefined for text (nothing to convert). */
export function converterFor(t: LogicalType): TextConverter | undefined {
  switch (t.kind) {
    case 'text':
      return undefined;
    case 'int':
      return toInt;
    case 'bigint':
      return toBigint;
    case 'float':
      return toFloat;
    case 'decimal':
      return decimalConverter(t);
    case 'boolean':
      return toBoolean;
    case 'date':
      return toDate;
    case 'time':
      return toTime;
    case 'timestamp':
      return toTimestamp;
    case 'timestamptz':
      return toTimestamptz;
    case 'uuid':
      return toUuid;
    case 'json':
      return toJson;
    case 'bytes':
      return toBytes;
  }
}

/** Why a text is not a value of a type, for error messages. */
export function explain(text: string, t: LogicalType): string {
  const shown = JSON.stringify(text.length > 60 ? text.slice(0, 59) + '…' : text);
  const s = trim(text);
  if ((t.kind === 'int' || t.kind === 'bigint') && parseInteger(s) !== undefined) return `${shown} is out of range for ${t.kind}`;
  if (t.kind === 'decimal' && t.precision !== undefined && parseDecimal(s) !== undefined) {
    return `${shown} does not fit decimal(${t.precision},${t.scale ?? 0})`;
  }
  if ((t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamptz') && /^\d{4}-\d{2}-\d{2}/.test(s)) {
    return `${shown} is not a valid ${t.kind} (no such date or time)`;
  }
  const expected: Partial<Record<TypeKind, string>> = {
    boolean: 'true/false, t/f, 1/0 or yes/no',
    date: 'YYYY-MM-DD',
    time: 'HH:MM:SS[.ffffff]',
    timestamp: 'YYYY-MM-DD HH:MM:SS[.ffffff]',
    timestamptz: 'YYYY-MM-DD HH:MM:SS[.ffffff]±HH:MM',
    bytes: 'base64',
  };
  const hint = expected[t.kind];
  return `${shown} is not a valid ${t.kind}${hint ? ` (expected ${hint})` : ''}`;
}

// ---- inference --------------------------------------------------------------------------

/** Candidates in order of preference: the first that every sampled value satisfies wins. */
const CANDIDATES: { type: LogicalType; test: (s: string) => boolean }[] = [
  { type: { kind: 'boolean' }, test: (s) => /^(true|false)$/i.test(s) },
  { type: { kind: 'bigint' }, test: (s) => /^[+-]?(0|[1-9]\d*)$/.test(s) && toBigint(s) !== undefined },
  { type: { kind: 'decimal' }, test: (s) => /^[+-]?(0|[1-9]\d*)(\.\d+)?$/.test(s) },
  { type: { kind: 'float' }, test: (s) => toFloat(s) !== undefined && !/^[+-]?0\d/.test(s) },
  { type: { kind: 'date' }, test: (s) => s.length === 10 && toDate(s) !== undefined },
  { type: { kind: 'timestamp' }, test: (s) => s.length > 10 && toTimestamp(s) !== undefined },
  { type: { kind: 'timestamptz' }, test: (s) => s.length > 10 && toTimestamptz(s) !== undefined },
];

/**
 * The narrowest type every non-empty sample satisfies, else text. As inferTextType in
 * app/expr: booleans only as true/false, numbers with a leading zero ('007', a zip code)
 * stay text, 0/1 columns are numbers. Unlike it, integers infer as bigint (not int) and
 * decimals without a precision: a file is typed from its first rows only, and a later
 * row must not fail for being a little larger.
 */
export function inferType(samples: Iterable<string | null>): LogicalType {
  let alive = CANDIDATES.map(() => true);
  let seen = 0;
  for (const raw of samples) {
    if (raw === null) continue;
    const s = trim(raw);
    if (s === '') continue;
    seen++;
    alive = alive.map((ok, i) => ok && CANDIDATES[i].test(s));
    if (!alive.includes(true)) return { kind: 'text' };
  }
  if (seen === 0) return { kind: 'text' };
  return { ...CANDIDATES[alive.indexOf(true)].type };
}
