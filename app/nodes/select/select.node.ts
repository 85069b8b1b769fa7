import { z } from 'zod';
import type { Column, Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { columnPickSchema, findColumn, pickAlias, pickName } from '../common/columns';
import { defineNode, type PlanContext } from '../types';

const config = z
  .object({
    columns: z
      .array(columnPickSchema('input'))
      .default([])
      .describe('The columns to keep, in output order; `{ name, as }` renames one. A column may be listed twice under two names.')
      .meta({ examples: [['id', { name: 'mail', as: 'email' }, 'total']] }),
    others: z
      .enum(['drop', 'keep'])
      .default('drop')
      .describe('The columns not listed: drop them, or keep them after the listed ones in their input order.'),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe('With others: keep, columns to drop all the same.')
      .meta({ examples: [['password_hash']] }),
  })
  .strict();

type Config = z.infer<typeof config>;

/** Output column i is input column `from[i]`, named `columns[i].name`. */
interface Layout {
  from: number[];
  schema: Schema;
}

/** Works out the output; problems are reported when a plan context is given. */
function layout(input: Schema, c: Config, ctx?: PlanContext<Config>): Layout | undefined {
  let ok = true;
  const from: number[] = [];
  const columns: Column[] = [];
  const listed = new Set<string>();
  const renames = new Map<string, string>();
  c.columns.forEach((p, i) => {
    const name = pickName(p);
    const path = typeof p === 'string' ? `columns[${i}]` : `columns[${i}].name`;
    const idx = ctx ? findColumn(ctx, input, name, path) : input.columns.findIndex((x) => x.name === name);
    if (idx < 0) {
      ok = false;
      return;
    }
    listed.add(name);
    if (!renames.has(name)) renames.set(name, pickAlias(p));
    from.push(idx);
    columns.push({ ...input.columns[idx], name: pickAlias(p) });
  });
  if (c.exclude.length > 0 && c.others === 'drop') {
    ctx?.problem('exclude', 'exclude only applies with others: keep (with others: drop, unlisted columns are dropped anyway)');
    ok = false;
  }
  const excluded = new Set<string>();
  c.exclude.forEach((name, i) => {
    if (ctx && findColumn(ctx, input, name, `exclude[${i}]`) < 0) ok = false;
    else if (listed.has(name)) {
      ctx?.problem(`exclude[${i}]`, `column '${name}' is both listed in columns and excluded`);
      ok = false;
    }
    excluded.add(name);
  });
  if (c.others === 'keep') {
    input.columns.forEach((col, idx) => {
      if (listed.has(col.name) || excluded.has(col.name)) return;
      from.push(idx);
      columns.push(col);
    });
  }
  // Output names must be unique: a rename onto a name that is also kept is ambiguous.
  const seen = new Map<string, number>();
  columns.forEach((col, i) => {
    const first = seen.get(col.name);
    if (first === undefined) {
      seen.set(col.name, i);
      return;
    }
    ok = false;
    const at = i < c.columns.length ? `columns[${i}]` : 'others';
    const which = i < c.columns.length ? `output column '${col.name}'` : `kept column '${col.name}'`;
    ctx?.problem(at, `${which} collides with output column ${first + 1} of the same name; rename one of them (as:) or exclude it`);
  });
  if (columns.length === 0 && ok) {
    ctx?.problem('columns', 'the selection keeps no columns');
    ok = false;
  }
  if (!ok) return undefined;
  // The key survives when each key column is kept (under its new name).
  const key = input.key?.every((k) => renames.has(k) || (c.others === 'keep' && !excluded.has(k)))
    ? input.key.map((k) => renames.get(k) ?? k)
    : undefined;
  return { from, schema: key ? { columns, key } : { columns } };
}

export const selectNode = defineNode<Config>({
  type: 'select',
  title: 'Select',
  category: 'transform',
  description: 'Keeps, renames and reorders columns. Listed columns come first in the given order; the others are dropped or kept after them.',
  config,
  example: { columns: ['id', { name: 'mail', as: 'email' }, 'total'] },
  ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [{ name: 'out', kind: 'data' }] }),

  plan(ctx) {
    const l = layout(ctx.inputs.in[0], ctx.config, ctx);
    return l ? { out: l.schema } : {};
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const l = layout(input.schema, ctx.config);
    if (!l) throw new Error('select: the configuration does not fit the input (validate the pipeline)');
    const from = l.from;
    // Same columns in the same order: rows pass through untouched (they are never mutated).
    const identity = from.length === input.schema.columns.length && from.every((f, i) => f === i);
    for await (const rows of input) {
      if (identity) await out.push(rows);
      else {
        const result: Row[] = new Array(rows.length);
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r];
          const o: Row = new Array(from.length);
          for (let k = 0; k < from.length; k++) o[k] = row[from[k]];
          result[r] = o;
        }
        await out.push(result);
      }
      if (out.done) break;
    }
  },
});
