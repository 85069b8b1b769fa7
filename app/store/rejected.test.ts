import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import { WorkbenchStore, type RejectedRowInput } from './index';
import { useTempDirs } from './test-helpers';

const tempDir = useTempDirs();

function rejects(n: number, start = 0): RejectedRowInput[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const email = i % 2 === 0;
    return {
      nodeId: `validate_${i % 3}`,
      rule: email ? 'email' : 'not_null',
      column: email ? 'email' : 'name',
      value: email ? `user${i}.example.com` : undefined,
      message: email ? `"user${i}.example.com" is not an email address` : 'name is missing',
      rowKey: String(i),
      row: { id: i, name: email ? `User ${i}` : null, email: `user${i}.example.com`, country: 'DE', amount: 12.5 },
    };
  });
}

describe('rejected rows', () => {
  it(`inserts 100k rows in batches fast (bound is generous; the measured rate is printed)`, () => {
    const store = WorkbenchStore.open(path.join(tempDir(), 'workbench.db'));
    const run = store.startRun({ kind: 'pipeline', name: 'speed' });
    store.addRejectedRows(run, rejects(50, 1_000_000)); // warm up the JIT and statements
    // Best of three rounds: other test files run in parallel on few cores, and a single
    // round mostly measures how busy the machine was.
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const batches = Array.from({ length: 200 }, (_, b) => rejects(500, round * 100_000 + b * 500));
      const t0 = performance.now();
      for (const batch of batches) store.addRejectedRows(run, batch);
      rates.push(Math.round(100_000 / ((performance.now() - t0) / 1000)));
    }
    console.log(`addRejectedRows: 100000 rows in batches of 500: ${rates.join(', ')} rows/s (best ${Math.max(...rates)})`);
    // The target is > 100k rows/s on an idle machine; fail only when something is badly
    // wrong (a commit per row, a wide index, per-row statement preparation).
    expect(Math.max(...rates)).toBeGreaterThan(30_000);
    expect(store.summarizeRejected(run).reduce((n, g) => n + g.count, 0)).toBe(300_050);
    store.close();
  });

  it('groups by node, rule and column with counts and a sample message', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    store.addRejectedRows(run, rejects(600));
    store.addRejectedRows(run, [{ nodeId: 'dedupe', rule: 'duplicate_key', message: 'key 7 seen before', row: { id: 7 }, severity: 'warning' }]);
    const summary = store.summarizeRejected(run);
    expect(summary).toHaveLength(7);
    expect(summary.reduce((n, g) => n + g.count, 0)).toBe(601);
    expect(summary.find((g) => g.nodeId === 'validate_0' && g.rule === 'email')).toEqual({
      nodeId: 'validate_0',
      rule: 'email',
      column: 'email',
      count: 100,
      sampleMessage: '"user0.example.com" is not an email address',
    });
    expect(summary.at(-1)).toEqual({ nodeId: 'dedupe', rule: 'duplicate_key', column: null, count: 1, sampleMessage: 'key 7 seen before' });
    // Groups are per run.
    const other = store.startRun({ kind: 'pipeline', name: 'y' });
    store.addRejectedRows(other, rejects(3));
    expect(store.summarizeRejected(other).reduce((n, g) => n + g.count, 0)).toBe(3);
    expect(store.summarizeRejected(run).reduce((n, g) => n + g.count, 0)).toBe(601);
    store.close();
  });

  it('pages through rows in a stable order and filters by node, rule and column', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    for (let b = 0; b < 4; b++) store.addRejectedRows(run, rejects(250, b * 250));
    const all = store.listRejectedRows(run, { limit: 10_000 });
    expect(all).toHaveLength(1000);
    const pages = [0, 1, 2, 3, 4].flatMap((p) => store.listRejectedRows(run, { limit: 200, offset: p * 200 }));
    expect(pages.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(store.listRejectedRows(run, { offset: 1000 })).toEqual([]);
    expect(store.listRejectedRows(run)).toHaveLength(100);

    const emails = store.listRejectedRows(run, { nodeId: 'validate_1', rule: 'email', limit: 1000 });
    expect(emails).toHaveLength(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 2 === 0 && i % 3 === 1).length);
    expect(emails.every((r) => r.nodeId === 'validate_1' && r.rule === 'email' && r.column === 'email')).toBe(true);
    expect(emails.map((r) => r.id)).toEqual([...emails.map((r) => r.id)].sort((a, b) => a - b));
    expect(store.listRejectedRows(run, { column: 'name', limit: 1000 })).toHaveLength(500);
    expect(store.listRejectedRows(run, { rule: 'email', limit: 1000 })).toHaveLength(500);
    expect(store.listRejectedRows(run, { nodeId: 'nope' })).toEqual([]);

    const first = emails[0];
    expect(first).toMatchObject({ runId: run, severity: 'error', replayedAt: null, value: `user${first.rowKey}.example.com` });
    expect(first.row).toEqual({ id: Number(first.rowKey), name: `User ${first.rowKey}`, email: `user${first.rowKey}.example.com`, country: 'DE', amount: 12.5 });
    store.close();
  });

  it('filters rows that concern no column with column: null', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    store.addRejectedRows(run, [
      { nodeId: 'n', rule: 'row_check', message: 'whole row', row: {} },
      { nodeId: 'n', rule: 'row_check', column: 'a', message: 'a', row: {} },
    ]);
    expect(store.listRejectedRows(run, { column: null }).map((r) => r.message)).toEqual(['whole row']);
    expect(store.listRejectedRows(run, { column: null })[0].column).toBeNull();
    expect(store.listRejectedRows(run, { column: 'a' }).map((r) => r.message)).toEqual(['a']);
    store.close();
  });

  it('keeps row payloads exact: big integers, decimals, bytes and non-finite numbers', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    store.addRejectedRows(run, [
      {
        nodeId: 'n',
        rule: 'r',
        message: 'm',
        row: {
          big: 2n ** 63n - 1n,
          small: 42n,
          price: Decimal.parse('0.10')!,
          money: Decimal.parse('-98765432109876543210.123456789')!,
          bytes: new Uint8Array([0, 1, 2, 250, 255]),
          buffer: Buffer.from('héllo'),
          inf: Number.POSITIVE_INFINITY,
          nan: Number.NaN,
          text: 'é 中文 🙂',
          none: null,
          flag: true,
        },
      },
    ]);
    expect(store.listRejectedRows(run)[0].row).toEqual({
      big: '9223372036854775807',
      small: '42',
      price: '0.10',
      money: '-98765432109876543210.123456789',
      bytes: 'AAEC+v8=',
      buffer: Buffer.from('héllo').toString('base64'),
      inf: 'Infinity',
      nan: 'NaN',
      text: 'é 中文 🙂',
      none: null,
      flag: true,
    });
    store.close();
  });

  it('a bad batch is rolled back whole', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    const batch = rejects(120);
    batch[110] = { ...batch[110], severity: 'fatal' as 'error' };
    expect(() => store.addRejectedRows(run, batch)).toThrow(/severity/);
    expect(store.listRejectedRows(run)).toEqual([]);
    expect(store.summarizeRejected(run)).toEqual([]);
    expect(() => store.addRejectedRows('no-such-run', rejects(1))).toThrow(/No run with id no-such-run/);
    store.close();
  });

  it('marks rows replayed once, only within the run', () => {
    const store = WorkbenchStore.openInMemory();
    const run = store.startRun({ kind: 'pipeline', name: 'x' });
    const other = store.startRun({ kind: 'pipeline', name: 'y' });
    store.addRejectedRows(run, rejects(10));
    store.addRejectedRows(other, rejects(10));
    const ids = store.listRejectedRows(run).map((r) => r.id).slice(0, 3);
    const otherIds = store.listRejectedRows(other).map((r) => r.id);
    store.markRejectedReplayed(run, [...ids, ...otherIds]);
    const replayed = store.listRejectedRows(run, { replayed: true });
    expect(replayed.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(replayed.every((r) => typeof r.replayedAt === 'string')).toBe(true);
    expect(store.listRejectedRows(run, { replayed: false })).toHaveLength(7);
    expect(store.listRejectedRows(other, { replayed: true })).toEqual([]);
    const firstTime = replayed[0].replayedAt;
    store.markRejectedReplayed(run, ids);
    expect(store.listRejectedRows(run, { replayed: true })[0].replayedAt).toBe(firstTime);
    expect(() => store.markRejectedReplayed(run, [1.5])).toThrow(/integers/);
    store.close();
  });
});
