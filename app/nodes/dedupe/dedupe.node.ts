import { z } from 'zod';
import type { Schema } from '../../model/schema';
import { rowKey, type Row } from '../../model/values';
import { Emitter } from '../common/batches';
import { findColumn, type ProblemSink } from '../common/columns';
import { defineNode } from '../types';

const config = z
  .object({
    key: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('The columns that identify a duplicate (default: all columns). Values compare exactly (1 = 1.0) and NULL equals NULL, as in SELECT DISTINCT.')
      .meta({ examples: [['email']] }),
    keep: z
      .enum(['first', 'last'])
      .default('first')
      .describe('Which row of each key to keep: the first (streams) or the last (held until the input ends, emitted in first-seen order).'),
  })
  .strict();

type Config = z.infer<typeof config>;

function keyIndexes(c: Config, input: Schema, report?: ProblemSink): number[] | undefined {
  if (!c.key) return input.columns.map((_, i) => i);
  let ok = true;
  const seen = new Set<string>();
  const idx = c.key.map((k, i) => {
    if (seen.has(k)) {
      report?.problem(`key[${i}]`, `column '${k}' is listed twice`);
      ok = false;
    }
    seen.add(k);
    const j = report ? findColumn(report, input, k, `key[${i}]`) : input.columns.findIndex((x) => x.name === k);
    if (j < 0) ok = false;
    return j;
  });
  return ok ? idx : undefined;
}

export const dedupeNode = defineNode<Config>({
  type: 'dedupe',
  title: 'Dedupe',
  category: 'quality',
  description:
    'Keeps one row per key (the first or the last) and sends the other rows out of `duplicates`. Memory grows with the number of ' +
    'distinct keys (keep last also holds one row per key until the input ends).',
  config,
  example: { key: ['email'], keep: 'first' },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data', description: 'One row per key.' },
      { name: 'duplicates', kind: 'data', optional: true, description: 'The rows that were not kept.' },
    ],
  }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    if (!keyIndexes(ctx.config, input, ctx)) return {};
    // The kept rows are unique by the key; an input key stays a key.
    const key = input.key ?? ctx.config.key;
    const out: Schema = key ? { columns: input.columns, key } : { columns: input.columns };
    return { out, duplicates: { columns: input.columns } };
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const dups = ctx.output('duplicates');
    const idx = keyIndexes(ctx.config, input.schema);
    if (!idx) throw new Error('dedupe: the configuration does not fit the input (validate the pipeline)');
    const stop = () => out.done && dups.done;
    if (ctx.config.keep === 'first') {
      const seen = new Set<string>();
      for await (const rows of input) {
        const kept: Row[] = [];
        const dropped: Row[] = [];
        for (const row of rows) {
          const k = rowKey(row, idx);
          if (seen.has(k)) dropped.push(row);
          else {
            seen.add(k);
            kept.push(row);
          }
        }
        await out.push(kept);
        if (dropped.length > 0) await dups.push(dropped);
        if (stop()) break;
      }
      return;
    }
    // keep last: a Map keeps first-seen order while its values are replaced by later rows.
    const last = new Map<string, Row>();
    for await (const rows of input) {
      const dropped: Row[] = [];
      for (const row of rows) {
        const k = rowKey(row, idx);
        const before = last.get(k);
        if (before) dropped.push(before);
        last.set(k, row);
      }
      if (dropped.length > 0) await dups.push(dropped);
      if (stop()) return;
    }
    const emit = new Emitter(out);
    for (const row of last.values()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!(await emit.add(row))) return;
    }
    await emit.flush();
  },
});
