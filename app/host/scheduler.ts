import { parseEvery, SyncScheduler, type ScheduledSync } from '../jobs/sync/scheduler';
import type { HostDeps } from './deps';
import { listSyncFiles, readSyncFile, startSync } from './methods/syncs';

/** The workspace's syncs that have an enabled schedule. */
export async function scheduledSyncs(deps: HostDeps): Promise<ScheduledSync[]> {
  const out: ScheduledSync[] = [];
  for (const id of await listSyncFiles(deps)) {
    try {
      const f = await readSyncFile(deps, id);
      const s = f.document?.schedule;
      if (f.document && s && s.enabled) out.push({ id, name: f.document.name, everyMs: parseEvery(s.every) });
    } catch {
      // A file that cannot be read has no schedule now; the next rescan tries again.
    }
  }
  return out;
}

/** The host's sync scheduler: scheduled syncs of the workspace, rescanned every minute. */
export function startScheduler(deps: HostDeps, rescanMs = 60_000): { scheduler: SyncScheduler; refresh(): Promise<void>; stop(): void } {
  const scheduler = new SyncScheduler({
    start: (id) => startSync(deps, { id }, 'schedule'),
    isActive: (jobId) => {
      const j = deps.jobs.get(jobId);
      return j !== undefined && (j.status === 'queued' || j.status === 'running');
    },
  });
  let stopped = false;
  const refresh = async () => {
    if (stopped) return;
    try {
      const list = await scheduledSyncs(deps);
      if (!stopped) scheduler.set(list);
    } catch {
      // The workspace is unreadable for a moment: keep the schedules as they were.
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), rescanMs);
  timer.unref();
  return {
    scheduler,
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
      scheduler.stop();
    },
  };
}
