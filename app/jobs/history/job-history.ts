import type { RunKind, RunResult, WorkbenchStore } from '../../store';
import type { JobEvent, JobHistoryHook, JobRecord, JobRequest, JobRunner } from '../runner';
import { openRunLog } from './recorder';
import type { RunLog } from './run-log';

/**
 * The job runner's history in the workbench store. Every job of a recorded kind gets its
 * run record when it is accepted — before it can start, so a job waiting behind the
 * concurrency limit is in the history as 'queued' and its log says where it waits — and a
 * log file the host writes from the job's events (state changes, the job's own log lines,
 * the outcome). The job records its counts and rejected rows itself, under the run id it
 * is handed (boundRecorder); whatever it could not record (a crashed worker, a job
 * cancelled in the queue, an invalid pipeline) is recorded here when the job ends.
 */

/** Job kinds that record their run under the id they are given; others are left alone. */
const RECORDED: Readonly<Record<string, RunKind>> = {
  pipeline: 'pipeline',
  replay: 'pipeline',
  batch: 'batch',
  sync: 'sync',
};

interface Open {
  runId: string;
  log: RunLog;
  /** The last queue position logged, so each move is logged once. */
  position?: number;
}

export class JobHistory implements JobHistoryHook {
  private readonly open_ = new Map<string, Open>();
  private readonly kinds: Readonly<Record<string, RunKind>>;

  /** `kinds`: job kind -> run kind of the jobs to record (default: pipeline, replay, batch, sync). */
  constructor(
    private readonly store: WorkbenchStore,
    opts: { kinds?: Readonly<Record<string, RunKind>> } = {},
  ) {
    this.kinds = opts.kinds ?? RECORDED;
  }

  /** Hooks into the runner's events; returns the unsubscribe function. */
  attach(runner: JobRunner): () => void {
    return runner.subscribe((e) => this.onEvent(e));
  }

  open(job: JobRecord, req: JobRequest): string | undefined {
    const kind = this.kinds[job.kind];
    if (!kind) return undefined;
    const runId = this.store.startRun({
      kind,
      name: req.record?.name ?? job.title,
      params: req.record?.params ?? (Object.keys(job.labels).length > 0 ? { labels: job.labels } : undefined),
      pipelinePath: req.record?.file,
      status: 'queued',
      jobId: job.id,
    });
    const log = openRunLog(this.store, runId);
    log.info(`${job.kind} job '${job.title}' accepted`, { jobId: job.id, runId });
    this.open_.set(job.id, { runId, log });
    return runId;
  }

  private onEvent(e: JobEvent): void {
    const id = e.type === 'log' ? e.jobId : e.job.id;
    const o = this.open_.get(id);
    if (!o) return;
    try {
      switch (e.type) {
        case 'status':
          if (e.job.status === 'queued' && e.job.queue && e.job.queue.position !== o.position) {
            o.position = e.job.queue.position;
            const q = e.job.queue;
            o.log.info(`queued: waiting for a free job slot (${q.running} of ${q.limit} running; position ${q.position} in the queue)`, { ...q });
          } else if (e.job.status === 'running') {
            this.store.markRunStarted(o.runId);
            o.log.info('started', { jobId: e.job.id });
          }
          break;
        case 'log':
          o.log.write(e.level, e.message, e.data);
          break;
        case 'finished':
          this.finish(o, e.job);
          this.open_.delete(id);
          break;
        case 'progress':
          break;
      }
    } catch {
      // A history that cannot be written (store locked for too long, disk full) must not stop the job.
    }
  }

  private finish(o: Open, job: JobRecord): void {
    const result = (job.result ?? {}) as { rowsRead?: unknown; rowsWritten?: unknown; rejected?: unknown; details?: unknown };
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const status = job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled' ? job.status : 'failed';
    const r: RunResult = {
      status,
      error: job.error,
      rowsIn: num(result.rowsRead),
      rowsOut: num(result.rowsWritten),
      rejected: num(result.rejected),
    };
    if (result.details !== undefined) r.details = result.details;
    // The job recorded its own outcome when it could; this records the rest.
    this.store.finishRunIfOpen(o.runId, r);
    const took = job.startedAt && job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : undefined;
    const data = { status, ...(took !== undefined ? { durationMs: took } : {}), ...(r.rowsIn !== undefined ? { rowsIn: r.rowsIn, rowsOut: r.rowsOut, rejected: r.rejected } : {}) };
    if (status === 'failed') o.log.error(`finished: failed: ${job.error ?? 'unknown error'}`, data);
    else o.log.info(`finished: ${status}${job.error && status === 'cancelled' ? ` (${job.error})` : ''}`, data);
    o.log.close();
  }

  /** Closes the logs of jobs still open (the host is closing). */
  close(): void {
    for (const o of this.open_.values()) o.log.close();
    this.open_.clear();
  }
}
