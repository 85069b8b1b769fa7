import type { Dialect } from '../../connectors/types';
import type { Expr, ExprType } from '../ast';
import type { CheckApi, SqlApi } from './types';

export const TEXT: ExprType = { kind: 'text' };
export const INT: ExprType = { kind: 'int' };
export const BIGINT: ExprType = { kind: 'bigint' };
export const FLOAT: ExprType = { kind: 'float' };
export const BOOLEAN: ExprType = { kind: 'boolean' };
export const DATE: ExprType = { kind: 'date' };

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth'];

export function argName(fn: string, i: number): string {
  return `${fn}'s ${ORDINAL[i] ?? `#${i + 1}`} argument`;
}

type Kinds = readonly (ExprType['kind'] | 'numeric')[];

/** Checks each argument against its allowed kinds; undefined when one does not fit. */
export function expectArgs(fn: string, args: Expr[], api: CheckApi, kinds: Kinds[]): Expr[] | undefined {
  const out: Expr[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = api.expect(args[i], kinds[Math.min(i, kinds.length - 1)], argName(fn, i));
    if (!a) return undefined;
    out.push(a);
  }
  return out;
}

/** Coerces whole-number arguments to bigint (the JS side then handles number | bigint). */
export function countArg(fn: string, i: number, arg: Expr, api: CheckApi): Expr | undefined {
  const a = api.expect(arg, ['int', 'bigint'], argName(fn, i));
  return a && api.coerce(a, BIGINT, argName(fn, i));
}

export function byDialect(d: Dialect, forms: Record<Dialect, () => string>): string {
  return forms[d]();
}

/** PostgreSQL's string functions take int4 counts: narrow bigint arguments. */
export function pgInt(s: SqlApi, i: number): string {
  const n = s.nodes[i];
  if (n.kind === 'literal' && typeof n.value === 'number' && Math.abs(n.value) < 2 ** 31) return String(n.value);
  if (n.type?.kind === 'int') return s.args[i];
  return `CAST(${s.args[i]} AS INTEGER)`;
}

/** max(x, 0) that keeps NULL (PostgreSQL's GREATEST ignores NULLs). */
export function nonNegative(x: string): string {
  return `(CASE WHEN ${x} < 0 THEN 0 ELSE ${x} END)`;
}

/** The date part of a rendered date/timestamp/timestamptz, per dialect. */
export function dateOf(s: SqlApi, sql: string, t: ExprType): string {
  if (t.kind === 'date') return sql;
  switch (s.dialect) {
    case 'postgres':
      return t.kind === 'timestamptz' ? `CAST((${sql} AT TIME ZONE 'UTC') AS DATE)` : `CAST(${sql} AS DATE)`;
    case 'mysql':
      return `DATE(${sql})`;
    case 'sqlite':
      return `substr(${sql}, 1, 10)`;
  }
}

/** A timestamptz viewed as UTC wall time (PostgreSQL would otherwise use the session zone). */
export function pgUtc(sql: string, t: ExprType): string {
  return t.kind === 'timestamptz' ? `(${sql} AT TIME ZONE 'UTC')` : sql;
}
