import { z } from 'zod';
import type { Schema } from '../../model/schema';
import { parseType, sameType, type LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { castMessage, castPossible, converterOf } from '../common/casts';
import { findColumn } from '../common/columns';
import { messageOf } from '../common/expressions';
import { defineNode, type PlanContext, type RejectReason, type RejectedRow } from '../types';

const onError = z.enum(['reject', 'null']);

const config = z
  .object({
    columns: z
      .union([
        z
          .array(
            z
              .object({
                name: z.string().min(1).describe('The input column to convert (it keeps its name and place).'),
                type: z.string().min(1).describe('The type to cast to, e.g. int, decimal(12,2), date, timestamptz.').meta({ examples: ['decimal(12,2)'] }),
                onError: onError
                  .optional()
                  .describe('A value that does not convert: reject the row, or make it NULL and record a warning (default: the node-wide onError).'),
              })
              .strict(),
          )
          .min(1),
        z.record(z.string(), z.string().min(1)),
      ])
      .describe('The columns to convert: a list of { name, type, onError }, or a map from column name to type.')
      .meta({ examples: [{ price: 'decimal(12,2)', ordered_at: 'timestamp' }, [{ name: 'qty', type: 'int', onError: 'null' }]] }),
    onError: onError
      .default('reject')
      .describe('A value that does not convert: reject the row with the reason, or make it NULL and record a warning.'),
  })
  .strict();

type Config = z.infer<typeof config>;

interface Conversion {
  index: number;
  name: string;
  path: string;
  type: LogicalType;
  convert: (v: Value) => Value;
  toNull: boolean;
}

function entries(c: Config): Array<{ name: string; type: string; onError?: 'reject' | 'null'; path: string }> {
  if (Array.isArray(c.columns)) return c.columns.map((x, i) => ({ ...x, path: `columns[${i}]` }));
  return Object.entries(c.columns).map(([name, type]) => ({ name, type, path: `columns.${name}` }));
}

function conversions(input: Schema, c: Config, ctx?: PlanContext<Config>): Conversion[] | undefined {
  let ok = true;
  const out: Conversion[] = [];
  const seen = new Set<string>();
  for (const e of entries(c)) {
    const list = Array.isArray(c.columns);
    if (seen.has(e.name)) {
      ctx?.problem(list ? `${e.path}.name` : e.path, `column '${e.name}' is cast twice`);
      ok = false;
      continue;
    }
    seen.add(e.name);
    const index = ctx ? findColumn(ctx, input, e.name, list ? `${e.path}.name` : e.path) : input.columns.findIndex((x) => x.name === e.name);
    const type = parseType(e.type);
    if (!type) {
      ctx?.problem(list ? `${e.path}.type` : e.path, `unknown type '${e.type}' (e.g. int, bigint, decimal(12,2), float, text, date, timestamp, boolean)`);
      ok = false;
      continue;
    }
    if (index < 0) {
      ok = false;
      continue;
    }
    const from = input.columns[index].type;
    if (!castPossible(from, type)) {
      ctx?.problem(list ? `${e.path}.type` : e.path, castMessage(e.name, from, type));
      ok = false;
      continue;
    }
    if (sameType(from, type)) continue;
    out.push({ index, name: e.name, path: e.path, type, convert: converterOf(from, type), toNull: (e.onError ?? c.onError) === 'null' });
  }
  return ok ? out : undefined;
}

export const castNode = defineNode<Config>({
  type: 'cast',
  title: 'Cast',
  category: 'transform',
  description:
    'Converts columns to other types in place (text to numbers or dates, decimal precision, ...). A value that does not convert rejects ' +
    'the row with the reason, or, with onError: null, becomes NULL and is recorded as a warning.',
  config,
  example: { columns: { price: 'decimal(12,2)', ordered_at: 'timestamp' } },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows with a value that does not convert (onError: reject).' },
    ],
  }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const conv = conversions(input, ctx.config, ctx);
    if (!conv) return {};
    const columns = input.columns.map((col, i) => {
      const c = conv.find((x) => x.index === i);
      return c ? { name: col.name, type: c.type, nullable: col.nullable || c.toNull } : col;
    });
    return { out: input.key ? { columns, key: input.key } : { columns } };
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const conv = conversions(input.schema, ctx.config);
    if (!conv) throw new Error('cast: the configuration does not fit the input (validate the pipeline)');
    for await (const rows of input) {
      if (conv.length === 0) {
        await out.push(rows);
        if (out.done) break;
        continue;
      }
      const kept: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      let warned: RejectedRow[] | undefined;
      for (const row of rows) {
        let o: Row | undefined;
        let errors: RejectReason[] | undefined;
        let warnings: RejectReason[] | undefined;
        for (const c of conv) {
          const v = row[c.index];
          if (v === null) continue;
          o ??= row.slice();
          try {
            o[c.index] = c.convert(v);
          } catch (e) {
            const reason: RejectReason = {
              rule: 'cast',
              column: c.name,
              value: v,
              message: `${c.name}: ${messageOf(e)}`,
            };
            if (c.toNull) {
              o[c.index] = null;
              (warnings ??= []).push({ ...reason, severity: 'warning', message: reason.message + ' (set to NULL)' });
            } else (errors ??= []).push(reason);
          }
        }
        if (errors) (rejected ??= []).push({ row, reasons: warnings ? [...errors, ...warnings] : errors });
        else {
          kept.push(o ?? row);
          if (warnings) (warned ??= []).push({ row, reasons: warnings });
        }
      }
      if (rejected) await ctx.reject(rejected);
      if (warned) await ctx.warn(warned);
      await out.push(kept);
      if (out.done) break;
    }
  },
});
