import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { csvOptions } from '../../connectors/csv/options';
import { runPipeline } from '../../engine/run';
import type { PipelineDocument } from '../../model/document';
import { loadDocument } from '../../model/document-io';
import { WorkbenchStore } from '../../store';
import { openRunHistory } from '../history/recorder';
import { runBatch, type BatchProgress } from './batch-run';
import { claimNext, claimState, setClaims, steal } from './claims';
import { csvByteRanges, readCsvRange } from './csv-range';

/**
 * A batch job's result equals the single-threaded run's: row outputs in the same order,
 * aggregates merged to the same values, the same rejected rows; CSV byte ranges never cut
 * a record (quoted line breaks); a chunk that keeps failing is reported, the others kept.
 */

let dir: string;
const ROWS = 3000;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-batch-'));
  // Quoted fields with commas, doubled quotes and line breaks, CRLF on some rows, NULLs.
  let csv = 'id,name,qty,price,country,note\n';
  for (let i = 1; i <= ROWS; i++) {
    const note = i % 5 === 0 ? `"line one\nline ""two"", ${i}"` : i % 7 === 0 ? '' : `n${i % 13}`;
    csv += `${i},"Name, ${i % 97}",${(i % 23) - 3},${((i * 37) % 1000) / 10},${['DE', 'FR', 'US', 'JP'][i % 4]},${note}${i % 11 === 0 ? '\r\n' : '\n'}`;
  }
  writeFileSync(path.join(dir, 'orders.csv'), csv);
  const db = new Database(path.join(dir, 'shop.db'));
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, qty INTEGER, price DECIMAL(10,2), country TEXT)');
  const ins = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i++) ins.run(i * 3, (i % 23) - 3, ((i * 37) % 1000) / 10, ['DE', 'FR', 'US', 'JP'][i % 4]);
  })();
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doc(text: string): PipelineDocument {
  const l = loadDocument(text, 'p.yaml');
  if (!l.document) throw new Error(JSON.stringify(l.problems));
  return l.document;
}

function pipeline(source: string, out: string): PipelineDocument {
  return doc(`version: 1
name: batch-test
nodes:
  - { id: src, type: source, config: { connection: "${source}" } }
  - id: calc
    type: derive
    config:
      columns:
        - { name: total, expr: "qty * price" }
        - { name: tag, expr: "lower(country) || '-' || cast(qty AS text)" }
  - id: check
    type: validate
    config: { rules: [{ name: positive, expr: "qty > 0", message: "qty must be positive" }] }
  - { id: keep, type: filter, config: { where: "total < 5000" } }
  - { id: rows, type: sink, config: { connection: "csv:./${out}-rows.csv", mode: truncate-insert } }
  - { id: rejects, type: sink, config: { connection: "csv:./${out}-rejected.csv", mode: truncate-insert } }
  - id: totals
    type: aggregate
    config:
      groupBy: [country]
      aggregates:
        - { name: n, fn: count }
        - { name: qty_sum, fn: sum, column: qty }
        - { name: revenue, fn: sum, column: total }
        - { name: avg_qty, fn: avg, column: qty }
        - { name: avg_total, fn: avg, column: total }
        - { name: low, fn: min, column: total }
        - { name: high, fn: max, column: tag }
        - { name: tags, fn: count_distinct, column: tag }
        - { name: doubled, fn: sum, expr: "qty * 2" }
  - { id: agg, type: sink, config: { connection: "csv:./${out}-agg.csv", mode: truncate-insert } }
edges:
  - { from: src, to: calc }
  - { from: calc, to: check }
  - { from: check, to: keep }
  - { from: keep, to: rows }
  - { from: check.rejected, to: rejects }
  - { from: keep, to: totals }
  - { from: totals, to: agg }
`);
}

const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');

describe('batch jobs', () => {
  it('CSV byte ranges start at record boundaries, even with quoted line breaks', async () => {
    const file = path.join(dir, 'orders.csv');
    const o = csvOptions.parse({});
    const ranges = await csvByteRanges(file, o, 9);
    expect(ranges.length).toBeGreaterThan(5);
    expect(ranges[0].start).toBe(0);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBe(ranges[i - 1].end);
    const schema = { columns: ['id', 'name', 'qty', 'price', 'country', 'note'].map((name) => ({ name, type: { kind: 'text' as const }, nullable: true })) };
    const ids: string[] = [];
    for (const r of ranges) {
      for await (const rows of readCsvRange(file, o, r, { names: schema.columns.map((c) => c.name), schema, header: true }, (m) => expect.fail(m))) ids.push(...rows.map((x) => x[0] as string));
    }
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => String(i + 1)));
  });

  it('reads adjoining byte ranges on as one, each range\'s rows before the next range is taken', async () => {
    const file = path.join(dir, 'orders.csv');
    const o = csvOptions.parse({});
    const ranges = await csvByteRanges(file, o, 6);
    const schema = { columns: ['id', 'name', 'qty', 'price', 'country', 'note'].map((name) => ({ name, type: { kind: 'text' as const }, nullable: true })) };
    const read = { names: schema.columns.map((c) => c.name), schema, header: true };
    const alone: string[][] = [];
    for (const r of ranges) {
      const ids: string[] = [];
      for await (const rows of readCsvRange(file, o, r, read, (m) => expect.fail(m))) ids.push(...rows.map((x) => x[0] as string));
      alone.push(ids);
    }
    // Ranges 1-4 (not from the start: no header), taken lazily; rows counted against the range taken last.
    const together: string[][] = [];
    function* taken() {
      for (const r of ranges.slice(1, 5)) {
        together.push([]);
        yield r;
      }
    }
    for await (const rows of readCsvRange(file, o, taken(), read, (m) => expect.fail(m))) together.at(-1)!.push(...rows.map((x) => x[0] as string));
    expect(together).toEqual(alone.slice(1, 5));
  });

  it('claims: every chunk of a task is claimed once, by the task or by the one that took half of what it had left', () => {
    const words = new Int32Array(new SharedArrayBuffer(4 * 40));
    setClaims(words, 0, 40);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) got.push(claimNext(words, 0)!);
    expect(claimState(words, 0)).toEqual({ next: 5, end: 40 });
    // 35 left: the task keeps 18, the other takes 17.
    expect(steal(words, 0)).toEqual({ start: 23, end: 40 });
    setClaims(words, 23, 40);
    for (let i; (i = claimNext(words, 0)) !== undefined; ) got.push(i);
    for (let i; (i = claimNext(words, 23)) !== undefined; ) {
      got.push(i);
      // The thief is robbed in turn while it works, down to one chunk left.
      if (i === 30) expect(steal(words, 23)).toEqual({ start: 36, end: 40 });
    }
    expect(claimNext(words, 0)).toBeUndefined();
    expect(got).toEqual(Array.from({ length: 36 }, (_, i) => i));
    setClaims(words, 36, 38);
    claimNext(words, 36);
    expect(steal(words, 36)).toBeUndefined();
  });

  for (const [label, source, name] of [
    ['a CSV file (byte ranges)', 'csv:./orders.csv', 'csv'],
    ['a SQLite table (key ranges)', 'sqlite:./shop.db', 'sqlite'],
  ] as const) {
    it(`${label}: rows, rejected rows and aggregates equal the single-threaded run's`, async () => {
      const single = pipeline(source, `single-${name}`);
      const tableDoc = (d: PipelineDocument) => (source.startsWith('sqlite') ? { ...d, nodes: d.nodes.map((n) => (n.id === 'src' ? { ...n, config: { ...n.config, table: 'orders' } } : n)) } : d);
      const a = await runPipeline(tableDoc(single), { baseDir: dir });
      expect(a.status).toBe('succeeded');
      const progress: BatchProgress[] = [];
      const b = await runBatch(tableDoc(pipeline(source, `batch-${name}`)), { baseDir: dir, workers: 2, chunks: 7, onProgress: (p) => progress.push(p), progressIntervalMs: 20 });
      expect(b.status, b.error).toBe('succeeded');
      expect(b.chunks.length).toBeGreaterThan(3);
      expect(b.chunks.every((c) => c.status === 'succeeded' && c.attempts === 1)).toBe(true);
      expect(b.rowsRead).toBe(a.rowsRead);
      expect(b.rejected).toBe(a.rejected);
      expect(b.rowsWritten).toBe(a.rowsWritten);
      for (const part of ['rows', 'rejected', 'agg']) expect(read(`batch-${name}-${part}.csv`), part).toBe(read(`single-${name}-${part}.csv`));
      expect(b.nodes.find((n) => n.nodeId === 'check')).toMatchObject({ rowsIn: a.nodes.find((n) => n.nodeId === 'check')!.rowsIn, rejected: a.rejected });
      // Per-chunk status was visible while it ran.
      expect(progress.at(-1)!.chunks.map((c) => c.status)).toEqual(b.chunks.map(() => 'succeeded'));
      expect(progress.some((p) => p.chunks.some((c) => c.status !== 'succeeded'))).toBe(true);
    });
  }

  it('retries a failing chunk, then reports it with its range and error; the other chunks are kept and recorded', async () => {
    const store = WorkbenchStore.open(path.join(dir, 'home', 'workbench.db'));
    try {
      // Record 1777 has a field too many: reading it fails (onError: stop), every time.
      writeFileSync(path.join(dir, 'bad.csv'), `id,qty\n${Array.from({ length: ROWS }, (_, i) => (i + 1 === 1777 ? `${i + 1},1,extra` : `${i + 1},${i % 5}`)).join('\n')}\n`);
      const d = doc(`version: 1
name: batch-failing
nodes:
  - { id: src, type: source, config: { connection: "csv:./bad.csv" } }
  - { id: calc, type: derive, config: { columns: [{ name: x, expr: "id * 2" }] } }
  - { id: out, type: sink, config: { connection: "csv:./failing.csv", mode: truncate-insert } }
edges:
  - { from: src, to: calc }
  - { from: calc, to: out }
`);
      const h = openRunHistory(store, { kind: 'batch', name: d.name });
      const r = await runBatch(d, { baseDir: dir, workers: 2, chunks: 6, retries: 1, recorder: h.recorder, runId: h.runId, logger: h.log.engineLogger() });
      h.finish({ status: r.status, error: r.error });
      expect(r.status).toBe('failed');
      const failed = r.chunks.filter((c) => c.status === 'failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ attempts: 2, error: expect.stringMatching(/expected 2 fields, found 3/) });
      expect(r.error).toContain(`chunk ${failed[0].index} (${failed[0].range})`);
      // The rows of the other chunks were written, in order.
      const ids = read('failing.csv').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
      expect(ids.length).toBe(r.rowsWritten);
      expect(ids).not.toContain(1777);
      expect(ids.length).toBeGreaterThan(ROWS / 2);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(store.getRun(h.runId)).toMatchObject({ kind: 'batch', status: 'failed', rowsOut: r.rowsWritten });
    } finally {
      store.close();
    }
  });

  it('a run of chunks that fails has its chunks tried again alone: only the bad one is lost, even with no retries', async () => {
    // Record 1777 has a field too many: in chunk 10 of 18. One worker: one task [0, 18) to begin with.
    const d = doc(`version: 1
name: batch-failing-run
nodes:
  - { id: src, type: source, config: { connection: "csv:./bad.csv" } }
  - { id: calc, type: derive, config: { columns: [{ name: x, expr: "id * 2" }] } }
  - { id: out, type: sink, config: { connection: "csv:./failing-run.csv", mode: truncate-insert } }
edges:
  - { from: src, to: calc }
  - { from: calc, to: out }
`);
    writeFileSync(path.join(dir, 'bad.csv'), `id,qty\n${Array.from({ length: ROWS }, (_, i) => (i + 1 === 1777 ? `${i + 1},1,extra` : `${i + 1},${i % 5}`)).join('\n')}\n`);
    const warnings: string[] = [];
    const r = await runBatch(d, { baseDir: dir, workers: 1, chunks: 18, retries: 0, logger: { info() {}, warn: (m) => void warnings.push(m), error() {} } });
    expect(r.status).toBe('failed');
    const failed = r.chunks.filter((c) => c.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].attempts).toBe(1);
    expect(failed[0].index).toBe(10);
    expect(r.chunks.filter((c) => c.status === 'succeeded')).toHaveLength(17);
    expect(warnings.some((w) => /^chunks 0-10 failed together, each is tried again on its own: .*expected 2 fields, found 3/.test(w)), warnings.join('\n')).toBe(true);
    const ids = read('failing-run.csv').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    // Every row but those of the bad record's chunk, in order.
    expect(ids.length).toBe(r.rowsWritten);
    const [, from, to] = /^bytes (\d+)-(\d+)$/.exec(failed[0].range)!.map(Number);
    const lost = readFileSync(path.join(dir, 'bad.csv')).subarray(from, to).toString('utf8').trim().split('\n').length;
    expect(lost).toBeLessThan(ROWS / 10);
    expect(ids.length).toBe(ROWS - lost);
    expect(ids).not.toContain(1777);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(r.rowsRead).toBe(ids.length);
  });

  it('a source read in row ranges (NDJSON), a table in key-ordered pages and some columns of a CSV file give the single-threaded run\'s rows', async () => {
    writeFileSync(path.join(dir, 'orders.ndjson'), Array.from({ length: ROWS }, (_, i) => JSON.stringify({ id: i + 1, qty: (i % 23) - 3, country: ['DE', 'FR', 'US', 'JP'][i % 4] })).join('\n') + '\n');
    const db = new Database(path.join(dir, 'codes.db'));
    db.exec('CREATE TABLE codes (code TEXT PRIMARY KEY, qty INTEGER)');
    const ins = db.prepare('INSERT INTO codes VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= ROWS; i++) ins.run(`c${String(i).padStart(5, '0')}`, (i % 23) - 3);
    })();
    db.close();
    for (const [source, extra] of [
      ['ndjson:./orders.ndjson', ''],
      ['sqlite:./codes.db', ', table: codes'],
      // Byte ranges of a CSV file whose source reads only some of its columns.
      ['csv:./orders.csv', ', columns: [qty, id]'],
    ]) {
      const p = (out: string) =>
        doc(`version: 1
name: batch-rows
nodes:
  - { id: src, type: source, config: { connection: "${source}"${extra} } }
  - { id: calc, type: derive, config: { columns: [{ name: twice, expr: "qty * 2" }] } }
  - { id: keep, type: filter, config: { where: "qty > 0" } }
  - { id: out, type: sink, config: { connection: "csv:./${out}.csv", mode: truncate-insert } }
edges:
  - { from: src, to: calc }
  - { from: calc, to: keep }
  - { from: keep, to: out }
`);
      const a = await runPipeline(p('rows-single'), { baseDir: dir });
      expect(a.status).toBe('succeeded');
      const b = await runBatch(p('rows-batch'), { baseDir: dir, workers: 2, chunks: 9 });
      expect(b.status, b.error).toBe('succeeded');
      expect(b.chunks.length).toBeGreaterThan(3);
      expect(b.chunks.reduce((n, c) => n + c.rowsIn, 0)).toBe(ROWS);
      expect(b.chunks.reduce((n, c) => n + c.rowsOut, 0)).toBe(a.rowsWritten);
      expect(read('rows-batch.csv')).toBe(read('rows-single.csv'));
    }
  });

  it('cancelled while it runs: the CSV file it overwrites is left as it was, and no temporary file stays beside it', async () => {
    const big = path.join(dir, 'cancel');
    mkdirSync(big, { recursive: true });
    // The first half of the bytes in few long rows, the second in many short ones: the
    // worker on the first half is done (and its part joined) long before the other.
    const long = Array.from({ length: 2500 }, (_, i) => `${i + 1},${i % 7},${'x'.repeat(1000)}`);
    const short = Array.from({ length: 250_000 }, (_, i) => `${i + 2501},${i % 7},`);
    writeFileSync(path.join(big, 'in.csv'), `id,qty,note\n${[...long, ...short].join('\n')}\n`);
    writeFileSync(path.join(big, 'out.csv'), 'before\n');
    const d = doc(`version: 1
name: batch-cancel
nodes:
  - { id: src, type: source, config: { connection: "csv:./in.csv" } }
  - { id: calc, type: derive, config: { columns: [{ name: x, expr: "id * 2" }] } }
  - { id: out, type: sink, config: { connection: "csv:./out.csv", mode: truncate-insert } }
edges:
  - { from: src, to: calc }
  - { from: calc, to: out }
`);
    const controller = new AbortController();
    const r = await runBatch(d, {
      baseDir: big,
      workers: 2,
      chunks: 40,
      signal: controller.signal,
      progressIntervalMs: 10,
      // Once the first chunks are done (their part is being joined), cancel.
      onProgress: (p) => void (p.chunks[0].status === 'succeeded' && controller.abort()),
    });
    expect(r.status).toBe('cancelled');
    expect(r.chunks[0].status).toBe('succeeded');
    expect(r.chunks.at(-1)!.status).not.toBe('succeeded');
    expect(read('cancel/out.csv')).toBe('before\n');
    expect(readdirSync(big).sort()).toEqual(['in.csv', 'out.csv']);
  });

  it('`sluice run --workers 2` runs the pipeline as a batch job', async () => {
    writeFileSync(path.join(dir, 'cli.yaml'), JSON.stringify({ ...pipeline('csv:./orders.csv', 'cli') }));
    let out = '';
    const code = await main(['run', '--no-store', '--workers', '2', '--chunks', '5', path.join(dir, 'cli.yaml')], { out: (t) => void (out += t + '\n'), err: (t) => void (out += t + '\n') });
    expect(code, out).toBe(3);
    expect(out).toMatch(/succeeded in/);
    expect(read('cli-agg.csv')).toBe(read('single-csv-agg.csv'));
  });
});
