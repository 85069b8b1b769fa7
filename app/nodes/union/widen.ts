import { Decimal } from '../../model/decimal';
import { T, isNumericKind, sameType, type LogicalType } from '../../model/types';
import type { Value } from '../../model/values';

const NUMERIC_RANK = { int: 0, bigint: 1, decimal: 2, float: 3 } as Record<string, number>;
/** Integer digits an integer type needs as a decimal. */
const INT_DIGITS = { int: 10, bigint: 19 } as Record<string, number>;

function asDecimalShape(t: LogicalType): { int: number; scale: number } | undefined {
  if (t.kind === 'decimal') return t.precision === undefined ? undefined : { int: t.precision - (t.scale ?? 0), scale: t.scale ?? 0 };
  return { int: INT_DIGITS[t.kind], scale: 0 };
}

/**
 * The type two inputs' columns combine to: the same type, or the wider number
 * (int < bigint < decimal < float; decimals keep the most integer and fraction digits).
 * Undefined when they do not combine without an explicit cast (text with a number, a date
 * with a timestamp, ...).
 */
export function widenType(a: LogicalType, b: LogicalType): LogicalType | undefined {
  if (sameType(a, b)) return a;
  if (a.kind === b.kind && a.kind !== 'decimal') return a;
  if (!isNumericKind(a.kind) || !isNumericKind(b.kind)) return undefined;
  if (a.kind === 'float' || b.kind === 'float') return T.float;
  if (a.kind !== 'decimal' && b.kind !== 'decimal') return NUMERIC_RANK[a.kind] >= NUMERIC_RANK[b.kind] ? a : b;
  const sa = asDecimalShape(a);
  const sb = asDecimalShape(b);
  if (!sa || !sb) return T.decimal();
  const scale = Math.max(sa.scale, sb.scale);
  return T.decimal(Math.min(1000, Math.max(sa.int, sb.int) + scale), scale);
}

/** How a value of `from` becomes a value of the wider `to` (undefined: as it is). */
export function converter(from: LogicalType, to: LogicalType): ((v: Value) => Value) | undefined {
  if (sameType(from, to)) return undefined;
  if (to.kind === 'float' && from.kind !== 'float') {
    return (v) => (v === null ? null : v instanceof Decimal ? v.toNumber() : Number(v));
  }
  if (to.kind === 'decimal') {
    const scale = to.precision === undefined ? undefined : (to.scale ?? 0);
    return (v) => {
      if (v === null) return null;
      const d = v instanceof Decimal ? v : Decimal.fromBigInt(BigInt(v as number | bigint));
      // Widening only adds fraction digits: rescale never rounds here.
      return scale === undefined ? d : d.rescale(scale);
    };
  }
  return undefined;
}
