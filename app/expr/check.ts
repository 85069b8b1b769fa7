import { Decimal } from '../model/decimal';
import { didYouMean } from '../model/problems';
import type { Column } from '../model/schema';
import type { LogicalType } from '../model/types';
import type { Value } from '../model/values';
import type { BinaryNode, CallNode, Expr, ExprType, LiteralNode } from './ast';
import { canCast, castText } from './cast';
import { ExprError, type ExprProblem } from './errors';
import { constantFailures } from './fold';
import { lookupFunction, functionNames } from './functions/index';
import type { CheckApi } from './functions/types';
import { decimalLiteral, integerLiteral, parseExpression } from './parser';
import { arithmeticType, commonType, comparable, describeType, isDateLike, isInteger, isNumeric } from './typing';

export interface ExprScope {
  columns: Column[];
  /** The pipeline's parameters, referenced as :name. */
  params?: Record<string, LogicalType>;
}

export interface CheckResult {
  /** The tree, annotated with types when there are no errors; absent after a syntax error. */
  ast?: Expr;
  /** The result type (a bare NULL counts as text); absent when there are errors. */
  type?: LogicalType;
  nullable: boolean;
  problems: ExprProblem[];
  /** Columns referenced, as the schema spells them, in order of first use. */
  columns: string[];
  params: string[];
}

const BOOLEAN: ExprType = { kind: 'boolean' };
const TEXT: ExprType = { kind: 'text' };
const BIGINT: ExprType = { kind: 'bigint' };

/** Promotions the checker inserts silently (everything else needs an explicit CAST). */
function isPromotion(from: ExprType, to: ExprType): boolean {
  const f = from.kind;
  const t = to.kind;
  if (f === t) return true;
  if (f === 'int') return t === 'bigint' || t === 'decimal' || t === 'float';
  if (f === 'bigint') return t === 'decimal' || t === 'float';
  if (f === 'decimal') return t === 'float';
  if (f === 'date') return t === 'timestamp' || t === 'timestamptz';
  if (f === 'timestamp') return t === 'timestamptz';
  return false;
}

/**
 * didYouMean, plus swapped neighbours ('emial' for 'email'), which plain edit distance counts
 * as two edits and so misses in short names.
 */
function suggest(name: string, candidates: string[]): string | undefined {
  const d = didYouMean(name, candidates);
  if (d) return d;
  const lower = name.toLowerCase();
  return candidates.find((c) => {
    const x = c.toLowerCase();
    if (x.length !== lower.length) return false;
    const diff: number[] = [];
    for (let i = 0; i < x.length && diff.length <= 2; i++) if (x[i] !== lower[i]) diff.push(i);
    return diff.length === 2 && diff[1] === diff[0] + 1 && x[diff[0]] === lower[diff[1]] && x[diff[1]] === lower[diff[0]];
  });
}

/**
 * The type that sizes a decimal result: an integer literal counts its own digits (price * 2
 * is decimal(p+1, s), not decimal(p+10, s)).
 */
function naturalType(n: Expr): ExprType {
  if (n.kind === 'literal' && n.value !== null && (n.type.kind === 'int' || n.type.kind === 'bigint')) {
    const digits = String(n.value).replace('-', '').length;
    return { kind: 'decimal', precision: digits, scale: 0 };
  }
  return n.type ?? { kind: 'null' };
}

function publicType(t: ExprType): LogicalType {
  if (t.kind === 'null') return { kind: 'text' };
  const out: LogicalType = { kind: t.kind };
  if (t.precision !== undefined) out.precision = t.precision;
  if (t.scale !== undefined) out.scale = t.scale;
  return out;
}

class Checker implements CheckApi {
  readonly problems: ExprProblem[] = [];
  readonly columns: string[] = [];
  readonly params: string[] = [];
  /** Nodes whose type is unknown because of an error already reported (no cascades). */
  private readonly bad = new WeakSet<Expr>();

  constructor(private readonly scope: ExprScope) {}

  error(node: Expr, message: string, hint?: string): void {
    this.problems.push({ message, start: node.start, end: node.end, severity: 'error', ...(hint ? { hint } : {}) });
  }

  warning(node: Expr, message: string, hint?: string): void {
    this.problems.push({ message, start: node.start, end: node.end, severity: 'warning', ...(hint ? { hint } : {}) });
  }

  private failed<T extends Expr>(node: T): T {
    const out = { ...node, type: { kind: 'null' }, nullable: true } as T;
    this.bad.add(out);
    return out;
  }

  isBad(node: Expr): boolean {
    return this.bad.has(node);
  }

  private typed<T extends Expr>(node: T, type: ExprType, nullable: boolean): T {
    return { ...node, type, nullable };
  }

  intLiteral(node: Expr): number | undefined {
    if (node.kind === 'literal' && typeof node.value === 'number' && Number.isInteger(node.value) && node.type.kind !== 'float') return node.value;
    return undefined;
  }

  textLiteral(node: Expr): string | undefined {
    return node.kind === 'literal' && typeof node.value === 'string' && node.type.kind === 'text' ? node.value : undefined;
  }

  private literalAs(node: LiteralNode, to: ExprType, what: string): Expr {
    const v = node.value;
    if (v === null) return { ...node, type: to, nullable: true };
    const from = node.type.kind;
    let out: Value | undefined;
    if (from === 'text') {
      const r = castText(v as string, to);
      if (!r.ok) {
        this.error(node, r.message, `it is used as ${describeType(to)} here (${what.replace(/^cannot /, 'to ')})`);
        return this.failed(node);
      }
      out = r.value;
    } else if (to.kind === 'float' && isNumeric(from)) {
      out = v instanceof Decimal ? v.toNumber() : Number(v as number | bigint);
    } else if (to.kind === 'decimal' && isInteger(from)) {
      return { ...decimalLiteral(Decimal.fromBigInt(BigInt(v as number | bigint)), node.start, node.end), nullable: false };
    } else if (to.kind === 'bigint' && from === 'int') {
      out = v;
    } else if (isPromotion(node.type, to)) {
      return { kind: 'cast', operand: node, target: publicType(to), mode: 'implicit', type: to, nullable: false, start: node.start, end: node.end };
    }
    if (out === undefined) return this.mismatch(node, to, what);
    if (to.kind === 'decimal' && out instanceof Decimal) return { ...decimalLiteral(out, node.start, node.end), nullable: false };
    if ((to.kind === 'int' || to.kind === 'bigint') && typeof out !== 'boolean' && !(out instanceof Decimal)) {
      const lit = integerLiteral(BigInt(out as number | bigint), node.start, node.end);
      return { ...lit, type: to.kind === 'int' ? lit.type : { kind: lit.type.kind === 'decimal' ? 'decimal' : 'bigint' }, nullable: false };
    }
    return { kind: 'literal', value: out, type: to, nullable: false, start: node.start, end: node.end };
  }

  private mismatch(node: Expr, to: ExprType, what: string): Expr {
    const from = node.type ?? { kind: 'null' };
    const hint = from.kind === 'text' && to.kind !== 'text' ? `convert it with CAST(... AS ${describeType(to)})` : undefined;
    this.error(node, `${what} must be ${describeType(to)}, not ${describeType(from)}`, hint);
    return this.failed(node);
  }

  coerce(node: Expr, to: ExprType, what: string, allowAnyToText = false): Expr {
    if (this.bad.has(node) || to.kind === 'null') return node;
    const from = node.type ?? { kind: 'null' };
    if (from.kind === to.kind) return node;
    if (allowAnyToText && to.kind === 'text' && from.kind !== 'null') {
      return { kind: 'cast', operand: node, target: publicType(to), mode: 'implicit', type: to, nullable: node.nullable ?? true, start: node.start, end: node.end };
    }
    if (node.kind === 'literal') return this.literalAs(node, to, what);
    if (from.kind === 'null') return { ...node, type: to };
    if (isPromotion(from, to) || (allowAnyToText && to.kind === 'text')) {
      return { kind: 'cast', operand: node, target: publicType(to), mode: 'implicit', type: to, nullable: node.nullable ?? true, start: node.start, end: node.end };
    }
    return this.mismatch(node, to, what);
  }

  private isTextLiteral(n: Expr): boolean {
    return n.kind === 'literal' && n.type.kind === 'text' && n.value !== null;
  }

  unify(nodes: Expr[], verb: string): { type: ExprType; nodes: Expr[] } | undefined {
    const good = nodes.filter((n) => !this.bad.has(n));
    // A quoted literal takes the type of what it meets, as in PostgreSQL: d = '2024-01-31'.
    const typedOthers = good.filter((n) => !this.isTextLiteral(n) && n.type?.kind !== 'null');
    const voters = typedOthers.length > 0 && typedOthers.some((n) => n.type?.kind !== 'text') ? typedOthers : good;
    const types: ExprType[] = voters.map((n) => n.type ?? { kind: 'null' });
    const c = commonType(types.some((t) => t.kind === 'decimal') ? voters.map(naturalType) : types);
    if (!c) {
      const first = voters[0];
      const other = voters.find((n) => commonType([first.type!, n.type!]) === undefined) ?? voters[1];
      this.error(other, `cannot ${verb} ${describeType(first.type!)} with ${describeType(other.type!)}`, other.type?.kind === 'text' || first.type?.kind === 'text' ? 'convert with CAST(... AS type)' : undefined);
      return undefined;
    }
    if (good.length < nodes.length) return undefined;
    return { type: c, nodes: nodes.map((n) => this.coerce(n, c, `cannot ${verb}`)) };
  }

  expect(node: Expr, kinds: readonly (ExprType['kind'] | 'numeric')[], what: string): Expr | undefined {
    if (this.bad.has(node)) return undefined;
    const k = node.type?.kind ?? 'null';
    if (kinds.includes(k) || (kinds.includes('numeric') && isNumeric(k))) return node;
    const first = kinds[0];
    if (k === 'null' || this.isTextLiteral(node)) {
      if (first === 'numeric') {
        const text = this.textLiteral(node);
        const target: ExprType = text === undefined ? { kind: 'int' } : /^\s*[+-]?\d+\s*$/.test(text) ? BIGINT : { kind: 'decimal' };
        return this.coerce(node, target, what);
      }
      return this.coerce(node, { kind: first }, what);
    }
    const names = kinds.map((x) => (x === 'numeric' ? 'a number' : x)).join(' or ');
    this.error(node, `${what} must be ${names}, not ${describeType(node.type!)}`, k === 'text' ? 'convert it with CAST(... AS type)' : undefined);
    return undefined;
  }

  private booleanOperand(node: Expr, what: string): Expr | undefined {
    return this.expect(node, ['boolean'], what);
  }

  visit(e: Expr): Expr {
    switch (e.kind) {
      case 'literal':
        return { ...e, nullable: e.value === null };
      case 'column':
        return this.column(e);
      case 'param': {
        const params = this.scope.params ?? {};
        const t = Object.prototype.hasOwnProperty.call(params, e.name) ? params[e.name] : undefined;
        if (!t) {
          const hint = suggest(e.name, Object.keys(params));
          this.error(e, `unknown parameter ':${e.name}'`, hint ? `did you mean ':${hint}'?` : Object.keys(params).length ? `parameters: ${Object.keys(params).map((p) => ':' + p).join(', ')}` : 'declare it in the pipeline\'s parameters');
          return this.failed(e);
        }
        if (!this.params.includes(e.name)) this.params.push(e.name);
        return this.typed(e, t, true);
      }
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.binary(e);
      case 'is': {
        let operand = this.visit(e.operand);
        if (e.test !== 'null') operand = this.booleanOperand(operand, `IS ${e.negated ? 'NOT ' : ''}${e.test.toUpperCase()}`) ?? operand;
        return this.typed({ ...e, operand }, BOOLEAN, false);
      }
      case 'distinct': {
        const u = this.unify([this.visit(e.left), this.visit(e.right)], 'compare');
        if (!u) return this.failed(e);
        if (!comparable(u.type)) return this.notComparable(e, u.type);
        return this.typed({ ...e, left: u.nodes[0], right: u.nodes[1] }, BOOLEAN, false);
      }
      case 'in': {
        const all = [this.visit(e.operand), ...e.list.map((x) => this.visit(x))];
        const u = this.unify(all, 'compare');
        if (!u) return this.failed(e);
        if (!comparable(u.type)) return this.notComparable(e, u.type);
        return this.typed({ ...e, operand: u.nodes[0], list: u.nodes.slice(1) }, BOOLEAN, u.nodes.some((n) => n.nullable !== false));
      }
      case 'between': {
        const u = this.unify([this.visit(e.operand), this.visit(e.low), this.visit(e.high)], 'compare');
        if (!u) return this.failed(e);
        if (!comparable(u.type)) return this.notComparable(e, u.type);
        const [operand, low, high] = u.nodes;
        return this.typed({ ...e, operand, low, high }, BOOLEAN, u.nodes.some((n) => n.nullable !== false));
      }
      case 'like':
        return this.like(e);
      case 'case':
        return this.caseExpr(e);
      case 'cast': {
        const operand = this.visit(e.operand);
        if (this.bad.has(operand)) return this.failed(e);
        const from = operand.type!;
        if (!canCast(from.kind, e.target.kind)) {
          this.error(e, `cannot cast ${describeType(from)} to ${describeType(e.target)}`, from.kind !== 'text' ? 'casting through text may work: CAST(CAST(x AS text) AS type)' : undefined);
          return this.failed(e);
        }
        const nullable = (operand.nullable ?? true) || (e.mode === 'try' && from.kind !== e.target.kind);
        return this.typed({ ...e, operand }, e.target, nullable);
      }
      case 'call':
        return this.call(e);
    }
  }

  private notComparable(e: Expr, t: ExprType): Expr {
    this.error(e, `${describeType(t)} values cannot be compared`, 'cast json to text to compare its text');
    return this.failed(e);
  }

  private column(e: Extract<Expr, { kind: 'column' }>): Expr {
    const cols = this.scope.columns;
    let index = cols.findIndex((c) => c.name === e.name);
    if (index < 0 && !e.quoted) {
      // Unquoted names match regardless of case when that is unambiguous (Email vs email).
      const lower = e.name.toLowerCase();
      const matches = cols.flatMap((c, i) => (c.name.toLowerCase() === lower ? [i] : []));
      if (matches.length === 1) index = matches[0];
      else if (matches.length > 1) {
        this.error(e, `column name '${e.name}' is ambiguous: ${matches.map((i) => `"${cols[i].name}"`).join(', ')}`, 'quote the exact name in double quotes');
        return this.failed(e);
      }
    }
    if (index < 0) {
      const guess = suggest(e.name, cols.map((c) => c.name));
      const hint = guess ? `did you mean '${guess}'?` : cols.length > 0 && cols.length <= 12 ? `columns: ${cols.map((c) => c.name).join(', ')}` : undefined;
      this.error(e, `unknown column '${e.name}'`, hint);
      return this.failed(e);
    }
    const c = cols[index];
    if (!this.columns.includes(c.name)) this.columns.push(c.name);
    return { ...e, name: c.name, index, type: c.type, nullable: c.nullable };
  }

  private unary(e: Extract<Expr, { kind: 'unary' }>): Expr {
    const operand = this.visit(e.operand);
    if (this.bad.has(operand)) return this.failed(e);
    if (e.op === 'not') {
      const o = this.booleanOperand(operand, 'NOT');
      return o ? this.typed({ ...e, operand: o }, BOOLEAN, o.nullable ?? true) : this.failed(e);
    }
    const o = this.expect(operand, ['numeric'], `unary ${e.op}`);
    if (!o) return this.failed(e);
    if (e.op === '+') return o;
    const k = o.type!.kind;
    // Integer arithmetic is 64-bit: -int is a bigint (so that -(-2147483648) fits).
    const coerced = isInteger(k) ? this.coerce(o, BIGINT, 'unary -') : o;
    return this.typed({ ...e, operand: coerced }, isInteger(k) ? BIGINT : o.type!, o.nullable ?? true);
  }

  private binary(e: BinaryNode): Expr {
    const left = this.visit(e.left);
    const right = this.visit(e.right);
    if (this.bad.has(left) || this.bad.has(right)) return this.failed(e);
    const nullable = (left.nullable ?? true) || (right.nullable ?? true);
    switch (e.op) {
      case 'and':
      case 'or': {
        const l = this.booleanOperand(left, e.op.toUpperCase());
        const r = this.booleanOperand(right, e.op.toUpperCase());
        if (!l || !r) return this.failed(e);
        return this.typed({ ...e, left: l, right: r }, BOOLEAN, nullable);
      }
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const u = this.unify([left, right], 'compare');
        if (!u) return this.failed(e);
        if (!comparable(u.type)) return this.notComparable(e, u.type);
        return this.typed({ ...e, left: u.nodes[0], right: u.nodes[1] }, BOOLEAN, nullable);
      }
      case '||': {
        const lk = left.type!.kind;
        const rk = right.type!.kind;
        if (lk !== 'text' && lk !== 'null' && rk !== 'text' && rk !== 'null') {
          this.error(e, `|| joins text, not ${describeType(left.type!)} and ${describeType(right.type!)}`, 'cast one side to text, or use concat()');
          return this.failed(e);
        }
        const l = this.coerce(left, TEXT, '||', true);
        const r = this.coerce(right, TEXT, '||', true);
        return this.typed({ ...e, left: l, right: r }, TEXT, nullable);
      }
      default:
        return this.arithmetic(e, left, right, nullable);
    }
  }

  private arithmetic(e: BinaryNode, left: Expr, right: Expr, nullable: boolean): Expr {
    const op = e.op as '+' | '-' | '*' | '/' | '%';
    const lk = left.type!.kind;
    const rk = right.type!.kind;
    // Date arithmetic in days, as in PostgreSQL: date ± n, date - date.
    if (lk === 'date' || rk === 'date') {
      if (lk === 'date' && rk === 'date' && op === '-') return this.typed({ ...e, left, right }, { kind: 'int' }, nullable);
      const dateSide = lk === 'date' ? left : right;
      const other = lk === 'date' ? right : left;
      if ((op === '+' || (op === '-' && lk === 'date')) && (isInteger(other.type!.kind) || other.type!.kind === 'null' || this.isTextLiteral(other))) {
        const n = this.coerce(other, BIGINT, `days added to a date`);
        if (this.bad.has(n)) return this.failed(e);
        return this.typed({ ...e, left: lk === 'date' ? dateSide : n, right: lk === 'date' ? n : dateSide }, { kind: 'date' }, nullable);
      }
      this.error(e, `cannot apply ${op} to ${describeType(left.type!)} and ${describeType(right.type!)}`, 'dates take + and - with a whole number of days; use date_add(x, n, unit) and date_diff(a, b)');
      return this.failed(e);
    }
    for (const side of [left, right]) {
      const k = side.type!.kind;
      if (!isNumeric(k) && k !== 'null' && !this.isTextLiteral(side)) {
        const hint = k === 'text' ? 'convert text with CAST(x AS int) or CAST(x AS decimal)' : isDateLike(k) || k === 'time' ? 'use date_add(x, n, unit) and date_diff(a, b) for dates and times' : undefined;
        this.error(side, `operator ${op} needs numbers, not ${describeType(side.type!)}`, hint);
        return this.failed(e);
      }
    }
    if (this.isTextLiteral(left) && this.isTextLiteral(right)) {
      this.error(e, `operator ${op} needs numbers, not two text literals`, 'write numbers without quotes');
      return this.failed(e);
    }
    const u = this.unify([left, right], 'combine');
    if (!u) return this.failed(e);
    let c = u.type;
    if (c.kind === 'null' || c.kind === 'int') c = BIGINT;
    if (c.kind === 'float' && op === '%') {
      this.error(e, '% needs integers or decimals, not float', 'CAST the operands to decimal');
      return this.failed(e);
    }
    const [l, r] = u.type.kind === 'int' || u.type.kind === 'null' ? [this.coerce(u.nodes[0], BIGINT, op), this.coerce(u.nodes[1], BIGINT, op)] : u.nodes;
    const t = arithmeticType(op, left.type!.kind === 'null' ? c : naturalType(left), right.type!.kind === 'null' ? c : naturalType(right), c);
    let n = nullable;
    if (op === '/' || op === '%') {
      // Division by zero is NULL, so only a non-zero literal divisor keeps the result non-null.
      const lit = right.kind === 'literal' ? right.value : null;
      const nonZero = lit !== null && (lit instanceof Decimal ? lit.sign() !== 0 : lit !== 0 && lit !== 0n && lit !== '0');
      n = nullable || !nonZero;
    }
    return this.typed({ ...e, left: l, right: r }, t, n);
  }

  private like(e: Extract<Expr, { kind: 'like' }>): Expr {
    const what = e.caseInsensitive ? 'ILIKE' : 'LIKE';
    const operand = this.expect(this.visit(e.operand), ['text'], `the value before ${what}`);
    const pattern = this.expect(this.visit(e.pattern), ['text'], `the ${what} pattern`);
    let escape: Expr | undefined;
    if (e.escape) {
      const esc = this.visit(e.escape);
      const s = this.textLiteral(esc);
      if (s === undefined || [...s].length > 1) {
        this.error(esc, 'ESCAPE takes a literal of one character (or \'\' for none)');
        return this.failed(e);
      }
      escape = { ...esc, nullable: false };
    }
    if (!operand || !pattern) return this.failed(e);
    const p = this.textLiteral(pattern);
    const escChar = escape ? (this.textLiteral(escape) as string) : '\\';
    if (p !== undefined && escChar !== '' && p.endsWith(escChar) && !p.endsWith(escChar + escChar)) {
      // An odd number of trailing escapes leaves the last one escaping nothing.
      let count = 0;
      for (let i = p.length - 1; i >= 0 && p[i] === escChar; i--) count++;
      if (count % 2 === 1) {
        this.error(pattern, `${what} pattern ends with the escape character '${escChar}'`, `write '${escChar}${escChar}' for a literal '${escChar}'`);
        return this.failed(e);
      }
    }
    return this.typed({ ...e, operand, pattern, ...(escape ? { escape } : {}) }, BOOLEAN, (operand.nullable ?? true) || (pattern.nullable ?? true));
  }

  private caseExpr(e: Extract<Expr, { kind: 'case' }>): Expr {
    let operand: Expr | undefined;
    let whens = e.whens.map((w) => ({ when: this.visit(w.when), then: this.visit(w.then) }));
    let ok = true;
    if (e.operand) {
      const u = this.unify([this.visit(e.operand), ...whens.map((w) => w.when)], 'compare');
      if (!u) ok = false;
      else {
        if (!comparable(u.type)) return this.notComparable(e, u.type);
        operand = u.nodes[0];
        whens = whens.map((w, i) => ({ when: u.nodes[i + 1], then: w.then }));
      }
    } else {
      whens = whens.map((w) => ({ when: this.booleanOperand(w.when, 'WHEN') ?? ((ok = false), w.when), then: w.then }));
    }
    const elseExpr = e.else ? this.visit(e.else) : undefined;
    const results = [...whens.map((w) => w.then), ...(elseExpr ? [elseExpr] : [])];
    const u = this.unify(results, 'combine');
    if (!u || !ok) return this.failed(e);
    const thens = u.nodes.slice(0, whens.length);
    const elseOut = elseExpr ? u.nodes[whens.length] : undefined;
    const nullable = !elseOut || u.nodes.some((n) => n.nullable !== false);
    return this.typed(
      { ...e, ...(operand ? { operand } : {}), whens: whens.map((w, i) => ({ when: w.when, then: thens[i] })), ...(elseOut ? { else: elseOut } : {}) },
      u.type,
      nullable,
    );
  }

  private call(e: CallNode): Expr {
    const def = lookupFunction(e.name);
    if (def && (e.args.length < def.minArgs || e.args.length > def.maxArgs)) {
      const range = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
      this.error(e, `${def.name} takes ${range} argument${def.minArgs === 1 && def.maxArgs === 1 ? '' : 's'}, not ${e.args.length}`, def.signature);
      return this.failed(e);
    }
    if (def?.rewrite) {
      const r = def.rewrite(e, this);
      return r ? this.visit(r) : this.failed(e);
    }
    const args = e.args.map((a) => this.visit(a));
    if (!def) {
      const guess = suggest(e.name, functionNames());
      const aggregate = ['count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg'].includes(e.name);
      this.error(
        { ...e, end: e.start + e.name.length },
        `unknown function '${e.name}'`,
        aggregate ? 'aggregates belong in an aggregate node' + (e.name === 'min' || e.name === 'max' ? `; for two values use ${e.name === 'min' ? 'least' : 'greatest'}(a, b)` : '') : guess ? `did you mean '${guess}'?` : undefined,
      );
      return this.failed(e);
    }
    if (args.some((a) => this.bad.has(a))) return this.failed(e);
    const before = this.problems.filter((p) => p.severity === 'error').length;
    const r = def.check(args, this, e);
    if (!r || this.problems.filter((p) => p.severity === 'error').length > before) return this.failed(e);
    const nullable = r.nullable ?? r.args.some((a) => a.nullable !== false);
    return this.typed({ ...e, name: def.name, args: r.args }, r.type, nullable);
  }
}

/** Type-checks a parsed tree against a scope. */
export function checkAst(ast: Expr, scope: ExprScope): CheckResult {
  const c = new Checker(scope);
  const typed = c.visit(ast);
  let errors = c.problems.some((p) => p.severity === 'error');
  if (!errors) {
    c.problems.push(...constantFailures(typed));
    errors = c.problems.some((p) => p.severity === 'error');
  }
  return {
    ast: errors ? ast : typed,
    ...(errors ? {} : { type: publicType(typed.type!) }),
    nullable: typed.nullable ?? true,
    problems: c.problems,
    columns: c.columns,
    params: c.params,
  };
}

/** Parses and type-checks; syntax errors come back as problems, never thrown. */
export function checkExpression(text: string, scope: ExprScope): CheckResult {
  let ast: Expr;
  try {
    ast = parseExpression(text);
  } catch (e) {
    if (e instanceof ExprError) return { nullable: true, problems: e.problems, columns: [], params: [] };
    throw e;
  }
  return checkAst(ast, scope);
}
