import { Decimal } from '../model/decimal';
import { formatType, type LogicalType } from '../model/types';
import { formatValue, isValueOf, type Row, type Value } from '../model/values';
import type { BinaryNode, Expr, ExprType, LikeNode } from './ast';
import { castFunction, castValue } from './cast';
import type { ExprScope } from './check';
import { CastError, ExprRuntimeError } from './errors';
import { dateAddImpl } from './functions/date';
import { lookupFunction } from './functions/index';
import type { GenApi } from './functions/types';
import * as rt from './runtime';
import { dayNumber } from './temporal';
import { lowerText } from './text';

export interface CompiledExpr {
  type: LogicalType;
  nullable: boolean;
  /** Columns the expression reads, as the schema spells them. */
  columns: string[];
  /** Evaluates one row; throws ExprRuntimeError when the row cannot be evaluated. */
  evaluate: (row: Row, params: Record<string, Value>) => Value;
  /** The generated JavaScript, for debugging and benchmarks. */
  source: string;
}

/** Filter semantics: only TRUE keeps a row (FALSE and NULL drop it), as SQL's WHERE. */
export function isTrue(v: Value): boolean {
  return v === true;
}

function isSimple(e: Expr): boolean {
  return e.kind === 'column' || e.kind === 'param' || (e.kind === 'literal' && (e.value === null || typeof e.value !== 'object'));
}

function kindOf(e: Expr): ExprType['kind'] {
  return e.type?.kind ?? 'null';
}

function regexEscape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Turns a literal LIKE pattern into the cheapest test: equality, startsWith, endsWith,
 * includes, or a regular expression. Returns JS source testing `v`.
 */
function likeTest(g: Gen, pattern: string, escape: string, v: string): string {
  type Part = { lit: string } | { any: true } | { one: true };
  const parts: Part[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape !== '' && c === escape) parts.push({ lit: chars[++i] ?? '' });
    else if (c === '%') parts.push({ any: true });
    else if (c === '_') parts.push({ one: true });
    else parts.push({ lit: c });
  }
  const hasOne = parts.some((p) => 'one' in p);
  const text = (ps: Part[]) => ps.map((p) => ('lit' in p ? p.lit : '')).join('');
  const anyAt = parts.flatMap((p, i) => ('any' in p ? [i] : []));
  if (!hasOne) {
    const lits = parts.filter((p) => 'lit' in p);
    const n = parts.length;
    if (anyAt.length === 0) return `${v} === ${JSON.stringify(text(parts))}`;
    if (anyAt.length === 1 && anyAt[0] === n - 1) return `${v}.startsWith(${JSON.stringify(text(lits))})`;
    if (anyAt.length === 1 && anyAt[0] === 0) return `${v}.endsWith(${JSON.stringify(text(lits))})`;
    if (anyAt.length === 2 && anyAt[0] === 0 && anyAt[1] === n - 1) return `${v}.includes(${JSON.stringify(text(lits))})`;
  }
  let src = '^';
  for (const p of parts) src += 'lit' in p ? regexEscape(p.lit) : 'any' in p ? '[^]*' : '.';
  return `${g.constant(new RegExp(src + '$', 'su'))}.test(${v})`;
}

export interface CompileOptions {
  /**
   * Evaluate both sides of AND/OR even when the first decides (SQLite does): the differential
   * test uses it to tell an error Sluice skipped by short-circuiting from a real disagreement.
   */
  eagerLogic?: boolean;
}

class Gen implements GenApi {
  readonly consts: unknown[] = [];
  constructor(private readonly options: CompileOptions = {}) {}
  private temps = 0;
  readonly paramIndex = new Map<string, number>();

  constant(v: unknown): string {
    let i = this.consts.indexOf(v);
    if (i < 0 || typeof v !== 'function') {
      i = this.consts.length;
      this.consts.push(v);
    }
    return `k[${i}]`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  tempCount(): number {
    return this.temps;
  }

  /** Evaluates `e` once into a name (or uses it directly when re-reading is free). */
  private bind(e: Expr): { code: string; name: string } {
    if (isSimple(e)) {
      const c = this.expr(e);
      return { code: '', name: c };
    }
    const t = this.temp();
    return { code: `${t} = ${this.expr(e)}`, name: t };
  }

  /**
   * `body` with NULL propagation: every operand is evaluated (as databases do, so that an
   * error in one is not hidden by a NULL in another), then NULL if any is NULL.
   */
  private strict(operands: Expr[], body: (names: string[]) => string): string {
    const names: string[] = [];
    const assigns: string[] = [];
    const checks: string[] = [];
    for (const o of operands) {
      const b = this.bind(o);
      names.push(b.name);
      if (b.code) assigns.push(b.code);
      if (o.nullable !== false) checks.push(`${b.name} === null`);
    }
    const core = body(names);
    const guarded = checks.length ? `${checks.join(' || ')} ? null : ${core}` : core;
    return assigns.length ? `(${assigns.join(', ')}, ${guarded})` : `(${guarded})`;
  }

  expr(e: Expr): string {
    switch (e.kind) {
      case 'literal':
        return this.literal(e.value);
      case 'column':
        if (e.index === undefined) throw new Error(`column '${e.name}' was not resolved: compile a checked expression`);
        return `row[${e.index}]`;
      case 'param': {
        let i = this.paramIndex.get(e.name);
        if (i === undefined) {
          i = this.paramIndex.size;
          this.paramIndex.set(e.name, i);
        }
        return `pv[${i}]`;
      }
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.binary(e);
      case 'is': {
        const x = this.expr(e.operand);
        const test = e.test === 'true' ? 'true' : e.test === 'false' ? 'false' : 'null';
        return `(${x} ${e.negated ? '!==' : '==='} ${test})`;
      }
      case 'distinct': {
        const a = this.bind(e.left);
        const b = this.bind(e.right);
        const t = e.left.type!;
        const pre = [a.code, b.code].filter(Boolean);
        const eq = `(${a.name} === null ? ${b.name} === null : ${b.name} !== null && ${this.eq(a.name, b.name, t)})`;
        return `(${pre.length ? pre.join(', ') + ', ' : ''}${e.negated ? eq : `!${eq}`})`;
      }
      case 'in':
        return this.inList(e);
      case 'between': {
        // x >= lo AND x <= hi, with AND's short-circuit (as PostgreSQL evaluates it): hi is
        // not evaluated once x >= lo is FALSE (unless eagerLogic).
        const t = e.operand.type!;
        const x = this.bind(e.operand);
        const lo = this.bind(e.low);
        const c1 = this.temp();
        const c2 = this.temp();
        const r = this.temp();
        const hiCode = this.expr(e.high);
        const h = this.temp();
        const pre = [x.code, lo.code].filter(Boolean);
        const first = `${c1} = ${x.name} === null || ${lo.name} === null ? null : ${this.cmp('>=', x.name, lo.name, t)}`;
        const second = `${h} = ${hiCode}, ${c2} = ${x.name} === null || ${h} === null ? null : ${this.cmp('<=', x.name, h, t)}`;
        const combine = `${c1} === false || ${c2} === false ? false : ${c1} === null || ${c2} === null ? null : true`;
        const result = this.options.eagerLogic
          ? `(${second}, ${r} = ${combine})`
          : `(${r} = ${c1} === false ? false : (${second}, ${combine}))`;
        const out = e.negated ? `${r} === null ? null : !${r}` : r;
        return `(${pre.length ? pre.join(', ') + ', ' : ''}${first}, ${result}, ${out})`;
      }
      case 'like':
        return this.like(e);
      case 'case': {
        let code = e.else ? this.expr(e.else) : 'null';
        if (e.operand) {
          const o = this.bind(e.operand);
          const t = e.operand.type!;
          for (let i = e.whens.length - 1; i >= 0; i--) {
            const v = this.bind(e.whens[i].when);
            const cond = `${o.name} !== null && ${v.code ? `(${v.code}) !== null` : `${v.name} !== null`} && ${this.eq(o.name, v.name, t)}`;
            code = `(${cond} ? ${this.expr(e.whens[i].then)} : ${code})`;
          }
          return o.code ? `(${o.code}, ${code})` : code;
        }
        for (let i = e.whens.length - 1; i >= 0; i--) code = `(${this.expr(e.whens[i].when)} === true ? ${this.expr(e.whens[i].then)} : ${code})`;
        return code;
      }
      case 'cast':
        return this.cast(e);
      case 'call':
        return this.call(e);
    }
  }

  private literal(v: Value): string {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? JSON.stringify(v) : this.constant(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'bigint') return `${v}n`;
    return this.constant(v);
  }

  private unary(e: Extract<Expr, { kind: 'unary' }>): string {
    if (e.op === 'not') return this.strict([e.operand], ([x]) => `!${x}`);
    const k = kindOf(e);
    if (k === 'bigint') return this.strict([e.operand], ([x]) => `typeof ${x} === 'number' ? 0 - ${x} : ${this.constant(rt.negInt)}(${x})`);
    if (k === 'decimal') return this.strict([e.operand], ([x]) => `${x}.neg()`);
    if (k === 'null') return 'null';
    return this.strict([e.operand], ([x]) => `-${x}`);
  }

  /** Equality of two non-null values of type t. */
  eq(a: string, b: string, t: ExprType): string {
    switch (t.kind) {
      case 'int':
      case 'bigint':
        return `${a} == ${b}`;
      case 'float':
        return `(${a} === ${b} || (${a} !== ${a} && ${b} !== ${b}))`;
      case 'decimal':
        return `${a}.cmp(${b}) === 0`;
      case 'bytes':
        return `${this.constant(rt.cmpBytes)}(${a}, ${b}) === 0`;
      default:
        return `${a} === ${b}`;
    }
  }

  /** A comparison of two non-null values of type t. */
  cmp(op: string, a: string, b: string, t: ExprType): string {
    if (op === '=') return this.eq(a, b, t);
    if (op === '<>') return `!(${this.eq(a, b, t)})`;
    switch (t.kind) {
      case 'float': {
        // NaN is equal to NaN and above every number (PostgreSQL's order).
        if (op === '<') return `(${a} < ${b} || (${b} !== ${b} && ${a} === ${a}))`;
        if (op === '<=') return `(${a} <= ${b} || ${b} !== ${b})`;
        if (op === '>') return `(${a} > ${b} || (${a} !== ${a} && ${b} === ${b}))`;
        return `(${a} >= ${b} || ${a} !== ${a})`;
      }
      case 'decimal':
        return `${a}.cmp(${b}) ${op} 0`;
      case 'text':
        return `${this.constant(rt.cmpText)}(${a}, ${b}) ${op} 0`;
      case 'bytes':
        return `${this.constant(rt.cmpBytes)}(${a}, ${b}) ${op} 0`;
      default:
        // ints (number/bigint compare exactly), booleans, and canonical temporal/uuid strings.
        return `${a} ${op} ${b}`;
    }
  }

  private binary(e: BinaryNode): string {
    const { op, left, right } = e;
    if (op === 'and' || op === 'or') {
      if (left.nullable === false && right.nullable === false && !this.options.eagerLogic) return `(${this.expr(left)} ${op === 'and' ? '&&' : '||'} ${this.expr(right)})`;
      const a = this.temp();
      const b = this.temp();
      const stop = op === 'and' ? 'false' : 'true';
      if (this.options.eagerLogic) {
        return `(${a} = ${this.expr(left)}, ${b} = ${this.expr(right)}, ${a} === ${stop} || ${b} === ${stop} ? ${stop} : ${a} === null || ${b} === null ? null : ${op === 'and' ? 'true' : 'false'})`;
      }
      return `((${a} = ${this.expr(left)}) === ${stop} ? ${stop} : (${b} = ${this.expr(right)}) === ${stop} ? ${stop} : ${a} === null || ${b} === null ? null : ${op === 'and' ? 'true' : 'false'})`;
    }
    if (op === '||') return this.strict([left, right], ([a, b]) => `${a} + ${b}`);
    if (op === '=' || op === '<>' || op === '<' || op === '<=' || op === '>' || op === '>=') {
      const t = left.type!;
      if (t.kind === 'null') return 'null';
      if (t.kind === 'decimal') return this.strict([left, this.alignedDecimal(right, left)], ([a, b]) => this.cmp(op, a, b, t));
      return this.strict([left, right], ([a, b]) => this.cmp(op, a, b, t));
    }
    return this.arithmetic(e);
  }

  /**
   * A decimal literal compared with a value of known scale, rescaled once here so that the
   * comparison does not align scales (a bigint power of ten) on every row.
   */
  private alignedDecimal(lit: Expr, other: Expr): Expr {
    const s = other.type?.scale;
    if (lit.kind !== 'literal' || !(lit.value instanceof Decimal) || s === undefined || lit.value.scale > s) return lit;
    return { ...lit, value: lit.value.rescale(s) };
  }

  private arithmetic(e: BinaryNode): string {
    const { op, left, right } = e;
    const lk = kindOf(left);
    const rk = kindOf(right);
    const k = kindOf(e);
    if (lk === 'null' || rk === 'null') return 'null';
    if (lk === 'date' || rk === 'date') {
      if (lk === 'date' && rk === 'date') return this.strict([left, right], ([a, b]) => `${this.constant(dayDiff)}(${a}, ${b})`);
      const add = this.constant(addDays);
      if (lk === 'date') return this.strict([left, right], ([d, n]) => `${add}(${d}, ${n}, ${op === '-'})`);
      return this.strict([left, right], ([n, d]) => `${add}(${d}, ${n}, false)`);
    }
    if (k === 'bigint') {
      const r = this.temp();
      switch (op) {
        case '+':
          return this.strict([left, right], ([a, b]) => `typeof ${a} === 'number' && typeof ${b} === 'number' && Number.isSafeInteger(${r} = ${a} + ${b}) ? ${r} : ${this.constant(rt.addInt)}(${a}, ${b})`);
        case '-':
          return this.strict([left, right], ([a, b]) => `typeof ${a} === 'number' && typeof ${b} === 'number' && Number.isSafeInteger(${r} = ${a} - ${b}) ? ${r} : ${this.constant(rt.subInt)}(${a}, ${b})`);
        case '*':
          return this.strict([left, right], ([a, b]) => `typeof ${a} === 'number' && typeof ${b} === 'number' && Number.isSafeInteger(${r} = ${a} * ${b}) ? ${r} + 0 : ${this.constant(rt.mulInt)}(${a}, ${b})`);
        case '/':
          return this.strict([left, right], ([a, b]) => `${this.constant(rt.divInt)}(${a}, ${b})`);
        default:
          return this.strict([left, right], ([a, b]) => `${this.constant(rt.modInt)}(${a}, ${b})`);
      }
    }
    if (k === 'decimal') {
      switch (op) {
        case '+':
          return this.strict([left, right], ([a, b]) => `${a}.add(${b})`);
        case '-':
          return this.strict([left, right], ([a, b]) => `${a}.sub(${b})`);
        case '*':
          return this.strict([left, right], ([a, b]) => `${a}.mul(${b})`);
        case '/':
          return this.strict([left, right], ([a, b]) => `${this.constant(rt.divDecimal)}(${a}, ${b}, ${e.type!.scale ?? 6})`);
        default:
          return this.strict([left, right], ([a, b]) => `${this.constant(rt.modDecimal)}(${a}, ${b})`);
      }
    }
    // float
    if (op === '/') return this.strict([left, right], ([a, b]) => `${this.constant(rt.divFloat)}(${a}, ${b})`);
    const r = this.temp();
    const fin = this.constant(rt.finite);
    return this.strict([left, right], ([a, b]) => `Number.isFinite(${r} = ${a} ${op} ${b}) ? ${r} : ${fin}(${r}, '${op}', ${a}, ${b})`);
  }

  private inList(e: Extract<Expr, { kind: 'in' }>): string {
    const t = e.operand.type!;
    if (t.kind === 'null') return 'null';
    const x = this.bind(e.operand);
    const head = x.code ? `(${x.code})` : x.name;
    const allLiteral = e.list.every((i) => i.kind === 'literal' && i.value !== null && (typeof i.value !== 'object' || t.kind === 'null'));
    if (allLiteral && t.kind !== 'float' && t.kind !== 'decimal' && t.kind !== 'bytes') {
      const set = new Set(e.list.map((i) => (i as { value: Value }).value));
      return `(${head} === null ? null : ${e.negated ? '!' : ''}${this.constant(set)}.has(${x.name}))`;
    }
    // Every item is evaluated (PostgreSQL builds the whole list), then compared.
    const items = e.list.map((item) => ({ item, b: this.bind(item) }));
    const pre = [x.code, ...items.map((i) => i.b.code)].filter(Boolean);
    const n = this.temp();
    const tests = items.map(({ item, b }) =>
      item.nullable === false ? `(${this.eq(x.name, b.name, t)})` : `(${b.name} === null ? (${n} = true, false) : ${this.eq(x.name, b.name, t)})`,
    );
    const r = this.temp();
    const found = `${n} = false, ${r} = ${tests.join(' || ')} ? true : ${n} ? null : false`;
    return `(${pre.length ? pre.join(', ') + ', ' : ''}${x.name} === null ? null : (${found}, ${e.negated ? `${r} === null ? null : !${r}` : r}))`;
  }

  private like(e: LikeNode): string {
    const esc = e.escape && e.escape.kind === 'literal' ? (e.escape.value as string) : '\\';
    const pattern = e.pattern.kind === 'literal' && typeof e.pattern.value === 'string' ? e.pattern.value : undefined;
    const not = e.negated ? '!' : '';
    if (pattern !== undefined) {
      const lower = this.constant(lowerText);
      const p = e.caseInsensitive ? lowerText(pattern) : pattern;
      return this.strict([e.operand], ([x]) => `${not}(${likeTest(this, p, esc, e.caseInsensitive ? `${lower}(${x})` : x)})`);
    }
    const f = this.constant(e.caseInsensitive ? rt.ilike : rt.like);
    return this.strict([e.operand, e.pattern], ([x, p]) => `${not}${f}(${x}, ${p}, ${JSON.stringify(esc)})`);
  }

  private cast(e: Extract<Expr, { kind: 'cast' }>): string {
    const from = e.operand.type!;
    const to = e.target;
    if (from.kind === 'null') return 'null';
    if (e.mode === 'implicit' && ((from.kind === 'int' && to.kind === 'bigint') || from.kind === to.kind)) return this.expr(e.operand);
    if (from.kind === to.kind && to.kind !== 'decimal' && to.kind !== 'int') return this.expr(e.operand);
    // Promoted integers keep scale 0 (PostgreSQL's rule): the value is exact, the scale is not forced.
    const target = e.mode === 'implicit' && to.kind === 'decimal' ? { kind: 'decimal' as const } : to;
    const fn = this.constant(castFunction(from, target));
    if (e.mode === 'implicit') return this.strict([e.operand], ([x]) => `${fn}(${x})`);
    if (e.mode === 'try') return this.strict([e.operand], ([x]) => `${this.constant(rt.castOrNull)}(${fn}, ${x})`);
    const label = JSON.stringify(`CAST to ${formatType(to)}`);
    return this.strict([e.operand], ([x]) => `${this.constant(rt.castOrThrow)}(${fn}, ${x}, ${label})`);
  }

  private call(e: Extract<Expr, { kind: 'call' }>): string {
    const def = lookupFunction(e.name);
    if (!def) throw new Error(`unknown function '${e.name}': compile a checked expression`);
    if (def.compile) return def.compile(this, e.args, e.type!);
    if (!def.impl) throw new Error(`function '${e.name}' has no implementation`);
    const impl = def.impl(
      e.args.map((a) => a.type!),
      e.type!,
      e.args,
    );
    const f = this.constant(impl);
    // Literal arguments that only steer the implementation (units, formats) are still passed.
    return this.strict(e.args, (names) => `${f}(${names.join(', ')})`);
  }
}

function addDays(d: string, n: number | bigint, subtract: boolean): string {
  const k = rt.toCount(n);
  return dateAddImpl(d, subtract ? -k : k, 'day', 'date');
}

function dayDiff(a: string, b: string): number {
  return dayNumber(a) - dayNumber(b);
}

function prepareParams(names: string[], types: Record<string, LogicalType>): (params: Record<string, Value>) => Value[] {
  return (params) =>
    names.map((name) => {
      const v = params?.[name];
      if (v === undefined) throw new ExprRuntimeError(`parameter :${name} has no value`, 'parameter');
      const t = types[name];
      if (isValueOf(v, t)) return v;
      try {
        return castValue(v, t);
      } catch (e) {
        if (e instanceof CastError) throw new ExprRuntimeError(`parameter :${name} = ${formatValue(v)} is not a ${formatType(t)}: ${e.message}`, 'parameter');
        throw e;
      }
    });
}

/**
 * Compiles a type-checked tree (checkExpression's `ast`) to a JavaScript function. The code is
 * generated from the tree only: names become row indexes, literals JSON or constants.
 */
export function compileAst(ast: Expr, scope: ExprScope, meta: { type: LogicalType; nullable: boolean; columns: string[] }, options?: CompileOptions): CompiledExpr {
  if (!ast.type) throw new Error('compileAst needs a checked tree: use checkExpression(...).ast');
  const g = new Gen(options);
  const body = g.expr(ast);
  const names = [...g.paramIndex.keys()];
  const temps = Array.from({ length: g.tempCount() }, (_, i) => `t${i}`);
  const source = [
    '"use strict";',
    'let lp, pv;',
    'return function evaluate(row, params) {',
    names.length ? '  if (params !== lp) { pv = prep(params); lp = params; }' : '',
    temps.length ? `  let ${temps.join(', ')};` : '',
    `  return ${body};`,
    '};',
  ]
    .filter(Boolean)
    .join('\n');
  const factory = new Function('k', 'prep', source) as (k: unknown[], prep: (p: Record<string, Value>) => Value[]) => (row: Row, params: Record<string, Value>) => Value;
  const evaluate = factory(g.consts, prepareParams(names, scope.params ?? {}));
  return { ...meta, evaluate, source };
}
