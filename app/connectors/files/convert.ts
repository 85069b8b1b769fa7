import { Decimal } from '../../model/decimal';
import type { LogicalType, TypeKind } from '../../model/types';
import { normalizeInt, type Value } from '../../model/values';

/**
 * Text -> value conversion for file readers, one specialised function per target type
 * (they run once per field, so each avoids regexes and allocation where it can).
 * The rules are those of CAST from text:
 *  - surrounding whitespace is trimmed; an empty (or all-blank) text is NULL;
 *  - int is 32-bit, bigint 64-bit, both exact (a number up to 2^53, a bigint beyond);
 *  - decimal is exact (Decimal); with a declared scale it is rounded half away from zero
 *    to that scale, and a value with too many integer digits is an error;
 *  - float accepts plain and exponent notation, NaN, Infinity, inf (any case, signed);
 *  - boolean: true/false/t/f/1/0/yes/no, any case;
 *  - date 'YYYY-MM-DD'; time 'HH:MM:SS[.f]'; timestamp 'YYYY-MM-DD[ T]HH:MM:SS[.f]';
 *    timestamptz the same followed by Z or an offset (±HH, ±HHMM, ±HH:MM), converted to
 *    UTC; a timestamptz text without an offset is taken as UTC. Fractions are rounded to
 *    microseconds; canonical output drops trailing zeros of the fraction (and the point
 *    when nothing is left), as PostgreSQL prints them;
 *  - uuid: 32 hex digits with or without dashes, or in braces -> lower case with dashes;
 *  - json: must parse; the text is kept (trimmed);
 *  - bytes: base64; here '' is the empty byte string, not NULL (as CAST('' AS bytea)).
 * A converter returns undefined when the text is not a value of its type; explain() says why.
 */
export type TextConverter = (text: string) => Value | undefined;

function trim(s: string): string {
  const n = s.length;
  return n > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32 || s.charCodeAt(0) === 0xa0 || s.charCodeAt(n - 1) === 0xa0) ? s.trim() : s;
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

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function toFloat(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  if (FLOAT_RE.test(s)) return Number(s);
  switch (s.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  return undefined;
}

/**
 * Exact decimal from trimmed text. Plain notation with up to 15 digits (almost every
 * value in practice) skips the regex and the string -> BigInt parse.
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
      if (d < 0 || d > 9) return Decimal.parse(s);
      v = v * 10 + d;
      digits++;
    }
    if (digits === 0) return undefined;
    if (digits > 15) return Decimal.parse(s);
    const scale = point < 0 ? 0 : n - point - 1;
    return Decimal.of(BigInt(neg ? -v : v), scale);
  }
  return Decimal.parse(s);
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
  return (text) => {
    const s = trim(text);
    if (s === '') return null;
    const d = parseDecimal(s);
    if (d === undefined) return undefined;
    const r = d.scale === sc ? d : d.rescale(sc);
    return r.fits(p, sc) ? r : undefined;
  };
}

export function toBoolean(text: string): Value | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const s = trim(text);
  if (s === '') return null;
  switch (s.length <= 5 ? s.toLowerCase() : '') {
    case 'true':
    case 't':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case 'f':
    case '0':
    case 'no':
      return false;
  }
  return undefined;
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

/** True when s[i..i+10) is a valid YYYY-MM-DD. */
function isDateAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return false;
  const hi = digits2(s, i);
  const lo = digits2(s, i + 2);
  const m = digits2(s, i + 5);
  const d = digits2(s, i + 8);
  if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(hi * 100 + lo, m);
}

export function toDate(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  return s.length === 10 && isDateAt(s, 0) ? s : undefined;
}

interface Clock {
  /** HH:MM:SS as written (validated). */
  hms: string;
  /** Microseconds 0..999999 after rounding, and whether rounding carried into the next second. */
  micros: number;
  carry: boolean;
  /** Position after the clock in the text. */
  end: number;
}

/** True when s[i..i+8) is HH:MM:SS with hours 00-23. */
function isPlainClockAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false;
  const h = digits2(s, i);
  const m = digits2(s, i + 3);
  const se = digits2(s, i + 6);
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && se >= 0 && se <= 59;
}

/** Parses HH:MM:SS[.fraction] at i. Hours 00-23 (24:00:00 allowed), minutes and seconds 00-59. */
function clockAt(s: string, i: number): Clock | undefined {
  if (s.length < i + 8 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return undefined;
  const h = digits2(s, i);
  const mi = digits2(s, i + 3);
  const se = digits2(s, i + 6);
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  if (h === 24 && (mi !== 0 || se !== 0)) return undefined;
  let end = i + 8;
  let micros = 0;
  let carry = false;
  if (s.charCodeAt(end) === 46) {
    let k = end + 1;
    let frac = '';
    while (k < s.length) {
      const c = s.charCodeAt(k);
      if (c < 48 || c > 57) break;
      frac += s[k];
      k++;
    }
    if (frac.length === 0) return undefined;
    micros = Number((frac + '000000').slice(0, 6));
    if (frac.length > 6 && frac.charCodeAt(6) >= 53) micros++;
    if (micros === 1_000_000) {
      micros = 0;
      carry = true;
    }
    end = k;
  }
  return { hms: s.slice(i, i + 8), micros, carry, end };
}

function fraction(micros: number): string {
  if (micros === 0) return '';
  let f = String(micros).padStart(6, '0');
  while (f.endsWith('0')) f = f.slice(0, -1);
  return '.' + f;
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

function formatDate(y: number, m: number, d: number): string {
  if (y < 0 || y > 9999) return '';
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** Shifts a date + seconds-of-day by a number of seconds and formats 'YYYY-MM-DD HH:MM:SS'. */
function shifted(date: string, secondsOfDay: number, by: number): string {
  let days = daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
  let sec = secondsOfDay + by;
  days += Math.floor(sec / 86400);
  sec -= Math.floor(sec / 86400) * 86400;
  const [y, m, d] = civilFromDays(days);
  const ymd = formatDate(y, m, d);
  if (ymd === '') return '';
  return `${ymd} ${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}`;
}

function secondsOf(hms: string): number {
  return Number(hms.slice(0, 2)) * 3600 + Number(hms.slice(3, 5)) * 60 + Number(hms.slice(6, 8));
}

export function toTime(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  if (s.length === 8 && isPlainClockAt(s, 0)) return s;
  const c = clockAt(s, 0);
  if (!c || c.end !== s.length) return undefined;
  if (c.carry) {
    const sec = (secondsOf(c.hms) + 1) % 86400;
    return `${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}`;
  }
  return c.hms + fraction(c.micros);
}

/** Date and clock of a timestamp text, and where the clock ended. */
function timestampParts(s: string): { date: string; clock: Clock } | undefined {
  if (s.length < 19 || !isDateAt(s, 0)) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84 && sep !== 116) return undefined;
  const clock = clockAt(s, 11);
  return clock ? { date: s.slice(0, 10), clock } : undefined;
}

function canonicalTimestamp(date: string, clock: Clock, offsetSeconds: number): string | undefined {
  let body: string;
  if (clock.carry || offsetSeconds !== 0 || clock.hms.startsWith('24')) {
    body = shifted(date, secondsOf(clock.hms) + (clock.carry ? 1 : 0), -offsetSeconds);
    if (body === '') return undefined;
  } else {
    body = `${date} ${clock.hms}`;
  }
  return body + fraction(clock.micros);
}

export function toTimestamp(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  // The canonical form itself (the common case) comes back as is, without allocating.
  if (s.length === 19 && s.charCodeAt(10) === 32 && isDateAt(s, 0) && isPlainClockAt(s, 11)) return s;
  const p = timestampParts(s);
  if (!p || p.clock.end !== s.length) return undefined;
  return canonicalTimestamp(p.date, p.clock, 0);
}

/** Offset in seconds of a zone suffix at i (Z, ±HH, ±HHMM, ±HH:MM, an optional space before), or undefined. */
function offsetAt(s: string, i: number): number | undefined {
  let k = i;
  if (s.charCodeAt(k) === 32) k++;
  const c = s.charCodeAt(k);
  if ((c === 90 || c === 122) && k + 1 === s.length) return 0;
  if (c !== 43 && c !== 45) return undefined;
  const rest = s.slice(k + 1);
  const m = /^(\d{2})(?::?(\d{2}))?$/.exec(rest);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = m[2] === undefined ? 0 : Number(m[2]);
  if (h > 15 || mi > 59) return undefined;
  return (c === 45 ? -1 : 1) * (h * 3600 + mi * 60);
}

export function toTimestamptz(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const p = timestampParts(s);
  if (!p) return undefined;
  const off = p.clock.end === s.length ? 0 : offsetAt(s, p.clock.end);
  if (off === undefined) return undefined;
  const body = canonicalTimestamp(p.date, p.clock, off);
  return body === undefined ? undefined : body + '+00:00';
}

const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

export function toUuid(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  const m = UUID_RE.exec(s);
  if (!m || (s.startsWith('{') !== s.endsWith('}'))) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
}

export function toJson(text: string): Value | undefined {
  const s = trim(text);
  if (s === '') return null;
  try {
    JSON.parse(s);
    return s;
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
  { type: { kind: 'boolean' }, test: (s) => /^(true|false|t|f|yes|no)$/i.test(s) },
  { type: { kind: 'bigint' }, test: (s) => /^[+-]?(0|[1-9]\d*)$/.test(s) && toBigint(s) !== undefined },
  { type: { kind: 'decimal' }, test: (s) => /^[+-]?(0|[1-9]\d*)(\.\d+)?$/.test(s) },
  { type: { kind: 'float' }, test: (s) => toFloat(s) !== undefined && !/^[+-]?0\d/.test(s) },
  { type: { kind: 'date' }, test: (s) => toDate(s) !== undefined },
  { type: { kind: 'timestamp' }, test: (s) => toTimestamp(s) !== undefined },
  { type: { kind: 'timestamptz' }, test: (s) => toTimestamptz(s) !== undefined },
  { type: { kind: 'time' }, test: (s) => toTime(s) !== undefined },
];

/**
 * The narrowest type every non-empty sample satisfies, else text. Numbers with a leading
 * zero ('007', a zip code) stay text, so inference never drops characters; 0/1 columns
 * are bigint, not boolean.
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
