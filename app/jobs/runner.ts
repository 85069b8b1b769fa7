import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FromWorker, LogLevel, ToWorker } from './protocol';
import { defaultWorkerLaunch, type WorkerLaunch } from './worker-entry';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
const FINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobRequest {
  kind: string;
  title: string;
  /** Handed to the worker as is (structured clone): secrets in it stay in memory. */
  params: unknown;
  /** Small labels the host shows with the job (e.g. the pipeline file); never secrets. */
  labels?: Record<string, string>;
  /** What the job history records of it (never secrets): default the title and the labels. */
  record?: { name?: string; params?: unknown; file?: string };
}

/** Where a job waits when the concurrency limit is reached. */
export interface QueuePosition {
  /** 1 = next to start. */
  position: number;
  /** Jobs running now, and how many may run at once. */
  running: number;
  limit: number;
}

/**
 * Gives every job its record in the job history when it is accepted (history.ts): the
 * id comes back to the runner, which hands it to the worker so the job records its run
 * under it instead of making another.
 */
export interface JobHistoryHook {
  open(job: JobRecord, req: JobRequest): string | undefined;
}

/** A job as the host sees it. Params are not kept here: they may hold resolved secrets. */
export interface JobRecord {
  id: string;
  kind: string;
  title: string;
  labels: Record<string, string>;
  status: JobStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: unknown;
  result?: unknown;
  error?: string;
  /** Structured details of a failure (e.g. the problems of an invalid pipeline). */
  details?: unknown;
  /** The job's record in the workbench store's history (runs). */
  runId?: string;
  /** While queued behind the concurrency limit: where it waits. */
  queue?: QueuePosition;
}

export type JobEvent =
  | { type: 'status'; job: JobRecord }
  | { type: 'progress'; job: JobRecord }
  | { type: 'log'; jobId: string; kind: string; level: LogLevel; message: string; data?: Record<string, unknown>; time: string }
  | { type: 'finished'; job: JobRecord };

export interface JobRunnerOptions {
  launch?: WorkerLaunch;
  /** Jobs running at once; the rest wait as 'queued'. Default 2. */
  concurrency?: number;
  /** Finished jobs remembered for jobs/list (the store keeps the full history). Default 200. */
  keepFinished?: number;
  /** How long a cancelled job may take to stop before its thread is terminated. Default 10 s. */
  cancelGraceMs?: number;
  /** Records jobs in the workbench store's history as they are accepted. */
  history?: JobHistoryHook;
}

interface Entry {
  record: JobRecord;
  params: unknown;
  worker?: Worker;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
  waiters: Array<(job: JobRecord) => void>;
}

/**
 * Runs jobs in worker threads, so the host's event loop (the HTTP server, Electron's main
 * process) stays free while a migration crunches rows. One fresh thread per job: a crash
 * or a leak ends with the job. Generic over job kinds: the worker entry maps kinds to code.
 *
 * A job's result decides its final status when it carries one (`{ status: 'failed' }` from
 * a pipeline run that failed); otherwise a job that returns succeeded.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private running = 0;
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly launch: WorkerLaunch;
  private readonly concurrency: number;
  private readonly keepFinished: number;
  private readonly cancelGraceMs: number;
  private readonly history: JobHistoryHook | undefined;
  private closed = false;

  constructor(opts: JobRunnerOptions = {}) {
    this.launch = opts.launch ?? defaultWorkerLaunch();
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    this.keepFinished = opts.keepFinished ?? 200;
    this.cancelGraceMs = opts.cancelGraceMs ?? 10_000;
    this.history = opts.history;
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(req: JobRequest): string {
    if (this.closed) throw new Error('the job runner is closed');
    const id = randomUUID();
    const record: JobRecord = {
      id,
      kind: req.kind,
      title: req.title,
      labels: { ...req.labels },
      status: 'queued',
      createdAt: new Date().toISOString(),
    };
    try {
      const runId = this.history?.open(copy(record), req);
      if (runId) record.runId = runId;
    } catch {
      // The history is a record of the job, not a condition for running it.
    }
    this.jobs.set(id, { record, params: req.params, cancelRequested: false, waiters: [] });
    this.queue.push(id);
    // A job that must wait says so, and where: in its status and (through the history) its log.
    if (this.running >= this.concurrency) record.queue = { position: this.queue.length, running: this.running, limit: this.concurrency };
    this.emit({ type: 'status', job: copy(record) });
    this.pump();
    return id;
  }

  get(id: string): JobRecord | undefined {
    const e = this.jobs.get(id);
    return e && copy(e.record);
  }

  /** Newest first. */
  list(): JobRecord[] {
    return [...this.jobs.values()].map((e) => copy(e.record)).reverse();
  }

  /** Cancels a queued job at once, or asks a running one to stop. Returns the job, or undefined. */
  cancel(id: string): JobRecord | undefined {
    const e = this.jobs.get(id);
    if (!e) return undefined;
    if (e.record.status === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(e, { status: 'cancelled', error: 'cancelled before it started' });
      this.requeue();
    } else if (e.record.status === 'running' && !e.cancelRequested) {
      e.cancelRequested = true;
      e.worker?.postMessage({ type: 'cancel' } satisfies ToWorker);
      // A job that ignores the request (stuck in a native call) is stopped the hard way.
      e.killTimer = setTimeout(() => {
        if (FINAL.has(e.record.status)) return;
        this.finish(e, { status: 'cancelled', error: `the job did not stop within ${this.cancelGraceMs} ms and was terminated` });
        void e.worker?.terminate();
      }, this.cancelGraceMs);
      e.killTimer.unref();
    }
    return copy(e.record);
  }

  /** Resolves when the job has finished (at once when it has). */
  waitFor(id: string): Promise<JobRecord> {
    const e = this.jobs.get(id);
    if (!e) return Promise.reject(new Error(`no job ${id}`));
    if (FINAL.has(e.record.status)) return Promise.resolve(copy(e.record));
    return new Promise((resolve) => e.waiters.push(resolve));
  }

  /** Cancels everything and waits (at most `graceMs`) for running jobs to stop. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    const running = [...this.jobs.values()].filter((e) => e.record.status === 'running' || e.record.status === 'queued');
    for (const e of running) this.cancel(e.record.id);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(running.map((e) => this.waitFor(e.record.id))), deadline]);
    await Promise.all([...this.jobs.values()].map((e) => e.worker?.terminate()));
  }

  private pump(): void {
    let started = false;
    while (this.running < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const e = this.jobs.get(id);
      if (e && e.record.status === 'queued') {
        this.run(e);
        started = true;
      }
    }
    if (started) this.requeue();
  }

  /** The queue moved: the jobs still waiting move up, and say so. */
  private requeue(): void {
    this.queue.forEach((id, i) => {
      const e = this.jobs.get(id);
      if (!e || e.record.status !== 'queued') return;
      e.record.queue = { position: i + 1, running: this.running, limit: this.concurrency };
      this.emit({ type: 'status', job: copy(e.record) });
    });
  }

  private run(e: Entry): void {
    this.running++;
    e.record.status = 'running';
    e.record.queue = undefined;
    e.record.startedAt = new Date().toISOString();
    this.emit({ type: 'status', job: copy(e.record) });
    let worker: Worker;
    try {
      worker = new Worker(this.launch.filename, {
        ...this.launch.options,
        workerData: { job: { id: e.record.id, kind: e.record.kind, params: e.params, runId: e.record.runId } },
      });
    } catch (err) {
      this.finish(e, { status: 'failed', error: `could not start the job's worker: ${(err as Error).message}` });
      return;
    }
    e.params = undefined;
    e.worker = worker;
    worker.on('message', (m: FromWorker) => this.onMessage(e, m));
    worker.on('error', (err) => this.finish(e, { status: 'failed', error: `the job's worker failed: ${err.message}` }));
    worker.on('exit', (code) => {
      e.worker = undefined;
      if (!FINAL.has(e.record.status)) {
        this.finish(e, e.cancelRequested ? { status: 'cancelled' } : { status: 'failed', error: `the job's worker stopped unexpectedly (exit code ${code})` });
      }
    });
  }

  private onMessage(e: Entry, m: FromWorker): void {
    if (FINAL.has(e.record.status)) return;
    switch (m.type) {
      case 'progress':
        e.record.progress = m.progress;
        this.emit({ type: 'progress', job: copy(e.record) });
        break;
      case 'log':
        this.emit({ type: 'log', jobId: e.record.id, kind: e.record.kind, level: m.level, message: m.message, data: m.data, time: new Date().toISOString() });
        break;
      case 'done': {
        const declared = statusOf(m.result);
        const status: JobStatus = declared ?? (e.cancelRequested ? 'cancelled' : 'succeeded');
        this.finish(e, { status, result: m.result, error: errorOf(m.result) });
        void e.worker?.terminate();
        break;
      }
      case 'failed':
        this.finish(e, { status: e.cancelRequested ? 'cancelled' : 'failed', error: m.error, details: m.details });
        void e.worker?.terminate();
        break;
    }
  }

  private finish(e: Entry, outcome: { status: JobStatus; result?: unknown; error?: string; details?: unknown }): void {
    if (FINAL.has(e.record.status)) return;
    const wasRunning = e.record.status === 'running';
    e.record.status = outcome.status;
    e.record.queue = undefined;
    e.record.finishedAt = new Date().toISOString();
    if (outcome.result !== undefined) e.record.result = outcome.result;
    if (outcome.error !== undefined) e.record.error = outcome.error;
    if (outcome.details !== undefined) e.record.details = outcome.details;
    if (e.killTimer) clearTimeout(e.killTimer);
    const done = copy(e.record);
    this.emit({ type: 'finished', job: done });
    for (const w of e.waiters.splice(0)) w(copy(done));
    if (wasRunning) this.running--;
    this.forgetOldJobs();
    this.pump();
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((e) => FINAL.has(e.record.status));
    for (const e of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(e.record.id);
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not break the runner's bookkeeping.
      }
    }
  }
}

function copy(r: JobRecord): JobRecord {
  return { ...r, labels: { ...r.labels }, ...(r.queue ? { queue: { ...r.queue } } : {}) };
}

function statusOf(result: unknown): JobStatus | undefined {
  const s = (result as { status?: unknown } | null)?.status;
  return s === 'succeeded' || s === 'failed' || s === 'cancelled' ? s : undefined;
}

function errorOf(result: unknown): string | undefined {
  const e = (result as { error?: unknown } | null)?.error;
  return typeof e === 'string' ? e : undefined;
}
