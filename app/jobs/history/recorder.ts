import type { RunRecorder } from '../../engine/run';
import type { RunKind, RunResult, WorkbenchStore } from '../../store';
import { logPathFor, resolveLogPath, RunLog } from './run-log';

/**
 * The engine's recorder for a run whose record exists already (created when its job was
 * queued, or by the CLI before it starts): startRun fills in the record and returns its id
 * instead of making a second one; finishRun finishes it unless something else already did.
 */
export function boundRecorder(store: WorkbenchStore, runId: string, onFinish?: (r: RunResult) => void): RunRecorder {
  return {
    startRun: (r) => {
      store.updateRun(runId, { name: r.name, params: r.params, pipelinePath: r.pipelinePath });
      store.markRunStarted(runId);
      return runId;
    },
    finishRun: (_id, r) => {
      onFinish?.(r);
      store.finishRunIfOpen(runId, r);
    },
    recordNodeStats: (_id, stats) => store.recordNodeStats(runId, stats),
    addRejectedRows: (_id, rows) => store.addRejectedRows(runId, rows),
  };
}

export interface RunHistoryInput {
  kind: RunKind;
  name: string;
  params?: unknown;
  pipelinePath?: string;
}

/** A run recorded in the store with its log, for work done in this process (the CLI). */
export interface RunHistory {
  runId: string;
  log: RunLog;
  recorder: RunRecorder;
  /** Finishes the record (when nothing did) and closes the log with a last line. */
  finish(r: RunResult): void;
}

/** The log of a recorded run: the file its record names (a resumed run goes on in it), or a new one it is given. */
export function openRunLog(store: WorkbenchStore, runId: string): RunLog {
  const recorded = store.getRun(runId)?.logPath;
  if (recorded) return RunLog.open(resolveLogPath(store.path, recorded));
  const { file, stored } = logPathFor(store.path, runId);
  store.updateRun(runId, { logPath: stored });
  return RunLog.open(file);
}

export function openRunHistory(store: WorkbenchStore, input: RunHistoryInput): RunHistory {
  const runId = store.startRun({ ...input, status: 'running' });
  const log = openRunLog(store, runId);
  log.info(`${input.kind} '${input.name}' started`, { runId, pid: process.pid, ...(input.pipelinePath ? { file: input.pipelinePath } : {}) });
  let finished = false;
  const finish = (r: RunResult) => {
    if (finished) return;
    finished = true;
    store.finishRunIfOpen(runId, r);
    const counts = { rowsIn: r.rowsIn, rowsOut: r.rowsOut, rejected: r.rejected };
    if (r.status === 'failed') log.error(`${input.kind} failed: ${r.error ?? 'unknown error'}`, counts);
    else log.info(`${input.kind} ${r.status}`, counts);
    log.close();
  };
  return { runId, log, recorder: boundRecorder(store, runId), finish };
}
