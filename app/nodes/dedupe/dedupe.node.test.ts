import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { dedupeNode } from './dedupe.node';

const schema: Schema = { columns: [col('email', T.text), col('n', T.decimal()), col('seq', T.int, false)] };
const big = 2n ** 64n;
const rows: Row[] = [
  ['ä@x.org', Decimal.parse('1.0')!, 1],
  ['b@x.org', Decimal.fromBigInt(big), 2],
  ['ä@x.org', Decimal.parse('1.00')!, 3],
  [null, null, 4],
  ['A@x.org', Decimal.parse('1')!, 5],
  [null, null, 6],
  ['b@x.org', Decimal.fromBigInt(big), 7],
];
const input = { in: { schema, rows } };

describe('dedupe', () => {
  it('keeps the first row per key, streaming; the others leave by duplicates', async () => {
    const r = await runNode(dedupeNode, { key: ['email'] }, input, { batchSize: 2 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({ columns: schema.columns, key: ['email'] });
    expect(r.outputs.out.map((x) => x[2])).toEqual([1, 2, 4, 5]);
    expect(r.outputs.duplicates.map((x) => x[2])).toEqual([3, 6, 7]);
    expect(r.outputs.out[0]).toBe(rows[0]);
  });

  it('keeps the last row per key, in first-seen order', async () => {
    const r = await runNode(dedupeNode, { key: ['email'], keep: 'last' }, input, { batchSize: 3 });
    expect(r.outputs.out.map((x) => x[2])).toEqual([3, 7, 6, 5]);
    expect(r.outputs.duplicates.map((x) => x[2])).toEqual([1, 4, 2]);
  });

  it('compares all columns by default, values exactly across representations (1.0 = 1.00)', async () => {
    const s: Schema = { columns: [col('a', T.decimal()), col('b', T.text)] };
    const r = await runNode(dedupeNode, {}, { in: { schema: s, rows: [[Decimal.parse('1.0')!, 'x'], [Decimal.parse('1.00')!, 'x'], [Decimal.parse('1')!, 'X'], [null, null], [null, null]] } });
    expect(r.outputs.out).toEqual([
      [Decimal.parse('1.0')!, 'x'],
      [Decimal.parse('1')!, 'X'],
      [null, null],
    ]);
    expect(r.schemas.out!.key).toBeUndefined();
  });

  it('handles an empty input and stops when every output is done', async () => {
    expect((await runNode(dedupeNode, {}, { in: { schema, rows: [] } })).outputs.out).toEqual([]);
    const r = await runNode(dedupeNode, { key: ['seq'] }, input, { batchSize: 1, doneAfter: { out: 2, duplicates: 0 } });
    expect(r.outputs.out).toHaveLength(2);
  });

  it('reports unknown and repeated key columns', async () => {
    const r = await runNode(dedupeNode, { key: ['emal', 'seq', 'seq'] }, input);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['key[0]', "no column 'emal' in the input (did you mean 'email'?)"],
      ['key[2]', "column 'seq' is listed twice"],
    ]);
  });
});
