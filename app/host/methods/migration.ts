import { ownerAlive } from '../../jobs/migration/checkpoints';
import type { MigrationJobParams, MigrationJobResult } from '../../jobs/migration/migration-job';
import { recordedEndpoints, type MigrationRequest } from '../../jobs/migration/migrate';
import { defaultOptions } from '../../jobs/migration/types';
import { ApiError, type Handlers } from '../../contract';
import { workbenchConnections } from '../connections';
import type { HostDeps } from '../deps';

type MigrationMethods = 'migration/plan' | 'migration/start' | 'migration/resume' | 'migration/verify' | 'migration/get';

/**
 * Migrations for the UI: the same job as `sluice migrate`, run in a worker thread. Sources
 * and targets are saved connection names (their passwords decrypted into the job's
 * environment, never written) or URLs; relative file URLs resolve in the workspace.
 */
export function migrationHandlers(deps: HostDeps): Pick<Handlers, MigrationMethods> {
  const params = (request: MigrationRequest): MigrationJobParams => {
    const { named, secrets } = workbenchConnections(deps);
    return { request, named, baseDir: deps.workspace.root, storePath: deps.store.path === ':memory:' ? undefined : deps.store.path, env: secrets };
  };
  const needDiskStore = () => {
    if (deps.store.path === ':memory:') throw new ApiError('unsupported', 'migrations keep their checkpoints in a workbench store on disk (the job runs in a worker)');
  };
  const mustGet = (runId: string) => {
    const m = deps.store.getMigration(runId);
    if (!m) throw new ApiError('not-found', `no migration run ${runId}`);
    return m;
  };
  const title = (from: string, to: string, verb = 'migrate') => `${verb} ${from} -> ${to}`;
  return {
    'migration/plan': async (input) => {
      const { from, to, ...choices } = input;
      const request: MigrationRequest = { from, to, options: defaultOptions(choices), dryRun: true };
      // A plan opens both databases and counts rows: off the host's thread, like a preview.
      const id = deps.previews.start({ kind: 'migration', title: title(from, to, 'plan'), params: params(request) });
      const job = await deps.previews.waitFor(id);
      const report = (job.result as MigrationJobResult | undefined)?.migration;
      if (job.status === 'succeeded' && report?.plan) return { plan: report.plan };
      const message = report?.error ?? job.error ?? `the plan ended ${job.status}`;
      throw new ApiError(/connect|password|authentication|not reachable|refused|does not exist/i.test(message) ? 'connection-failed' : 'internal', message);
    },
    'migration/start': async (input) => {
      needDiskStore();
      const { from, to, verify, chunkRows, ...choices } = input;
      const request: MigrationRequest = { from, to, options: defaultOptions({ ...choices, verify, chunkRows }) };
      return { jobId: deps.jobs.start({ kind: 'migration', title: title(from, to), params: params(request), labels: { from, to } }) };
    },
    'migration/resume': async ({ runId, from, to }) => {
      needDiskStore();
      mustGet(runId);
      const was = recordedEndpoints(deps.store, runId)!;
      const request: MigrationRequest = { from: from ?? was.from, to: to ?? was.to, options: defaultOptions(), resume: runId };
      return { jobId: deps.jobs.start({ kind: 'migration', title: title(request.from, request.to, 'resume'), params: params(request), labels: { runId } }) };
    },
    'migration/verify': async ({ from, to, runId, tables, typeRules }) => {
      if (runId !== undefined) mustGet(runId);
      const was = runId === undefined ? undefined : recordedEndpoints(deps.store, runId);
      const request: MigrationRequest = {
        from: from ?? was!.from,
        to: to ?? was!.to,
        options: defaultOptions({ tables, typeRules }),
        verifyOnly: true,
        ...(runId ? { resume: runId } : {}),
      };
      return { jobId: deps.jobs.start({ kind: 'migration', title: title(request.from, request.to, 'verify'), params: params(request), labels: runId ? { runId } : {} }) };
    },
    'migration/get': async ({ runId }) => {
      const m = mustGet(runId);
      const resumable = m.status === 'failed' || m.status === 'cancelled' || (m.status === 'running' && !ownerAlive(m.owner, m.heartbeatAt));
      return {
        runId,
        status: m.status,
        source: m.source,
        target: m.target,
        ...(m.backupPath ? { backupPath: m.backupPath } : {}),
        tables: m.tables.map((t) => ({ name: t.name, state: t.state, ...(t.rowsTotal !== undefined ? { rowsTotal: t.rowsTotal } : {}), rowsCopied: t.rowsCopied, rowsRejected: t.rowsRejected, chunks: t.chunks })),
        steps: m.steps,
        resumable,
      };
    },
  };
}
