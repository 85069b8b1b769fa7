import { Decimal } from '../model/decimal';
import { formatValue, normalizeInt, type Value } from '../model/values';
import { INT64_MAX, INT64_MIN } from './cast';
import { CastError, ExprRuntimeError } from './errors';
import { compareText, lowerText } from './text';

/**
 * Helpers the generated code calls. Fast paths (safe-integer arithmetic, string equality)
 * are inlined by the compiler; these are the slow paths and the non-trivial operations.
 */

export function overflow(op: string, a: Value, b?: Value): never {
  const args = b === undefined ? formatValue(a) : `${formatValue(a)} ${op} ${formatValue(b)}`;
  throw new ExprRuntimeError(`integer out of range: ${b === undefined ? `${op}(${args})` : args} does not fit 64 bits`, 'overflow');
}

function checked(r: bigint, op: string, a: Value, b?: Value): number | bigint {
  if (r > INT64_MAX || r < INT64_MIN) overflow(op, a, b);
  return normalizeInt(r);
}

export function addInt(a: number | bigint, b: number | bigint): number | bigint {
  return checked(BigInt(a) + BigInt(b), '+', a, b);
}

export function subInt(a: number | bigint, b: number | bigint): number | bigint {
  return checked(BigInt(a) - BigInt(b), '-', a, b);
}

export function mulInt(a: number | bigint, b: number | bigint): number | bigint {
  return checked(BigInt(a) * BigInt(b), '*', a, b);
}

/** Integer division truncating toward zero; NULL when dividing by zero. */
export function divInt(a: number | bigint, b: number | bigint): number | bigint | null {
  if (b === 0 || b === 0n) return null;
  if (typeof a === 'number' && typeof b === 'number') return Math.trunc(a / b) + 0;
  return checked(BigInt(a) / BigInt(b), '/', a, b);
}

/** Remainder with the sign of the dividend; NULL when dividing by zero. */
export function modInt(a: number | bigint, b: number | bigint): number | bigint | null {
  if (b === 0 || b === 0n) return null;
  if (typeof a === 'number' && typeof b === 'number') return (a % b) + 0;
  return normalizeInt(BigInt(a) % BigInt(b));
}

export function negInt(a: number | bigint): number | bigint {
  return typeof a === 'number' ? 0 - a : checked(-a, '-', a);
}

export function absInt(a: number | bigint): number | bigint {
  return typeof a === 'number' ? Math.abs(a) : a < 0n ? checked(-a, 'abs', a) : a;
}

export function floatOverflow(op: string, a: number, b?: number): never {
  throw new ExprRuntimeError(`float out of range: ${b === undefined ? `${op}(${a})` : `${a} ${op} ${b}`} is not finite`, 'overflow');
}

/** Checks a float result: finite inputs must give a finite result (PostgreSQL's rule). */
export function finite(r: number, op: string, a: number, b?: number): number {
  if (Number.isFinite(r) || !Number.isFinite(a) || (b !== undefined && !Number.isFinite(b))) return r;
  return floatOverflow(op, a, b);
}

export function divFloat(a: number, b: number): number | null {
  if (b === 0) return null;
  return finite(a / b, '/', a, b);
}

export function divDecimal(a: Decimal, b: Decimal, scale: number): Decimal | null {
  return a.div(b, scale) ?? null;
}

export function modDecimal(a: Decimal, b: Decimal): Decimal | null {
  return a.mod(b) ?? null;
}

/** Float equality and order where NaN equals NaN and sorts above every number (PostgreSQL). */
export function cmpFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = a !== a;
  const bn = b !== b;
  return an && bn ? 0 : an ? 1 : -1;
}

export function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function cmpDecimal(a: Decimal, b: Decimal): number {
  return a.cmp(b);
}

export { compareText as cmpText };

export function cmpInt(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cmpBool(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? 1 : -1;
}

export function cmpString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const likeCache = new Map<string, RegExp>();

/**
 * A LIKE pattern as a regular expression: % any run of characters, _ exactly one code
 * point, `escape` makes the next character literal. Throws on a trailing escape.
 */
export function likeRegExp(pattern: string, escape: string, flags = ''): RegExp {
  const key = escape + '\u0000' + flags + '\u0000' + pattern;
  let re = likeCache.get(key);
  if (re) return re;
  let src = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape !== '' && c === escape) {
      if (i + 1 >= chars.length) throw new ExprRuntimeError(`LIKE pattern ${formatValue(pattern)} ends with the escape character '${escape}'`, 'argument');
      src += chars[++i].replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    } else if (c === '%') src += '[^]*';
    else if (c === '_') src += '.';
    else src += c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  re = new RegExp(src + '$', 'su' + flags);
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}

export function like(s: string, pattern: string, escape: string): boolean {
  return likeRegExp(pattern, escape).test(s);
}

export function ilike(s: string, pattern: string, escape: string): boolean {
  return likeRegExp(lowerText(pattern), escape).test(lowerText(s));
}

const regexCache = new Map<string, RegExp>();

export function regExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re) return re;
  try {
    re = new RegExp(pattern, 'u');
  } catch (e) {
    throw new ExprRuntimeError(`invalid regular expression ${formatValue(pattern)}: ${(e as Error).message}`, 'argument');
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

/** Converts a function's whole-number argument for use as a count or position. */
export function toCount(v: number | bigint): number {
  return typeof v === 'number' ? v : v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : v < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(v);
}

export function fail(message: string, code: ExprRuntimeError['code'] = 'argument'): never {
  throw new ExprRuntimeError(message, code);
}

/** Runs a CAST; a CastError becomes the row's ExprRuntimeError naming the cast. */
export function castOrThrow(fn: (v: Value) => Value, v: Value, label: string): Value {
  try {
    return fn(v);
  } catch (e) {
    if (e instanceof CastError) throw new ExprRuntimeError(`${label}: ${e.message}`, e.reason === 'range' ? 'overflow' : 'cast');
    throw e;
  }
}

/** TRY_CAST: NULL where CAST would fail. */
export function castOrNull(fn: (v: Value) => Value, v: Value): Value {
  try {
    return fn(v);
  } catch (e) {
    if (e instanceof CastError) return null;
    throw e;
  }
}
