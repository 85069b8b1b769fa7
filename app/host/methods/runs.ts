import { readRunLog, resolveLogPath } from '../../jobs/history/run-log';
import type { RunRecord as StoredRun } from '../../store';
import { ApiError, type Handlers, type RunRecord } from '../../contract';
import type { HostDeps } from '../deps';

/** A stored run as the contract shows it: whether it has a log, not where the file is. */
export function runInfo(r: StoredRun): RunRecord {
  const { logPath, ...rest } = r;
  return { ...rest, hasLog: logPath !== undefined };
}

/** The run history kept in the workbench store. */
export function runHandlers(deps: HostDeps): Pick<Handlers, 'runs/list' | 'runs/get' | 'runs/rejected' | 'runs/rejectedSummary' | 'runs/logs'> {
  const store = deps.store;
  const mustExist = (id: string) => {
    const run = store.getRun(id);
    if (!run) throw new ApiError('not-found', `no run ${id}`);
    return run;
  };
  return {
    'runs/list': async ({ limit, kind, status }) => ({ runs: store.listRuns({ limit, kind, status }).map(runInfo) }),
    'runs/get': async ({ id }) => ({ run: runInfo(mustExist(id)), nodes: store.getNodeStats(id) }),
    'runs/logs': async ({ runId, level, limit, offset }) => {
      const run = mustExist(runId);
      if (!run.logPath) return { lines: [], total: 0 };
      return readRunLog(resolveLogPath(store.path, run.logPath), { level, limit, offset });
    },
    'runs/rejected': async ({ runId, nodeId, rule, column, limit, offset }) => {
      mustExist(runId);
      const rows = store.listRejectedRows(runId, { nodeId, rule, column, limit, offset });
      // The total of the same selection, from the grouped counts (no second scan of the rows).
      const total = store
        .summarizeRejected(runId)
        .filter(
          (g) =>
            (nodeId === undefined || g.nodeId === nodeId) &&
            (rule === undefined || g.rule === rule) &&
            (column === undefined || g.column === (column === '' ? null : column)),
        )
        .reduce((n, g) => n + g.count, 0);
      return { rows, total };
    },
    'runs/rejectedSummary': async ({ runId }) => {
      mustExist(runId);
      return { groups: store.summarizeRejected(runId) };
    },
  };
}
