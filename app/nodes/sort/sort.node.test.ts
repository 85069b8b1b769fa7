import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import { compareValues, type Row } from '../../model/values';
import { runNode } from '../testing';
import { ExternalSorter } from './external-sort';
import { sortNode } from './sort.node';

const schema: Schema = { columns: [col('k', T.decimal()), col('s', T.text), col('seq', T.int, false)] };
const d = (s: string) => Decimal.parse(s)!;
const big = 2n ** 64n;
const rows: Row[] = [
  [d('2'), 'b', 1],
  [null, 'z', 2],
  [Decimal.fromBigInt(big), 'ä', 3],
  [d('-1.5'), null, 4],
  [d('2.00'), 'a', 5],
  [null, '日本', 6],
  [d('0'), '😀', 7],
];
const input = { in: { schema, rows } };
const seqs = (r: Row[]) => r.map((x) => x[2]);

/** A reproducible pseudo-random sequence. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('sort', () => {
  it('sorts ascending with NULLs first by default, stably', async () => {
    const r = await runNode(sortNode, { by: [{ column: 'k' }] }, input, { batchSize: 2 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toBe(schema);
    expect(seqs(r.outputs.out)).toEqual([2, 6, 4, 7, 1, 5, 3]);
  });

  it('sorts descending with NULLs last by default, and honours nulls and several keys', async () => {
    const desc = await runNode(sortNode, { by: [{ column: 'k', direction: 'desc' }] }, input);
    expect(seqs(desc.outputs.out)).toEqual([3, 1, 5, 7, 4, 2, 6]);
    const two = await runNode(sortNode, { by: [{ column: 'k', direction: 'desc', nulls: 'first' }, { column: 's', nulls: 'last' }] }, input);
    expect(seqs(two.outputs.out)).toEqual([2, 6, 3, 5, 1, 7, 4]);
    const text = await runNode(sortNode, { by: [{ column: 's', direction: 'asc', nulls: 'last' }] }, input);
    expect(text.outputs.out.map((x) => x[1])).toEqual(['a', 'b', 'z', 'ä', '日本', '😀', null]);
  });

  it('spills runs to disk beyond memoryRows and gives the same rows as an in-memory sort, removing its files', async () => {
    const next = random(42);
    const many: Row[] = Array.from({ length: 50_000 }, (_, i) => [
      next() < 0.05 ? null : d((Math.floor(next() * 2000) - 1000).toString() + '.' + Math.floor(next() * 10)),
      next() < 0.5 ? `tëxt ${Math.floor(next() * 100)} 😀` : 'x',
      i,
    ]);
    const expected = [...many].sort((x, y) => compareValues(x[0], y[0]) || compareValues(x[1], y[1]));
    const r = await runNode(sortNode, { by: [{ column: 'k' }, { column: 's' }], memoryRows: 1000 }, { in: { schema, rows: many } }, { batchSize: 777 });
    expect(r.outputs.out).toHaveLength(50_000);
    // Stable: equal keys keep input order, exactly as Array.prototype.sort (stable) does.
    expect(r.outputs.out).toEqual(expected);
    expect(r.tempFilesLeft).toEqual([]);
  });

  it('merges in several passes when there are more runs than the fan-in, and cleans up on an early stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-sort-test-'));
    try {
      const compare = (a: Row, b: Row) => compareValues(a[0], b[0]);
      const sorter = new ExternalSorter({ compare, memoryRows: 100, fanIn: 3, tempDir: async () => dir });
      const next = random(7);
      const input: Row[] = Array.from({ length: 2_000 }, (_, i) => [Math.floor(next() * 50), i]);
      for (let i = 0; i < input.length; i += 300) await sorter.add(input.slice(i, i + 300));
      expect(sorter.spilled).toBe(20);
      const out: Row[] = [];
      for await (const b of sorter.sorted()) out.push(...b);
      expect(out).toEqual([...input].sort(compare));
      expect(await readdir(dir)).toEqual([]);

      const early = new ExternalSorter({ compare, memoryRows: 100, tempDir: async () => dir });
      await early.add(input);
      for await (const b of early.sorted()) {
        expect(b.length).toBeGreaterThan(0);
        break;
      }
      await early.dispose();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps memory flat on a large input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-sort-mem-'));
    try {
      const compare = (a: Row, b: Row) => compareValues(a[0], b[0]);
      const sorter = new ExternalSorter({ compare, memoryRows: 10_000, tempDir: async () => dir });
      const total = 200_000;
      const pad = 'p'.repeat(400);
      const next = random(1);
      // Live memory, not garbage awaiting collection: collect before each sample.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      gc();
      const before = process.memoryUsage().heapUsed;
      let peak = 0;
      let samples = 0;
      const sample = () => {
        if (samples++ % 8 !== 0) return;
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      };
      for (let i = 0; i < total; i += 5_000) {
        const batch: Row[] = [];
        for (let j = i; j < i + 5_000; j++) batch.push([Math.floor(next() * 1e9), `${pad}${j}`, j]);
        await sorter.add(batch);
        sample();
      }
      let count = 0;
      let disorder = 0;
      let last: Row | undefined;
      for await (const b of sorter.sorted()) {
        for (const row of b) {
          if (last && compare(last, row) > 0) disorder++;
          last = row;
        }
        count += b.length;
        sample();
      }
      expect(count).toBe(total);
      expect(disorder).toBe(0);
      // 200,000 rows of ~450 bytes would take about 100 MB in memory; the sort holds a small fraction.
      expect(peak).toBeLessThan(25 * 1024 * 1024);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('handles an empty input and stops when the output is done', async () => {
    expect((await runNode(sortNode, { by: [{ column: 'k' }] }, { in: { schema, rows: [] } })).outputs.out).toEqual([]);
  });

  it('reports unknown and repeated columns', async () => {
    const r = await runNode(sortNode, { by: [{ column: 'seqq' }, { column: 's' }, { column: 's', direction: 'desc' }] }, input);
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['by[2].column', "column 's' is listed twice"],
      ['by[0].column', "no column 'seqq' in the input (did you mean 'seq'?)"],
    ]);
    const bad = await runNode(sortNode, { by: [] }, input);
    expect(bad.problems[0].path).toBe('by');
  });
});
