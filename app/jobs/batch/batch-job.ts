import { PipelineInvalidError } from '../../engine/run';
import { WorkbenchStore } from '../../store';
import { boundRecorder } from '../history/recorder';
import type { PipelineJobParams } from '../pipeline-job';
import { JobFailure, type JobContext } from '../protocol';
import { runBatch, type BatchResult } from './batch-run';
import { NotBatchable } from './plan';

/** What the host sends a worker to run a pipeline as a batch job. */
export interface BatchJobParams extends PipelineJobParams {
  workers?: number;
  chunks?: number;
  retries?: number;
  /** The pool's worker script, when it is not beside the job worker (tests running from source). */
  workerFile?: string;
}

/**
 * A batch job runs in a job worker like a pipeline run; its pool's threads are started from
 * there (nested workers), so the host's thread only ever sees progress messages.
 */
export async function runBatchJob(raw: unknown, ctx: JobContext): Promise<BatchResult> {
  const p = raw as BatchJobParams;
  const store = p.storePath ? WorkbenchStore.open(p.storePath) : undefined;
  try {
    return await runBatch(p.document, {
      baseDir: p.baseDir,
      params: p.params,
      env: p.env ? { ...process.env, ...p.env } : undefined,
      workerEnv: p.env,
      signal: ctx.signal,
      recorder: store && ctx.runId ? boundRecorder(store, ctx.runId) : store,
      runId: store ? ctx.runId : undefined,
      pipelinePath: p.pipelinePath,
      workers: p.workers,
      chunks: p.chunks,
      retries: p.retries,
      workerFile: p.workerFile,
      onProgress: (progress) => ctx.progress(progress),
      logger: {
        info: (m, d) => ctx.log('info', m, d),
        warn: (m, d) => ctx.log('warn', m, d),
        error: (m, d) => ctx.log('error', m, d),
      },
    });
  } catch (e) {
    if (e instanceof PipelineInvalidError) throw new JobFailure(e.message, { problems: e.problems });
    if (e instanceof NotBatchable) throw new JobFailure(e.message);
    throw e;
  } finally {
    store?.close();
  }
}
