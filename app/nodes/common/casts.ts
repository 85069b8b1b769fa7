import { formatType, isNumericKind, isTemporalKind, sameType, type LogicalType, type TypeKind } from '../../model/types';

/**
 * Whether a value of type `from` can be cast to `to` at all (castValue may still fail on a
 * given value, e.g. the text 'abc' to int: that row is rejected at run time). Casts that can
 * never work are plan problems: nothing but text and bytes turns into bytes, and so on.
 */
export function castPossible(from: LogicalType, to: LogicalType): boolean {
  if (sameType(from, to) || from.kind === to.kind) return true;
  const f = from.kind;
  const t = to.kind;
  if (f === 'text' || t === 'text') return true;
  if (isNumericKind(f) && isNumericKind(t)) return true;
  if (f === 'boolean' || t === 'boolean') return f === 'boolean' ? isNumericKind(t) && t !== 'float' : (f === 'int' || f === 'bigint');
  if (isTemporalKind(f) && isTemporalKind(t)) return temporalCast(f, t);
  if (t === 'json') return f !== 'bytes';
  return false;
}

function temporalCast(f: TypeKind, t: TypeKind): boolean {
  // A time of day has no date: it only comes from a timestamp, never goes to one.
  if (t === 'time') return f === 'timestamp' || f === 'timestamptz';
  if (f === 'time') return false;
  return true;
}

/** The plan problem for an impossible cast, naming both types. */
export function castMessage(column: string, from: LogicalType, to: LogicalType): string {
  return `column '${column}' is ${formatType(from)} and cannot be cast to ${formatType(to)}`;
}
