import type { Dialect } from '../connectors/types';
import { Decimal } from '../model/decimal';
import { quoteIdent, quoteString } from '../model/sql';
import type { Value } from '../model/values';
import { walk, type BinaryNode, type Expr, type ExprType, type LikeNode } from './ast';
import { formatFloat } from './cast';
import { ExprRenderError } from './errors';
import { lookupFunction } from './functions/index';
import { NUMERIC_RE } from './functions/string';
import type { SqlApi } from './functions/types';
import { lowerText } from './text';

/**
 * Renders a checked expression tree as SQL for one dialect, so that the database computes
 * what the engine computes (see docs/expressions.md, "Where databases disagree"). Every
 * compound part is parenthesised, so the output can be embedded anywhere.
 *
 * Assumptions about the connection, documented for connectors: PostgreSQL and MySQL sessions
 * use the UTC time zone; MySQL uses utf8mb4; PostgreSQL prints floats in shortest form
 * (extra_float_digits >= 1, the default since PostgreSQL 12); SQLite connections have the
 * Sluice function pack registered (registerSqliteFunctions).
 */

export interface RenderOptions {
  /** How a column is written (default: quoteIdent for the dialect). */
  column?: (name: string) => string;
  /** How a parameter is written (default `:name`, which better-sqlite3 and mysql2's namedPlaceholders accept). */
  param?: (name: string) => string;
}

export interface RenderResult {
  sql: string;
  /** Where the SQL only approximates Sluice's semantics in this dialect (empty when exact). */
  notes: string[];
}

const WS = ' \t\n\r\f\v';
const WS_CLASS = `[${WS}]`;
const INT_TEXT_RE = `^${WS_CLASS}*[+-]?[0-9]+${WS_CLASS}*$`;
const FLOAT_WORD_RE = `^${WS_CLASS}*[+-]?([iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])${WS_CLASS}*$`;
const DATE_TEXT_RE = `^${WS_CLASS}*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?${WS_CLASS}*$`;
const TS_TEXT_RE = `^${WS_CLASS}*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?${WS_CLASS}*$`;
const TSTZ_TEXT_RE = `^${WS_CLASS}*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?${WS_CLASS}*$`;
const TIME_TEXT_RE = `^${WS_CLASS}*[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?${WS_CLASS}*$`;
const UUID_TEXT_RE = `^${WS_CLASS}*[{]?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}[}]?${WS_CLASS}*$`;
const TRUE_WORDS = ['true', 't', 'yes', 'y', 'on', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', 'off', '0'];

function typeName(t: ExprType, d: Dialect): string {
  const p = t.precision;
  const s = t.scale ?? 0;
  switch (d) {
    case 'postgres':
      switch (t.kind) {
        case 'boolean':
          return 'BOOLEAN';
        case 'int':
          return 'INTEGER';
        case 'bigint':
          return 'BIGINT';
        case 'decimal':
          return p === undefined ? 'NUMERIC' : `NUMERIC(${p},${s})`;
        case 'float':
          return 'DOUBLE PRECISION';
        case 'date':
          return 'DATE';
        case 'time':
          return 'TIME';
        case 'timestamp':
          return 'TIMESTAMP';
        case 'timestamptz':
          return 'TIMESTAMPTZ';
        case 'json':
          return 'JSON';
        case 'bytes':
          return 'BYTEA';
        case 'uuid':
          return 'UUID';
        default:
          return 'TEXT';
      }
    case 'mysql':
      switch (t.kind) {
        case 'boolean':
        case 'int':
        case 'bigint':
          return 'SIGNED';
        case 'decimal':
          return p === undefined ? 'DECIMAL(65,30)' : `DECIMAL(${Math.min(p, 65)},${Math.min(s, 30)})`;
        case 'float':
          return 'DOUBLE';
        case 'date':
          return 'DATE';
        case 'time':
          return 'TIME(6)';
        case 'timestamp':
        case 'timestamptz':
          return 'DATETIME(6)';
        case 'bytes':
          return 'BINARY';
        default:
          return 'CHAR';
      }
    case 'sqlite':
      switch (t.kind) {
        case 'boolean':
        case 'int':
        case 'bigint':
          return 'INTEGER';
        case 'decimal':
          return 'NUMERIC';
        case 'float':
          return 'REAL';
        case 'bytes':
          return 'BLOB';
        default:
          return 'TEXT';
      }
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** A SQL literal for a value of a Sluice type. */
export function renderLiteral(v: Value, t: ExprType, d: Dialect): string {
  if (v === null) return d === 'postgres' && t.kind !== 'null' ? `CAST(NULL AS ${typeName(t, d)})` : 'NULL';
  const neg = (s: string) => (s.startsWith('-') ? `(${s})` : s);
  switch (t.kind) {
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'int':
    case 'bigint':
      return neg(String(v));
    case 'decimal': {
      const s = v instanceof Decimal ? v.toString() : String(v);
      return neg(s);
    }
    case 'float': {
      const n = v as number;
      if (Number.isNaN(n)) {
        if (d === 'postgres') return `CAST('NaN' AS DOUBLE PRECISION)`;
        throw new ExprRenderError(`${d === 'mysql' ? 'MySQL' : 'SQLite'} has no NaN`);
      }
      if (!Number.isFinite(n)) {
        if (d === 'postgres') return `CAST('${n > 0 ? '' : '-'}Infinity' AS DOUBLE PRECISION)`;
        if (d === 'sqlite') return n > 0 ? '9e999' : '(-9e999)';
        throw new ExprRenderError('MySQL has no infinite floats');
      }
      let s = formatFloat(n);
      if (s === '-0') s = '-0.0';
      if (!/[e]/.test(s)) s += 'e0';
      return d === 'postgres' ? `CAST(${s} AS DOUBLE PRECISION)` : neg(s);
    }
    case 'date':
      return d === 'sqlite' ? quoteString(v as string, d) : `DATE ${quoteString(v as string, d)}`;
    case 'time':
      return d === 'sqlite' ? quoteString(v as string, d) : `TIME ${quoteString(v as string, d)}`;
    case 'timestamp':
      return d === 'sqlite' ? quoteString(v as string, d) : `TIMESTAMP ${quoteString(v as string, d)}`;
    case 'timestamptz':
      if (d === 'postgres') return `TIMESTAMPTZ ${quoteString(v as string, d)}`;
      if (d === 'mysql') return `TIMESTAMP ${quoteString((v as string).slice(0, -6), d)}`;
      return quoteString(v as string, d);
    case 'uuid':
      return d === 'postgres' ? `CAST(${quoteString(v as string, d)} AS UUID)` : quoteString(v as string, d);
    case 'json':
      return d === 'postgres' ? `CAST(${quoteString(v as string, d)} AS JSON)` : quoteString(v as string, d);
    case 'bytes':
      return d === 'postgres' ? `DECODE('${hex(v as Uint8Array)}', 'hex')` : `X'${hex(v as Uint8Array)}'`;
    default:
      if (v instanceof Uint8Array) return `X'${hex(v)}'`;
      return quoteString(String(v), d);
  }
}

/** LIKE pattern -> GLOB pattern (SQLite's GLOB is case-sensitive; its LIKE is not). */
function likeToGlob(pattern: string, escape: string): string {
  let out = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i];
    let literal = false;
    if (escape !== '' && c === escape) {
      c = chars[++i] ?? '';
      literal = true;
    }
    if (!literal && c === '%') out += '*';
    else if (!literal && c === '_') out += '?';
    else if (c === '*' || c === '?' || c === '[') out += `[${c}]`;
    else out += c;
  }
  return out;
}

/** Whether a decimal expression picks among values of different scales (CASE, COALESCE, ...). */
function mixesDecimalScales(e: Expr): boolean {
  let found = false;
  walk(e, (n) => {
    if (n.type?.kind !== 'decimal') return;
    if (n.kind === 'case' || (n.kind === 'call' && ['coalesce', 'greatest', 'least', 'nullif'].includes(n.name))) found = true;
  });
  return found;
}

class Renderer implements Omit<SqlApi, 'args' | 'nodes' | 'call'> {
  readonly notes: string[] = [];
  /** Set while rendering comparison operands: int -> bigint casts are not needed there. */
  private comparing = false;
  /** Set while rendering a decimal whose branches may differ in scale (CASE, COALESCE ...). */
  private mixesScales = false;

  constructor(
    readonly dialect: Dialect,
    private readonly opts: RenderOptions,
  ) {}

  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }

  str(s: string): string {
    return quoteString(s, this.dialect);
  }

  literal(v: Value, t: ExprType): string {
    return renderLiteral(v, t, this.dialect);
  }

  raise(message: string, valueSql: string, t: ExprType): string {
    const value = `COALESCE(CAST(${valueSql} AS ${this.dialect === 'mysql' ? 'CHAR' : 'TEXT'}), 'NULL')`;
    switch (this.dialect) {
      case 'postgres':
        // Casting text that starts with a letter to INTEGER always fails: PostgreSQL's error
        // then shows the message and the offending value. The outer casts give the CASE arm its type.
        return `CAST(CAST(CAST(${this.str('sluice: ' + message)} || ${value} AS INTEGER) AS TEXT) AS ${typeName(t.kind === 'null' ? { kind: 'text' } : t, 'postgres')})`;
      case 'sqlite':
        return `sluice_error(${this.str(message)} || ${value})`;
      case 'mysql':
        return 'NULL';
    }
  }

  textCompare(op: string, a: string, b: string): string {
    switch (this.dialect) {
      case 'postgres':
        return op === '=' || op === '<>' ? `(${a} ${op} ${b})` : `(${a} COLLATE "C" ${op} ${b})`;
      case 'mysql':
        return `(BINARY ${a} ${op} BINARY ${b})`;
      case 'sqlite':
        return `(${a} ${op} ${b} COLLATE BINARY)`;
    }
  }

  render(e: Expr): string {
    // `comparing` holds for the direct operands of a comparison only, not deeper.
    const direct = this.comparing;
    this.comparing = false;
    try {
      return this.renderNode(e, direct);
    } finally {
      this.comparing = direct;
    }
  }

  private renderNode(e: Expr, direct: boolean): string {
    switch (e.kind) {
      case 'literal':
        if (e.type.kind === 'decimal') this.decimalNote();
        // PostgreSQL reads small integer literals as int4: where Sluice computes in 64 bits
        // (abs(-2147483648)), say so; comparisons need no cast (and keep indexes usable).
        if (this.dialect === 'postgres' && e.type.kind === 'bigint' && typeof e.value === 'number' && Math.abs(e.value) <= 2 ** 31 && !direct) return `CAST(${this.literal(e.value, e.type)} AS BIGINT)`;
        return this.literal(e.value, e.type);
      case 'column':
        if (e.type?.kind === 'decimal') this.decimalNote();
        return this.opts.column ? this.opts.column(e.name) : quoteIdent(e.name, this.dialect);
      case 'param':
        if (e.type?.kind === 'decimal') this.decimalNote();
        return this.opts.param ? this.opts.param(e.name) : `:${e.name}`;
      case 'unary':
        if (e.op === 'not') return `(NOT ${this.render(e.operand)})`;
        if (e.op === '+') return this.render(e.operand);
        if (e.type?.kind === 'decimal') this.decimalNote();
        return `(- ${this.render(e.operand)})`;
      case 'binary':
        return this.binary(e);
      case 'is': {
        const x = this.render(e.operand);
        if (e.test === 'null' || e.test === 'unknown') return `(${x} IS ${e.negated ? 'NOT ' : ''}NULL)`;
        return `(${x} IS ${e.negated ? 'NOT ' : ''}${e.test === 'true' ? 'TRUE' : 'FALSE'})`;
      }
      case 'distinct': {
        const [a, b] = this.operands(e.left, e.right);
        const text = e.left.type?.kind === 'text';
        switch (this.dialect) {
          case 'postgres':
            return `(${a} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${b})`;
          case 'sqlite':
            return `(${a} IS ${e.negated ? '' : 'NOT '}${b}${text ? ' COLLATE BINARY' : ''})`;
          case 'mysql': {
            const eq = text ? `(BINARY ${a} <=> BINARY ${b})` : `(${a} <=> ${b})`;
            return e.negated ? eq : `(NOT ${eq})`;
          }
        }
        break;
      }
      case 'in': {
        const [x, ...items] = this.operands(e.operand, ...e.list);
        const not = e.negated ? 'NOT ' : '';
        if (e.operand.type?.kind === 'text') {
          if (this.dialect === 'mysql') return `(BINARY ${x} ${not}IN (${items.join(', ')}))`;
          if (this.dialect === 'sqlite') return `(${x} COLLATE BINARY ${not}IN (${items.join(', ')}))`;
        }
        return `(${x} ${not}IN (${items.join(', ')}))`;
      }
      case 'between': {
        const [x, lo, hi] = this.operands(e.operand, e.low, e.high);
        const not = e.negated ? 'NOT ' : '';
        if (e.operand.type?.kind === 'text') {
          if (this.dialect === 'postgres') return `(${x} COLLATE "C" ${not}BETWEEN ${lo} AND ${hi})`;
          if (this.dialect === 'mysql') return `(BINARY ${x} ${not}BETWEEN ${lo} AND ${hi})`;
          return `(${x} COLLATE BINARY ${not}BETWEEN ${lo} AND ${hi})`;
        }
        return `(${x} ${not}BETWEEN ${lo} AND ${hi})`;
      }
      case 'like':
        return this.like(e);
      case 'case': {
        const parts: string[] = ['CASE'];
        for (const w of e.whens) {
          const cond = e.operand ? this.comparison('=', e.operand, w.when) : this.render(w.when);
          parts.push(`WHEN ${cond} THEN ${this.render(w.then)}`);
        }
        if (e.else) parts.push(`ELSE ${this.render(e.else)}`);
        parts.push('END');
        return `(${parts.join(' ')})`;
      }
      case 'cast': {
        const save = this.mixesScales;
        this.mixesScales = e.target.kind === 'text' && e.operand.type?.kind === 'decimal' && mixesDecimalScales(e.operand);
        try {
          const inner = this.render(e.operand);
          this.comparing = direct;
          return this.cast(inner, e.operand.type ?? { kind: 'null' }, e.target, e.mode);
        } finally {
          this.mixesScales = save;
        }
      }
      case 'call':
        return this.call(e);
    }
  }

  /** Renders comparison operands (no int -> bigint widening needed there). */
  private operands(...nodes: Expr[]): string[] {
    const save = this.comparing;
    this.comparing = true;
    try {
      return nodes.map((n) => this.render(n));
    } finally {
      this.comparing = save;
    }
  }

  private comparison(op: string, left: Expr, right: Expr): string {
    const [a, b] = this.operands(left, right);
    if (left.type?.kind === 'text') return this.textCompare(op, a, b);
    return `(${a} ${op} ${b})`;
  }

  private decimalNote(): void {
    if (this.dialect === 'sqlite') this.note('SQLite has no exact decimal type: decimal values are REAL there');
  }

  private binary(e: BinaryNode): string {
    const { op, left, right } = e;
    switch (op) {
      case 'and':
      case 'or':
        return `(${this.render(left)} ${op.toUpperCase()} ${this.render(right)})`;
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.comparison(op, left, right);
      case '||': {
        const a = this.render(left);
        const b = this.render(right);
        return this.dialect === 'mysql' ? `CONCAT(${a}, ${b})` : `(${a} || ${b})`;
      }
    }
    return this.arithmetic(e);
  }

  private arithmetic(e: BinaryNode): string {
    const { op, left, right } = e;
    const d = this.dialect;
    const lk = left.type?.kind;
    const rk = right.type?.kind;
    const a = this.render(left);
    // A literal right operand meets a left operand already widened: no cast needed.
    const b = right.kind === 'literal' ? this.literal(right.value, right.type) : this.render(right);
    if (lk === 'date' || rk === 'date') {
      if (lk === 'date' && rk === 'date') {
        if (d === 'postgres') return `(${a} - ${b})`;
        if (d === 'mysql') return `DATEDIFF(${a}, ${b})`;
        return `CAST(julianday(${a}) - julianday(${b}) AS INTEGER)`;
      }
      const [date, n] = lk === 'date' ? [a, b] : [b, a];
      const minus = op === '-';
      if (d === 'postgres') return `(${date} ${minus ? '-' : '+'} CAST(${n} AS INTEGER))`;
      if (d === 'mysql') return `${minus ? 'DATE_SUB' : 'DATE_ADD'}(${date}, INTERVAL ${n} DAY)`;
      // 'N days' as a modifier; a NULL count makes the modifier and so the result NULL.
      return `date(${date}, ${minus ? `(-(${n}))` : `(${n})`} || ' days')`;
    }
    const k = e.type?.kind;
    if (k === 'bigint') {
      if (op === '/') return d === 'mysql' ? `(${a} DIV NULLIF(${b}, 0))` : d === 'postgres' ? `(${a} / NULLIF(${b}, 0))` : `(${a} / ${b})`;
      if (op === '%') return d === 'sqlite' ? `(${a} % ${b})` : `(${a} % NULLIF(${b}, 0))`;
      return `(${a} ${op} ${b})`;
    }
    if (k === 'decimal') {
      this.decimalNote();
      const t = e.type!;
      if (d === 'mysql' && ((t.precision ?? 0) > 65 || (t.scale ?? 0) > 30)) this.note('MySQL decimals hold at most 65 digits, 30 after the point: this result may be rounded there');
      if (op === '/') return this.decimalDivide(a, b, e.type!.scale ?? 6);
      // MariaDB's decimal % can give -0.000, which then is not = 0: + 0 normalises it.
      if (op === '%') return d === 'sqlite' ? `(${a} % ${b})` : d === 'mysql' ? `((${a} % NULLIF(${b}, 0)) + 0)` : `(${a} % NULLIF(${b}, 0))`;
      return `(${a} ${op} ${b})`;
    }
    if (op === '/') return d === 'sqlite' ? `(${a} / ${b})` : `(${a} / NULLIF(${b}, 0))`;
    return `(${a} ${op} ${b})`;
  }

  /** Exact decimal division rounded half away from zero at `scale` digits. */
  private decimalDivide(a: string, b: string, scale: number): string {
    // Decimal literals (.0): an integer operand times 10^n must not overflow 64-bit arithmetic.
    const pow = (n: number) => '1' + '0'.repeat(n) + '.0';
    const inv = (n: number) => (n === 0 ? '1' : '0.' + '0'.repeat(n - 1) + '1');
    switch (this.dialect) {
      case 'postgres':
        // DIV truncates exactly; one extra digit decides the rounding (half away from zero).
        return `ROUND(DIV(${a} * ${pow(scale + 1)}, NULLIF(${b}, 0)) * ${inv(scale + 1)}, ${scale})`;
      case 'mysql': {
        // MySQL's / keeps only 4 more digits: build the quotient from MOD, which is exact.
        const x = `(${a} * ${pow(scale)})`;
        const y = `NULLIF(${b} + 0.0, 0)`;
        const q = `((${x} - MOD(${x}, ${y})) / ${y})`;
        const adj = `(CASE WHEN 2 * ABS(MOD(${x}, ${y})) >= ABS(${y}) THEN SIGN(${x}) * SIGN(${y}) ELSE 0 END)`;
        return `ROUND((${q} + ${adj}) * ${inv(scale)}, ${scale})`;
      }
      case 'sqlite':
        return `(CAST(${a} AS REAL) / ${b})`;
    }
  }

  private like(e: LikeNode): string {
    const d = this.dialect;
    const esc = e.escape && e.escape.kind === 'literal' ? (e.escape.value as string) : '\\';
    const not = e.negated ? 'NOT ' : '';
    let x = this.render(e.operand);
    const literal = e.pattern.kind === 'literal' && typeof e.pattern.value === 'string' ? e.pattern.value : undefined;
    if (d === 'sqlite') {
      if (e.caseInsensitive) x = `sluice_lower(${x})`;
      if (literal !== undefined) {
        const p = e.caseInsensitive ? lowerText(literal) : literal;
        return `(${x} ${not}GLOB ${this.str(likeToGlob(p, esc))})`;
      }
      const p = this.render(e.pattern);
      return `(${e.negated ? 'NOT ' : ''}sluice_like(${x}, ${e.caseInsensitive ? `sluice_lower(${p})` : p}, ${this.str(esc)}))`;
    }
    let p = this.render(e.pattern);
    if (e.caseInsensitive) {
      x = `LOWER(${x})`;
      p = `LOWER(${p})`;
    }
    if (d === 'postgres') return `(${x} ${not}LIKE ${p} ESCAPE ${this.str(esc)})`;
    if (esc === '') {
      // MySQL's ESCAPE '' still escapes with backslash: double the backslashes instead.
      p = literal !== undefined ? this.str((e.caseInsensitive ? lowerText(literal) : literal).replaceAll('\\', '\\\\')) : `REPLACE(${p}, '\\\\', '\\\\\\\\')`;
    }
    return `(${x} COLLATE utf8mb4_bin ${not}LIKE ${p} ESCAPE ${this.str(esc === '' ? '\\' : esc)})`;
  }

  private call(e: Extract<Expr, { kind: 'call' }>): string {
    const def = lookupFunction(e.name);
    if (!def) throw new ExprRenderError(`unknown function '${e.name}'`, e.start, e.end);
    const args = e.args.map((a) => this.render(a));
    const api: SqlApi = {
      dialect: this.dialect,
      args,
      nodes: e.args,
      call: e,
      render: (x) => this.render(x),
      literal: (v, t) => this.literal(v, t),
      str: (s) => this.str(s),
      raise: (m, v, t) => this.raise(m, v, t),
      note: (m) => this.note(m),
      textCompare: (op, a, b) => this.textCompare(op, a, b),
      cast: (sql, from, to, mode) => this.cast(sql, from, to, mode),
    };
    return def.sql(api);
  }

  private guard(x: string, re: string): string {
    switch (this.dialect) {
      case 'postgres':
        return `${x} ~ ${this.str(re)}`;
      case 'mysql':
        return `${x} COLLATE utf8mb4_bin REGEXP ${this.str(re)}`;
      case 'sqlite':
        return `${x} REGEXP ${this.str(re)}`;
    }
  }

  /** CAST with Sluice's semantics. */
  cast(x: string, from: ExprType, to: ExprType, mode: 'cast' | 'try' | 'implicit'): string {
    const d = this.dialect;
    const f = from.kind;
    const t = to.kind;
    if (f === 'null') return this.literal(null, to);
    if (mode === 'implicit') {
      if (f === t) return x;
      if (f === 'int' && t === 'bigint') return d === 'postgres' && !this.comparing ? `CAST(${x} AS BIGINT)` : x;
      if (t === 'decimal' && (f === 'int' || f === 'bigint')) return x;
      if (t === 'float') return d === 'postgres' ? `CAST(${x} AS DOUBLE PRECISION)` : d === 'sqlite' ? `CAST(${x} AS REAL)` : `CAST(${x} AS DOUBLE)`;
    }
    if (t === 'text') return this.toText(x, from);
    if (f === 'text') return this.fromText(x, to, mode);
    const fail = (v: string) => (mode === 'try' ? 'NULL' : this.raise(`CAST to ${t}: out of range: `, v, to));
    switch (t) {
      case 'boolean':
        if (f === 'int' || f === 'bigint') return `(${x} <> 0)`;
        return x;
      case 'int':
      case 'bigint': {
        if (f === 'boolean') return d === 'postgres' ? `(CASE WHEN ${x} THEN 1 WHEN NOT ${x} THEN 0 END)` : x;
        if (f === 'float') {
          if (d === 'sqlite') return `sluice_${mode === 'try' ? 'try_' : ''}float_to_int(${x}, '${t}')`;
          // Half away from zero on the exact float (x - trunc(x) is exact): no decimal detour,
          // which would read 2^63 - 1024 as its shortest digits 9.223372036854776e18.
          const tr = d === 'postgres' ? `TRUNC(${x})` : `TRUNCATE(${x}, 0)`;
          const rounded = `(${tr} + (CASE WHEN ABS(${x} - ${tr}) >= 0.5 THEN SIGN(${x}) ELSE 0 END))`;
          return this.intRange(rounded, t, mode);
        }
        if (f === 'decimal') {
          if (d === 'sqlite') {
            this.decimalNote();
            return `CAST(round(${x}) AS INTEGER)`;
          }
          return this.intRange(`ROUND(${x})`, t, mode);
        }
        if (t === 'int' && f === 'bigint') return this.intRange(x, 'int', mode);
        return x;
      }
      case 'decimal': {
        if (d === 'sqlite') {
          this.decimalNote();
          return to.scale !== undefined && to.precision !== undefined ? `round(${x}, ${to.scale})` : x;
        }
        const src = f === 'float' ? (d === 'postgres' ? `CAST(${x} AS TEXT)` : `CAST(${x} AS CHAR)`) : x;
        if (f === 'float' && d === 'mysql') this.note('floats of 1e35 and above do not fit DECIMAL(65,30) on MySQL');
        if (to.precision === undefined) return d === 'postgres' ? `CAST(${src} AS NUMERIC)` : `CAST(${src} AS DECIMAL(65,30))`;
        if (d === 'mysql' && (to.precision > 65 || (to.scale ?? 0) > 30)) this.note('MySQL decimals hold at most 65 digits, 30 after the point');
        const limit = '1' + '0'.repeat(to.precision - (to.scale ?? 0));
        const rounded = d === 'postgres' ? `ROUND(CAST(${src} AS NUMERIC), ${to.scale ?? 0})` : `ROUND(CAST(${src} AS DECIMAL(65,30)), ${to.scale ?? 0})`;
        if (mode === 'try' || d === 'mysql') return `(CASE WHEN ABS(${rounded}) < ${limit} THEN CAST(${src} AS ${typeName(to, d)}) ELSE ${fail(x)} END)`;
        return `CAST(${src} AS ${typeName(to, d)})`;
      }
      case 'float':
        if (d === 'postgres') return `CAST(${f === 'boolean' ? `CAST(${x} AS INTEGER)` : x} AS DOUBLE PRECISION)`;
        if (d === 'mysql') return `CAST(${x} AS DOUBLE)`;
        return `CAST(${x} AS REAL)`;
      case 'date':
        if (f === 'date') return x;
        if (d === 'postgres') return f === 'timestamptz' ? `CAST((${x} AT TIME ZONE 'UTC') AS DATE)` : `CAST(${x} AS DATE)`;
        if (d === 'mysql') return `DATE(${x})`;
        return `substr(${x}, 1, 10)`;
      case 'timestamp':
        if (f === 'timestamp') return x;
        if (d === 'postgres') return f === 'timestamptz' ? `(${x} AT TIME ZONE 'UTC')` : `CAST(${x} AS TIMESTAMP)`;
        if (d === 'mysql') return `CAST(${x} AS DATETIME(6))`;
        return f === 'date' ? `(${x} || ' 00:00:00')` : `substr(${x}, 1, length(${x}) - 6)`;
      case 'timestamptz':
        if (f === 'timestamptz') return x;
        if (d === 'postgres') return f === 'date' ? `(CAST(${x} AS TIMESTAMP) AT TIME ZONE 'UTC')` : `(${x} AT TIME ZONE 'UTC')`;
        if (d === 'mysql') return `CAST(${x} AS DATETIME(6))`;
        return f === 'date' ? `(${x} || ' 00:00:00+00:00')` : `(${x} || '+00:00')`;
      case 'time':
        if (f === 'time') return x;
        if (d === 'postgres') return f === 'timestamptz' ? `CAST((${x} AT TIME ZONE 'UTC') AS TIME)` : `CAST(${x} AS TIME)`;
        if (d === 'mysql') return `CAST(${x} AS TIME(6))`;
        return f === 'timestamptz' ? `substr(${x}, 12, length(${x}) - 17)` : `substr(${x}, 12)`;
      default:
        return x;
    }
  }

  /** Range check for CAST to int/bigint of an exact numeric SQL expression. */
  private intRange(x: string, t: 'int' | 'bigint', mode: 'cast' | 'try' | 'implicit'): string {
    const d = this.dialect;
    if (d === 'sqlite') return `CAST(${x} AS INTEGER)`;
    const target = t === 'int' ? (d === 'postgres' ? 'INTEGER' : 'SIGNED') : d === 'postgres' ? 'BIGINT' : 'SIGNED';
    if (mode !== 'try' && d === 'postgres') return `CAST(${x} AS ${target})`;
    // x < 2^63 rather than x <= 2^63 - 1: the bound stays exact when x is a float.
    const [lo, end] = t === 'int' ? ['-2147483648', '2147483648'] : ['-9223372036854775808', '9223372036854775808'];
    return `(CASE WHEN ${x} >= ${lo} AND ${x} < ${end} THEN CAST(${x} AS ${target}) ELSE ${mode === 'try' ? 'NULL' : this.raise(`CAST to ${t}: out of range: `, x, { kind: t })} END)`;
  }

  private toText(x: string, from: ExprType): string {
    const d = this.dialect;
    const textType = d === 'mysql' ? 'CHAR' : 'TEXT';
    switch (from.kind) {
      case 'text':
        return x;
      case 'int':
      case 'bigint':
        return `CAST(${x} AS ${textType})`;
      case 'boolean':
        return d === 'postgres' ? `CAST(${x} AS TEXT)` : `(CASE WHEN ${x} THEN 'true' WHEN NOT ${x} THEN 'false' END)`;
      case 'float':
        this.note('float to text: each database writes floats its own way (1e+16 vs 10000000000000000.0)');
        return `CAST(${x} AS ${textType})`;
      case 'decimal':
        this.decimalNote();
        if (d === 'mysql' && this.mixesScales) this.note('decimal to text: MySQL pads CASE/COALESCE results to a common scale (trailing zeros differ)');
        return `CAST(${x} AS ${textType})`;
      case 'date':
        return d === 'sqlite' ? x : `CAST(${x} AS ${textType})`;
      case 'timestamp':
      case 'timestamptz': {
        const tz = from.kind === 'timestamptz';
        if (d === 'sqlite') return x;
        if (d === 'postgres') {
          const v = tz ? `(${x} AT TIME ZONE 'UTC')` : x;
          return `(TO_CHAR(${v}, 'YYYY-MM-DD HH24:MI:SS') || (CASE WHEN DATE_TRUNC('second', ${v}) = ${v} THEN '' ELSE TO_CHAR(${v}, '.US') END)${tz ? " || '+00:00'" : ''})`;
        }
        return `CONCAT(DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:%s'), IF(MICROSECOND(${x}) = 0, '', DATE_FORMAT(${x}, '.%f'))${tz ? ", '+00:00'" : ''})`;
      }
      case 'time':
        if (d === 'sqlite') return x;
        this.note('time to text: fractional seconds are written without trailing zeros');
        return `CAST(${x} AS ${textType})`;
      case 'bytes':
        if (d === 'postgres') return `CONVERT_FROM(${x}, 'UTF8')`;
        if (d === 'mysql') return `CONVERT(${x} USING utf8mb4)`;
        this.note('bytes to text: SQLite does not check that the bytes are UTF-8');
        return `CAST(${x} AS TEXT)`;
      default:
        return d === 'postgres' ? `CAST(${x} AS TEXT)` : x;
    }
  }

  private fromText(x: string, to: ExprType, mode: 'cast' | 'try' | 'implicit'): string {
    const d = this.dialect;
    const t = to.kind;
    if (d === 'sqlite') {
      const spec = this.str(t === 'decimal' && to.precision !== undefined ? `decimal(${to.precision},${to.scale ?? 0})` : t);
      if (t === 'decimal') this.decimalNote();
      return mode === 'try' ? `sluice_try_cast(${x}, ${spec})` : `sluice_cast(${x}, ${spec})`;
    }
    // PostgreSQL converts CAST('literal' AS type) while parsing, whatever CASE surrounds it:
    // make the literal text first so the guard below decides.
    if (d === 'postgres' && /^'(?:[^']|'')*'$/.test(x)) x = `CAST(${x} AS TEXT)`;
    const fail = mode === 'try' ? 'NULL' : this.raise(`CAST to ${t}: invalid text: `, x, to);
    const guarded = (re: string, conv: string) => `(CASE WHEN ${x} IS NULL THEN NULL WHEN ${this.guard(x, re)} THEN ${conv} ELSE ${fail} END)`;
    switch (t) {
      case 'int':
      case 'bigint': {
        const num = d === 'postgres' ? `CAST(${x} AS NUMERIC)` : `CAST(${x} AS DECIMAL(65,0))`;
        return guarded(INT_TEXT_RE, this.intRange(num, t, mode));
      }
      case 'decimal':
        return guarded(NUMERIC_RE, this.cast(d === 'postgres' ? `CAST(${x} AS NUMERIC)` : `CAST(${x} AS DECIMAL(65,30))`, { kind: 'decimal' }, to, mode));
      case 'float': {
        if (mode === 'try') this.note('TRY_CAST of text beyond the float range raises in PostgreSQL and MySQL');
        const conv = d === 'postgres' ? `CAST(${x} AS DOUBLE PRECISION)` : `CAST(${x} AS DOUBLE)`;
        if (d === 'mysql') return guarded(NUMERIC_RE, conv);
        return `(CASE WHEN ${this.guard(x, NUMERIC_RE)} OR ${this.guard(x, FLOAT_WORD_RE)} THEN ${conv} ELSE ${fail} END)`;
      }
      case 'boolean': {
        const w = d === 'postgres' ? `LOWER(BTRIM(${x}, ${this.str(WS)}))` : `LOWER(TRIM(REGEXP_REPLACE(${x}, ${this.str(`^${WS_CLASS}+|${WS_CLASS}+$`)}, '')))`;
        const list = (ws: string[]) => ws.map((s) => this.str(s)).join(', ');
        return `(CASE WHEN ${w} IN (${list(TRUE_WORDS)}) THEN TRUE WHEN ${w} IN (${list(FALSE_WORDS)}) THEN FALSE WHEN ${x} IS NOT NULL THEN ${mode === 'try' ? 'NULL' : this.raise('CAST to boolean: invalid text: ', x, to)} END)`;
      }
      case 'date':
      case 'timestamp':
      case 'timestamptz':
      case 'time': {
        if (mode === 'try') this.note('TRY_CAST of text to a date or time raises on impossible dates (2024-02-30) in PostgreSQL; MySQL gives NULL');
        if (d === 'mysql' && t === 'timestamptz') this.note('MySQL cannot read time zone offsets: text with an offset other than UTC converts wrongly');
        const re = t === 'date' ? DATE_TEXT_RE : t === 'timestamp' ? TS_TEXT_RE : t === 'timestamptz' ? TSTZ_TEXT_RE : TIME_TEXT_RE;
        return guarded(re, `CAST(${x} AS ${typeName(to, d)})`);
      }
      case 'uuid':
        if (d === 'mysql') {
          this.note('MySQL has no uuid type: only canonical lower-case uuids compare equal');
          return guarded(UUID_TEXT_RE, `LOWER(TRIM(${x}))`);
        }
        return guarded(UUID_TEXT_RE, `CAST(${x} AS UUID)`);
      case 'json':
        if (d === 'postgres') return `CAST(${x} AS JSON)`;
        return `(CASE WHEN JSON_VALID(${x}) THEN ${x} ELSE ${fail} END)`;
      case 'bytes':
        return d === 'postgres' ? `CONVERT_TO(${x}, 'UTF8')` : `CAST(${x} AS BINARY)`;
      default:
        return x;
    }
  }
}

/** Renders a checked tree (checkExpression's `ast`) and reports where the SQL is approximate. */
export function renderSqlDetailed(ast: Expr, dialect: Dialect, opts: RenderOptions = {}): RenderResult {
  if (!ast.type) throw new ExprRenderError('renderSql needs a checked tree: pass checkExpression(...).ast');
  const r = new Renderer(dialect, opts);
  const sql = r.render(ast);
  return { sql, notes: r.notes };
}

/** SQL for the dialect that computes what the engine computes (see renderSqlDetailed for caveats). */
export function renderSql(ast: Expr, dialect: Dialect, opts?: RenderOptions): string {
  return renderSqlDetailed(ast, dialect, opts).sql;
}
