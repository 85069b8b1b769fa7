import { Decimal } from '../model/decimal';
import { parseType, type LogicalType } from '../model/types';
import { normalizeInt } from '../model/values';
import type { BinaryOp, ComparisonOp, Expr, ExprType, LiteralNode } from './ast';
import { castText } from './cast';
import { ExprError } from './errors';
import { tokenize, type Token } from './lexer';

/**
 * Words that cannot be column names without double quotes, because the grammar gives them
 * a meaning. Kept short on purpose: function names are not reserved.
 */
const RESERVED = new Set([
  'and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'like', 'ilike', 'escape', 'case', 'when',
  'then', 'else', 'end', 'cast', 'try_cast', 'as', 'distinct', 'from', 'unknown', 'extract', 'position',
  'current_date', 'current_timestamp', 'localtimestamp', 'select', 'where',
]);

const COMPARISON: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** Type names accepted in CAST beyond the model's own aliases (what analysts type from habit). */
const EXTRA_TYPE_NAMES: Record<string, string> = {
  smallint: 'int',
  int2: 'int',
  tinyint: 'int',
  mediumint: 'int',
  signed: 'bigint',
  'signed integer': 'bigint',
  char: 'text',
  character: 'text',
  'character varying': 'text',
  nchar: 'text',
  nvarchar: 'text',
  clob: 'text',
  float4: 'float',
  'double precision': 'float',
  bytea: 'bytes',
  binary: 'bytes',
  varbinary: 'bytes',
  jsonb: 'json',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
};

/** Resolves a type name as written in CAST; undefined when unknown. */
export function parseTypeName(text: string): LogicalType | undefined {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9 ]*?)\s*(\(.*\))?\s*$/.exec(text);
  if (!m) return undefined;
  const name = m[1].toLowerCase().replace(/\s+/g, ' ');
  const mapped = EXTRA_TYPE_NAMES[name];
  return parseType(mapped ? mapped + (m[2] ?? '') : text);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The literal for an integer value: int when it fits 32 bits, bigint to 64, decimal beyond. */
export function integerLiteral(v: bigint, start: number, end: number): LiteralNode {
  if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) return { kind: 'literal', value: Number(v), type: { kind: 'int' }, start, end };
  if (v >= INT64_MIN && v <= INT64_MAX) return { kind: 'literal', value: normalizeInt(v), type: { kind: 'bigint' }, start, end };
  const digits = (v < 0n ? -v : v).toString().length;
  return { kind: 'literal', value: Decimal.of(v), type: { kind: 'decimal', precision: digits, scale: 0 }, start, end };
}

export function decimalLiteral(d: Decimal, start: number, end: number): LiteralNode {
  const { integer, scale } = d.digits();
  const s = Math.max(scale, d.scale);
  return { kind: 'literal', value: d, type: { kind: 'decimal', precision: Math.max(integer + s, 1), scale: s }, start, end };
}

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.pos];
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private fail(message: string, start: number, end: number, hint?: string): never {
    throw new ExprError([{ message, start, end, severity: 'error', ...(hint ? { hint } : {}) }], this.text);
  }

  private describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'end of expression';
      case 'string':
        return `string '${t.value}'`;
      case 'qident':
        return `"${t.value}"`;
      case 'param':
        return `:${t.value}`;
      default:
        return `'${t.value}'`;
    }
  }

  private unexpected(t: Token = this.tok, expected?: string): never {
    const what = t.kind === 'eof' ? 'unexpected end of expression' : `unexpected ${this.describe(t)}`;
    return this.fail(expected ? `${what}, expected ${expected}` : what, t.start, Math.max(t.end, t.start + 1));
  }

  private isKw(word: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.value.toLowerCase() === word;
  }

  private isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.value === op;
  }

  private acceptKw(word: string): Token | undefined {
    if (!this.isKw(word)) return undefined;
    return this.tokens[this.pos++];
  }

  private expectKw(word: string): Token {
    const t = this.acceptKw(word);
    if (!t) this.unexpected(this.tok, word.toUpperCase());
    return t;
  }

  private acceptOp(op: string): Token | undefined {
    if (!this.isOp(op)) return undefined;
    return this.tokens[this.pos++];
  }

  private expectOp(op: string, context?: string): Token {
    const t = this.acceptOp(op);
    if (!t) this.unexpected(this.tok, context ? `'${op}' ${context}` : `'${op}'`);
    return t;
  }

  parseAll(): Expr {
    if (this.tok.kind === 'eof') this.fail('empty expression', 0, 0);
    const e = this.parseOr();
    const t: Token = this.tokens[this.pos];
    if (t.kind !== 'eof') {
      const hint = t.kind === 'ident' || t.kind === 'qident' ? 'a missing operator or comma?' : undefined;
      this.fail(`unexpected ${this.describe(t)} after the end of the expression`, t.start, t.end, hint);
    }
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.acceptKw('or')) {
      const right = this.parseAnd();
      left = { kind: 'binary', op: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.acceptKw('and')) {
      const right = this.parseNot();
      left = { kind: 'binary', op: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    const t = this.acceptKw('not');
    if (t) {
      const operand = this.parseNot();
      return { kind: 'unary', op: 'not', operand, start: t.start, end: operand.end };
    }
    return this.parseIs();
  }

  private parseIs(): Expr {
    let left = this.parseComparison();
    while (this.isKw('is')) {
      this.pos++;
      const negated = !!this.acceptKw('not');
      const t = this.tok;
      if (this.acceptKw('null')) left = { kind: 'is', operand: left, test: 'null', negated, start: left.start, end: t.end };
      else if (this.acceptKw('true')) left = { kind: 'is', operand: left, test: 'true', negated, start: left.start, end: t.end };
      else if (this.acceptKw('false')) left = { kind: 'is', operand: left, test: 'false', negated, start: left.start, end: t.end };
      else if (this.acceptKw('unknown')) left = { kind: 'is', operand: left, test: 'unknown', negated, start: left.start, end: t.end };
      else if (this.acceptKw('distinct')) {
        this.expectKw('from');
        const right = this.parseComparison();
        // IS DISTINCT FROM is "not equal"; IS NOT DISTINCT FROM is "equal": negated means equal.
        left = { kind: 'distinct', left, right, negated, start: left.start, end: right.end };
      } else this.unexpected(t, 'NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS');
    }
    return left;
  }

  private parseComparison(): Expr {
    const left = this.parsePredicate();
    if (this.tok.kind === 'op' && COMPARISON.has(this.tok.value)) {
      const op = this.tokens[this.pos++].value as ComparisonOp;
      const right = this.parsePredicate();
      if (this.tok.kind === 'op' && COMPARISON.has(this.tok.value)) {
        this.fail('comparisons cannot be chained', this.tok.start, this.tok.end, 'combine them with AND, e.g. a < b AND b < c');
      }
      return { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parsePredicate(): Expr {
    let left = this.parseConcat();
    for (;;) {
      const save = this.pos;
      const negated = !!this.acceptKw('not');
      if (this.acceptKw('between')) {
        const low = this.parseConcat();
        this.expectKw('and');
        const high = this.parseConcat();
        left = { kind: 'between', operand: left, low, high, negated, start: left.start, end: high.end };
      } else if (this.acceptKw('in')) {
        this.expectOp('(', 'after IN');
        const list: Expr[] = [];
        if (this.isOp(')')) this.fail('IN needs at least one value', this.tok.start, this.tok.end);
        do list.push(this.parseOr());
        while (this.acceptOp(','));
        const close = this.expectOp(')', 'to close the IN list');
        left = { kind: 'in', operand: left, list, negated, start: left.start, end: close.end };
      } else if (this.isKw('like') || this.isKw('ilike')) {
        const caseInsensitive = this.tokens[this.pos++].value.toLowerCase() === 'ilike';
        const pattern = this.parseConcat();
        let escape: Expr | undefined;
        if (this.acceptKw('escape')) escape = this.parseConcat();
        const end = (escape ?? pattern).end;
        left = { kind: 'like', operand: left, pattern, ...(escape ? { escape } : {}), negated, caseInsensitive, start: left.start, end };
      } else {
        this.pos = save;
        return left;
      }
    }
  }

  private parseConcat(): Expr {
    let left = this.parseAdditive();
    while (this.acceptOp('||')) {
      const right = this.parseAdditive();
      left = { kind: 'binary', op: '||', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.tokens[this.pos++].value as BinaryOp;
      const right = this.parseMultiplicative();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.tokens[this.pos++].value as BinaryOp;
      const right = this.parseUnary();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.tokens[this.pos++];
      const operand = this.parseUnary();
      if (t.value === '+') return { ...operand, start: t.start } as Expr;
      // Fold -<number> into a literal so that -2147483648 is an int and -9223372036854775808 a bigint.
      if (operand.kind === 'literal' && operand.value !== null) {
        const v = operand.value;
        if (typeof v === 'number' && operand.type.kind !== 'float') return integerLiteral(-BigInt(v), t.start, operand.end);
        if (typeof v === 'bigint') return integerLiteral(-v, t.start, operand.end);
        if (v instanceof Decimal && operand.type.kind === 'decimal') {
          const neg = v.neg();
          if (operand.type.scale === 0) return integerLiteral(neg.unscaled, t.start, operand.end);
          return { ...operand, value: neg, start: t.start };
        }
        if (typeof v === 'number') return { ...operand, value: -v, start: t.start };
      }
      return { kind: 'unary', op: '-', operand, start: t.start, end: operand.end };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    while (this.isOp('::')) {
      this.pos++;
      const { type, end } = this.parseTypeSpec();
      e = { kind: 'cast', operand: e, target: type, mode: 'cast', start: e.start, end };
    }
    return e;
  }

  /** A type name: words, then optional (precision[, scale]). */
  private parseTypeSpec(): { type: LogicalType; end: number } {
    const first = this.tok;
    if (first.kind !== 'ident') this.unexpected(first, 'a type name');
    const words: string[] = [];
    let end = first.end;
    while (this.tok.kind === 'ident' && (words.length === 0 || /^(precision|varying|with|without|time|zone|integer)$/i.test(this.tok.value))) {
      words.push(this.tok.value);
      end = this.tok.end;
      this.pos++;
    }
    let args = '';
    if (this.acceptOp('(')) {
      const nums: string[] = [];
      do {
        const t = this.tok;
        if (t.kind !== 'number' || !/^\d+$/.test(t.value)) this.unexpected(t, 'a whole number');
        nums.push(t.value);
        this.pos++;
      } while (this.acceptOp(','));
      end = this.expectOp(')', 'to close the type').end;
      args = `(${nums.join(',')})`;
    }
    const spelled = words.join(' ') + args;
    const type = parseTypeName(spelled);
    if (!type) {
      this.fail(`unknown type '${spelled}'`, first.start, end, 'types: boolean, int, bigint, decimal(p,s), float, text, date, time, timestamp, timestamptz, json, bytes, uuid');
    }
    return { type, end };
  }

  private parseNumber(t: Token): LiteralNode {
    const text = t.value;
    if (/[eE]/.test(text)) {
      const v = Number(text);
      if (!Number.isFinite(v)) this.fail(`number ${text} is out of range for float`, t.start, t.end);
      return { kind: 'literal', value: v, type: { kind: 'float' }, start: t.start, end: t.end };
    }
    if (text.includes('.')) {
      const d = Decimal.parse(text);
      if (!d) this.fail(`invalid number '${text}'`, t.start, t.end);
      return decimalLiteral(d, t.start, t.end);
    }
    return integerLiteral(BigInt(text), t.start, t.end);
  }

  private typedLiteral(kind: 'date' | 'time' | 'timestamp' | 'timestamptz', kw: Token): LiteralNode {
    const s = this.tok;
    if (s.kind !== 'string') this.unexpected(s, `a string after ${kw.value.toUpperCase()}, e.g. ${kind.toUpperCase()} '${kind === 'time' ? '12:30:00' : '2024-01-31'}'`);
    this.pos++;
    const type: ExprType = { kind };
    const r = castText(s.value, type);
    if (!r.ok) this.fail(r.message, s.start, s.end);
    return { kind: 'literal', value: r.value, type, start: kw.start, end: s.end };
  }

  private parseArgs(): Expr[] {
    this.expectOp('(');
    const args: Expr[] = [];
    if (this.acceptOp(')')) return args;
    do {
      if (this.isOp('*')) this.fail("'*' is not an expression", this.tok.start, this.tok.end, 'aggregates such as count(*) belong in an aggregate node');
      args.push(this.parseOr());
    } while (this.acceptOp(','));
    this.expectOp(')', 'to close the argument list');
    return args;
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.pos++;
        return this.parseNumber(t);
      case 'string':
        this.pos++;
        return { kind: 'literal', value: t.value, type: { kind: 'text' }, start: t.start, end: t.end };
      case 'param':
        this.pos++;
        return { kind: 'param', name: t.value, start: t.start, end: t.end };
      case 'qident':
        this.pos++;
        return { kind: 'column', name: t.value, quoted: true, start: t.start, end: t.end };
      case 'op':
        if (t.value === '(') {
          this.pos++;
          const inner = this.parseOr();
          const close = this.expectOp(')', 'to close the parenthesis');
          return { ...inner, start: t.start, end: close.end } as Expr;
        }
        return this.unexpected(t, 'a value, column or function');
      case 'eof':
        return this.unexpected(t, 'a value, column or function');
      case 'ident':
        return this.parseWord(t);
    }
  }

  private parseWord(t: Token): Expr {
    const word = t.value.toLowerCase();
    const next = this.peek();
    switch (word) {
      case 'null':
        this.pos++;
        return { kind: 'literal', value: null, type: { kind: 'null' }, start: t.start, end: t.end };
      case 'true':
      case 'false':
        this.pos++;
        return { kind: 'literal', value: word === 'true', type: { kind: 'boolean' }, start: t.start, end: t.end };
      case 'date':
      case 'time':
      case 'timestamp':
      case 'timestamptz':
        if (next.kind === 'string') {
          this.pos++;
          return this.typedLiteral(word, t);
        }
        break;
      case 'case':
        return this.parseCase();
      case 'cast':
      case 'try_cast': {
        this.pos++;
        this.expectOp('(', `after ${word.toUpperCase()}`);
        const operand = this.parseOr();
        this.expectKw('as');
        const { type } = this.parseTypeSpec();
        const close = this.expectOp(')', `to close ${word.toUpperCase()}`);
        return { kind: 'cast', operand, target: type, mode: word === 'cast' ? 'cast' : 'try', start: t.start, end: close.end };
      }
      case 'extract': {
        this.pos++;
        this.expectOp('(', 'after EXTRACT');
        const f = this.tok;
        if (f.kind !== 'ident' && f.kind !== 'string') this.unexpected(f, 'a field such as YEAR');
        this.pos++;
        this.expectKw('from');
        const operand = this.parseOr();
        const close = this.expectOp(')', 'to close EXTRACT');
        const field: LiteralNode = { kind: 'literal', value: f.value.toLowerCase(), type: { kind: 'text' }, start: f.start, end: f.end };
        return { kind: 'call', name: 'extract', args: [field, operand], start: t.start, end: close.end };
      }
      case 'position':
        if (this.isOp('(', next)) {
          // POSITION(sub IN s) is strpos(s, sub); the plain call form position(s, sub) is not SQL.
          this.pos += 2;
          const sub = this.parseConcat();
          this.expectKw('in');
          const s = this.parseConcat();
          const close = this.expectOp(')', 'to close POSITION');
          return { kind: 'call', name: 'strpos', args: [s, sub], start: t.start, end: close.end };
        }
        break;
      case 'substring':
        if (this.isOp('(', next)) {
          const save = this.pos;
          this.pos += 2;
          const s = this.parseOr();
          if (this.acceptKw('from')) {
            const from = this.parseOr();
            const args = [s, from];
            if (this.acceptKw('for')) args.push(this.parseOr());
            const close = this.expectOp(')', 'to close SUBSTRING');
            return { kind: 'call', name: 'substr', args, start: t.start, end: close.end };
          }
          this.pos = save;
        }
        break;
      case 'current_date':
      case 'current_timestamp':
      case 'localtimestamp':
        this.pos++;
        if (this.isOp('(') && this.isOp(')', this.peek())) this.pos += 2;
        return { kind: 'call', name: word === 'current_date' ? 'current_date' : 'now', args: [], start: t.start, end: this.tokens[this.pos - 1].end };
    }
    if (this.isOp('(', next)) {
      this.pos++;
      const args = this.parseArgs();
      return { kind: 'call', name: word, args, start: t.start, end: this.tokens[this.pos - 1].end };
    }
    if (RESERVED.has(word)) {
      this.fail(`unexpected keyword ${t.value.toUpperCase()}`, t.start, t.end, `if it is a column, quote it: "${t.value}"`);
    }
    this.pos++;
    return { kind: 'column', name: t.value, quoted: false, start: t.start, end: t.end };
  }

  private parseCase(): Expr {
    const kw = this.expectKw('case');
    let operand: Expr | undefined;
    if (!this.isKw('when')) operand = this.parseOr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKw('when')) {
      const when = this.parseOr();
      this.expectKw('then');
      const then = this.parseOr();
      whens.push({ when, then });
    }
    if (whens.length === 0) this.unexpected(this.tok, 'WHEN');
    let elseExpr: Expr | undefined;
    if (this.acceptKw('else')) elseExpr = this.parseOr();
    const end = this.expectKw('end');
    return { kind: 'case', ...(operand ? { operand } : {}), whens, ...(elseExpr ? { else: elseExpr } : {}), start: kw.start, end: end.end };
  }
}

/** Parses expression text into an AST; throws ExprError with the position of a syntax error. */
export function parseExpression(text: string): Expr {
  return new Parser(text, tokenize(text)).parseAll();
}
