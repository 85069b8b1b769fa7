import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PipelineDocument } from '../model/document';
import { T } from '../model/types';
import type { Row } from '../model/values';
import { NodeRegistry } from '../nodes/registry';
import { defineNode } from '../nodes/types';
import { Channel } from './channel';
import { runPipeline, PipelineInvalidError, type RunRecorder } from './run';

// Engine tests use small node types of their own, so they test the engine alone.
const schema = { columns: [{ name: 'i', type: T.int, nullable: false }] };

const gen = defineNode<{ rows: number; batch: number; failAt?: number }>({
  type: 'gen',
  title: 'gen',
  category: 'source',
  description: 'numbers',
  config: z.object({ rows: z.number(), batch: z.number().default(100), failAt: z.number().optional() }),
  example: { rows: 1 },
  ports: () => ({ inputs: [], outputs: [{ name: 'out', kind: 'data' }] }),
  plan: () => ({ out: schema }),
  async run(ctx) {
    const out = ctx.output();
    for (let i = 0; i < ctx.config.rows; i += ctx.config.batch) {
      if (ctx.config.failAt !== undefined && i >= ctx.config.failAt) throw new Error(`gen failed at ${i}`);
      const rows: Row[] = [];
      for (let j = i; j < Math.min(i + ctx.config.batch, ctx.config.rows); j++) rows.push([j]);
      await out.push(rows);
      if (out.done) break;
      await new Promise((r) => setImmediate(r));
    }
  },
});

const odd = defineNode<Record<string, never>>({
  type: 'odd',
  title: 'odd',
  category: 'quality',
  description: 'rejects even numbers',
  config: z.object({}),
  example: {},
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected' },
    ],
  }),
  plan: (ctx) => ({ out: ctx.inputs.in[0] }),
  async run(ctx) {
    for await (const rows of ctx.input()) {
      await ctx.reject(rows.filter((r) => (r[0] as number) % 2 === 0).map((row) => ({ row, reasons: [{ rule: 'odd', column: 'i', value: row[0], message: 'even' }] })));
      await ctx.output().push(rows.filter((r) => (r[0] as number) % 2 === 1));
    }
  },
});

const pair = defineNode<Record<string, never>>({
  type: 'pair',
  title: 'pair',
  category: 'combine',
  description: 'reads `table` fully, then streams `in`',
  config: z.object({}),
  example: {},
  ports: () => ({
    inputs: [
      { name: 'in', kind: 'data' },
      { name: 'table', kind: 'data', readsFirst: true },
    ],
    outputs: [{ name: 'out', kind: 'data' }],
  }),
  plan: (ctx) => ({ out: ctx.inputs.in[0] }),
  async run(ctx) {
    const seen = new Set<unknown>();
    for await (const rows of ctx.input('table')) for (const r of rows) seen.add(r[0]);
    for await (const rows of ctx.input()) await ctx.output().push(rows.filter((r) => seen.has(r[0])));
  },
});

const sinks = new Map<string, { rows: Row[]; committed: boolean }>();
const collect = defineNode<{ name: string; failAfter?: number }>({
  type: 'collect',
  title: 'collect',
  category: 'sink',
  description: 'keeps rows in memory, committed at the barrier',
  config: z.object({ name: z.string(), failAfter: z.number().optional() }),
  example: { name: 'x' },
  ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),
  plan: () => ({}),
  async run(ctx) {
    const target = { rows: [] as Row[], committed: false };
    sinks.set(ctx.config.name, target);
    for await (const rows of ctx.input()) {
      target.rows.push(...rows);
      if (ctx.config.failAfter !== undefined && target.rows.length > ctx.config.failAfter) throw new Error('sink broke');
    }
    if (await ctx.readyToCommit()) target.committed = true;
  },
});

const registry = new NodeRegistry([gen, odd, pair, collect]);

function doc(nodes: PipelineDocument['nodes'], edges: PipelineDocument['edges']): PipelineDocument {
  return { version: 1, name: 't', nodes, edges };
}

function memoryRecorder() {
  const rec = {
    runs: new Map<string, { status?: string; rejected?: number }>(),
    rejected: [] as Array<{ nodeId: string; rule: string; value?: string }>,
    stats: [] as unknown[],
  };
  const recorder: RunRecorder = {
    startRun: () => {
      const id = `run${rec.runs.size + 1}`;
      rec.runs.set(id, {});
      return id;
    },
    finishRun: (id, r) => rec.runs.set(id, r),
    recordNodeStats: (_id, s) => rec.stats.push(...s),
    addRejectedRows: (_id, rows) => rec.rejected.push(...rows),
  };
  return { rec, recorder };
}

const opts = { baseDir: '/tmp', registry };

describe('channel', () => {
  it('makes a producer wait when full and lets it go when drained', async () => {
    const c = new Channel(2);
    let pushed = 0;
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await c.push([[i]]);
        pushed++;
      }
      c.close();
    })();
    await new Promise((r) => setTimeout(r, 10));
    expect(pushed).toBe(2); // the third push waits for room
    const got: number[] = [];
    for await (const b of c) got.push(b[0][0] as number);
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('delivers queued batches before an error, and releases a waiting producer on cancel', async () => {
    const c = new Channel(1);
    await c.push([[1]]);
    c.fail(new Error('boom'));
    const it = c[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual([[1]]);
    await expect(it.next()).rejects.toThrow('boom');
    const d = new Channel(0);
    const waiting = d.push([[1]]);
    d.cancel();
    await waiting;
    expect(d.cancelled).toBe(true);
  });
});

describe('runPipeline', () => {
  it('streams every row through fan-out to two sinks with flat buffers', async () => {
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 10_000, batch: 100 } },
          { id: 'a', type: 'collect', config: { name: 'fan-a' } },
          { id: 'b', type: 'collect', config: { name: 'fan-b' } },
        ],
        [
          { from: 'g', to: 'a' },
          { from: 'g', to: 'b' },
        ],
      ),
      opts,
    );
    expect(r.status).toBe('succeeded');
    expect(sinks.get('fan-a')!.rows).toHaveLength(10_000);
    expect(sinks.get('fan-b')!.rows.map((x) => x[0])).toEqual([...Array(10_000).keys()]);
    expect(sinks.get('fan-a')!.committed).toBe(true);
    expect(r.rowsRead).toBe(10_000);
    expect(r.rowsWritten).toBe(20_000);
  });

  it('records rejected rows with their reasons and sends them out of the rejected port', async () => {
    const { rec, recorder } = memoryRecorder();
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 10, batch: 3 } },
          { id: 'o', type: 'odd' },
          { id: 'good', type: 'collect', config: { name: 'odd-good' } },
          { id: 'bad', type: 'collect', config: { name: 'odd-bad' } },
        ],
        [
          { from: 'g', to: 'o' },
          { from: 'o', to: 'good' },
          { from: 'o.rejected', to: 'bad' },
        ],
      ),
      { ...opts, recorder },
    );
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(5);
    expect(sinks.get('odd-good')!.rows.map((x) => x[0])).toEqual([1, 3, 5, 7, 9]);
    expect(sinks.get('odd-bad')!.rows[0]).toEqual([0, 'o', 'odd', 'i', 'even']);
    expect(rec.rejected.map((x) => x.value)).toEqual(['0', '2', '4', '6', '8']);
    expect([...rec.runs.values()][0]).toMatchObject({ status: 'succeeded', rejected: 5 });
  });

  it('with nothing on the rejected port, still counts and records rejected rows, and a preview of that port shows them', async () => {
    const nodes = [
      { id: 'g', type: 'gen', config: { rows: 10, batch: 3 } },
      { id: 'o', type: 'odd' },
      { id: 'good', type: 'collect', config: { name: 'odd-good' } },
    ];
    const edges = [
      { from: 'g', to: 'o' },
      { from: 'o', to: 'good' },
    ];
    const { rec, recorder } = memoryRecorder();
    const r = await runPipeline(doc(nodes, edges), { ...opts, recorder });
    expect(r.status).toBe('succeeded');
    expect(r.rejected).toBe(5);
    expect(rec.rejected.map((x) => x.value)).toEqual(['0', '2', '4', '6', '8']);
    const p = await runPipeline(doc(nodes, edges), { ...opts, preview: { node: 'o', port: 'rejected', limit: 10 } });
    expect(p.preview!.rows.map((x) => x.slice(0, 2))).toEqual([0, 2, 4, 6, 8].map((i) => [i, 'o']));
  });

  it('fails the run with the failing node named, and no sink commits', async () => {
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 1000, batch: 10, failAt: 500 } },
          { id: 's', type: 'collect', config: { name: 'fail-s' } },
        ],
        [{ from: 'g', to: 's' }],
      ),
      opts,
    );
    expect(r.status).toBe('failed');
    expect(r.failedNode).toBe('g');
    expect(r.error).toContain("node 'g' (gen): gen failed at 500");
    expect(sinks.get('fail-s')!.committed).toBe(false);
  });

  it('holds every sink back until the others are done: one sink failing stops the other from committing', async () => {
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 1000, batch: 10 } },
          { id: 'ok', type: 'collect', config: { name: 'barrier-ok' } },
          { id: 'broken', type: 'collect', config: { name: 'barrier-broken', failAfter: 900 } },
        ],
        [
          { from: 'g', to: 'ok' },
          { from: 'g', to: 'broken' },
        ],
      ),
      opts,
    );
    expect(r.status).toBe('failed');
    expect(r.failedNode).toBe('broken');
    expect(sinks.get('barrier-ok')!.committed).toBe(false);
  });

  it('cancels promptly on an abort signal', async () => {
    const controller = new AbortController();
    const p = runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 100_000_000, batch: 100 } },
          { id: 's', type: 'collect', config: { name: 'cancel-s' } },
        ],
        [{ from: 'g', to: 's' }],
      ),
      { ...opts, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const r = await p;
    expect(r.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sinks.get('cancel-s')!.committed).toBe(false);
  });

  it('does not deadlock when a node reads one input first and both come from one upstream', async () => {
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 5000, batch: 10 } },
          { id: 'p', type: 'pair' },
          { id: 's', type: 'collect', config: { name: 'diamond' } },
        ],
        [
          { from: 'g', to: 'p' },
          { from: 'g', to: 'p.table' },
          { from: 'p', to: 's' },
        ],
      ),
      { ...opts, channelCapacity: 1 },
    );
    expect(r.status).toBe('succeeded');
    expect(sinks.get('diamond')!.rows).toHaveLength(5000);
  });

  it('previews a node: only its upstream runs, sinks write nothing, and it stops at the limit', async () => {
    sinks.delete('preview-sink');
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 10_000_000, batch: 100 } },
          { id: 'o', type: 'odd' },
          { id: 's', type: 'collect', config: { name: 'preview-sink' } },
        ],
        [
          { from: 'g', to: 'o' },
          { from: 'o', to: 's' },
        ],
      ),
      { ...opts, preview: { node: 'o', limit: 7 } },
    );
    expect(r.status).toBe('succeeded');
    expect(r.preview!.rows.map((x) => x[0])).toEqual([1, 3, 5, 7, 9, 11, 13]);
    expect(sinks.has('preview-sink')).toBe(false);
    expect(r.rowsRead).toBeLessThan(100_000);
  });

  it('previews a sink as the rows that would reach it', async () => {
    const r = await runPipeline(
      doc(
        [
          { id: 'g', type: 'gen', config: { rows: 50, batch: 10 } },
          { id: 's', type: 'collect', config: { name: 'preview-sink-2' } },
        ],
        [{ from: 'g', to: 's' }],
      ),
      { ...opts, preview: { node: 's', limit: 3 } },
    );
    expect(r.preview!.rows).toEqual([[0], [1], [2]]);
  });

  it('reports every structural problem at once', async () => {
    const bad = doc(
      [
        { id: 'g', type: 'gen', config: { rows: 'many' } },
        { id: 'x', type: 'colect', config: {} },
        { id: 'o', type: 'odd' },
        { id: 'o2', type: 'odd' },
        { id: 's', type: 'collect', config: { name: 'n' } },
      ],
      [
        { from: 'gg', to: 'o' },
        { from: 'o', to: 'o2' },
        { from: 'o2', to: 'o' },
        { from: 'o.nope', to: 's' },
      ],
    );
    const err = await runPipeline(bad, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInvalidError);
    const messages = (err as PipelineInvalidError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^nodes\[0\]\.config\.rows: node 'g': .*number/),
        "nodes[1].type: node 'x': unknown node type 'colect' (did you mean 'collect'?)",
        "edges[0].from: edge gg -> o: no node 'gg' (did you mean 'g'?)",
        "edges[3].from: edge o.nope -> s: node 'o' (odd) has no output port 'nope'; it has: out, rejected",
        "nodes[4]: node 's': input 'in' is not connected",
        'edges: the edges form a cycle: o -> o2 -> o',
      ]),
    );
  });
});
