import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../engine/connections';
import { JobHistory } from '../jobs/history/job-history';
import { JobRunner } from '../jobs/runner';
import type { WorkerLaunch } from '../jobs/worker-entry';
import { defaultStorePath, WorkbenchStore } from '../store';
import type { Handlers } from '../contract';
import type { NativeDialogs, SecretBox } from './deps';
import { EventHub } from './events';
import { createHandlers } from './handlers';
import type { HostDeps } from './deps';
import { jobInfo } from './methods/jobs';
import { startScheduler } from './scheduler';
import { prepareWorkspaceFolder, Workspace } from './workspace';

export const VERSION = '0.1.0';

export interface HostOptions {
  hostKind: 'electron' | 'browser';
  /** The user's Sluice folder: the store and the default workspace live in it. Default: SLUICE_HOME or the user data folder. */
  home?: string;
  /** Open this folder as the workspace instead of `<home>/workspace`. */
  workspaceDir?: string;
  /** The embedded demo workspace copied into `<home>/workspace` on first start (default: resources/demo). */
  demoDir?: string;
  secrets?: SecretBox;
  dialogs?: NativeDialogs;
  /** How to start job workers (default: the worker built beside the running code). */
  launch?: WorkerLaunch;
  concurrency?: number;
  env?: Env;
  /** Run syncs on their schedules while the host is open (default true). */
  schedule?: boolean;
  /** The batch pool's worker script, when it is not beside the job worker (tests running from source). */
  batchWorkerFile?: string;
}

export interface Host {
  handlers: Handlers;
  events: EventHub;
  workspace: Workspace;
  store: WorkbenchStore;
  jobs: JobRunner;
  home: string;
  close(): Promise<void>;
}

/** SLUICE_HOME when set, else the folder of the default store (the platform's user data folder). */
export function sluiceHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLUICE_HOME ? path.resolve(env.SLUICE_HOME) : path.dirname(defaultStorePath(env));
}

/**
 * `rel` in the first folder above this module that has it: the repository root when
 * running from source, dist/, dist/chunks/ or out/main/ alike. `from` is a module's URL
 * (import.meta.url) or a file's path.
 */
export function findShipped(rel: string, from: string | URL = import.meta.url): string | undefined {
  // A URL taken for a path walks up "file:/a/b" to "." and finds `rel` only relative to the
  // working directory, and only from a shallow enough folder (how the browser host lost its
  // user interface in a checkout three folders deep, once the CLI's bundle was split).
  const file = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  let dir = path.dirname(file);
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, rel);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SLUICE_DEMO_DIR ? path.resolve(env.SLUICE_DEMO_DIR) : findShipped(path.join('resources', 'demo'));
}

/**
 * Opens everything a host needs: the workspace (the demo copied in on first start), the
 * workbench store, the job runner, the handlers and the event hub that pushes job events.
 * The Electron main process and the browser host both start here.
 */
export async function openHost(opts: HostOptions): Promise<Host> {
  const env = opts.env ?? process.env;
  const home = opts.home ? path.resolve(opts.home) : sluiceHome(env as NodeJS.ProcessEnv);
  let workspaceDir = opts.workspaceDir;
  if (!workspaceDir) {
    workspaceDir = path.join(home, 'workspace');
    await prepareWorkspaceFolder(workspaceDir, opts.demoDir ?? defaultDemoDir(env as NodeJS.ProcessEnv));
  }
  const workspace = await Workspace.open(workspaceDir);
  const store = WorkbenchStore.open(path.join(home, 'workbench.db'));
  // Every job is in the run history from the moment it is accepted, with its log.
  const history = new JobHistory(store);
  const jobs = new JobRunner({ launch: opts.launch, concurrency: opts.concurrency, history });
  const detachHistory = history.attach(jobs);
  const previews = new JobRunner({ launch: opts.launch, concurrency: 2, keepFinished: 0, cancelGraceMs: 2000 });
  const events = new EventHub();
  const unsubscribe = jobs.subscribe((e) => {
    switch (e.type) {
      case 'status':
      case 'progress': {
        const info = jobInfo(e.job);
        events.publish({ name: 'job/progress', payload: { jobId: info.id, kind: info.kind, status: info.status, progress: info.progress, queue: info.queue } });
        break;
      }
      case 'log':
        events.publish({ name: 'job/log', payload: { jobId: e.jobId, level: e.level, message: e.message, time: e.time, data: e.data } });
        break;
      case 'finished':
        events.publish({ name: 'job/finished', payload: { jobId: e.job.id, job: jobInfo(e.job) } });
        break;
    }
  });
  const deps: HostDeps = {
    hostKind: opts.hostKind,
    version: VERSION,
    workspace,
    store,
    jobs,
    previews,
    secrets: opts.secrets,
    dialogs: opts.dialogs,
    env,
    batchWorkerFile: opts.batchWorkerFile,
  };
  const handlers = createHandlers(deps);
  // Syncs with a schedule run on their interval while the host is open; the workspace is
  // rescanned each minute (and at once when a sync is saved), so a schedule needs no restart.
  const scheduler = opts.schedule === false ? undefined : startScheduler(deps);
  if (scheduler) deps.schedules = { nextRunAt: (id) => scheduler.scheduler.nextRun(id), rescan: () => scheduler.refresh() };
  let closed = false;
  return {
    handlers,
    events,
    workspace,
    store,
    jobs,
    home,
    async close() {
      if (closed) return;
      closed = true;
      scheduler?.stop();
      unsubscribe();
      await Promise.all([jobs.close(), previews.close(1000)]);
      detachHistory();
      history.close();
      store.close();
    },
  };
}
