import { castFunction, checkIntRange, fitDecimal } from '../../expr/cast';
import { CastError } from '../../expr/errors';
import type { Decimal } from '../../model/decimal';
import { formatType, sameType, type LogicalType } from '../../model/types';
import { formatValue, type Row, type Value } from '../../model/values';
import type { PlannedColumn } from './types';

/**
 * Source values into what the target column holds. Most columns need nothing: the type
 * mapping keeps the logical type, and the row goes through untouched (the hot path
 * touches no value). The others convert as CAST does (app/expr/cast.ts: strict, never a
 * silent 0), and check what the target would refuse anyway, so a bad value is rejected
 * with a reason naming the column instead of failing a whole chunk in the database:
 *  - a type change (a user rule, a lossy default): text -> int, float -> decimal(12,2) ...
 *  - decimal(p,s) targets: values must fit (SQLite does not enforce its declared NUMERIC(p,s));
 *  - varchar(n) / char(n) targets: at most n characters;
 *  - NOT NULL targets whose source column may hold NULL.
 */

export interface Rejection {
  /** 'type' (cannot convert), 'length', 'not-null', 'database' (the target refused it), 'source' (unreadable). */
  rule: 'type' | 'length' | 'not-null' | 'database' | 'source';
  column?: string;
  value?: string;
  message: string;
}

export type Step = (v: Value) => Value;

export function castStep(from: LogicalType, to: LogicalType): Step | undefined {
  if (sameType(from, to)) return undefined;
  if (from.kind === 'int' && to.kind === 'bigint') return undefined;
  if (from.kind === 'bigint' && to.kind === 'int') return (v) => checkIntRange(v as number | bigint, 'int');
  return castFunction(from, to);
}

/** The conversion of one column, or undefined when its values pass as they are. */
export function columnStep(c: PlannedColumn, readType: LogicalType, sourceEnforcesTypes: boolean): Step | undefined {
  const steps: Step[] = [];
  // A query read may type a column differently from the table's description (MySQL's
  // marker comments, for one): bring it to the planned source type first.
  const read = castStep(readType, c.sourceLogical);
  if (read) steps.push(read);
  const cast = castStep(c.sourceLogical, c.targetLogical);
  if (cast) steps.push(cast);
  const t = c.targetLogical;
  if (t.kind === 'decimal' && t.precision !== undefined && !cast && (!sourceEnforcesTypes || !sameType(c.sourceLogical, t))) {
    steps.push((v) => fitDecimal(v as Decimal, t));
  }
  if (c.maxLength !== undefined && t.kind === 'text') {
    const max = c.maxLength;
    steps.push((v) => {
      const s = v as string;
      // UTF-16 units bound code points from above: only long strings need counting.
      if (s.length > max && [...s].length > max) throw new LengthError(`${formatValue(s, 40)} is longer than ${max} characters`);
      return s;
    });
  }
  if (steps.length === 0) return undefined;
  if (steps.length === 1) return steps[0];
  return (v) => {
    for (const s of steps) v = s(v);
    return v;
  };
}

class LengthError extends Error {}

export class RowConverter {
  private readonly steps: { index: number; name: string; step: Step; target: LogicalType }[] = [];
  private readonly notNull: { index: number; name: string }[] = [];

  /**
   * @param readTypes the types of the read's columns, in the planned columns' order
   * @param sourceEnforcesTypes false for SQLite, whose declared types do not bound values
   */
  constructor(
    private readonly columns: readonly PlannedColumn[],
    readTypes: readonly LogicalType[],
    sourceEnforcesTypes: boolean,
  ) {
    columns.forEach((c, i) => {
      const step = columnStep(c, readTypes[i] ?? c.sourceLogical, sourceEnforcesTypes);
      if (step) this.steps.push({ index: i, name: c.name, step, target: c.targetLogical });
      if (!c.nullable && c.sourceNullable) this.notNull.push({ index: i, name: c.name });
    });
  }

  /** True when rows pass unchanged and unchecked. */
  get passThrough(): boolean {
    return this.steps.length === 0 && this.notNull.length === 0;
  }

  /** Converts the row in place; returns why it cannot be stored, or undefined. */
  convert(row: Row): Rejection | undefined {
    for (const s of this.steps) {
      const v = row[s.index];
      if (v === null) continue;
      try {
        row[s.index] = s.step(v);
      } catch (e) {
        if (e instanceof CastError) return { rule: 'type', column: s.name, value: formatValue(v), message: `column '${s.name}': ${e.message} (target type ${formatType(s.target)})` };
        if (e instanceof LengthError) return { rule: 'length', column: s.name, value: formatValue(v), message: `column '${s.name}': ${e.message}` };
        throw e;
      }
    }
    for (const n of this.notNull) {
      if (row[n.index] === null) return { rule: 'not-null', column: n.name, value: 'NULL', message: `column '${n.name}': NULL in a NOT NULL column` };
    }
    return undefined;
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }
}
