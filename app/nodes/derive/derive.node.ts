import { z } from 'zod';
import { compileExpression, type CompiledExpr } from '../../expr';
import type { Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type RejectedRow } from '../types';

const config = z
  .object({
    columns: z
      .array(
        z
          .object({
            name: z.string().min(1).describe('The new column (an existing column of that name is replaced in place).'),
            expr: z.string().min(1).describe('A SQL expression over the input columns and :parameters.').meta({ examples: ['quantity * unit_price', "lower(trim(email))"] }),
          })
          .strict(),
      )
      .min(1)
      .describe('Columns computed in order: each expression sees the columns derived before it.'),
  })
  .strict();

type Config = z.infer<typeof config>;

/** Where each derived column lands: replacing a column of the same name, or appended. */
function layout(input: Schema, names: string[]): { indexes: number[]; width: number } {
  const cols = input.columns.map((c) => c.name);
  const indexes = names.map((n) => {
    const i = cols.indexOf(n);
    if (i >= 0) return i;
    cols.push(n);
    return cols.length - 1;
  });
  return { indexes, width: cols.length };
}

export const deriveNode = defineNode<Config>({
  type: 'derive',
  title: 'Derive',
  category: 'transform',
  description: 'Adds or replaces columns computed from SQL expressions. A row whose expression fails (e.g. a bad cast) is rejected with the reason.',
  config,
  example: { columns: [{ name: 'total', expr: 'quantity * unit_price' }] },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows whose expressions failed, with the reason.' },
    ],
  }),

  plan(ctx) {
    let schema: Schema = ctx.inputs.in[0];
    let ok = true;
    ctx.config.columns.forEach((c, i) => {
      const t = checkConfigExpression(ctx, `columns[${i}].expr`, c.expr, scopeOf(schema, ctx.params));
      if (!t) {
        ok = false;
        return;
      }
      const existing = schema.columns.findIndex((x) => x.name === c.name);
      const column = { name: c.name, type: t.type, nullable: t.nullable };
      const columns = [...schema.columns];
      if (existing >= 0) columns[existing] = column;
      else columns.push(column);
      schema = { columns, key: schema.key };
    });
    return ok ? { out: schema } : {};
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    let schema: Schema = input.schema;
    const compiled: CompiledExpr[] = [];
    for (const c of ctx.config.columns) {
      const e = compileExpression(c.expr, scopeOf(schema, ctx.paramTypes));
      compiled.push(e);
      const existing = schema.columns.findIndex((x) => x.name === c.name);
      const column = { name: c.name, type: e.type, nullable: e.nullable };
      schema = { columns: existing >= 0 ? schema.columns.map((x, i) => (i === existing ? column : x)) : [...schema.columns, column] };
    }
    const { indexes, width } = layout(input.schema, ctx.config.columns.map((c) => c.name));
    const params = ctx.params;
    const n = compiled.length;
    for await (const rows of input) {
      const result: Row[] = new Array(rows.length);
      let kept = 0;
      let rejected: RejectedRow[] | undefined;
      for (const row of rows) {
        // The output row made at its final width in one allocation: slice() then push()
        // reallocated every row's backing store (it grows by half plus 16 slots).
        const w = row.length;
        const o: Row = new Array<Value>(width > w ? width : w);
        for (let k = 0; k < w; k++) o[k] = row[k];
        for (let k = w; k < width; k++) o[k] = null;
        let j = 0;
        try {
          for (; j < n; j++) o[indexes[j]] = compiled[j].evaluate(o, params);
          result[kept++] = o;
        } catch (e) {
          (rejected ??= []).push({ row, reasons: [{ rule: 'derive', column: ctx.config.columns[j].name, message: messageOf(e) }] });
        }
      }
      result.length = kept;
      if (rejected) await ctx.reject(rejected);
      await out.push(result);
      if (out.done) break;
    }
  },
});
