import { z } from 'zod';
import { compileExpression, type CompiledExpr } from '../../expr';
import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { rowKey, type Row, type Value } from '../../model/values';
import { Emitter } from '../common/batches';
import { findColumn, type ProblemSink } from '../common/columns';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type RejectedRow } from '../types';
import { AGGREGATE_FNS, accumulatorFactory, resultType, type Accumulator } from './accumulators';

const config = z
  .object({
    groupBy: z
      .array(z.string().min(1))
      .default([])
      .describe('Columns to group by (NULLs form one group). Empty: the whole input is one group.')
      .meta({ examples: [['country', 'status']] }),
    aggregates: z
      .array(
        z
          .object({
            name: z.string().min(1).describe('The output column.'),
            fn: z
              .enum(AGGREGATE_FNS)
              .describe(
                'count (rows, or non-NULL values of column/expr), sum, avg, min, max, count_distinct. NULLs are ignored; sum, avg, min and max of no values are NULL.',
              ),
            column: z.string().min(1).optional().describe('The input column aggregated (count without column or expr counts rows).'),
            expr: z
              .string()
              .min(1)
              .optional()
              .describe('A SQL expression aggregated instead of a column.')
              .meta({ examples: ['quantity * unit_price'] }),
          })
          .strict(),
      )
      .default([])
      .describe('The aggregates computed per group, after the group columns.')
      .meta({ examples: [[{ name: 'orders', fn: 'count' }, { name: 'revenue', fn: 'sum', column: 'total' }]] }),
  })
  .strict();

type Config = z.infer<typeof config>;

interface Spec {
  /** Where the aggregated value comes from. */
  input: { kind: 'star' } | { kind: 'column'; index: number } | { kind: 'expr'; path: string; text: string };
  inputType?: LogicalType;
  outType: LogicalType;
  nullable: boolean;
}

interface Layout {
  group: number[];
  specs: Spec[];
  schema: Schema;
}

type ExprTyper = (path: string, text: string) => { type: LogicalType; nullable: boolean } | undefined;

function layout(c: Config, input: Schema, report: ProblemSink | undefined, exprType: ExprTyper): Layout | undefined {
  const problem: ProblemSink['problem'] = report ? report.problem : () => {};
  let ok = true;
  if (c.groupBy.length === 0 && c.aggregates.length === 0) {
    problem('aggregates', 'nothing to compute: give groupBy columns, aggregates, or both');
    return undefined;
  }
  const group: number[] = [];
  const names = new Set<string>();
  c.groupBy.forEach((g, i) => {
    const idx = report ? findColumn(report, input, g, `groupBy[${i}]`) : input.columns.findIndex((x) => x.name === g);
    if (idx < 0) ok = false;
    else if (names.has(g)) {
      problem(`groupBy[${i}]`, `column '${g}' is listed twice`);
      ok = false;
    } else group.push(idx);
    names.add(g);
  });
  const specs: Spec[] = [];
  c.aggregates.forEach((a, i) => {
    const at = `aggregates[${i}]`;
    if (names.has(a.name)) {
      problem(`${at}.name`, `output column '${a.name}' is defined twice (a group column or another aggregate has that name)`);
      ok = false;
    }
    names.add(a.name);
    if (a.column !== undefined && a.expr !== undefined) {
      problem(at, 'give either column or expr, not both');
      ok = false;
      return;
    }
    let inputSpec: Spec['input'] = { kind: 'star' };
    let inputType: LogicalType | undefined;
    let inputNullable = true;
    if (a.column !== undefined) {
      const idx = report ? findColumn(report, input, a.column, `${at}.column`) : input.columns.findIndex((x) => x.name === a.column);
      if (idx < 0) {
        ok = false;
        return;
      }
      inputSpec = { kind: 'column', index: idx };
      inputType = input.columns[idx].type;
      inputNullable = input.columns[idx].nullable;
    } else if (a.expr !== undefined) {
      const t = exprType(`${at}.expr`, a.expr);
      if (!t) {
        ok = false;
        return;
      }
      inputSpec = { kind: 'expr', path: `${at}.expr`, text: a.expr };
      inputType = t.type;
      inputNullable = t.nullable;
    }
    const out = resultType(a.fn, inputType);
    if (typeof out === 'string') {
      const what = a.column !== undefined ? `column '${a.column}'` : a.expr !== undefined ? 'the expression' : '';
      problem(a.column !== undefined ? `${at}.column` : a.expr !== undefined ? `${at}.expr` : at, what ? `${out} (${what})` : out);
      ok = false;
      return;
    }
    // count is never NULL; the others are NULL for a group without values (only possible with NULLs or no rows).
    const counts = a.fn === 'count' || a.fn === 'count_distinct';
    const nullable = !counts && (inputNullable || c.groupBy.length === 0);
    specs.push({ input: inputSpec, inputType, outType: out, nullable });
  });
  if (!ok) return undefined;
  const columns: Column[] = [
    ...group.map((i) => input.columns[i]),
    ...specs.map((s, i) => ({ name: c.aggregates[i].name, type: s.outType, nullable: s.nullable })),
  ];
  return { group, specs, schema: group.length > 0 ? { columns, key: c.groupBy } : { columns } };
}

export const aggregateNode = defineNode<Config>({
  type: 'aggregate',
  title: 'Aggregate',
  category: 'transform',
  description:
    'Groups rows and computes count, sum, avg, min, max and count_distinct per group, with SQL semantics: NULLs are ignored; ' +
    'with groupBy an empty input gives no rows, without it one row (count 0, the others NULL). Groups come out in the order they ' +
    'were first seen. Sums of integers are exact bigints and of decimals exact decimals (decimal(p+18, s)); avg of integers is ' +
    'decimal(38,6) and of decimal(p,s) has scale max(s, 6), rounded half away from zero; of floats, float. Memory grows with the ' +
    'number of groups (and, for count_distinct, of distinct values per group).',
  config,
  example: {
    groupBy: ['country'],
    aggregates: [
      { name: 'orders', fn: 'count' },
      { name: 'revenue', fn: 'sum', column: 'total' },
    ],
  },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows whose aggregate expression failed to evaluate (they count nowhere).' },
    ],
  }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const scope = scopeOf(input, ctx.params);
    const l = layout(ctx.config, input, ctx, (path, text) => checkConfigExpression(ctx, path, text, scope));
    return l ? { out: l.schema } : {};
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const scope = scopeOf(input.schema, ctx.paramTypes);
    const compiled = new Map<string, CompiledExpr>();
    const l = layout(ctx.config, input.schema, undefined, (path, text) => {
      const e = compileExpression(text, scope);
      compiled.set(path, e);
      return e;
    });
    if (!l) throw new Error('aggregate: the configuration does not fit the input (validate the pipeline)');
    const { group, specs } = l;
    const factories = specs.map((s, i) => accumulatorFactory(ctx.config.aggregates[i].fn, s.input.kind === 'star' ? undefined : s.inputType, s.outType));
    const exprs = specs.map((s) => (s.input.kind === 'expr' ? compiled.get(s.input.path)! : undefined));
    const groups = new Map<string, { key: Row; accs: Accumulator[] }>();
    const newGroup = (key: Row) => ({ key, accs: factories.map((f) => f()) });
    const params = ctx.params;
    const n = specs.length;
    const values: Value[] = new Array(n);
    for await (const rows of input) {
      let rejected: RejectedRow[] | undefined;
      for (const row of rows) {
        // Evaluate everything first: a row whose expression fails counts in no aggregate.
        let k = 0;
        try {
          for (; k < n; k++) {
            const s = specs[k].input;
            values[k] = s.kind === 'column' ? row[s.index] : s.kind === 'expr' ? exprs[k]!.evaluate(row, params) : null;
          }
        } catch (e) {
          const a = ctx.config.aggregates[k];
          (rejected ??= []).push({ row, reasons: [{ rule: 'aggregate', column: a.name, message: `${a.name}: ${messageOf(e)}` }] });
          continue;
        }
        const key = group.length === 0 ? '' : rowKey(row, group);
        let g = groups.get(key);
        if (!g) {
          g = newGroup(group.map((i) => row[i]));
          groups.set(key, g);
        }
        for (let j = 0; j < n; j++) g.accs[j].add(values[j]);
      }
      if (rejected) await ctx.reject(rejected);
      if (out.done) return;
    }
    // SQL: an aggregate without GROUP BY over no rows still gives one row.
    if (group.length === 0 && groups.size === 0) groups.set('', newGroup([]));
    const emit = new Emitter(out);
    for (const g of groups.values()) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!(await emit.add([...g.key, ...g.accs.map((a) => a.result())]))) return;
    }
    await emit.flush();
  },
});
