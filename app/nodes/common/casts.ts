import { canCast } from '../../expr';
import { castFunction } from '../../expr/cast';
import { formatType, type LogicalType } from '../../model/types';
import type { Value } from '../../model/values';

/**
 * Whether a value of type `from` can be cast to `to` at all (the expression language's CAST
 * rules). A possible cast may still fail on a given value, e.g. the text 'abc' to int: that
 * row is rejected at run time. An impossible one is a plan problem.
 */
export function castPossible(from: LogicalType, to: LogicalType): boolean {
  return canCast(from.kind, to.kind);
}

/**
 * A converter for non-NULL values of a statically known type, throwing CastError. It knows
 * the source type, unlike castValue, which guesses from the value (a timestamptz string
 * would be read as text and refused as a timestamp).
 */
export function converterOf(from: LogicalType, to: LogicalType): (v: Value) => Value {
  return castFunction(from, to);
}

/** The plan problem for an impossible cast, naming both types. */
export function castMessage(column: string, from: LogicalType, to: LogicalType): string {
  return `column '${column}' is ${formatType(from)} and cannot be cast to ${formatType(to)}`;
}
