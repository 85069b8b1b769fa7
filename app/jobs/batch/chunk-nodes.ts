import { open } from 'node:fs/promises';
import { z } from 'zod';
import type { CsvOptions } from '../../connectors/csv/options';
import { FileConnection } from '../../connectors/files/file-connection';
import type { Connection } from '../../connectors/types';
import type { Schema } from '../../model/schema';
import { quoteIdent, quoteTable } from '../../model/sql';
import { normalizeInt, type Row } from '../../model/values';
import { Emitter } from '../../nodes/common/batches';
import { messageOf } from '../../nodes/common/expressions';
import { feedNode } from '../../nodes/common/feed';
import { nodeRegistry, NodeRegistry } from '../../nodes/registry';
import { defineNode, type RejectedRow, type RunContext } from '../../nodes/types';
import { coercer } from '../sync/canonical';
import { readCsvRange } from './csv-range';
import type { PartialAggregate } from './partial';
import { CsvSerializer } from '../../connectors/csv/serializer';
import { CHUNK_SOURCE, CSV_PART, MERGED, PARTIAL, SPILL, SPILLED_ROWS, type BatchPlan } from './plan';
import type { SpillWriter } from './spill';
import type { ChunkSpec } from './split';

/**
 * The node types a batch job puts in place of the source and the cuts (plan.ts): in the
 * workers, the chunk of the input, and the spills and partial aggregates at the cuts; in
 * the combine step, the spilled rows in chunk order and the merged aggregates.
 */

export interface ProcessIo {
  plan: BatchPlan;
  /**
   * The next chunk of the input this task runs (in input order, each following on from the
   * one before), or undefined when the task has no more: a task claims its chunks one at a
   * time, so an idle worker can take over the ones not yet claimed.
   */
  claim(): ChunkSpec | undefined;
  spill(cut: number): SpillWriter;
  partial(cut: number): PartialAggregate;
  /** A file for this task's part of a csv cut's file. */
  csvPart(cut: number): { path: string; rows: number };
  /** Rows read of the chunk being read (for the live per-chunk status). */
  onRows?(n: number): void;
  /** Rows that reached a cut, counted against the chunk being read when they arrived. */
  onRowsOut?(n: number): void;
}

export interface CombineIo {
  plan: BatchPlan;
  rows(cut: number): AsyncIterable<Row[]>;
  merged(cut: number): Promise<Row[]>;
}

const cutConfig = z.object({ cut: z.number().int() }).strict();
type CutConfig = z.infer<typeof cutConfig>;

/** The rows of the chunks a task claims, one chunk after the other. */
async function* taskRows(conn: Connection, plan: BatchPlan, io: ProcessIo, ctx: RunContext<unknown>): AsyncGenerator<Row[]> {
  const schema = plan.sourceSchema;
  const src = plan.source;
  const pending: RejectedRow[] = [];
  const onBad = (message: string, raw?: string) => {
    if (src.onError === 'stop') throw new Error(`${ctx.connections.describe(src.connection)}: ${message}`);
    pending.push({ row: [], reasons: [{ rule: 'read', value: raw ?? null, message }] });
  };
  const first = io.claim();
  if (!first) return;
  let stream: AsyncIterable<Row[]>;
  if (first.kind === 'bytes') {
    // Adjoining byte ranges: read on through them as one, claiming the next at each end.
    const ranges = function* (): Generator<ChunkSpec & { kind: 'bytes' }> {
      for (let c: ChunkSpec | undefined = first; c?.kind === 'bytes'; c = io.claim()) yield c;
    };
    const file = conn as FileConnection<CsvOptions>;
    stream = readCsvRange(file.path, file.options, ranges(), { names: first.names, schema, header: first.header }, onBad, ctx.signal);
  } else if (first.kind === 'rows') {
    stream = rowRanges(conn, src, first, io, ctx, onBad);
  } else {
    stream = keyedChunks(conn, plan, first, io, ctx);
  }
  for await (const rows of stream) {
    if (pending.length > 0) await ctx.reject(pending.splice(0));
    yield rows;
  }
  if (pending.length > 0) await ctx.reject(pending.splice(0));
}

/** Table chunks: one query per chunk (key range or page), typed like the table's columns. */
async function* keyedChunks(conn: Connection, plan: BatchPlan, first: ChunkSpec, io: ProcessIo, ctx: RunContext<unknown>): AsyncGenerator<Row[]> {
  const d = conn.dialect!;
  const src = plan.source;
  const cols = plan.sourceSchema.columns.map((c) => quoteIdent(c.name, d)).join(', ');
  const t = quoteTable({ name: src.table! }, d);
  for (let spec: ChunkSpec | undefined = first; spec; spec = io.claim()) {
    let s;
    if (spec.kind === 'keyRange') {
      const k = quoteIdent(spec.key, d);
      const lo = normalizeInt(BigInt(spec.lo));
      const hi = normalizeInt(BigInt(spec.hi));
      s = await conn.read({ query: `SELECT ${cols} FROM ${t} WHERE ${k} >= ? AND ${k} ${spec.last ? '<=' : '<'} ? ORDER BY ${k}`, params: [lo, hi] }, { signal: ctx.signal });
    } else if (spec.kind === 'page') {
      s = await conn.read({ query: `SELECT ${cols} FROM ${t} ORDER BY ${spec.orderBy} LIMIT ${spec.limit} OFFSET ${spec.offset}` }, { signal: ctx.signal });
    } else throw new Error(`a ${spec.kind} chunk among table chunks`);
    yield* coerced(s.batches, plan.sourceSchema);
  }
}

/**
 * Row ranges of a source read as usual: one read per task, skipping to its first chunk,
 * then each claimed chunk's rows in turn (the chunks of a task follow on from each other).
 */
async function* rowRanges(
  conn: Connection,
  src: BatchPlan['source'],
  first: ChunkSpec & { kind: 'rows' },
  io: ProcessIo,
  ctx: RunContext<unknown>,
  onBad: (message: string, raw?: string) => void,
): AsyncGenerator<Row[]> {
  const s = await conn.read(src.query ? { query: src.query } : { table: src.table ?? (conn instanceof FileConnection ? conn.table : ''), columns: src.columns }, {
    signal: ctx.signal,
    onError: src.onError,
    onErrorRecord: (e) => onBad(e.message, e.raw),
  });
  let spec: ChunkSpec | undefined = first;
  let end = first.skip + first.take;
  let seen = 0;
  for await (const batch of s.batches) {
    let from = Math.max(0, first.skip - seen);
    const batchEnd = seen + batch.length;
    while (spec && from < batch.length) {
      const to = Math.min(batch.length, end - seen);
      if (to > from) yield from === 0 && to === batch.length ? batch : batch.slice(from, to);
      from = Math.max(from, to);
      if (batchEnd < end) break;
      // This chunk is read: the next one, if the task has one, starts where it ended.
      const next = io.claim();
      if (next?.kind !== 'rows' || next.skip !== end) spec = undefined;
      else {
        spec = next;
        end = next.skip + next.take;
      }
    }
    seen = batchEnd;
    // Leaving the loop closes the source.
    if (!spec) return;
  }
}

async function* coerced(rows: AsyncIterable<Row[]>, schema: Schema): AsyncGenerator<Row[]> {
  const coerce = coercer(schema.columns.map((c) => c.type));
  for await (const batch of rows) {
    for (const r of batch) coerce(r);
    yield batch;
  }
}

/** The registry a worker runs its task (a run of chunks) with. */
export function processRegistry(io: ProcessIo): NodeRegistry {
  const chunk = feedNode({
    type: CHUNK_SOURCE,
    title: 'Chunk of the input',
    description: "One chunk of the batch job's input.",
    schema: io.plan.sourceSchema,
    async *rows(ctx) {
      const conn = await ctx.connections.open(io.plan.source.connection);
      for await (const rows of taskRows(conn, io.plan, io, ctx as RunContext<unknown>)) {
        io.onRows?.(rows.length);
        yield rows;
      }
    },
  });
  const spill = defineNode<CutConfig>({
    type: SPILL,
    title: 'Chunk output',
    category: 'sink',
    description: 'Keeps the rows crossing a cut, in order, for the combine step.',
    config: cutConfig,
    example: { cut: 0 },
    ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),
    plan: () => ({}),
    async run(ctx) {
      const w = io.spill(ctx.config.cut);
      for await (const rows of ctx.input()) {
        io.onRowsOut?.(rows.length);
        await w.write(rows);
      }
      await w.close();
    },
  });
  const partial = defineNode<CutConfig>({
    type: PARTIAL,
    title: 'Partial aggregate',
    category: 'sink',
    description: 'Aggregates a chunk into mergeable states.',
    config: cutConfig,
    example: { cut: 0 },
    ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),
    plan: () => ({}),
    async run(ctx) {
      const agg = io.partial(ctx.config.cut);
      const spec = io.plan.cuts[ctx.config.cut].aggregate!.spec;
      for await (const rows of ctx.input()) {
        io.onRowsOut?.(rows.length);
        let rejected: RejectedRow[] | undefined;
        for (const row of rows) {
          let values;
          try {
            values = agg.inputs(row, ctx.params);
          } catch (e) {
            // As the aggregate node does: a row whose expression fails counts nowhere.
            const name = spec.aggregates.find((a) => a.expr)?.name ?? 'aggregate';
            (rejected ??= []).push({ row, reasons: [{ rule: 'aggregate', column: name, message: `${name}: ${messageOf(e)}` }] });
            continue;
          }
          agg.add(row, values);
        }
        if (rejected) await ctx.reject(rejected);
      }
    },
  });
  const csvPart = defineNode<CutConfig>({
    type: CSV_PART,
    title: 'Part of a CSV file',
    category: 'sink',
    description: "Writes the chunk's part of a CSV file the pipeline overwrites.",
    config: cutConfig,
    example: { cut: 0 },
    ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),
    plan: () => ({}),
    async run(ctx) {
      const t = io.plan.cuts[ctx.config.cut].csv!.target;
      const part = io.csvPart(ctx.config.cut);
      // The same serializer the CSV connector writes with: the parts join into its file, byte for byte.
      const s = new CsvSerializer({ delimiter: t.delimiter, quote: t.quote, escape: t.escape, lineEnding: t.lineEnding });
      const fh = await open(part.path, 'w');
      try {
        let text = '';
        for await (const rows of ctx.input()) {
          io.onRowsOut?.(rows.length);
          text += s.rows(rows);
          part.rows += rows.length;
          if (text.length >= 1 << 20) {
            await fh.write(text);
            text = '';
          }
        }
        if (text) await fh.write(text);
      } finally {
        await fh.close();
      }
    },
  });
  return new NodeRegistry([...nodeRegistry.all(), chunk, spill, partial, csvPart]);
}

/** The registry the combine step runs with. */
export function combineRegistry(io: CombineIo): NodeRegistry {
  const rows = defineNode<CutConfig>({
    type: SPILLED_ROWS,
    title: 'Chunk outputs',
    category: 'source',
    description: 'The rows that crossed a cut, chunk after chunk.',
    config: cutConfig,
    example: { cut: 0 },
    ports: () => ({ inputs: [], outputs: [{ name: 'out', kind: 'data' }] }),
    plan: (ctx) => ({ out: io.plan.cuts[ctx.config.cut].schema }),
    async run(ctx) {
      const out = ctx.output();
      for await (const batch of io.rows(ctx.config.cut)) {
        await out.push(batch);
        if (out.done) break;
      }
    },
  });
  const merged = defineNode<CutConfig>({
    type: MERGED,
    title: 'Merged aggregate',
    category: 'source',
    description: 'The aggregate computed from the chunks\' partial states.',
    config: cutConfig,
    example: { cut: 0 },
    ports: () => ({ inputs: [], outputs: [{ name: 'out', kind: 'data' }, { name: 'rejected', kind: 'rejected' }] }),
    plan: (ctx) => {
      const c = io.plan.cuts[ctx.config.cut];
      return { out: c.aggregate!.output, rejected: { columns: [] } };
    },
    async run(ctx) {
      const emit = new Emitter(ctx.output());
      for (const r of await io.merged(ctx.config.cut)) if (!(await emit.add(r))) return;
      await emit.flush();
    },
  });
  return new NodeRegistry([...nodeRegistry.all(), rows, merged]);
}
