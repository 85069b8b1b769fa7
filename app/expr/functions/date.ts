import type { Expr, ExprType } from '../ast';
import { ExprRuntimeError } from '../errors';
import { toCount } from '../runtime';
import {
  MICROS_PER_DAY,
  addMonths,
  civilFromDays,
  dayNumber,
  dayOfWeek,
  daysFromCivil,
  daysInMonth,
  formatDate,
  formatDays,
  formatInstant,
  inDateRange,
  isoWeek,
  normalizeInstant,
  toInstant,
} from '../temporal';
import type { CheckApi, FunctionDef, SqlApi } from './types';
import { DATE, INT, TEXT, argName, byDialect, countArg, dateOf, pgUtc } from './util';

type Num = number | bigint;

function rangeError(what: string): never {
  throw new ExprRuntimeError(`${what}: result is outside 0001-01-01 .. 9999-12-31`, 'range');
}

/** Canonical output of an instant in the kind of its input. */
function emit(kind: ExprType['kind'], days: number, micros: number): string {
  const t = normalizeInstant(days, micros);
  if (!inDateRange(t.days)) rangeError('date arithmetic');
  if (kind === 'date') return formatDays(t.days);
  const s = formatInstant(t);
  return kind === 'timestamptz' ? s + '+00:00' : s;
}

// ---------------------------------------------------------------- field extraction

type Field = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'day_of_week' | 'day_of_year' | 'hour' | 'minute' | 'second';

const TIME_FIELDS: ReadonlySet<Field> = new Set(['hour', 'minute', 'second']);

/** EXTRACT field names (PostgreSQL's spelling and the function names) to fields. */
export const EXTRACT_FIELDS: Record<string, Field> = {
  year: 'year',
  quarter: 'quarter',
  month: 'month',
  week: 'week',
  day: 'day',
  dow: 'day_of_week',
  day_of_week: 'day_of_week',
  dayofweek: 'day_of_week',
  doy: 'day_of_year',
  day_of_year: 'day_of_year',
  dayofyear: 'day_of_year',
  hour: 'hour',
  minute: 'minute',
  second: 'second',
};

function fieldValue(field: Field, s: string, kind: ExprType['kind']): number {
  if (kind === 'time') {
    if (field === 'hour') return Number(s.slice(0, 2));
    if (field === 'minute') return Number(s.slice(3, 5));
    return Number(s.slice(6, 8));
  }
  switch (field) {
    case 'year':
      return Number(s.slice(0, 4));
    case 'month':
      return Number(s.slice(5, 7));
    case 'day':
      return Number(s.slice(8, 10));
    case 'quarter':
      return Math.floor((Number(s.slice(5, 7)) + 2) / 3);
    case 'hour':
      return s.length > 10 ? Number(s.slice(11, 13)) : 0;
    case 'minute':
      return s.length > 10 ? Number(s.slice(14, 16)) : 0;
    case 'second':
      return s.length > 10 ? Number(s.slice(17, 19)) : 0;
    case 'day_of_week':
      return dayOfWeek(dayNumber(s));
    case 'day_of_year':
      return dayNumber(s) - daysFromCivil(Number(s.slice(0, 4)), 1, 1) + 1;
    case 'week':
      return isoWeek(dayNumber(s));
  }
}

function fieldSql(field: Field, s: SqlApi, x: string, t: ExprType): string {
  const k = t.kind;
  return byDialect(s.dialect, {
    postgres: () => {
      const pgField = { year: 'YEAR', quarter: 'QUARTER', month: 'MONTH', week: 'WEEK', day: 'DAY', day_of_week: 'DOW', day_of_year: 'DOY', hour: 'HOUR', minute: 'MINUTE', second: 'SECOND' }[field];
      const e = `EXTRACT(${pgField} FROM ${pgUtc(x, t)})`;
      return field === 'second' ? `CAST(FLOOR(${e}) AS INTEGER)` : `CAST(${e} AS INTEGER)`;
    },
    mysql: () => {
      const f = { year: 'YEAR', quarter: 'QUARTER', month: 'MONTH', week: '', day: 'DAYOFMONTH', day_of_week: '', day_of_year: 'DAYOFYEAR', hour: 'HOUR', minute: 'MINUTE', second: 'SECOND' }[field];
      if (field === 'week') return `WEEK(${x}, 3)`;
      if (field === 'day_of_week') return `(DAYOFWEEK(${x}) - 1)`;
      return `${f}(${x})`;
    },
    sqlite: () => {
      const at = (from: number, len: number) => `CAST(substr(${x}, ${from}, ${len}) AS INTEGER)`;
      if (k === 'time') return field === 'hour' ? at(1, 2) : field === 'minute' ? at(4, 2) : at(7, 2);
      switch (field) {
        case 'year':
          return at(1, 4);
        case 'month':
          return at(6, 2);
        case 'day':
          return at(9, 2);
        case 'quarter':
          return `((${at(6, 2)} + 2) / 3)`;
        case 'hour':
          return at(12, 2);
        case 'minute':
          return at(15, 2);
        case 'second':
          return at(18, 2);
        case 'day_of_week':
          return `CAST(strftime('%w', substr(${x}, 1, 10)) AS INTEGER)`;
        case 'day_of_year':
          return `CAST(strftime('%j', substr(${x}, 1, 10)) AS INTEGER)`;
        case 'week':
          return `CAST(strftime('%V', substr(${x}, 1, 10)) AS INTEGER)`;
      }
    },
  });
}

const FIELD_DOCS: Record<Field, [string, string, string]> = {
  year: ['year', 'The year (1..9999).', "year(DATE '2024-03-15') = 2024"],
  quarter: ['quarter', 'The quarter, 1..4.', "quarter(DATE '2024-03-15') = 1"],
  month: ['month', 'The month, 1..12.', "month(DATE '2024-03-15') = 3"],
  week: ['week', 'The ISO 8601 week number, 1..53 (weeks start on Monday; week 1 holds the first Thursday).', "week(DATE '2021-01-01') = 53"],
  day: ['day', 'The day of the month, 1..31.', "day(DATE '2024-03-15') = 15"],
  day_of_week: ['day_of_week', 'The day of the week, 0 = Sunday .. 6 = Saturday (EXTRACT(DOW ...)).', "day_of_week(DATE '2024-01-07') = 0"],
  day_of_year: ['day_of_year', 'The day of the year, 1..366.', "day_of_year(DATE '2024-12-31') = 366"],
  hour: ['hour', 'The hour, 0..23 (0 for a date).', "hour(TIMESTAMP '2024-03-15 13:45:10') = 13"],
  minute: ['minute', 'The minute, 0..59.', "minute(TIMESTAMP '2024-03-15 13:45:10') = 45"],
  second: ['second', 'The whole seconds, 0..59 (the fraction is dropped).', "second(TIMESTAMP '2024-03-15 13:45:10.75') = 10"],
};

function fieldDef(field: Field): FunctionDef {
  const [name, description, example] = FIELD_DOCS[field];
  const timeOk = TIME_FIELDS.has(field);
  return {
    name,
    ...(field === 'day' ? { aliases: ['dayofmonth'] } : field === 'day_of_week' ? { aliases: ['dayofweek', 'dow'] } : field === 'day_of_year' ? { aliases: ['dayofyear', 'doy'] } : {}),
    category: 'date',
    signature: `${name}(${timeOk ? 'date | timestamp | timestamptz | time' : 'date | timestamp | timestamptz'})`,
    returns: 'int',
    description: description + ' Also EXTRACT(' + (field === 'day_of_week' ? 'DOW' : field === 'day_of_year' ? 'DOY' : field.toUpperCase()) + ' FROM x). timestamptz values count in UTC.',
    example,
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const kinds: ExprType['kind'][] = timeOk ? ['timestamp', 'timestamptz', 'time', 'date'] : ['date', 'timestamp', 'timestamptz'];
      const x = api.expect(args[0], kinds, argName(name, 0));
      if (!x) return undefined;
      // A date has midnight as its time: hour(date) is 0, rendered through a timestamp.
      const arg = timeOk && x.type!.kind === 'date' ? api.coerce(x, { kind: 'timestamp' }, argName(name, 0)) : x;
      return { type: INT, args: [arg] };
    },
    impl: (types) => {
      const k = types[0].kind;
      return (v) => fieldValue(field, v as string, k);
    },
    sql: (s) => fieldSql(field, s, s.args[0], s.nodes[0].type!),
  };
}

// ---------------------------------------------------------------- date_trunc / date_add / date_diff

type Unit = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second';
const UNITS: ReadonlySet<string> = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']);
const DATE_UNITS: ReadonlySet<string> = new Set(['year', 'quarter', 'month', 'week', 'day']);

function unitOf(text: string | undefined): Unit | undefined {
  if (text === undefined) return undefined;
  const u = text.toLowerCase().replace(/s$/, '');
  return UNITS.has(u) ? (u as Unit) : undefined;
}

function unitArg(fn: string, arg: Expr, api: CheckApi, dateOnly: boolean): Unit | undefined {
  const text = api.textLiteral(arg);
  const u = unitOf(text);
  if (!u) {
    api.error(arg, text === undefined ? `${fn}'s unit must be a literal such as 'day'` : `unknown unit '${text}'`, 'units: year, quarter, month, week, day, hour, minute, second');
    return undefined;
  }
  if (dateOnly && !DATE_UNITS.has(u)) {
    api.error(arg, `a date has no ${u}s`, 'CAST the date to timestamp first');
    return undefined;
  }
  return u;
}

function truncDays(unit: Unit, days: number): number {
  const { y, m } = civilFromDays(days);
  switch (unit) {
    case 'year':
      return daysFromCivil(y, 1, 1);
    case 'quarter':
      return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
    case 'month':
      return daysFromCivil(y, m, 1);
    case 'week':
      return days - ((dayOfWeek(days) + 6) % 7);
    default:
      return days;
  }
}

export function dateTruncImpl(unit: Unit, s: string, kind: ExprType['kind']): string {
  const t = toInstant(s);
  if (kind === 'date' || DATE_UNITS.has(unit)) return emit(kind, truncDays(unit, t.days), 0);
  const step = unit === 'hour' ? 3_600_000_000 : unit === 'minute' ? 60_000_000 : 1_000_000;
  return emit(kind, t.days, t.micros - (t.micros % step));
}

function dateTruncSql(s: SqlApi, unit: Unit, x: string, t: ExprType): string {
  const k = t.kind;
  if (k === 'date' && !DATE_UNITS.has(unit)) return x;
  return byDialect(s.dialect, {
    postgres: () => {
      if (k === 'date') return `CAST(DATE_TRUNC('${unit}', CAST(${x} AS TIMESTAMP)) AS DATE)`;
      if (k === 'timestamptz') return `DATE_TRUNC('${unit}', ${x}, 'UTC')`;
      return `DATE_TRUNC('${unit}', ${x})`;
    },
    mysql: () => {
      let d: string;
      switch (unit) {
        // Not MAKEDATE: it reads years below 100 as 19xx/20xx.
        case 'year':
          d = `CAST(DATE_FORMAT(${x}, '%Y-01-01') AS DATE)`;
          break;
        case 'quarter':
          d = `DATE_SUB(CAST(DATE_FORMAT(${x}, '%Y-%m-01') AS DATE), INTERVAL (MONTH(${x}) - 1) % 3 MONTH)`;
          break;
        case 'month':
          d = `CAST(DATE_FORMAT(${x}, '%Y-%m-01') AS DATE)`;
          break;
        case 'week':
          d = `DATE_SUB(DATE(${x}), INTERVAL WEEKDAY(${x}) DAY)`;
          break;
        case 'day':
          d = `DATE(${x})`;
          break;
        default: {
          const f = unit === 'hour' ? '%Y-%m-%d %H:00:00' : unit === 'minute' ? '%Y-%m-%d %H:%i:00' : '%Y-%m-%d %H:%i:%s';
          return `CAST(DATE_FORMAT(${x}, '${f}') AS DATETIME(6))`;
        }
      }
      return k === 'date' ? d : `CAST(${d} AS DATETIME(6))`;
    },
    sqlite: () => {
      let d: string;
      switch (unit) {
        case 'year':
          d = `substr(${x}, 1, 4) || '-01-01'`;
          break;
        case 'quarter':
          d = `substr(${x}, 1, 5) || (CASE (CAST(substr(${x}, 6, 2) AS INTEGER) - 1) / 3 WHEN 0 THEN '01' WHEN 1 THEN '04' WHEN 2 THEN '07' ELSE '10' END) || '-01'`;
          break;
        case 'month':
          d = `substr(${x}, 1, 7) || '-01'`;
          break;
        case 'week':
          d = `date(substr(${x}, 1, 10), '-' || ((CAST(strftime('%w', substr(${x}, 1, 10)) AS INTEGER) + 6) % 7) || ' days')`;
          break;
        case 'day':
          d = `substr(${x}, 1, 10)`;
          break;
        default: {
          const tail = k === 'timestamptz' ? " || '+00:00'" : '';
          const cut = unit === 'hour' ? `substr(${x}, 1, 13) || ':00:00'` : unit === 'minute' ? `substr(${x}, 1, 16) || ':00'` : `substr(${x}, 1, 19)`;
          return `(${cut}${tail})`;
        }
      }
      if (k === 'date') return `(${d})`;
      return `(${d} || ' 00:00:00'${k === 'timestamptz' ? " || '+00:00'" : ''})`;
    },
  });
}

const UNIT_MICROS: Partial<Record<Unit, number>> = { hour: 3_600_000_000, minute: 60_000_000, second: 1_000_000 };

export function dateAddImpl(s: string, n: number, unit: Unit, kind: ExprType['kind']): string {
  const t = toInstant(s);
  switch (unit) {
    case 'year':
    case 'quarter':
    case 'month': {
      const months = n * (unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1);
      if (Math.abs(months) > 120_000) rangeError('date_add');
      const d = addMonths(t.days, months);
      if (Number.isNaN(d)) rangeError('date_add');
      return emit(kind, d, t.micros);
    }
    case 'week':
    case 'day': {
      const days = n * (unit === 'week' ? 7 : 1);
      if (Math.abs(days) > 4_000_000) rangeError('date_add');
      return emit(kind, t.days + days, t.micros);
    }
    default: {
      const step = UNIT_MICROS[unit]!;
      if (Math.abs(n) * step > 4_000_000 * MICROS_PER_DAY) rangeError('date_add');
      // Split to stay exact: whole days, then the rest in microseconds.
      const perDay = MICROS_PER_DAY / step;
      const days = Math.trunc(n / perDay);
      const rest = (n - days * perDay) * step;
      return emit(kind, t.days + days, t.micros + rest);
    }
  }
}

function dateAddSql(s: SqlApi, unit: Unit, x: string, n: string, t: ExprType): string {
  const k = t.kind;
  const U = unit.toUpperCase();
  return byDialect(s.dialect, {
    postgres: () => {
      if (k === 'date' && (unit === 'day' || unit === 'week')) return `(${x} + CAST(${unit === 'week' ? `${n} * 7` : n} AS INTEGER))`;
      const field = { year: 'years', quarter: 'months', month: 'months', week: 'weeks', day: 'days', hour: 'hours', minute: 'mins', second: 'secs' }[unit];
      const count = unit === 'quarter' ? `${n} * 3` : n;
      const iv = `MAKE_INTERVAL(${field} => CAST(${count} AS ${unit === 'second' ? 'DOUBLE PRECISION' : 'INTEGER'}))`;
      if (k === 'date') return `CAST(${x} + ${iv} AS DATE)`;
      if (k === 'timestamptz') return `((${x} AT TIME ZONE 'UTC' + ${iv}) AT TIME ZONE 'UTC')`;
      return `(${x} + ${iv})`;
    },
    mysql: () => `DATE_ADD(${x}, INTERVAL ${n} ${U})`,
    sqlite: () => {
      const count = unit === 'week' ? `${n} * 7` : unit === 'quarter' ? `${n} * 3` : n;
      const word = unit === 'week' ? 'days' : unit === 'quarter' ? 'months' : unit + 's';
      // A NULL count gives a NULL modifier and so a NULL result; 'floor' clamps to the month's end.
      const mod = `(${count}) || ' ${word}'${unit === 'year' || unit === 'month' || unit === 'quarter' ? ", 'floor'" : ''}`;
      if (k === 'date') return `date(${x}, ${mod})`;
      return `(datetime(substr(${x}, 1, 19), ${mod}) || substr(${x}, 20))`;
    },
  });
}

// ---------------------------------------------------------------- to_date / to_timestamp / to_char

type Token = { kind: 'YYYY' | 'MM' | 'DD' | 'HH24' | 'MI' | 'SS' } | { kind: 'lit'; text: string };
const TOKENS = ['YYYY', 'HH24', 'HH', 'MM', 'DD', 'MI', 'SS'] as const;

/** Parses a date format such as 'DD.MM.YYYY' or 'YYYY-MM-DD HH24:MI:SS'. */
export function parseFormat(fmt: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < fmt.length) {
    const t = TOKENS.find((x) => fmt.startsWith(x, i));
    if (t) {
      out.push({ kind: t === 'HH' ? 'HH24' : t });
      i += t.length;
      continue;
    }
    const c = fmt[i];
    // Letters and digits would be ambiguous with fields; 'T' is the ISO 8601 separator.
    if (c === '%' || c === '"' || c === "'" || c === '\\' || (/[A-Za-z0-9]/.test(c) && c !== 'T')) return `'${c}' is not allowed in a format; use YYYY MM DD HH24 MI SS and separators`;
    out.push({ kind: 'lit', text: c });
    i++;
  }
  if (!out.some((t) => t.kind !== 'lit')) return 'the format has no fields (YYYY MM DD HH24 MI SS)';
  return out;
}

const TOKEN_WIDTH = { YYYY: 4, MM: 2, DD: 2, HH24: 2, MI: 2, SS: 2 } as const;

function formatRegex(tokens: Token[]): string {
  return '^' + tokens.map((t) => (t.kind === 'lit' ? t.text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&') : `[0-9]{${TOKEN_WIDTH[t.kind]}}`)).join('') + '$';
}

function parseWithFormat(text: string, tokens: Token[], fmt: string, timestamp: boolean): string {
  const re = new RegExp(formatRegex(tokens));
  const bad = (why: string): never => {
    throw new ExprRuntimeError(`${timestamp ? 'to_timestamp' : 'to_date'}: '${text}' does not match format '${fmt}'${why ? `: ${why}` : ''}`, 'cast');
  };
  if (!re.test(text)) bad('');
  const f = { YYYY: 1, MM: 1, DD: 1, HH24: 0, MI: 0, SS: 0 };
  let i = 0;
  for (const t of tokens) {
    if (t.kind === 'lit') {
      i += t.text.length;
      continue;
    }
    f[t.kind] = Number(text.slice(i, i + TOKEN_WIDTH[t.kind]));
    i += TOKEN_WIDTH[t.kind];
  }
  if (f.YYYY < 1) bad('year 0000 does not exist');
  if (f.MM < 1 || f.MM > 12) bad(`month ${f.MM} does not exist`);
  if (f.DD < 1 || f.DD > daysInMonth(f.YYYY, f.MM)) bad(`day ${f.DD} does not exist in that month`);
  if (f.HH24 > 23 || f.MI > 59 || f.SS > 59) bad('time of day out of range');
  const d = formatDate(f.YYYY, f.MM, f.DD);
  if (!timestamp) return d;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d} ${p(f.HH24)}:${p(f.MI)}:${p(f.SS)}`;
}

function formatWith(s: string, tokens: Token[]): string {
  let out = '';
  for (const t of tokens) {
    switch (t.kind) {
      case 'lit':
        out += t.text;
        break;
      case 'YYYY':
        out += s.slice(0, 4);
        break;
      case 'MM':
        out += s.slice(5, 7);
        break;
      case 'DD':
        out += s.slice(8, 10);
        break;
      case 'HH24':
        out += s.length > 10 ? s.slice(11, 13) : '00';
        break;
      case 'MI':
        out += s.length > 10 ? s.slice(14, 16) : '00';
        break;
      case 'SS':
        out += s.length > 10 ? s.slice(17, 19) : '00';
        break;
    }
  }
  return out;
}

function pgFormat(tokens: Token[]): string {
  // Literal characters in double quotes, so PostgreSQL never reads them as template patterns.
  return tokens.map((t) => (t.kind === 'lit' ? (/[A-Za-z]/.test(t.text) ? `"${t.text}"` : t.text) : t.kind)).join('');
}

function myFormat(tokens: Token[]): string {
  const m = { YYYY: '%Y', MM: '%m', DD: '%d', HH24: '%H', MI: '%i', SS: '%s' } as const;
  return tokens.map((t) => (t.kind === 'lit' ? t.text : m[t.kind])).join('');
}

function sqliteFormat(tokens: Token[]): string {
  const m = { YYYY: '%Y', MM: '%m', DD: '%d', HH24: '%H', MI: '%M', SS: '%S' } as const;
  return tokens.map((t) => (t.kind === 'lit' ? t.text : m[t.kind])).join('');
}

function formatArg(fn: string, arg: Expr, api: CheckApi): Token[] | undefined {
  const fmt = api.textLiteral(arg);
  if (fmt === undefined) {
    api.error(arg, `${fn}'s format must be a text literal such as 'YYYY-MM-DD'`);
    return undefined;
  }
  const tokens = parseFormat(fmt);
  if (typeof tokens === 'string') {
    api.error(arg, `invalid format '${fmt}': ${tokens}`);
    return undefined;
  }
  return tokens;
}

function toDateDef(name: 'to_date' | 'to_timestamp'): FunctionDef {
  const timestamp = name === 'to_timestamp';
  const type: ExprType = timestamp ? { kind: 'timestamp' } : DATE;
  return {
    name,
    category: 'date',
    signature: `${name}(text, format text literal)`,
    returns: timestamp ? 'timestamp' : 'date',
    description: `Reads a ${timestamp ? 'timestamp' : 'date'} written in a fixed-width format made of YYYY, MM, DD${timestamp ? ', HH24 (or HH), MI, SS' : ''} and separators. The text must match exactly; an invalid ${timestamp ? 'timestamp' : 'date'} (2024-02-30) is an error for the row (wrap in a CASE with regexp_like to skip bad input).`,
    example: timestamp ? "to_timestamp('31.01.2024 13:05', 'DD.MM.YYYY HH24:MI') = TIMESTAMP '2024-01-31 13:05:00'" : "to_date('31/01/2024', 'DD/MM/YYYY') = DATE '2024-01-31'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const x = api.expect(args[0], ['text'], argName(name, 0));
      const tokens = formatArg(name, args[1], api);
      if (!x || !tokens) return undefined;
      if (!timestamp && tokens.some((t) => t.kind === 'HH24' || t.kind === 'MI' || t.kind === 'SS')) {
        api.error(args[1], 'to_date takes no time fields', 'use to_timestamp');
        return undefined;
      }
      return { type, args: [x, args[1]] };
    },
    impl: (_t, _r, args) => {
      const fmt = (args[1] as { value: string }).value;
      const tokens = parseFormat(fmt) as Token[];
      return (v) => parseWithFormat(v as string, tokens, fmt, timestamp);
    },
    sql: (s) => {
      const fmt = (s.nodes[1] as { value: string }).value;
      const tokens = parseFormat(fmt) as Token[];
      const x = s.args[0];
      const re = s.str(formatRegex(tokens));
      return byDialect(s.dialect, {
        postgres: () => {
          const conv = timestamp ? `CAST(TO_TIMESTAMP(${x}, ${s.str(pgFormat(tokens))}) AS TIMESTAMP)` : `TO_DATE(${x}, ${s.str(pgFormat(tokens))})`;
          return `(CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} ~ ${re} THEN ${conv} ELSE ${s.raise(`${name}: does not match format ${fmt}: `, x, type)} END)`;
        },
        mysql: () => `(CASE WHEN ${x} COLLATE utf8mb4_bin REGEXP ${re} THEN ${timestamp ? `CAST(STR_TO_DATE(${x}, ${s.str(myFormat(tokens))}) AS DATETIME(6))` : `STR_TO_DATE(${x}, ${s.str(myFormat(tokens))})`} END)`,
        sqlite: () => `sluice_${name}(${x}, ${s.args[1]})`,
      });
    },
  };
}

// ---------------------------------------------------------------- the definitions

function nowValue(): { date: string; ts: string } {
  const ms = Date.now();
  const days = Math.floor(ms / 86_400_000);
  const micros = (ms - days * 86_400_000) * 1000;
  return { date: formatDays(days), ts: formatInstant({ days, micros }) + '+00:00' };
}

export const DATE_FUNCTIONS: FunctionDef[] = [
  fieldDef('year'),
  fieldDef('quarter'),
  fieldDef('month'),
  fieldDef('week'),
  fieldDef('day'),
  fieldDef('day_of_week'),
  fieldDef('day_of_year'),
  fieldDef('hour'),
  fieldDef('minute'),
  fieldDef('second'),
  {
    name: 'extract',
    category: 'date',
    signature: 'EXTRACT(field FROM date | timestamp | timestamptz | time)',
    returns: 'int',
    description: 'The same as the field function: YEAR, QUARTER, MONTH, WEEK (ISO), DAY, DOW (0 = Sunday), DOY, HOUR, MINUTE, SECOND (whole seconds).',
    example: "EXTRACT(MONTH FROM DATE '2024-03-15') = 3",
    minArgs: 2,
    maxArgs: 2,
    rewrite: (call, api) => {
      const [f, x] = call.args;
      const name = api.textLiteral(f);
      const field = name === undefined ? undefined : EXTRACT_FIELDS[name.toLowerCase()];
      if (!field) {
        api.error(f, `unknown EXTRACT field '${name ?? ''}'`, 'fields: YEAR, QUARTER, MONTH, WEEK, DAY, DOW, DOY, HOUR, MINUTE, SECOND');
        return undefined;
      }
      return { kind: 'call', name: field, args: [x], start: call.start, end: call.end };
    },
    check: () => undefined,
    sql: () => '',
  },
  {
    name: 'date_trunc',
    category: 'date',
    signature: "date_trunc(unit text literal, date | timestamp | timestamptz)",
    returns: 'the type of the second argument',
    description: "Truncates to the start of the unit: 'year', 'quarter', 'month', 'week' (Monday), 'day', 'hour', 'minute', 'second'. A date stays a date.",
    example: "date_trunc('month', DATE '2024-03-15') = DATE '2024-03-01'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const x = api.expect(args[1], ['date', 'timestamp', 'timestamptz'], argName('date_trunc', 1));
      const u = unitArg('date_trunc', args[0], api, false);
      if (!x || !u) return undefined;
      return { type: x.type!, args: [args[0], x] };
    },
    impl: (types, _r, args) => {
      const unit = unitOf((args[0] as { value: string }).value)!;
      const k = types[1].kind;
      return (_u, v) => dateTruncImpl(unit, v as string, k);
    },
    sql: (s) => dateTruncSql(s, unitOf((s.nodes[0] as { value: string }).value)!, s.args[1], s.nodes[1].type!),
  },
  {
    name: 'date_add',
    category: 'date',
    signature: "date_add(date | timestamp | timestamptz, n int [, unit text literal = 'day'])",
    returns: 'the type of the first argument',
    description:
      "Adds n units (negative n subtracts): 'year', 'quarter', 'month', 'week', 'day', and for timestamps 'hour', 'minute', 'second'. Months and years keep the day, or clamp it to the end of a shorter month (Jan 31 + 1 month = Feb 29 in 2024). Beyond 9999-12-31 is an error.",
    example: "date_add(DATE '2024-01-31', 1, 'month') = DATE '2024-02-29'",
    minArgs: 2,
    maxArgs: 3,
    check: (args, api) => {
      const x = api.expect(args[0], ['date', 'timestamp', 'timestamptz'], argName('date_add', 0));
      const n = countArg('date_add', 1, args[1], api);
      if (!x || !n) return undefined;
      const u = args[2] ? unitArg('date_add', args[2], api, x.type!.kind === 'date') : 'day';
      if (!u) return undefined;
      return { type: x.type!, args: args[2] ? [x, n, args[2]] : [x, n] };
    },
    impl: (types, _r, args) => {
      const unit = args[2] ? unitOf((args[2] as { value: string }).value)! : 'day';
      const k = types[0].kind;
      return (v, n) => dateAddImpl(v as string, toCount(n as Num), unit, k);
    },
    sql: (s) => dateAddSql(s, s.nodes[2] ? unitOf((s.nodes[2] as { value: string }).value)! : 'day', s.args[0], s.args[1], s.nodes[0].type!),
  },
  {
    name: 'date_diff',
    aliases: ['datediff'],
    category: 'date',
    signature: 'date_diff(a, b)  (dates, timestamps or timestamptz)',
    returns: 'int',
    description: 'Whole days from b to a (a − b), counting calendar dates and ignoring the time of day, like MySQL\'s DATEDIFF and PostgreSQL\'s date - date.',
    example: "date_diff(DATE '2024-03-01', DATE '2024-02-01') = 29",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const a = api.expect(args[0], ['date', 'timestamp', 'timestamptz'], argName('date_diff', 0));
      const b = api.expect(args[1], ['date', 'timestamp', 'timestamptz'], argName('date_diff', 1));
      return a && b ? { type: INT, args: [a, b] } : undefined;
    },
    impl: () => (a, b) => dayNumber(a as string) - dayNumber(b as string),
    sql: (s) => {
      const [a, b] = s.args;
      return byDialect(s.dialect, {
        postgres: () => `(${dateOf(s, a, s.nodes[0].type!)} - ${dateOf(s, b, s.nodes[1].type!)})`,
        mysql: () => `DATEDIFF(${a}, ${b})`,
        sqlite: () => `CAST(julianday(substr(${a}, 1, 10)) - julianday(substr(${b}, 1, 10)) AS INTEGER)`,
      });
    },
  },
  toDateDef('to_date'),
  toDateDef('to_timestamp'),
  {
    name: 'to_char',
    aliases: ['format_date'],
    category: 'date',
    signature: 'to_char(date | timestamp | timestamptz, format text literal)',
    returns: 'text',
    description: 'Writes a date or timestamp in a format made of YYYY, MM, DD, HH24 (or HH), MI, SS and separators. timestamptz values are written in UTC.',
    example: "to_char(DATE '2024-01-31', 'DD.MM.YYYY') = '31.01.2024'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const x = api.expect(args[0], ['date', 'timestamp', 'timestamptz'], argName('to_char', 0));
      const tokens = formatArg('to_char', args[1], api);
      return x && tokens ? { type: TEXT, args: [x, args[1]] } : undefined;
    },
    impl: (_t, _r, args) => {
      const tokens = parseFormat((args[1] as { value: string }).value) as Token[];
      return (v) => formatWith(v as string, tokens);
    },
    sql: (s) => {
      const tokens = parseFormat((s.nodes[1] as { value: string }).value) as Token[];
      const x = s.args[0];
      const t = s.nodes[0].type!;
      return byDialect(s.dialect, {
        postgres: () => `TO_CHAR(${t.kind === 'date' ? `CAST(${x} AS TIMESTAMP)` : pgUtc(x, t)}, ${s.str(pgFormat(tokens))})`,
        mysql: () => `DATE_FORMAT(${x}, ${s.str(myFormat(tokens))})`,
        sqlite: () => `strftime(${s.str(sqliteFormat(tokens))}, substr(${x}, 1, 19))`,
      });
    },
  },
  {
    name: 'current_date',
    aliases: ['today'],
    category: 'date',
    signature: 'current_date  |  current_date()',
    returns: 'date',
    description: "Today's date in UTC. Not deterministic: Sluice reads the clock once when the expression is compiled (once per run), so every row sees the same value.",
    example: "date_diff(current_date, birth_date) / 365",
    minArgs: 0,
    maxArgs: 0,
    deterministic: false,
    check: () => ({ type: DATE, args: [], nullable: false }),
    compile: (g) => g.constant(nowValue().date),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `CAST((NOW() AT TIME ZONE 'UTC') AS DATE)`,
        mysql: () => 'UTC_DATE()',
        sqlite: () => "date('now')",
      }),
  },
  {
    name: 'now',
    aliases: ['current_timestamp'],
    category: 'date',
    signature: 'now()  |  current_timestamp',
    returns: 'timestamptz',
    description: 'The current instant (UTC, to the millisecond in the engine). Not deterministic: read once when the expression is compiled (once per run).',
    example: "date_add(now(), -7, 'day')",
    minArgs: 0,
    maxArgs: 0,
    deterministic: false,
    check: () => ({ type: { kind: 'timestamptz' }, args: [], nullable: false }),
    compile: (g) => g.constant(nowValue().ts),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => 'NOW()',
        mysql: () => 'UTC_TIMESTAMP(6)',
        sqlite: () => "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00')",
      }),
  },
];

export { parseWithFormat };
