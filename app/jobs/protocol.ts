/**
 * Messages between the JobRunner (host thread) and a job worker thread. One worker runs one
 * job: the job comes in `workerData`, so it starts without a round trip.
 */

export interface WorkerJob {
  id: string;
  kind: string;
  params: unknown;
  /** The job's record in the store's history, when the host keeps one. */
  runId?: string;
}

export type LogLevel = 'info' | 'warn' | 'error';

/** Host -> worker. */
export type ToWorker = { type: 'cancel' };

/** Worker -> host. */
export type FromWorker =
  | { type: 'progress'; progress: unknown }
  | { type: 'log'; level: LogLevel; message: string; data?: Record<string, unknown> }
  | { type: 'done'; result: unknown }
  /** The job could not run or threw: `problems` when it was refused as invalid. */
  | { type: 'failed'; error: string; details?: unknown };

/** What a job implementation sees of its worker. */
export interface JobContext {
  jobId: string;
  /** The run record the host made for this job (record the run under it), when there is one. */
  runId?: string;
  signal: AbortSignal;
  progress(progress: unknown): void;
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

/** One kind of job (pipeline, later migration, sync, batch): runs in a worker thread. */
export type JobHandler = (params: unknown, ctx: JobContext) => Promise<unknown>;

/** Thrown by a job handler for a failure that carries structured details (e.g. problems). */
export class JobFailure extends Error {
  override name = 'JobFailure';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
