import { checkExpression, type ExprScope } from '../../expr';
import type { Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import type { PlanContext } from '../types';

export function scopeOf(schema: Schema, params: Record<string, LogicalType>): ExprScope {
  return { columns: schema.columns, params };
}

/**
 * Type-checks an expression of a node's config and reports its problems at `path`, with
 * the position inside the expression text. Returns its type when it is sound.
 */
export function checkConfigExpression<C>(
  ctx: PlanContext<C>,
  path: string,
  text: string,
  scope: ExprScope,
): { type: LogicalType; nullable: boolean } | undefined {
  const r = checkExpression(text, scope);
  for (const p of r.problems) {
    ctx.problem(path, `${path}: ${p.message} (at ${p.start + 1} in "${text}")`, {
      severity: p.severity,
      hint: p.hint,
      start: p.start,
      end: p.end,
    });
  }
  if (r.problems.some((p) => p.severity === 'error') || !r.type) return undefined;
  return { type: r.type, nullable: r.nullable };
}

/** The error message of something thrown while evaluating one row. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
