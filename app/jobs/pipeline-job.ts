import { PipelineInvalidError, runPipeline, type RunResult } from '../engine/run';
import type { PipelineDocument } from '../model/document';
import { WorkbenchStore } from '../store';
import { boundRecorder } from './history/recorder';
import { JobFailure, type JobContext } from './protocol';

/** What the host sends a worker to run one pipeline. */
export interface PipelineJobParams {
  document: PipelineDocument;
  /** Relative paths in the document's connections resolve against it (the file's folder). */
  baseDir: string;
  /** Recorded with the run. */
  pipelinePath?: string;
  params?: Record<string, unknown>;
  /** The workbench store the run is recorded in (the worker opens its own connection: WAL). */
  storePath?: string;
  /**
   * Variables added to the environment for `${env:…}` references: how secrets the desktop
   * app decrypted reach the run. They live in this message only, never on disk.
   */
  env?: Record<string, string>;
}

/** The run's outcome as the job reports it: the engine's result without preview rows. */
export type PipelineJobResult = Omit<RunResult, 'preview'>;

export async function runPipelineJob(raw: unknown, ctx: JobContext): Promise<PipelineJobResult> {
  const p = raw as PipelineJobParams;
  const store = p.storePath ? WorkbenchStore.open(p.storePath) : undefined;
  try {
    const { preview: _preview, ...result } = await runPipeline(p.document, {
      baseDir: p.baseDir,
      params: p.params,
      env: p.env ? { ...process.env, ...p.env } : undefined,
      signal: ctx.signal,
      // The host recorded the job when it was queued: the run goes under that record.
      recorder: store && ctx.runId ? boundRecorder(store, ctx.runId) : store,
      pipelinePath: p.pipelinePath,
      onProgress: (progress) => ctx.progress(progress),
      logger: {
        info: (m, d) => ctx.log('info', m, d),
        warn: (m, d) => ctx.log('warn', m, d),
        error: (m, d) => ctx.log('error', m, d),
      },
    });
    return result;
  } catch (e) {
    if (e instanceof PipelineInvalidError) throw new JobFailure(e.message, { problems: e.problems });
    throw e;
  } finally {
    store?.close();
  }
}
