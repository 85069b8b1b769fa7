import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import type { AnyNodeType, InputPort, OutputPort, RunContext } from '../types';
import { runNode } from '../testing';
import { unionNode } from './union.node';
import { widenType } from './widen';

const d = (s: string) => Decimal.parse(s)!;
const a: Schema = { columns: [col('id', T.int, false), col('name', T.text, false), col('amount', T.decimal(10, 2), false)] };
const b: Schema = { columns: [col('amount', T.decimal(12, 4)), col('id', T.bigint, false), col('extra', T.bytes)] };
const c: Schema = { columns: [col('id', T.int), col('amount', T.int)] };
const big = 2n ** 63n;

describe('union', () => {
  it('matches columns by name, in first-seen order, NULL where missing, widening types', async () => {
    const r = await runNode(
      unionNode,
      {},
      {
        in: [
          { schema: a, rows: [[1, 'ünï', d('1.50')], [2, '日本', d('-0.01')]] },
          { schema: b, rows: [[d('0.0001'), big, new Uint8Array([0, 255])]] },
          { schema: c, rows: [[null, 7]] },
        ],
      },
      { batchSize: 1 },
    );
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [col('id', T.bigint), col('name', T.text), col('amount', T.decimal(14, 4)), col('extra', T.bytes)],
    });
    expect(r.outputs.out).toHaveLength(4);
    expect(r.outputs.out).toEqual(
      expect.arrayContaining([
        [1, 'ünï', d('1.5000'), null],
        [2, '日本', d('-0.0100'), null],
        [big, null, d('0.0001'), new Uint8Array([0, 255])],
        [null, null, d('7.0000'), null],
      ]),
    );
  });

  it('keeps the order within each input and passes single inputs through', async () => {
    const rows: Row[] = Array.from({ length: 50 }, (_, i) => [i, `n${i}`, d(`${i}.00`)]);
    const r = await runNode(unionNode, {}, { in: [{ schema: a, rows }] });
    expect(r.outputs.out).toEqual(rows);
    expect(r.outputs.out[0]).toBe(rows[0]);
  });

  it('matches by position with the first input’s names, widening int to float', async () => {
    const f: Schema = { columns: [col('x', T.float), col('y', T.text)] };
    const g: Schema = { columns: [col('p', T.int), col('q', T.text)] };
    const r = await runNode(unionNode, { by: 'position' }, { in: [{ schema: f, rows: [[0.5, 'a']] }, { schema: g, rows: [[big, 'b']] }] });
    expect(r.schemas.out).toEqual({ columns: [col('x', T.float), col('y', T.text)] });
    expect(r.outputs.out).toEqual(expect.arrayContaining([[0.5, 'a'], [Number(big), 'b']]));
  });

  it('reads its inputs concurrently: a stalled input does not hold back the others', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const slow: InputPort = {
      schema: a,
      async *[Symbol.asyncIterator]() {
        await gate;
        yield [[1, 'late', d('1.00')]];
      },
    };
    const fast: InputPort = {
      schema: a,
      async *[Symbol.asyncIterator]() {
        yield [[2, 'early', d('2.00')]];
      },
    };
    const seen: Row[] = [];
    const out: OutputPort = {
      schema: a,
      done: false,
      push: async (rows) => {
        seen.push(...rows);
        // The fast input's row arrives while the slow one still waits.
        if (rows[0][1] === 'early') release();
      },
    };
    await (unionNode as AnyNodeType).run({
      config: { by: 'name' },
      inputs: () => [slow, fast],
      output: () => out,
      signal: new AbortController().signal,
    } as unknown as RunContext<unknown>);
    expect(seen.map((x) => x[1])).toEqual(['early', 'late']);
  }, 2000);

  it('reports types that do not combine and column counts that differ by position', async () => {
    const t: Schema = { columns: [col('id', T.text), col('name', T.text), col('amount', T.date)] };
    const r = await runNode(unionNode, {}, { in: [{ schema: a, rows: [] }, { schema: t, rows: [] }] });
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['by', "column 'id' is int in input 1 but text in input 2: cast one of them first"],
      ['by', "column 'amount' is decimal(10,2) in input 1 but date in input 2: cast one of them first"],
    ]);
    const r2 = await runNode(unionNode, { by: 'position' }, { in: [{ schema: a, rows: [] }, { schema: c, rows: [] }] });
    expect(r2.problems.map((p) => p.message)).toEqual(['input 2 has 2 columns but input 1 has 3: by position, every input needs the same number']);
    const r3 = await runNode(unionNode, { by: 'position' }, { in: [{ schema: a, rows: [] }, { schema: b, rows: [] }] });
    expect(r3.problems.map((p) => p.message)).toEqual([
      "column 'name' is text in input 1 but bigint in input 2 (as 'id'): cast one of them first",
      "column 'amount' is decimal(10,2) in input 1 but bytes in input 2 (as 'extra'): cast one of them first",
    ]);
    expect(r3.problems).toHaveLength(2);
  });
});

describe('widenType', () => {
  it('widens numbers and nothing else', () => {
    expect(widenType(T.int, T.bigint)).toEqual(T.bigint);
    expect(widenType(T.bigint, T.decimal(10, 2))).toEqual(T.decimal(21, 2));
    expect(widenType(T.decimal(5, 1), T.decimal(10, 4))).toEqual(T.decimal(10, 4));
    expect(widenType(T.decimal(), T.int)).toEqual(T.decimal());
    expect(widenType(T.decimal(10, 2), T.float)).toEqual(T.float);
    expect(widenType(T.text, T.uuid)).toBeUndefined();
    expect(widenType(T.date, T.timestamp)).toBeUndefined();
    expect(widenType(T.text, T.text)).toEqual(T.text);
  });
});
