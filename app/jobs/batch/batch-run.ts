import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { delimiterOf, type CsvOptions } from '../../connectors/csv/options';
import { CsvSerializer } from '../../connectors/csv/serializer';
import { FileConnection } from '../../connectors/files/file-connection';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { RunConnections, type Env } from '../../engine/connections';
import { PipelineInvalidError, runPipeline, type NodeStats, type RunProgress, type RunRecorder } from '../../engine/run';
import { hasErrors, validateDocument } from '../../engine/validate';
import type { PipelineDocument } from '../../model/document';
import type { Row } from '../../model/values';
import type { Logger } from '../../nodes/types';
import { combineRegistry } from './chunk-nodes';
import type { ChunkOutcome } from './chunk-worker';
import { PartialAggregate } from './partial';
import { planBatch, type BatchPlan, type CsvTarget, type Cut } from './plan';
import { createPool, defaultWorkers } from './pool';
import { readSpill } from './spill';
import { splitSource, type Chunk } from './split';
import { claimState, MAX_CHUNKS, setClaims, steal } from './claims';

/**
 * A pipeline run as a batch job: input -> split -> process -> combine -> output.
 * The source is split into chunks (split.ts); the parallel section of the pipeline runs in
 * the worker pool (chunk-worker.ts) as tasks, each a run of adjoining chunks; the combine
 * step runs the rest of the pipeline in this thread, fed with the tasks' rows in chunk
 * order (so row outputs come out in input order) and with aggregates merged from the
 * tasks' partial states. It starts at once: the first task's rows flow on as soon as it is
 * done.
 *
 * A chunk that fails is tried again (`retries` times); one that still fails is reported
 * with its range and error, and the run ends failed — but the other chunks' results are
 * kept: the combine step goes on without that chunk and its sinks commit.
 */

export interface ChunkState {
  index: number;
  range: string;
  status: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';
  attempts: number;
  rowsIn: number;
  /**
   * Rows it sent on to the combine step. Exact in sum; a task running several chunks counts
   * rows against the chunk it was reading when they reached the cut, so a few still on
   * their way when it takes the next chunk count against that one.
   */
  rowsOut: number;
  error?: string;
}

export interface BatchProgress extends RunProgress {
  chunks: ChunkState[];
}

export interface BatchOptions {
  baseDir: string;
  params?: Record<string, unknown>;
  env?: Env;
  /** Extra variables for the workers' `${env:…}` references (decrypted secrets). */
  workerEnv?: Record<string, string>;
  signal?: AbortSignal;
  /** Where the run is recorded; with `runId`, the record exists already (the history made it). */
  recorder?: RunRecorder;
  runId?: string;
  pipelinePath?: string;
  /** Pool size (default: the number of cores). */
  workers?: number;
  /**
   * Chunks to split the input into (default 16 per worker). A worker runs a run of adjoining
   * chunks in one go and can take over another's unclaimed ones, so many small chunks cost
   * little and let the workers finish together; a failed chunk is run again on its own.
   */
  chunks?: number;
  /** Tries after the first for a failing chunk (default 2). */
  retries?: number;
  onProgress?: (p: BatchProgress) => void;
  progressIntervalMs?: number;
  logger?: Logger;
  /** The pool's worker script (default: found beside this code). */
  workerFile?: string;
}

export interface BatchResult {
  runId?: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  durationMs: number;
  nodes: NodeStats[];
  rowsRead: number;
  rowsWritten: number;
  rejected: number;
  chunks: ChunkState[];
  workers: number;
}

const silent: Logger = { info() {}, warn() {}, error() {} };

function addStats(into: Map<string, NodeStats>, stats: readonly NodeStats[]): void {
  for (const s of stats) {
    const t = into.get(s.nodeId);
    if (!t) into.set(s.nodeId, { ...s });
    else {
      t.rowsIn += s.rowsIn;
      t.rowsOut += s.rowsOut;
      t.rejected += s.rejected;
      t.durationMs += s.durationMs;
    }
  }
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) if (l !== '') yield l;
}

export async function runBatch(doc: PipelineDocument, opts: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  const log = opts.logger ?? silent;
  const workers = Math.max(1, opts.workers ?? defaultWorkers());
  // The pool's threads start now: loading their code overlaps validating, planning and
  // splitting here (they would otherwise wait for the split, on the critical path).
  const pool = createPool(workers, opts.workerFile);
  let poolDestroyed: Promise<void> | undefined;
  const destroyPool = () => (poolDestroyed ??= pool.destroy());
  let plan: BatchPlan;
  let validation: Awaited<ReturnType<typeof validateDocument>>;
  let chunks: Chunk[];
  try {
    validation = await validateDocument(doc, { baseDir: opts.baseDir, env: opts.env });
    if (hasErrors(validation.problems)) throw new PipelineInvalidError(validation.problems);
    plan = planBatch(doc, validation, await csvSinks(doc, opts));
    const connections = new RunConnections(doc.connections ?? {}, { baseDir: opts.baseDir, env: opts.env, signal: opts.signal });
    try {
      const conn = await connections.open(plan.source.connection);
      chunks = await splitSource(plan, conn, plan.sourceSchema, Math.min(MAX_CHUNKS, opts.chunks ?? workers * 16), workers);
    } finally {
      await connections.closeAll();
    }
  } catch (e) {
    await destroyPool();
    throw e;
  }
  const retries = Math.max(0, opts.retries ?? 2);
  const recorder = opts.recorder;
  const runId = opts.runId ?? recorder?.startRun({ kind: 'batch', name: doc.name, params: opts.params, pipelinePath: opts.pipelinePath });
  log.info(`batch: ${chunks.length} chunk(s) of '${plan.sourceId}' on ${workers} worker(s); in the workers: ${plan.parallel.join(', ') || '(the source only)'}`, {
    chunks: chunks.length,
    workers,
    cuts: plan.cuts.map((c) => `${c.from.node}.${c.from.port} -> ${c.to.node} (${c.kind})`),
  });

  const states: ChunkState[] = chunks.map((c) => ({ index: c.index, range: c.range, status: 'queued', attempts: 0, rowsIn: 0, rowsOut: 0 }));
  const specs = chunks.map((c) => c.spec);
  // Per chunk: [state, rows read, rows out], written by the workers (chunk-worker.ts).
  const live = new Int32Array(new SharedArrayBuffer(chunks.length * 3 * 4));
  const claims = new Int32Array(new SharedArrayBuffer(chunks.length * 4));
  const spillDir = await mkdtemp(path.join(tmpdir(), 'sluice-batch-'));
  const controller = new AbortController();
  // The pool listens to it once per running task.
  setMaxListeners(workers + 10, controller.signal);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  // What each chunk leaves for the combine step, in chunk order: the outcome of the task
  // that started at it (its parts cover the chunks that task ran), or undefined — a chunk a
  // task before it ran, or one that failed or was never run.
  const settle: Array<(o: ChunkOutcome | undefined) => void> = [];
  const outcomes = chunks.map((_, i) => new Promise<ChunkOutcome | undefined>((resolve) => (settle[i] = resolve)));

  const workerStats = new Map<string, NodeStats>();
  let workerRejected = 0;
  /**
   * Tasks: runs of adjoining chunks [start, end) run by one worker in one pipeline run (one
   * set-up, expressions compiled and warmed once; measured: a chunk per run cost a 1M-row
   * job on 2 workers 20% more CPU than a run per worker, most of it compiling again). At the
   * start each worker gets an equal run; a worker that is done takes the upper half of the
   * chunks another has not claimed yet (claims.ts), so the workers finish together.
   */
  interface TaskRun {
    start: number;
    end: number;
  }
  const queue: TaskRun[] = [];
  const enqueue = (r: TaskRun) => {
    const at = queue.findIndex((q) => q.start > r.start);
    queue.splice(at < 0 ? queue.length : at, 0, r);
  };
  const lanes = Math.min(workers, chunks.length);
  for (let k = 0; k < lanes; k++) queue.push({ start: Math.round((k * chunks.length) / lanes), end: Math.round(((k + 1) * chunks.length) / lanes) });
  const running = new Set<number>();
  let tasks = 0;
  const describe = (a: number, b: number) => (b - a === 1 ? `chunk ${a} (${chunks[a].range})` : `chunks ${a}-${b - 1}`);

  const runTask = async (run: TaskRun): Promise<void> => {
    setClaims(claims, run.start, run.end);
    running.add(run.start);
    let outcome: ChunkOutcome;
    try {
      outcome = await pool.run(
        {
          plan,
          chunks: specs,
          start: run.start,
          name: `task-${tasks++}`,
          baseDir: opts.baseDir,
          env: opts.workerEnv,
          params: opts.params,
          spillDir,
          recordRejected: runId !== undefined && recorder !== undefined,
          status: live.buffer as SharedArrayBuffer,
          claims: claims.buffer as SharedArrayBuffer,
        },
        { signal: controller.signal },
      );
    } catch (e) {
      outcome = { start: run.start, status: 'failed', error: (e as Error).message, rowsIn: 0, nodes: [], spills: [], partials: [], csvParts: [], rejected: 0 };
    } finally {
      // Not running: nothing is taken from it any more.
      running.delete(run.start);
    }
    if (controller.signal.aborted) return;
    const { next, end } = claimState(claims, run.start);
    if (outcome.status === 'succeeded') {
      // It claimed every chunk left to it: it ran [start, end).
      for (let i = run.start; i < end; i++) {
        const st = states[i];
        st.status = 'succeeded';
        st.attempts++;
        st.rowsIn = Atomics.load(live, i * 3 + 1);
        st.rowsOut = Atomics.load(live, i * 3 + 2);
      }
      addStats(workerStats, outcome.nodes.filter((n) => !n.nodeId.startsWith('__')));
      // The task's rejected rows count now that its chunks count.
      if (outcome.rejectedFile && runId && recorder) {
        let batch: Parameters<RunRecorder['addRejectedRows']>[1] = [];
        for await (const l of lines(outcome.rejectedFile)) {
          batch.push(JSON.parse(l) as (typeof batch)[number]);
          if (batch.length >= 1000) {
            recorder.addRejectedRows(runId, batch);
            batch = [];
          }
        }
        if (batch.length > 0) recorder.addRejectedRows(runId, batch);
      }
      workerRejected += outcome.rejected;
      settle[run.start](outcome);
      for (let i = run.start + 1; i < end; i++) settle[i](undefined);
      return;
    }
    // Failed. The chunks it never claimed go back as they were. Of those it claimed (the
    // first one at least: a task can fail before reading), which one failed is known only
    // when it was one alone — rows of the one before may still have been on their way —
    // so several are each run again alone, without counting it as an attempt of theirs.
    const tried = Math.max(next, run.start + 1);
    if (tried < end) enqueue({ start: tried, end });
    const reset = (i: number) => {
      for (let k = 0; k < 3; k++) Atomics.store(live, i * 3 + k, 0);
      Object.assign(states[i], { rowsIn: 0, rowsOut: 0 });
    };
    if (tried - run.start > 1) {
      log.warn(`${describe(run.start, tried)} failed together, each is tried again on its own: ${outcome.error}`);
      for (let i = run.start; i < tried; i++) {
        reset(i);
        states[i].status = 'queued';
        enqueue({ start: i, end: i + 1 });
      }
      return;
    }
    const st = states[run.start];
    st.attempts++;
    st.error = outcome.error;
    reset(run.start);
    if (st.attempts <= retries) {
      st.status = 'retrying';
      log.warn(`${describe(run.start, run.start + 1)} failed (attempt ${st.attempts} of ${retries + 1}), trying again: ${outcome.error}`);
      enqueue({ start: run.start, end: run.start + 1 });
    } else {
      st.status = 'failed';
      log.error(`${describe(run.start, run.start + 1)} failed after ${st.attempts} attempt(s): ${outcome.error}`);
      settle[run.start](undefined);
    }
  };

  // A free worker takes the next queued task, or else half of what a running one has left —
  // when that is worth a new task: one sets up its pipeline and warms up its compiled
  // expressions again, which cost a third of a second (under load) for a task of one chunk
  // of 1/32 of a 1M-row input, where a warm one takes a tenth. So the running one must have
  // six chunks left at least (the new task takes three).
  const pick = (): TaskRun | undefined => {
    if (queue.length > 0) return queue.shift();
    let from: number | undefined;
    let most = 5;
    for (const s of running) {
      const { next, end } = claimState(claims, s);
      if (end - next > most) [from, most] = [s, end - next];
    }
    return from === undefined ? undefined : steal(claims, from, 6);
  };
  const idle: Array<() => void> = [];
  const wakeIdle = () => idle.splice(0).forEach((w) => w());
  controller.signal.addEventListener('abort', wakeIdle, { once: true });
  const lane = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      const run = pick();
      if (run) {
        await runTask(run).catch((e: unknown) => {
          // A bookkeeping failure here (reading the rejected rows back): the job cannot go on.
          controller.abort();
          throw e;
        });
        // A failed task may have queued chunks again.
        wakeIdle();
      } else if (running.size === 0) return;
      else await new Promise<void>((resolve) => idle.push(resolve));
    }
  };
  const scheduled = Promise.all(Array.from({ length: lanes }, lane));
  // Done or cancelled: chunks never run have no outcome.
  const settled = scheduled.finally(() => settle.forEach((s) => s(undefined)));
  settled.catch(() => {});

  const progress = (): BatchProgress => {
    for (const st of states) {
      const i = st.index;
      if ((st.status === 'queued' || st.status === 'retrying') && Atomics.load(live, i * 3) === 1) st.status = 'running';
      if (st.status === 'running') {
        st.rowsIn = Atomics.load(live, i * 3 + 1);
        st.rowsOut = Atomics.load(live, i * 3 + 2);
      }
    }
    const elapsedMs = Math.round(performance.now() - started);
    const rowsRead = states.reduce((s, c) => s + c.rowsIn, 0);
    return {
      runId,
      elapsedMs,
      nodes: [...workerStats.values()],
      rowsRead,
      rowsPerSecond: elapsedMs > 0 ? Math.round((rowsRead * 1000) / elapsedMs) : 0,
      // A running chunk is on its next attempt.
      chunks: states.map((s) => ({ ...s, attempts: s.status === 'running' ? s.attempts + 1 : s.attempts })),
    };
  };
  const timer = opts.onProgress && setInterval(() => opts.onProgress!(progress()), opts.progressIntervalMs ?? 250);

  // The combine step runs now, fed as chunks finish, in chunk order.
  const combineStats: NodeStats[] = [];
  const csvWritten = new Map<string, number>();
  let combineRejected = 0;
  const combineRecorder: RunRecorder | undefined =
    runId && recorder
      ? {
          startRun: () => runId,
          finishRun: () => {},
          recordNodeStats: (_id, stats) => combineStats.splice(0, combineStats.length, ...stats),
          addRejectedRows: (_id, rows) => {
            combineRejected += rows.length;
            recorder.addRejectedRows(runId, rows);
          },
        }
      : undefined;
  const io = {
    plan,
    async *rows(cut: number): AsyncGenerator<Row[]> {
      for (const p of outcomes) {
        const o = await p;
        const file = o?.spills[cut];
        if (file) yield* readSpill(file);
      }
    },
    async merged(cut: number): Promise<Row[]> {
      const c = plan.cuts[cut];
      const agg = new PartialAggregate(c.aggregate!.spec, c.schema, c.aggregate!.output, validation.paramTypes);
      for (const p of outcomes) {
        const o = await p;
        const bytes = o?.partials[cut];
        if (bytes) agg.merge(agg.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
      }
      return agg.results();
    },
  };
  // The CSV files the workers write in parts: joined in chunk order as the chunks finish.
  const joins = plan.cuts.filter((c) => c.kind === 'csv').map((c) => new CsvJoin(c));
  const joined = Promise.all(
    joins.map(async (j) => {
      for (const p of outcomes) await j.append(await p);
    }),
  );
  joined.catch(() => {});
  let combine;
  try {
    combine = await runPipeline(plan.combineDoc, {
      baseDir: opts.baseDir,
      registry: combineRegistry(io),
      params: opts.params,
      env: opts.env,
      signal: controller.signal,
      recorder: combineRecorder,
      logger: log,
    });
    await settled;
    // Every task is done: the threads end while the parts are joined and committed (~35 ms).
    void destroyPool().catch(() => {});
    await joined;
    // Put in place only when the run's other sinks commit too.
    if (combine.status === 'succeeded' && !controller.signal.aborted) {
      for (const j of joins) csvWritten.set(j.cut.csv!.sink, await j.commit());
    }
  } finally {
    if (timer) clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    controller.abort();
    // Cancelled tasks settle at once; the join then stops, and what it did not commit goes.
    await settled.catch(() => {});
    await joined.catch(() => {});
    await Promise.all(joins.map((j) => j.discard()));
    await destroyPool();
    await rm(spillDir, { recursive: true, force: true });
  }

  const nodes = new Map<string, NodeStats>();
  const source = plan.sourceId;
  addStats(nodes, [...workerStats.values()]);
  addStats(nodes, combineStats.length > 0 ? combineStats : combine.nodes);
  for (const id of [...nodes.keys()]) if (id.startsWith('__rows_')) nodes.delete(id);
  for (const [sink, rows] of csvWritten) nodes.set(sink, { nodeId: sink, rowsIn: rows, rowsOut: rows, rejected: 0, durationMs: 0 });
  const rowsWritten = combine.rowsWritten + [...csvWritten.values()].reduce((s, n) => s + n, 0);
  const rowsRead = states.reduce((s, c) => s + (c.status === 'succeeded' ? c.rowsIn : 0), 0);
  const sourceStats = nodes.get(source);
  if (sourceStats) sourceStats.rowsOut = rowsRead;
  const failedChunks = states.filter((s) => s.status === 'failed');
  let status: BatchResult['status'] = combine.status;
  let error = combine.error;
  if (status === 'succeeded' && failedChunks.length > 0) {
    status = 'failed';
    error = `${failedChunks.length} of ${states.length} chunk(s) failed (the others' rows were written): ${failedChunks.map((c) => `chunk ${c.index} (${c.range}): ${c.error}`).join('; ')}`;
  }
  if (opts.signal?.aborted) status = 'cancelled';
  const ordered = [...doc.nodes.map((n) => nodes.get(n.id)).filter((n): n is NodeStats => n !== undefined)];
  const rejected = workerRejected + combineRejected;
  if (runId && recorder) {
    recorder.recordNodeStats(runId, ordered);
    recorder.finishRun(runId, { status, error, rowsIn: rowsRead, rowsOut: rowsWritten, rejected });
  }
  const result: BatchResult = {
    runId,
    status,
    error,
    durationMs: Math.round(performance.now() - started),
    nodes: ordered,
    rowsRead,
    rowsWritten,
    rejected,
    chunks: states,
    workers,
  };
  opts.onProgress?.({ ...progress(), chunks: states });
  return result;
}

/**
 * Sinks that overwrite a plain CSV file (UTF-8 without a byte-order mark, mode truncate-insert
 * or replace): their rows need not cross to this thread — the workers serialise their
 * chunks' parts with the connector's own serializer, and the parts are joined here.
 */
async function csvSinks(doc: PipelineDocument, opts: BatchOptions): Promise<Map<string, CsvTarget>> {
  const out = new Map<string, CsvTarget>();
  const sinks = doc.nodes.filter((n) => n.type === 'sink');
  if (sinks.length === 0) return out;
  const connections = new RunConnections(doc.connections ?? {}, { baseDir: opts.baseDir, env: opts.env });
  try {
    for (const n of sinks) {
      const c = (n.config ?? {}) as { connection?: string; mode?: string; commitEvery?: number };
      if (!c.connection || (c.mode !== 'truncate-insert' && c.mode !== 'replace') || c.commitEvery !== undefined) continue;
      const conn = await connections.open(c.connection).catch(() => undefined);
      if (!(conn instanceof FileConnection) || conn.connectorId !== 'csv') continue;
      const o = conn.options as CsvOptions;
      if (o.encoding !== 'utf-8' || o.writeBom === true) continue;
      out.set(n.id, { path: conn.path, delimiter: delimiterOf(o), quote: o.quote, escape: o.escape, lineEnding: o.lineEnding === 'crlf' ? '\r\n' : '\n', header: o.header });
    }
  } finally {
    await connections.closeAll();
  }
  return out;
}

/**
 * A CSV file a sink overwrites, put together from the chunks' parts: the header, then each
 * chunk's part appended in chunk order as soon as it and every chunk before it are done
 * (so at the end only the last chunks are left to copy), into a temporary file beside the
 * target that replaces it on commit. A chunk that failed has no part: its rows are missing.
 */
class CsvJoin {
  private readonly temp: string;
  private fh: FileHandle | undefined;
  private rows = 0;
  private closed = false;
  private committed = false;
  private buf: Buffer | undefined;

  constructor(readonly cut: Cut) {
    const t = cut.csv!.target;
    this.temp = path.join(path.dirname(t.path), `.${path.basename(t.path)}.sluice-${randomBytes(4).toString('hex')}.tmp`);
  }

  private async file(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    this.fh = await open(this.temp, 'w');
    const t = this.cut.csv!.target;
    if (t.header) {
      const s = new CsvSerializer({ delimiter: t.delimiter, quote: t.quote, escape: t.escape, lineEnding: t.lineEnding });
      await this.fh.write(s.header(this.cut.schema.columns.map((x) => x.name)));
    }
    return this.fh;
  }

  /** The next chunk's part (in chunk order; none for a failed or cancelled chunk). */
  async append(o: ChunkOutcome | undefined): Promise<void> {
    if (this.closed) return;
    const out = await this.file();
    const part = o?.csvParts[this.cut.index];
    if (!part) return;
    this.rows += part.rows;
    this.buf ??= Buffer.allocUnsafe(1 << 20);
    const src = await open(part.path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await src.read(this.buf, 0, this.buf.length, null);
        if (bytesRead === 0) break;
        await out.write(this.buf, 0, bytesRead);
      }
    } finally {
      await src.close();
    }
    // Copied: its space in the temporary folder is free again.
    await unlink(part.path).catch(() => {});
  }

  /** The joined file replaces the target; the rows written. */
  async commit(): Promise<number> {
    const out = await this.file();
    this.closed = true;
    this.fh = undefined;
    await out.close();
    await rename(this.temp, this.cut.csv!.target.path);
    this.committed = true;
    return this.rows;
  }

  /** Not committed (a failed or cancelled run): the temporary file goes. */
  async discard(): Promise<void> {
    if (this.committed) return;
    this.closed = true;
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    await unlink(this.temp).catch(() => {});
  }
}
