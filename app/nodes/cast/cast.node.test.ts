import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { castNode } from './cast.node';

const schema: Schema = {
  columns: [col('id', T.text, false), col('price', T.text), col('day', T.text), col('qty', T.float), col('blob', T.bytes)],
  key: ['id'],
};
const rows: Row[] = [
  ['9007199254740993', '12.345', '2024-02-29', 3, new Uint8Array([1])],
  ['2', null, null, null, null],
  ['x', 'abc', '2024-02-30', 2.5, null],
  ['-4', '-0.5', '1969-07-20', -1e20, null],
];
const input = { in: { schema, rows } };
const d = (s: string) => Decimal.parse(s)!;

describe('cast', () => {
  it('casts the listed columns in place (record form) and rejects rows that do not convert, with every reason', async () => {
    const r = await runNode(castNode, { columns: { id: 'bigint', price: 'decimal(12,2)', day: 'date' } }, input, { batchSize: 2 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [col('id', T.bigint, false), col('price', T.decimal(12, 2)), col('day', T.date), col('qty', T.float), col('blob', T.bytes)],
      key: ['id'],
    });
    expect(r.outputs.out).toEqual([
      [9007199254740993n, d('12.35'), '2024-02-29', 3, new Uint8Array([1])],
      [2, null, null, null, null],
      [-4, d('-0.50'), '1969-07-20', -1e20, null],
    ]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].row).toBe(rows[2]);
    expect(r.rejected[0].reasons.map((x) => [x.rule, x.column, x.value])).toEqual([
      ['cast', 'id', 'x'],
      ['cast', 'price', 'abc'],
      ['cast', 'day', '2024-02-30'],
    ]);
    expect(r.rejected[0].reasons[0].message).toBe("id: 'x' is not a bigint");
    expect(r.outputs.rejected[0].slice(5)).toEqual(['n', 'cast', 'id; price; day', expect.stringContaining("id: 'x' is not a bigint")]);
  });

  it('makes failures NULL with onError: null, recording warnings; per column or node-wide', async () => {
    const r = await runNode(castNode, { columns: [{ name: 'price', type: 'decimal(12,2)', onError: 'null' }, { name: 'qty', type: 'int' }] }, input);
    expect(r.problems).toEqual([]);
    expect(r.schemas.out!.columns[1]).toEqual(col('price', T.decimal(12, 2), true));
    expect(r.outputs.out.map((x) => x[1])).toEqual([d('12.35'), null, null]);
    // qty 2.5 rounds to 3 (a float to int cast rounds); -1e20 is out of int range: rejected.
    expect(r.outputs.out.map((x) => x[3])).toEqual([3, null, 3]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].reasons[0]).toMatchObject({ rule: 'cast', column: 'price', value: 'abc', severity: 'warning' });
    expect(r.rejected.map((x) => x.reasons[0].column)).toEqual(['qty']);

    const all = await runNode(castNode, { columns: { id: 'int', day: 'date' }, onError: 'null' }, input);
    expect(all.rejected).toEqual([]);
    expect(all.outputs.out.map((x) => [x[0], x[2]])).toEqual([
      [null, '2024-02-29'],
      [2, null],
      [null, null],
      [-4, '1969-07-20'],
    ]);
    expect(all.schemas.out!.columns[0].nullable).toBe(true);
    expect(all.warnings.map((w) => w.reasons.length)).toEqual([1, 2]);
  });

  it('passes rows untouched when the types already match', async () => {
    const r = await runNode(castNode, { columns: { id: 'text' } }, input);
    expect(r.outputs.out[0]).toBe(rows[0]);
  });

  it('handles an empty input and stops when the output is done', async () => {
    expect((await runNode(castNode, { columns: { id: 'int' } }, { in: { schema, rows: [] } })).outputs.out).toEqual([]);
    const r = await runNode(castNode, { columns: { qty: 'text' } }, input, { batchSize: 1, doneAfter: { out: 1 } });
    expect(r.outputs.out).toHaveLength(1);
  });

  it('reports unknown columns and types, impossible casts and duplicates', async () => {
    const r = await runNode(castNode, { columns: [{ name: 'prise', type: 'int' }, { name: 'qty', type: 'integer(3)' }, { name: 'blob', type: 'date' }, { name: 'blob', type: 'text' }] }, input);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['columns[0].name', "no column 'prise' in the input (did you mean 'price'?)"],
      ['columns[1].type', "unknown type 'integer(3)' (e.g. int, bigint, decimal(12,2), float, text, date, timestamp, boolean)"],
      ['columns[2].type', "column 'blob' is bytes and cannot be cast to date"],
      ['columns[3].name', "column 'blob' is cast twice"],
    ]);
    const rec = await runNode(castNode, { columns: { nope: 'int' } }, input);
    expect(rec.problems).toMatchObject([{ path: 'columns.nope', message: "no column 'nope' in the input" }]);
  });
});
