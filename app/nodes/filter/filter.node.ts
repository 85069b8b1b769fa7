import { z } from 'zod';
import { compileExpression, isTrue } from '../../expr';
import { formatType } from '../../model/types';
import type { Row } from '../../model/values';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type RejectedRow } from '../types';

const config = z
  .object({
    where: z
      .string()
      .min(1)
      .describe('A SQL condition; a row is kept only when it is TRUE (FALSE and NULL drop it), as in SQL WHERE.')
      .meta({ examples: ["status = 'paid' AND total >= :min_total"] }),
  })
  .strict();

type Config = z.infer<typeof config>;

export const filterNode = defineNode<Config>({
  type: 'filter',
  title: 'Filter',
  category: 'transform',
  description: 'Keeps the rows for which a condition is TRUE. A row whose condition fails to evaluate is rejected with the reason.',
  config,
  example: { where: "status = 'paid'" },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows whose condition failed to evaluate.' },
    ],
  }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const t = checkConfigExpression(ctx, 'where', ctx.config.where, scopeOf(input, ctx.params));
    if (!t) return {};
    if (t.type.kind !== 'boolean') {
      ctx.problem('where', `where: the condition is a ${formatType(t.type)}, not a boolean`);
      return {};
    }
    return { out: input };
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const cond = compileExpression(ctx.config.where, scopeOf(input.schema, ctx.paramTypes));
    const params = ctx.params;
    for await (const rows of input) {
      const kept: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      for (const row of rows) {
        try {
          if (isTrue(cond.evaluate(row, params))) kept.push(row);
        } catch (e) {
          (rejected ??= []).push({ row, reasons: [{ rule: 'filter', message: messageOf(e) }] });
        }
      }
      if (rejected) await ctx.reject(rejected);
      await out.push(kept);
      if (out.done) break;
    }
  },
});
