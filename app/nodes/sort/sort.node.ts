import { z } from 'zod';
import type { Schema } from '../../model/schema';
import { compareValues } from '../../model/values';
import { findColumn, type ProblemSink } from '../common/columns';
import { defineNode } from '../types';
import { ExternalSorter, type RowCompare } from './external-sort';

const config = z
  .object({
    by: z
      .array(
        z
          .object({
            column: z.string().min(1).describe('The column to sort by.'),
            direction: z.enum(['asc', 'desc']).default('asc').describe('asc: smallest first; desc: largest first.'),
            nulls: z
              .enum(['first', 'last'])
              .optional()
              .describe('Where NULLs go (default: first for asc, last for desc: NULL sorts as the smallest value, as in SQLite and MySQL).'),
          })
          .strict(),
      )
      .min(1)
      .describe('Sort keys, most significant first. Rows with equal keys keep their input order (the sort is stable).')
      .meta({ examples: [[{ column: 'country' }, { column: 'total', direction: 'desc' }]] }),
    memoryRows: z
      .number()
      .int()
      .min(1)
      .default(200_000)
      .describe('Rows sorted in memory at most; a larger input is sorted in runs of this size spilled to temporary files and merged.'),
  })
  .strict();

type Config = z.infer<typeof config>;

/**
 * Orders values by compareValues (numbers exactly across int/bigint/decimal, text by code
 * point, NaN after numbers), then direction, with NULLs placed as configured.
 */
export function comparatorOf(c: Config, schema: Schema, report?: ProblemSink): RowCompare | undefined {
  let ok = true;
  const keys = c.by.map((b, i) => {
    const index = report ? findColumn(report, schema, b.column, `by[${i}].column`) : schema.columns.findIndex((x) => x.name === b.column);
    if (index < 0) ok = false;
    const desc = b.direction === 'desc';
    const nullsFirst = (b.nulls ?? (desc ? 'last' : 'first')) === 'first';
    return { index, sign: desc ? -1 : 1, nullOrder: nullsFirst ? -1 : 1 };
  });
  if (!ok) return undefined;
  return (a, b) => {
    for (const k of keys) {
      const x = a[k.index];
      const y = b[k.index];
      if (x === y) continue;
      if (x === null) return k.nullOrder;
      if (y === null) return -k.nullOrder;
      const r = compareValues(x, y);
      if (r !== 0) return k.sign * r;
    }
    return 0;
  };
}

export const sortNode = defineNode<Config>({
  type: 'sort',
  title: 'Sort',
  category: 'transform',
  description:
    'Orders rows by one or more columns, stably. Memory stays bounded: beyond memoryRows rows, sorted runs are spilled to temporary ' +
    'files (exact for every type) and merged; the files are removed when the sort ends. No row comes out before the input has ended.',
  config,
  example: { by: [{ column: 'ordered_at', direction: 'desc' }] },
  ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [{ name: 'out', kind: 'data' }] }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const seen = new Set<string>();
    let ok = true;
    ctx.config.by.forEach((b, i) => {
      if (seen.has(b.column)) {
        ctx.problem(`by[${i}].column`, `column '${b.column}' is listed twice`);
        ok = false;
      }
      seen.add(b.column);
    });
    if (!comparatorOf(ctx.config, input, ctx) || !ok) return {};
    return { out: input };
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const compare = comparatorOf(ctx.config, input.schema);
    if (!compare) throw new Error('sort: the configuration does not fit the input (validate the pipeline)');
    const sorter = new ExternalSorter({ compare, memoryRows: ctx.config.memoryRows, tempDir: ctx.tempDir, signal: ctx.signal });
    try {
      for await (const rows of input) {
        await sorter.add(rows);
        if (out.done) return;
      }
      if (sorter.spilled > 0) ctx.log.info(`sort: merging ${sorter.spilled} spilled runs`);
      for await (const rows of sorter.sorted()) {
        await out.push(rows);
        if (out.done) break;
      }
    } finally {
      await sorter.dispose();
    }
  },
});

