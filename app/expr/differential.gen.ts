/**
 * Test support for the differential test: a seeded random generator of well-typed
 * expressions, and a table of awkward rows (NULLs, empty strings, negatives, big integers,
 * floats, unicode, dates before 1970 and leap days). Not part of the library.
 */
import { Decimal } from '../model/decimal';
import { col, type Column } from '../model/schema';
import { T, type LogicalType } from '../model/types';
import { normalizeInt, type Row, type Value } from '../model/values';
import { castValue } from './cast';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const COLUMNS: Column[] = [
  col('id', T.int, false),
  col('i', T.int),
  col('b', T.bigint),
  col('f', T.float),
  col('n', T.decimal(38, 10)),
  col('s', T.text),
  col('s2', T.text),
  col('d', T.date),
  col('ts', T.timestamp),
  col('tz', T.timestamptz),
  col('ok', T.boolean),
  col('sub total', T.int),
];

export const PARAMS: Record<string, LogicalType> = { p_int: T.int, p_text: T.text, p_date: T.date };
export const PARAM_VALUES: Record<string, Value> = { p_int: 5, p_text: 'ab', p_date: '2024-03-01' };

const I = [null, 0, 1, -1, 7, -7, 42, 2147483647, -2147483648, 100, 3, -15];
const B = [null, 0n, 3n, -3n, 9007199254740993n, -9007199254740993n, 9223372036854775807n, -9223372036854775808n, 123456789012n, 10n, 2n ** 40n];
const F = [null, 0, 1.5, -2.5, 0.1, 3.14159, 1e10, -1e-5, 2.675, 0.5, -0.5, 1234.5678, 7];
const N = [null, '0', '1.5', '-2.25', '12345678901234567890.1234567890', '0.0000000001', '-99.995', '100', '2.675', '-0.5', '0.5'];
const S = [null, '', 'abc', 'ABC', ' a b ', 'héllo', 'Straße', '日本語', '😀x', 'a%b_c', "it's", 'a\\b', 'ÉCOLE', '12', ' 42 ', '-7', '3.5', '1e3', 'true', 'a,b,c', 'ana@example.org', 'x y z', 'ab', '2024-02-29', '2023-02-29 10:00:00', 'a_'];
const S2 = [null, 'b', 'a', '', 'ABC', 'é', ',', 'l', 'abc', 'ü', '😀', ' '];
const D = ['2024-02-29', '1969-12-31', '1900-03-01', '0099-01-05', '2000-01-01', '2024-12-31', '1970-01-01', null, '2021-01-01', '1999-06-15', '2023-01-31'];
const TS = ['2024-02-29 23:59:59.999999', '1969-12-31 23:59:59', '1900-01-01 00:00:00.5', '2024-01-01 12:34:56.123456', null, '2000-06-15 06:07:08', '0099-01-05 10:00:00', '2023-03-31 00:00:00'];
const OK = [null, true, false];

export const ROW_COUNT = 40;

function canonical(v: string | null, t: LogicalType): Value {
  return v === null ? null : castValue(v, t);
}

export function makeRows(): Row[] {
  const rows: Row[] = [];
  for (let k = 0; k < ROW_COUNT; k++) {
    const pick = <X>(pool: X[], stride: number, off: number): X => pool[(k * stride + off) % pool.length];
    const b = pick(B, 3, 1);
    const n = pick(N, 5, 2);
    const tsv = canonical(pick(TS, 5, 3), T.timestamp);
    rows.push([
      k + 1,
      pick(I, 1, 0),
      b === null ? null : normalizeInt(b),
      pick(F, 7, 4),
      n === null ? null : Decimal.parse(n)!.rescale(10),
      pick(S, 1, k >= 23 ? 5 : 0),
      pick(S2, 5, 1),
      pick(D, 3, 0),
      tsv,
      canonical(pick(TS, 3, 2), T.timestamptz),
      pick(OK, 1, 1),
      pick(I, 5, 3),
    ]);
  }
  return rows;
}

type Kind = 'bool' | 'int' | 'small' | 'dec' | 'float' | 'text' | 'date' | 'ts';

/** Generates expression text of a requested type; every production is well-typed by construction. */
export class ExprGen {
  constructor(
    private readonly rnd: () => number,
    private readonly exactDecimal: boolean,
  ) {}

  private pick<X>(xs: readonly X[]): X {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  gen(kind: Kind, depth: number): string {
    const e = this.genBare(kind, depth);
    // Compound operands in parentheses: precedence is the parser tests' business, and
    // chained comparisons (a < b < c) are a syntax error.
    return /^[\w."':]+$/.test(e) || /^'[^']*'$/.test(e) ? e : `(${e})`;
  }

  private genBare(kind: Kind, depth: number): string {
    const leaf = depth <= 0 || this.chance(0.25);
    switch (kind) {
      case 'bool':
        return leaf ? this.boolLeaf() : this.bool(depth - 1);
      case 'int':
        return leaf ? this.intLeaf() : this.int(depth - 1);
      case 'small':
        return this.small();
      case 'dec':
        return leaf ? this.decLeaf() : this.dec(depth - 1);
      case 'float':
        return leaf ? this.floatLeaf() : this.float(depth - 1);
      case 'text':
        return leaf ? this.textLeaf() : this.text(depth - 1);
      case 'date':
        return leaf ? this.dateLeaf() : this.date(depth - 1);
      case 'ts':
        return leaf ? this.tsLeaf() : this.ts(depth - 1);
    }
  }

  private boolLeaf(): string {
    return this.pick(['ok', 'TRUE', 'FALSE', 'NULL', '(i > 0)', '(s IS NULL)', "(s = 'abc')", "(d < DATE '1970-01-01')", '(b >= 0)', '(f < 1)']);
  }

  private cmpOp(): string {
    return this.pick(['=', '<>', '<', '<=', '>', '>=', '!=']);
  }

  private bool(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 23)) {
      case 0:
        return `${g('int')} ${this.cmpOp()} ${g('int')}`;
      case 1:
        return `${g('text')} ${this.cmpOp()} ${g('text')}`;
      case 2:
        return `${g('bool')} AND ${g('bool')}`;
      case 3:
        return `${g('bool')} OR ${g('bool')}`;
      case 4:
        return `NOT (${g('bool')})`;
      case 5:
        return `(${g(this.pick(['int', 'text', 'date', 'float'] as Kind[]))}) IS ${this.pick(['', 'NOT '])}NULL`;
      case 6:
        return `(${g('bool')}) IS ${this.pick(['', 'NOT '])}${this.pick(['TRUE', 'FALSE', 'UNKNOWN'])}`;
      case 7:
        return `${g('int')} ${this.pick(['', 'NOT '])}IN (${[g('int'), this.intLeaf(), this.pick(['NULL', '1', '-7'])].join(', ')})`;
      case 8:
        return `${g('text')} ${this.pick(['', 'NOT '])}IN (${this.textLit()}, ${this.textLit()}, ${this.pick(['NULL', "''", 's2'])})`;
      case 9:
        return `${g('int')} ${this.pick(['', 'NOT '])}BETWEEN ${g('int')} AND ${g('int')}`;
      case 10:
        return `${g('text')} ${this.pick(['', 'NOT '])}${this.pick(['LIKE', 'LIKE', 'ILIKE'])} ${this.likePattern()}`;
      case 11:
        return `${this.pick(['starts_with', 'ends_with', 'contains'])}(${g('text')}, ${this.pick([this.textLit(), 's2', "''"])})`;
      case 12:
        return `${g('date')} ${this.cmpOp()} ${this.pick([g('date'), this.dateLeaf(), "'2000-01-01'"])}`;
      case 13:
        return `${g('ts')} ${this.cmpOp()} ${this.pick([g('ts'), g('date')])}`;
      case 14:
        return `${g('float')} ${this.cmpOp()} ${this.pick([g('float'), g('int')])}`;
      case 15:
        return this.exactDecimal ? `${g('dec')} ${this.cmpOp()} ${this.pick([g('dec'), g('int'), '1.5'])}` : `${g('int')} > ${g('int')}`;
      case 16:
        return `${g('int')} IS ${this.pick(['', 'NOT '])}DISTINCT FROM ${g('int')}`;
      case 17:
        return `${g('text')} IS ${this.pick(['', 'NOT '])}DISTINCT FROM ${g('text')}`;
      case 18:
        return `${this.pick(['is_numeric', 'is_email'])}(${g('text')})`;
      case 19:
        return `regexp_like(${g('text')}, ${this.pick(["'^a'", "'b$'", "'[0-9]+'", "'^[a-z ]*$'", "'é|ß'", "'^.{3}$'"])})`;
      case 20:
        return `(${g('bool')}) ${this.pick(['=', '<>'])} (${g('bool')})`;
      case 21:
        return `${g('text')} ${this.pick(['', 'NOT '])}${this.pick(['LIKE', 'ILIKE'])} ${this.pick(['s2', "s2 || '%'", "'%' || s2"])}`;
      default:
        return `${g('text')} BETWEEN ${this.textLit()} AND ${this.textLit()}`;
    }
  }

  private intLit(): string {
    return this.pick(['0', '1', '-1', '2', '3', '-7', '10', '42', '2147483647', '-2147483648', '9007199254740993', '-9223372036854775807', '1000000', ':p_int']);
  }

  private intLeaf(): string {
    return this.pick(['i', 'b', 'id', '"sub total"', this.intLit(), this.intLit()]);
  }

  /** Small whole numbers for counts and positions (PostgreSQL takes int4 there). */
  small(): string {
    return this.pick(['0', '1', '2', '3', '5', '-1', '-2', 'id % 4', '(i % 5)', 'length(s)', '4']);
  }

  private int(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 24)) {
      case 0:
        return `${g('int')} + ${g('int')}`;
      case 1:
        return `${g('int')} - ${g('int')}`;
      case 2:
        return `${g('int')} * ${g('int')}`;
      case 3:
        return `${g('int')} / ${g('int')}`;
      case 4:
        return `${g('int')} % ${g('int')}`;
      case 5:
        return `-(${g('int')})`;
      case 6:
        return `abs(${g('int')})`;
      case 7:
        return `length(${g('text')})`;
      case 8:
        return `strpos(${g('text')}, ${this.pick([this.textLit(), 's2'])})`;
      case 9:
        return `${this.pick(['year', 'month', 'day', 'quarter', 'day_of_week', 'day_of_year', 'week'])}(${this.pick([g('date'), g('ts')])})`;
      case 10:
        return `date_diff(${g('date')}, ${this.pick([g('date'), g('ts')])})`;
      case 11:
        return `${g('date')} - ${g('date')}`;
      case 12:
        return `CASE WHEN ${g('bool')} THEN ${g('int')} ${this.chance(0.7) ? `ELSE ${g('int')} ` : ''}END`;
      case 13:
        return `coalesce(${g('int')}, ${g('int')})`;
      case 14:
        return `nullif(${g('int')}, ${g('int')})`;
      case 15:
        return `${this.pick(['greatest', 'least'])}(${g('int')}, ${g('int')})`;
      case 16:
        return `sign(${this.pick([g('int'), g('float')])})`;
      case 17:
        return `${this.pick(['round', 'trunc'])}(${g('int')}, ${this.pick(['-1', '-2', '0', '1'])})`;
      case 18:
        return `${this.pick(['CAST', 'TRY_CAST'])}(${g('float')} AS bigint)`;
      case 19:
        return `TRY_CAST(${g('text')} AS ${this.pick(['int', 'bigint'])})`;
      case 20:
        return `${this.pick(['hour', 'minute', 'second'])}(${g('ts')})`;
      case 21:
        return `octet_length(${g('text')})`;
      case 22:
        return this.exactDecimal ? `CAST(${g('dec')} AS ${this.pick(['int', 'bigint'])})` : `mod(${g('int')}, ${g('int')})`;
      default:
        return `EXTRACT(${this.pick(['YEAR', 'MONTH', 'DAY', 'DOW', 'DOY'])} FROM ${g('date')})`;
    }
  }

  private decLeaf(): string {
    return this.pick(['n', 'n', '1.5', '-0.25', '100.00', '0.001', '12345678901234.5678']);
  }

  private dec(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 12)) {
      case 0:
        return `${g('dec')} + ${this.pick([g('dec'), g('int')])}`;
      case 1:
        return `${g('dec')} - ${g('dec')}`;
      case 2:
        return `${g('dec')} * ${this.pick([g('dec'), this.intLit(), '0.5'])}`;
      case 3:
        return `${this.decLeaf()} / ${this.pick([this.decLeaf(), this.intLeaf(), '3', '7'])}`;
      case 4:
        return `${this.pick(['round', 'trunc'])}(${g('dec')}, ${this.pick(['0', '1', '2', '-1'])})`;
      case 5:
        return `${this.pick(['ceil', 'floor', 'abs'])}(${g('dec')})`;
      case 6:
        return `CAST(${g('int')} AS decimal(30,2))`;
      case 7:
        return `TRY_CAST(${g('text')} AS decimal(12,3))`;
      case 8:
        return `coalesce(${g('dec')}, ${g('dec')})`;
      case 9:
        return `CASE WHEN ${g('bool')} THEN ${g('dec')} ELSE ${g('int')} END`;
      case 10:
        return `${g('dec')} % ${this.pick(['3', '0.7', '-2', 'i'])}`;
      default:
        return `-(${g('dec')})`;
    }
  }

  private floatLeaf(): string {
    return this.pick(['f', 'f', '1.5e0', '-2.5e0', '1e3', '0.125e0']);
  }

  private float(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 14)) {
      case 0:
        return `${g('float')} + ${this.pick([g('float'), g('int')])}`;
      case 1:
        return `${g('float')} - ${g('float')}`;
      case 2:
        return `${this.floatLeaf()} * ${this.pick([this.floatLeaf(), 'i', '3'])}`;
      case 3:
        return `${g('float')} / ${this.pick([g('float'), this.intLeaf()])}`;
      case 4:
        return `sqrt(abs(${g('float')}))`;
      case 5:
        return `power(${this.floatLeaf()}, ${this.pick(['2', '3', '0.5e0', '-1'])})`;
      case 6:
        return `round(${g('float')}, ${this.pick(['0', '1', '2', '-1'])})`;
      case 7:
        return `${this.pick(['ceil', 'floor', 'abs', 'trunc'])}(${g('float')})`;
      case 8:
        return `CAST(${g('int')} AS float)`;
      case 9:
        return `ln(abs(${g('float')}) + 1)`;
      case 10:
        return `exp(${this.pick(['0', '1', '-1.5e0', 'f / 1e10'])})`;
      case 11:
        return `${this.pick(['greatest', 'least'])}(${g('float')}, ${g('int')})`;
      case 12:
        return `TRY_CAST(${g('text')} AS float)`;
      default:
        return `coalesce(${g('float')}, ${g('float')})`;
    }
  }

  textLit(): string {
    return this.pick(["'abc'", "''", "'ABC'", "'é'", "'a b'", "'Straße'", "'😀'", "'x'", "'12'", ':p_text', "'it''s'"]);
  }

  private textLeaf(): string {
    return this.pick(['s', 's', 's2', this.textLit()]);
  }

  private likePattern(): string {
    const parts = ['a', 'b', 'A', 'é', '%', '%', '_', '\\%', '\\_', ' ', 'ß', '*', '?', '[', 'abc', 'X'];
    let p = '';
    const n = 1 + Math.floor(this.rnd() * 4);
    for (let i = 0; i < n; i++) p += this.pick(parts);
    return `'${p}'`;
  }

  private text(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 27)) {
      case 0:
        return `lower(${g('text')})`;
      case 1:
        return `upper(${g('text')})`;
      case 2:
        return `${this.pick(['trim', 'ltrim', 'rtrim'])}(${g('text')})`;
      case 3:
        return `substr(${g('text')}, ${this.small()}${this.chance(0.6) ? `, ${this.pick(['0', '1', '2', '3', '10'])}` : ''})`;
      case 4:
        return `replace(${g('text')}, ${this.pick(["'a'", "''", "'b'", "' '", 's2'])}, ${this.textLit()})`;
      case 5:
        return `${this.pick(['left', 'right'])}(${g('text')}, ${this.small()})`;
      case 6:
        return `${this.pick(['lpad', 'rpad'])}(${g('text')}, ${this.pick(['0', '3', '6', '-1'])}${this.chance(0.7) ? `, ${this.pick(["'*'", "''", "'ab'", "'é'"])}` : ''})`;
      case 7:
        return `concat(${g('text')}, ${this.pick([g('text'), g('int'), g('date'), 'ok'])}${this.chance(0.5) ? `, ${g('text')}` : ''})`;
      case 8:
        return `${g('text')} || ${this.pick([g('text'), g('int'), g('date')])}`;
      case 9:
        return `reverse(${g('text')})`;
      case 10:
        return `split_part(${g('text')}, ${this.pick(["','", "' '", "'b'", "''"])}, ${this.pick(['1', '2', '3'])})`;
      case 11:
        return `repeat(${g('text')}, ${this.pick(['0', '2', '-1', '3'])})`;
      case 12:
        return `CASE WHEN ${g('bool')} THEN ${g('text')} ELSE ${g('text')} END`;
      case 13:
        return `coalesce(${g('text')}, ${g('text')})`;
      case 14:
        return `nullif(${g('text')}, ${g('text')})`;
      case 15:
        return `CAST(${g('int')} AS text)`;
      case 16:
        return `CAST(${this.pick([g('date'), g('ts'), 'tz'])} AS text)`;
      case 17:
        return `CAST(${g('bool')} AS text)`;
      case 18:
        return `to_char(${this.pick([g('date'), g('ts')])}, ${this.pick(["'YYYY-MM-DD'", "'DD.MM.YYYY'", "'YYYY/MM'", "'HH24:MI:SS'", "'YYYYMMDD HH24MI'"])})`;
      case 19:
        return `md5(${g('text')})`;
      case 20:
        return `${this.pick(['greatest', 'least'])}(${g('text')}, ${g('text')})`;
      case 21:
        return this.exactDecimal ? `CAST(${g('dec')} AS text)` : `upper(${g('text')})`;
      case 22:
        return `CASE ${g('text')} WHEN ${this.textLit()} THEN 'one' WHEN ${this.textLit()} THEN 'two' ELSE 'other' END`;
      case 23:
        return `substring(${g('text')} FROM ${this.small()} FOR ${this.pick(['1', '2'])})`;
      case 24:
        return `trim(${g('text')}, ${this.pick(["' a'", "'x'", "'é'"])})`;
      case 25:
        return `sha256(${g('text')})`;
      default:
        return `CAST(${g('text')} AS text)`;
    }
  }

  private dateLeaf(): string {
    return this.pick(['d', 'd', "DATE '2024-02-29'", "DATE '1969-12-31'", ':p_date']);
  }

  private date(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 9)) {
      case 0:
        return `${g('date')} + ${this.small()}`;
      case 1:
        return `${g('date')} - ${this.pick(['1', '30', '365'])}`;
      case 2:
        return `date_add(${g('date')}, ${this.pick(['1', '-1', '12', '13', '-25'])}, ${this.pick(["'day'", "'week'", "'month'", "'year'", "'quarter'"])})`;
      case 3:
        return `date_trunc(${this.pick(["'year'", "'quarter'", "'month'", "'week'", "'day'"])}, ${g('date')})`;
      case 4:
        return this.chance(0.5) ? `CAST(${g('ts')} AS date)` : `${this.pick(['CAST', 'TRY_CAST'])}(${this.pick(['s', "'2024-02-29'", "' 1999-12-31 '"])} AS date)`;
      case 5:
        return `coalesce(${g('date')}, ${this.dateLeaf()})`;
      case 6:
        return `to_date(to_char(${g('date')}, 'DD.MM.YYYY'), 'DD.MM.YYYY')`;
      case 7:
        return `CASE WHEN ${g('bool')} THEN ${g('date')} END`;
      default:
        return `${this.pick(['greatest', 'least'])}(${g('date')}, ${this.dateLeaf()})`;
    }
  }

  private tsLeaf(): string {
    return this.pick(['ts', 'ts', "TIMESTAMP '2024-02-29 12:00:00.25'", "TIMESTAMP '1900-01-01 00:00:00'"]);
  }

  private ts(d: number): string {
    const g = (k: Kind) => this.gen(k, d);
    switch (Math.floor(this.rnd() * 7)) {
      case 0:
        return `date_add(${g('ts')}, ${this.pick(['1', '-1', '36', '100000'])}, ${this.pick(["'hour'", "'minute'", "'second'", "'day'", "'month'"])})`;
      case 1:
        return `date_trunc(${this.pick(["'year'", "'month'", "'week'", "'day'", "'hour'", "'minute'", "'second'"])}, ${g('ts')})`;
      case 2:
        return `CAST(${g('date')} AS timestamp)`;
      case 3:
        return `coalesce(${g('ts')}, ${this.tsLeaf()})`;
      case 4:
        return `CAST(tz AS timestamp)`;
      case 5:
        return `to_timestamp(to_char(${g('ts')}, 'YYYY-MM-DD HH24:MI:SS'), 'YYYY-MM-DD HH24:MI:SS')`;
      default:
        return `CASE WHEN ${g('bool')} THEN ${g('ts')} ELSE ${g('ts')} END`;
    }
  }

  /** A top-level expression of a random type. */
  next(): { text: string; kind: Kind } {
    const kind = this.pick<Kind>(['bool', 'bool', 'bool', 'int', 'int', 'text', 'text', 'float', 'date', 'ts', ...(this.exactDecimal ? (['dec', 'dec'] as Kind[]) : [])]);
    return { text: this.gen(kind, 1 + Math.floor(this.rnd() * 3)), kind };
  }
}
