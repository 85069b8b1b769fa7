import { PipelineInvalidError } from '../engine/run';
import { replayRejected, ReplayError, type ReplayRequest, type ReplayResult } from '../engine/replay';
import { WorkbenchStore } from '../store';
import type { PipelineJobParams } from './pipeline-job';
import { boundRecorder } from './history/recorder';
import { JobFailure, type JobContext } from './protocol';

/** What the host sends a worker to replay a run's rejected rows. */
export interface ReplayJobParams extends PipelineJobParams {
  request: ReplayRequest;
  /** Replay reads the rejected rows from, and records its run in, this store. */
  storePath: string;
}

export type ReplayJobResult = Omit<ReplayResult, 'preview'>;

export async function runReplayJob(raw: unknown, ctx: JobContext): Promise<ReplayJobResult> {
  const p = raw as ReplayJobParams;
  const store = WorkbenchStore.open(p.storePath);
  try {
    const { preview: _preview, ...result } = await replayRejected(p.document, p.request, store, {
      baseDir: p.baseDir,
      params: p.params,
      env: p.env ? { ...process.env, ...p.env } : undefined,
      signal: ctx.signal,
      recorder: ctx.runId ? boundRecorder(store, ctx.runId) : store,
      pipelinePath: p.pipelinePath,
      onProgress: (progress) => ctx.progress(progress),
      logger: {
        info: (m, d) => ctx.log('info', m, d),
        warn: (m, d) => ctx.log('warn', m, d),
        error: (m, d) => ctx.log('error', m, d),
      },
    });
    if (result.sinksAppended.length) ctx.log('info', `sinks appended instead of replacing: ${result.sinksAppended.join(', ')}`);
    return result;
  } catch (e) {
    if (e instanceof PipelineInvalidError) throw new JobFailure(e.message, { problems: e.problems });
    if (e instanceof ReplayError) throw new JobFailure(e.message);
    throw e;
  } finally {
    store.close();
  }
}
