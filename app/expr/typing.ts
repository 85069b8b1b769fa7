import type { TypeKind } from '../model/types';
import type { ExprType } from './ast';

/**
 * Static type rules: numeric promotion, the common type of several expressions (CASE,
 * COALESCE, IN, comparisons), and the result types of arithmetic.
 */

export const MAX_DECIMAL_PRECISION = 1000;

export function isNumeric(k: TypeKind | 'null'): boolean {
  return k === 'int' || k === 'bigint' || k === 'decimal' || k === 'float';
}

export function isInteger(k: TypeKind | 'null'): boolean {
  return k === 'int' || k === 'bigint';
}

export function isDateLike(k: TypeKind | 'null'): boolean {
  return k === 'date' || k === 'timestamp' || k === 'timestamptz';
}

const NUMERIC_RANK: Partial<Record<TypeKind, number>> = { int: 0, bigint: 1, decimal: 2, float: 3 };
const DATE_RANK: Partial<Record<TypeKind, number>> = { date: 0, timestamp: 1, timestamptz: 2 };

/** Integer digits a type needs when it becomes a decimal. */
function integerDigits(t: ExprType): number | undefined {
  if (t.kind === 'int') return 10;
  if (t.kind === 'bigint') return 19;
  if (t.kind === 'decimal') return t.precision === undefined ? undefined : t.precision - (t.scale ?? 0);
  return undefined;
}

function scaleOf(t: ExprType): number | undefined {
  if (t.kind === 'int' || t.kind === 'bigint') return 0;
  if (t.kind === 'decimal') return t.precision === undefined ? undefined : (t.scale ?? 0);
  return undefined;
}

export function decimalType(precision: number | undefined, scale: number | undefined): ExprType {
  if (precision === undefined || scale === undefined) return { kind: 'decimal' };
  const s = Math.min(scale, MAX_DECIMAL_PRECISION);
  return { kind: 'decimal', precision: Math.min(Math.max(precision, s, 1), MAX_DECIMAL_PRECISION), scale: s };
}

/** The decimal type that holds every value of all the given (integer or decimal) types. */
export function unionDecimal(types: ExprType[]): ExprType {
  let integer = 0;
  let scale = 0;
  for (const t of types) {
    const i = integerDigits(t);
    const s = scaleOf(t);
    if (i === undefined || s === undefined) return { kind: 'decimal' };
    integer = Math.max(integer, i);
    scale = Math.max(scale, s);
  }
  return decimalType(integer + scale, scale);
}

/**
 * The common type of several types, or undefined when they do not mix. `null` types (bare
 * NULLs) take the type of the others.
 */
export function commonType(types: ExprType[]): ExprType | undefined {
  const real = types.filter((t) => t.kind !== 'null');
  if (real.length === 0) return { kind: 'null' };
  const kinds = new Set(real.map((t) => t.kind));
  if (kinds.size === 1) {
    const k = real[0].kind;
    return k === 'decimal' ? unionDecimal(real) : { kind: k };
  }
  if (real.every((t) => isNumeric(t.kind))) {
    const top = Math.max(...real.map((t) => NUMERIC_RANK[t.kind as TypeKind] ?? 0));
    if (top === 3) return { kind: 'float' };
    if (top === 2) return unionDecimal(real);
    return { kind: 'bigint' };
  }
  if (real.every((t) => isDateLike(t.kind))) {
    const top = Math.max(...real.map((t) => DATE_RANK[t.kind as TypeKind] ?? 0));
    return { kind: top === 2 ? 'timestamptz' : 'timestamp' };
  }
  return undefined;
}

/** JSON text has no meaningful order or equality (key order, spacing): cast it to text first. */
export function comparable(t: ExprType): boolean {
  return t.kind !== 'json';
}

/** Result type of + - * on two numeric types (already promoted to their common type `c`). */
export function arithmeticType(op: '+' | '-' | '*' | '/' | '%', a: ExprType, b: ExprType, c: ExprType): ExprType {
  if (c.kind === 'float') return { kind: 'float' };
  if (c.kind !== 'decimal') return { kind: 'bigint' };
  const sa = scaleOf(a);
  const sb = scaleOf(b);
  const ia = integerDigits(a);
  const ib = integerDigits(b);
  if (op === '/') {
    // The quotient's integer part can grow by the divisor's fractional digits (x / 0.01).
    const s = divisionScale(a, b);
    if (ia === undefined || sb === undefined) return { kind: 'decimal', scale: s };
    return decimalType(ia + sb + s, s);
  }
  if (sa === undefined || sb === undefined || ia === undefined || ib === undefined) return { kind: 'decimal' };
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(sa, sb);
      return decimalType(Math.max(ia, ib) + 1 + s, s);
    }
    case '*':
      return decimalType(ia + ib + sa + sb, sa + sb);
    case '%': {
      const s = Math.max(sa, sb);
      return decimalType(Math.min(ia, ib) + s, s);
    }
  }
}

/**
 * Decimal division keeps six more fractional digits than the more precise operand (an operand
 * declared without a scale counts as scale 0), rounded half away from zero.
 */
export function divisionScale(a: ExprType, b: ExprType): number {
  return Math.min(Math.max(scaleOf(a) ?? 0, scaleOf(b) ?? 0) + 6, MAX_DECIMAL_PRECISION);
}

export function describeType(t: ExprType): string {
  if (t.kind === 'null') return 'NULL';
  if (t.kind === 'decimal' && t.precision !== undefined) return `decimal(${t.precision},${t.scale ?? 0})`;
  return t.kind;
}
