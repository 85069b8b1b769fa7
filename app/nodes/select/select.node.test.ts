import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { selectNode } from './select.node';

const schema: Schema = {
  columns: [col('id', T.bigint, false), col('mail', T.text), col('total', T.decimal(12, 2)), col('note', T.text)],
  key: ['id'],
};
const big = 2n ** 60n;
const rows: Row[] = [
  [1, 'a@x.org', Decimal.parse('1.50')!, 'ünïcødé ✓'],
  [big, null, null, null],
  [3, 'c@x.org', Decimal.parse('-0.01')!, '日本語'],
  [4, 'd@x.org', Decimal.parse('99999999.99')!, ''],
];
const input = { in: { schema, rows } };

describe('select', () => {
  it('keeps, renames and reorders the listed columns and drops the others', async () => {
    const r = await runNode(selectNode, { columns: ['total', { name: 'mail', as: 'email' }, 'id'] }, input, { batchSize: 3 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [col('total', T.decimal(12, 2)), col('email', T.text), col('id', T.bigint, false)],
      key: ['id'],
    });
    expect(r.outputs.out).toEqual(rows.map((x) => [x[2], x[1], x[0]]));
  });

  it('keeps the others after the listed ones, minus the excluded, and renames the key', async () => {
    const r = await runNode(selectNode, { columns: [{ name: 'id', as: 'order_id' }], others: 'keep', exclude: ['note'] }, input);
    expect(r.problems).toEqual([]);
    expect(r.schemas.out!.columns.map((c) => c.name)).toEqual(['order_id', 'mail', 'total']);
    expect(r.schemas.out!.key).toEqual(['order_id']);
    expect(r.outputs.out).toEqual(rows.map((x) => [x[0], x[1], x[2]]));
  });

  it('passes rows through untouched when nothing changes, and never mutates input rows', async () => {
    const copy = rows.map((x) => [...x]);
    const r = await runNode(selectNode, { columns: [], others: 'keep' }, input);
    expect(r.outputs.out[0]).toBe(rows[0]);
    const r2 = await runNode(selectNode, { columns: ['note', 'id'] }, input);
    expect(r2.outputs.out[0]).not.toBe(rows[0]);
    expect(rows).toEqual(copy);
  });

  it('drops the key when a key column is dropped; lists a column twice under two names', async () => {
    const r = await runNode(selectNode, { columns: ['mail', { name: 'mail', as: 'mail2' }] }, input);
    expect(r.problems).toEqual([]);
    expect(r.schemas.out!.key).toBeUndefined();
    expect(r.outputs.out[1]).toEqual([null, null]);
  });

  it('handles an empty input', async () => {
    const r = await runNode(selectNode, { columns: ['id'] }, { in: { schema, rows: [] } });
    expect(r.outputs.out).toEqual([]);
  });

  it('stops reading when the output is done', async () => {
    const r = await runNode(selectNode, { columns: ['id'] }, input, { batchSize: 1, doneAfter: { out: 2 } });
    expect(r.outputs.out).toEqual([[1], [big]]);
  });

  it('reports unknown columns with a suggestion', async () => {
    const r = await runNode(selectNode, { columns: ['id', { name: 'emial', as: 'x' }, 'totl'], others: 'keep', exclude: ['nots'] }, input);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['columns[1].name', "no column 'emial' in the input"],
      ['columns[2]', "no column 'totl' in the input (did you mean 'total'?)"],
      ['exclude[0]', "no column 'nots' in the input (did you mean 'note'?)"],
    ]);
    expect(r.problems[1].hint).toBe('total');
  });

  it('reports renames that collide', async () => {
    const r = await runNode(selectNode, { columns: ['id', { name: 'mail', as: 'id' }] }, input);
    expect(r.problems).toMatchObject([
      { path: 'columns[1]', message: "output column 'id' collides with output column 1 of the same name; rename one of them (as:) or exclude it" },
    ]);
    const r2 = await runNode(selectNode, { columns: [{ name: 'mail', as: 'note' }], others: 'keep' }, input);
    expect(r2.problems).toMatchObject([
      { path: 'others', message: "kept column 'note' collides with output column 1 of the same name; rename one of them (as:) or exclude it" },
    ]);
  });

  it('reports exclude without keep, excluded listed columns, and an empty selection', async () => {
    const r = await runNode(selectNode, { columns: ['id'], exclude: ['mail'] }, input);
    expect(r.problems).toMatchObject([{ path: 'exclude', message: expect.stringContaining('exclude only applies with others: keep') }]);
    const r2 = await runNode(selectNode, { columns: ['id'], others: 'keep', exclude: ['id'] }, input);
    expect(r2.problems).toMatchObject([{ path: 'exclude[0]', message: "column 'id' is both listed in columns and excluded" }]);
    const r3 = await runNode(selectNode, {}, input);
    expect(r3.problems).toMatchObject([{ path: 'columns', message: 'the selection keeps no columns' }]);
  });
});
