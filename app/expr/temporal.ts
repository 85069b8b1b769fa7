/**
 * Calendar arithmetic on the canonical temporal strings of values.ts. Proleptic Gregorian
 * calendar, years 0001..9999, exact to the microsecond; no Date objects (their range, time
 * zones and millisecond precision are all wrong for this).
 */

export const MICROS_PER_DAY = 86_400_000_000;
export const MIN_DAY = daysFromCivil(1, 1, 1);
export const MAX_DAY = daysFromCivil(9999, 12, 31);

/** Days since 1970-01-01 (negative before), after Howard Hinnant's days_from_civil. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export function formatDate(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

export function formatDays(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return formatDate(y, m, d);
}

/** 'HH:MM:SS' plus '.ffffff' when the fraction is not zero. */
export function formatTimeOfDay(micros: number): string {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const s = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  return frac === 0 ? s : `${s}.${pad(frac, 6)}`;
}

/** A timestamp split into whole days and microseconds of the day (both exact in doubles). */
export interface Instant {
  days: number;
  micros: number;
}

export function formatInstant(t: Instant): string {
  return `${formatDays(t.days)} ${formatTimeOfDay(t.micros)}`;
}

/** Days of a canonical date or the date part of a canonical timestamp. */
export function dayNumber(s: string): number {
  return daysFromCivil(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)));
}

/** Microseconds of the day of a canonical 'HH:MM:SS[.ffffff]' (at offset `at`). */
export function timeMicros(s: string, at = 0): number {
  const h = Number(s.slice(at, at + 2));
  const mi = Number(s.slice(at + 3, at + 5));
  const se = Number(s.slice(at + 6, at + 8));
  let frac = 0;
  if (s.charCodeAt(at + 8) === 46) {
    // Up to six digits; a non-canonical shorter fraction ('.5') still reads right.
    let end = at + 9;
    while (end < at + 15 && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    frac = Number(s.slice(at + 9, end).padEnd(6, '0'));
  }
  return ((h * 60 + mi) * 60 + se) * 1_000_000 + frac;
}

/** A canonical date, timestamp or timestamptz as an instant (timestamptz is UTC already). */
export function toInstant(s: string): Instant {
  return { days: dayNumber(s), micros: s.length > 10 ? timeMicros(s, 11) : 0 };
}

export function normalizeInstant(days: number, micros: number): Instant {
  const carry = Math.floor(micros / MICROS_PER_DAY);
  return { days: days + carry, micros: micros - carry * MICROS_PER_DAY };
}

export function inDateRange(days: number): boolean {
  return days >= MIN_DAY && days <= MAX_DAY;
}

const WS = '[ \\t\\n\\r\\f\\v]*';
const DATE_RE = new RegExp(`^${WS}(\\d{4})-(\\d{2})-(\\d{2})${WS}$`);
const TIME_PART = '(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?';
const ZONE_PART = '(?:\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?))?';
const TIMESTAMP_RE = new RegExp(`^${WS}(\\d{4})-(\\d{2})-(\\d{2})(?:[T ]${TIME_PART}${ZONE_PART})?${WS}$`);
const TIME_RE = new RegExp(`^${WS}${TIME_PART}${WS}$`);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function validDate(y: number, m: number, d: number): string | undefined {
  if (y < 1) return 'year must be between 0001 and 9999';
  if (m < 1 || m > 12) return `month ${m} does not exist`;
  if (d < 1 || d > daysInMonth(y, m)) return `day ${d} does not exist in ${formatDate(y, m, 1).slice(0, 7)}`;
  return undefined;
}

function timeFields(h: string, mi: string, se: string | undefined, frac: string | undefined): Parsed<number> {
  const H = Number(h);
  const M = Number(mi);
  const S = se === undefined ? 0 : Number(se);
  if (H > 23 || M > 59 || S > 59) return { ok: false, message: 'time of day out of range' };
  // More than six fractional digits round to the microsecond, as PostgreSQL does.
  let f = 0;
  if (frac) f = frac.length <= 6 ? Number(frac.padEnd(6, '0')) : Math.round(Number(frac.slice(0, 6) + '.' + frac.slice(6)));
  return { ok: true, value: ((H * 60 + M) * 60 + S) * 1_000_000 + f };
}

/** 'YYYY-MM-DD' (surrounding whitespace allowed); a time part is allowed and dropped. */
export function parseDate(text: string): Parsed<string> {
  const m = DATE_RE.exec(text);
  if (m) {
    const bad = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return bad ? { ok: false, message: bad } : { ok: true, value: `${m[1]}-${m[2]}-${m[3]}` };
  }
  const t = parseTimestamp(text, 'timestamptz');
  if (!t.ok) return { ok: false, message: 'expected YYYY-MM-DD' };
  return { ok: true, value: t.value.slice(0, 10) };
}

/**
 * 'YYYY-MM-DD[ |T]HH:MM[:SS[.fraction]]' with an optional zone (Z, +HH, +HH:MM) for timestamptz,
 * which is normalised to UTC; a date alone means midnight. A zone on a plain timestamp is an
 * error rather than silently dropped.
 */
export function parseTimestamp(text: string, kind: 'timestamp' | 'timestamptz'): Parsed<string> {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return { ok: false, message: 'expected YYYY-MM-DD HH:MM:SS[.ffffff]' + (kind === 'timestamptz' ? '[+HH:MM]' : '') };
  const y = Number(m[1]);
  const bad = validDate(y, Number(m[2]), Number(m[3]));
  if (bad) return { ok: false, message: bad };
  let micros = 0;
  if (m[4] !== undefined) {
    const t = timeFields(m[4], m[5], m[6], m[7]);
    if (!t.ok) return t;
    micros = t.value;
  }
  let days = daysFromCivil(y, Number(m[2]), Number(m[3]));
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    if (kind === 'timestamp') return { ok: false, message: 'a timestamp has no time zone; cast to timestamptz' };
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 15 || om > 59) return { ok: false, message: `time zone offset ${zone} out of range` };
    micros -= sign * (oh * 60 + om) * 60_000_000;
  } else if (zone !== undefined && kind === 'timestamp') {
    return { ok: false, message: 'a timestamp has no time zone; cast to timestamptz' };
  }
  const inst = normalizeInstant(days, micros);
  days = inst.days;
  if (!inDateRange(days)) return { ok: false, message: 'timestamp out of range' };
  const s = formatInstant(inst);
  return { ok: true, value: kind === 'timestamptz' ? s + '+00:00' : s };
}

export function parseTime(text: string): Parsed<string> {
  const m = TIME_RE.exec(text);
  if (!m) {
    const t = TIMESTAMP_RE.exec(text);
    if (t && t[4] !== undefined) {
      const ts = parseTimestamp(text, 'timestamptz');
      return ts.ok ? { ok: true, value: ts.value.slice(11, -6) } : ts;
    }
    return { ok: false, message: 'expected HH:MM:SS[.ffffff]' };
  }
  const t = timeFields(m[1], m[2], m[3], m[4]);
  if (!t.ok) return t;
  if (t.value >= MICROS_PER_DAY) return { ok: false, message: 'time of day out of range' };
  return { ok: true, value: formatTimeOfDay(t.value) };
}

/** Day of the week, 0 = Sunday .. 6 = Saturday. */
export function dayOfWeek(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): number {
  const isoDow = dayOfWeek(days) || 7;
  const thursday = days - isoDow + 4;
  const { y } = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1;
}

/** Adds months, clamping the day to the end of a shorter month (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(days: number, months: number): number {
  const { y, m, d } = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  if (ny < 1 || ny > 9999) return Number.NaN;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}
