import { z } from 'zod';
import { didYouMean } from '../../model/problems';
import type { Schema } from '../../model/schema';
import type { PlanContext } from '../types';

/** Where plan problems go: a PlanContext, or a stand-in when a plan is recomputed at run time. */
export type ProblemSink = Pick<PlanContext<unknown>, 'problem'>;

/**
 * Finds a column by exact name, reporting an unknown one at `path` with a "did you mean".
 * Returns its index, or -1 when it is not there.
 */
export function findColumn(ctx: ProblemSink, schema: Schema, name: string, path: string, where = 'the input'): number {
  const i = schema.columns.findIndex((c) => c.name === name);
  if (i >= 0) return i;
  const names = schema.columns.map((c) => c.name);
  const hint = didYouMean(name, names);
  ctx.problem(path, `no column '${name}' in ${where}${hint ? ` (did you mean '${hint}'?)` : ''}`, { hint });
  return -1;
}

/** A column to take, optionally under a new name: `email` or `{ name: email, as: contact_email }`. */
export type ColumnPick = string | { name: string; as?: string };

/** The zod schema of a ColumnPick (a fresh instance each call, so JSON Schemas stay inline). */
export function columnPickSchema(what: string) {
  return z.union([
    z.string().min(1),
    z
      .object({
        name: z.string().min(1).describe(`The ${what} column.`),
        as: z.string().min(1).optional().describe('Its name in the output (default: unchanged).'),
      })
      .strict(),
  ]);
}

export function pickName(p: ColumnPick): string {
  return typeof p === 'string' ? p : p.name;
}

export function pickAlias(p: ColumnPick): string {
  return typeof p === 'string' ? p : (p.as ?? p.name);
}

/** Index of a column by name in a runtime schema (plan has already reported unknown ones). */
export function indexOf(schema: Schema, name: string): number {
  const i = schema.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no column '${name}' in the input`);
  return i;
}
