import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { aggregateNode } from './aggregate.node';

const schema: Schema = {
  columns: [col('country', T.text), col('qty', T.bigint), col('price', T.decimal(10, 2)), col('score', T.float), col('day', T.date), col('tag', T.text)],
};
const big = 2n ** 62n;
const d = (s: string) => Decimal.parse(s)!;
const rows: Row[] = [
  ['CH', 1, d('2.50'), 1.5, '2024-01-02', 'a'],
  ['日本', big, d('0.01'), null, '2023-12-31', 'b'],
  ['CH', 2, null, 2.5, null, 'a'],
  [null, 5, d('1.00'), 0.5, '2024-05-01', null],
  ['日本', big, d('0.02'), 3, '2024-01-01', 'c'],
  ['CH', null, d('7.49'), null, '1999-01-01', 'b'],
];
const input = { in: { schema, rows } };

const all = [
  { name: 'n', fn: 'count' },
  { name: 'n_qty', fn: 'count', column: 'qty' },
  { name: 'sum_qty', fn: 'sum', column: 'qty' },
  { name: 'avg_qty', fn: 'avg', column: 'qty' },
  { name: 'sum_price', fn: 'sum', column: 'price' },
  { name: 'avg_price', fn: 'avg', column: 'price' },
  { name: 'avg_score', fn: 'avg', column: 'score' },
  { name: 'min_day', fn: 'min', column: 'day' },
  { name: 'max_price', fn: 'max', column: 'price' },
  { name: 'tags', fn: 'count_distinct', column: 'tag' },
];

describe('aggregate', () => {
  it('computes every function per group, exactly, in first-seen group order (NULL is a group)', async () => {
    const r = await runNode(aggregateNode, { groupBy: ['country'], aggregates: all }, input, { batchSize: 4 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [
        col('country', T.text),
        col('n', T.bigint, false),
        col('n_qty', T.bigint, false),
        col('sum_qty', T.bigint),
        col('avg_qty', T.decimal(38, 6)),
        col('sum_price', T.decimal(28, 2)),
        col('avg_price', T.decimal(14, 6)),
        col('avg_score', T.float),
        col('min_day', T.date),
        col('max_price', T.decimal(10, 2)),
        col('tags', T.bigint, false),
      ],
      key: ['country'],
    });
    expect(r.outputs.out).toEqual([
      ['CH', 3, 2, 3, d('1.500000'), d('9.99'), d('4.995000'), 2, '1999-01-01', d('7.49'), 2],
      ['日本', 2, 2, 2n ** 63n, d(String(big) + '.000000'), d('0.03'), d('0.015000'), 3, '2023-12-31', d('0.02'), 2],
      [null, 1, 1, 5, d('5.000000'), d('1.00'), d('1.000000'), 0.5, '2024-05-01', d('1.00'), 0],
    ]);
  });

  it('without groupBy: one row, also for an empty input (count 0, the others NULL)', async () => {
    const r = await runNode(aggregateNode, { aggregates: all }, input);
    expect(r.outputs.out).toEqual([[6, 5, 2n * big + 8n, d('1844674407370955163.200000'), d('11.02'), d('2.204000'), 1.875, '1999-01-01', d('7.49'), 3]]);
    const empty = await runNode(aggregateNode, { aggregates: all }, { in: { schema, rows: [] } });
    expect(empty.outputs.out).toEqual([[0, 0, null, null, null, null, null, null, null, 0]]);
    expect(empty.schemas.out!.columns.find((c) => c.name === 'sum_qty')!.nullable).toBe(true);
    const grouped = await runNode(aggregateNode, { groupBy: ['country'], aggregates: all }, { in: { schema, rows: [] } });
    expect(grouped.outputs.out).toEqual([]);
  });

  it('groups by several columns with values equal across representations; groupBy alone is DISTINCT', async () => {
    const s: Schema = { columns: [col('a', T.decimal()), col('b', T.text)] };
    const r = await runNode(aggregateNode, { groupBy: ['a', 'b'] }, { in: { schema: s, rows: [[d('1.0'), 'x'], [d('1.00'), 'x'], [d('1'), 'y'], [null, null], [null, null]] } });
    expect(r.outputs.out).toEqual([
      [d('1.0'), 'x'],
      [d('1'), 'y'],
      [null, null],
    ]);
  });

  it('aggregates expressions and rejects rows whose expression fails (they count nowhere)', async () => {
    const r = await runNode(
      aggregateNode,
      {
        groupBy: ['tag'],
        aggregates: [
          { name: 'revenue', fn: 'sum', expr: 'qty * price' },
          { name: 'len', fn: 'max', expr: 'CAST(country AS int)' },
          { name: 'n', fn: 'count' },
        ],
      },
      { in: { schema, rows: [rows[0], rows[3], [null, 3, d('2.00'), null, null, 'a']] } },
    );
    expect(r.problems).toEqual([]);
    expect(r.outputs.out).toEqual([
      [null, d('5.00'), null, 1],
      ['a', d('6.00'), null, 1],
    ]);
    expect(r.rejected.map((x) => x.row)).toEqual([rows[0]]);
    expect(r.rejected[0].reasons[0]).toMatchObject({ rule: 'aggregate', column: 'len' });
  });

  it('sums integers beyond 2^53 exactly and averages with scale 6, rounding half away from zero', async () => {
    const s: Schema = { columns: [col('v', T.int)] };
    const max = Number.MAX_SAFE_INTEGER;
    const r = await runNode(
      aggregateNode,
      { aggregates: [{ name: 's', fn: 'sum', column: 'v' }, { name: 'a', fn: 'avg', column: 'v' }] },
      { in: { schema: s, rows: [[max], [max], [-1], [null]] } },
    );
    expect(r.outputs.out).toEqual([[2n * BigInt(max) - 1n, d('6004799503160660.333333')]]);
    const third = await runNode(aggregateNode, { aggregates: [{ name: 'a', fn: 'avg', column: 'v' }] }, { in: { schema: s, rows: [[2], [0], [0]] } });
    expect(third.outputs.out).toEqual([[d('0.666667')]]);
    const neg = await runNode(aggregateNode, { aggregates: [{ name: 'a', fn: 'avg', column: 'v' }] }, { in: { schema: s, rows: [[-2], [0], [0]] } });
    expect(neg.outputs.out).toEqual([[d('-0.666667')]]);
  });

  it('emits in batches and stops when the output is done', async () => {
    const s: Schema = { columns: [col('g', T.int)] };
    const many: Row[] = Array.from({ length: 10_000 }, (_, i) => [i]);
    const r = await runNode(aggregateNode, { groupBy: ['g'], aggregates: [{ name: 'n', fn: 'count' }] }, { in: { schema: s, rows: many } }, { batchSize: 1000, doneAfter: { out: 10 } });
    expect(r.outputs.out).toHaveLength(4096);
  });

  it('reports configuration problems', async () => {
    const p = async (config: unknown) => (await runNode(aggregateNode, config, input)).problems.map((x) => [x.path, x.message]);
    expect(await p({})).toEqual([['aggregates', 'nothing to compute: give groupBy columns, aggregates, or both']]);
    expect(
      await p({
        groupBy: ['contry', 'tag', 'tag'],
        aggregates: [
          { name: 's', fn: 'sum', column: 'tag' },
          { name: 'a', fn: 'avg' },
          { name: 'tag', fn: 'count' },
          { name: 'm', fn: 'max', column: 'qty', expr: 'qty' },
          { name: 'x', fn: 'min', column: 'prise' },
          { name: 'y', fn: 'sum', expr: "day || 'x'" },
          { name: 'z', fn: 'sum', expr: 'nosuch' },
        ],
      }),
    ).toEqual([
      ['groupBy[0]', "no column 'contry' in the input (did you mean 'country'?)"],
      ['groupBy[2]', "column 'tag' is listed twice"],
      ['aggregates[0].column', "sum needs a number, not text (column 'tag')"],
      ['aggregates[1]', 'avg needs a column or an expr'],
      ['aggregates[2].name', "output column 'tag' is defined twice (a group column or another aggregate has that name)"],
      ['aggregates[3]', 'give either column or expr, not both'],
      ['aggregates[4].column', "no column 'prise' in the input (did you mean 'price'?)"],
      ['aggregates[5].expr', 'sum needs a number, not text (the expression)'],
      ['aggregates[6].expr', expect.stringContaining('nosuch')],
    ]);
  });
});
