import { parentPort, workerData } from 'node:worker_threads';
import { JobFailure, type FromWorker, type JobHandler, type ToWorker, type WorkerJob } from './protocol';

/**
 * The body of a job worker thread: runs the job found in workerData with the handler of its
 * kind, posts progress, logs and the outcome, and aborts when the host says cancel.
 * The worker entry (worker.ts) calls this with the job kinds it knows.
 */
export function serveJob(handlers: Readonly<Record<string, JobHandler>>): void {
  const port = parentPort;
  if (!port) throw new Error('a job worker must run in a worker thread');
  const job = (workerData as { job?: WorkerJob } | undefined)?.job;
  const post = (m: FromWorker) => port.postMessage(m);
  if (!job) {
    post({ type: 'failed', error: 'the worker was started without a job' });
    return;
  }
  const handler = handlers[job.kind];
  if (!handler) {
    post({ type: 'failed', error: `no job kind '${job.kind}' (known: ${Object.keys(handlers).join(', ')})` });
    return;
  }
  const controller = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m?.type === 'cancel') controller.abort();
  });
  handler(job.params, {
    jobId: job.id,
    runId: job.runId,
    signal: controller.signal,
    progress: (progress) => post({ type: 'progress', progress }),
    log: (level, message, data) => post({ type: 'log', level, message, data }),
  }).then(
    (result) => post({ type: 'done', result }),
    (e: unknown) =>
      post({
        type: 'failed',
        error: e instanceof Error ? e.message : String(e),
        details: e instanceof JobFailure ? e.details : undefined,
      }),
  );
}
