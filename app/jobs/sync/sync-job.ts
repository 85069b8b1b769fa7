import { WorkbenchStore } from '../../store';
import { JobFailure, type JobContext } from '../protocol';
import type { SyncDocument } from './definition';
import { runSync, type SyncResult } from './sync-run';

/** What the host sends a worker to run a sync. */
export interface SyncJobParams {
  document: SyncDocument;
  /** The definition's folder (relative paths resolve against it). */
  baseDir: string;
  /** The definition file, recorded with the run. */
  definitionPath?: string;
  /** The sync's state lives in the workbench store: the worker opens its own connection (WAL). */
  storePath: string;
  /** Variables added to the environment for `${env:…}` references (decrypted secrets), in memory only. */
  env?: Record<string, string>;
  /** Forget the sync's state first. */
  reset?: boolean;
}

/** The sync job: runs in a worker thread like a pipeline run, under the run id the host recorded. */
export async function runSyncJob(raw: unknown, ctx: JobContext): Promise<SyncResult> {
  const p = raw as SyncJobParams;
  const store = WorkbenchStore.open(p.storePath);
  try {
    const runId = ctx.runId ?? store.startRun({ kind: 'sync', name: p.document.name, params: { mode: p.document.mode }, pipelinePath: p.definitionPath });
    // Added to what the host recorded (its trigger: on demand or scheduled), not in place of it.
    const recorded = store.getRun(runId)?.params;
    const before = recorded !== null && typeof recorded === 'object' && !Array.isArray(recorded) ? recorded : {};
    store.updateRun(runId, { name: p.document.name, params: { ...before, mode: p.document.mode, conflicts: p.document.conflicts, deletes: p.document.deletes }, pipelinePath: p.definitionPath });
    store.markRunStarted(runId);
    const result = await runSync(p.document, {
      baseDir: p.baseDir,
      env: p.env ? { ...process.env, ...p.env } : undefined,
      signal: ctx.signal,
      store,
      runId,
      reset: p.reset,
      onProgress: (progress) => ctx.progress(progress),
      logger: {
        info: (m, d) => ctx.log('info', m, d),
        warn: (m, d) => ctx.log('warn', m, d),
        error: (m, d) => ctx.log('error', m, d),
      },
    });
    if (result.problems) throw new JobFailure(result.error ?? 'the sync definition is not valid', { problems: result.problems });
    return result;
  } finally {
    store.close();
  }
}
