import { hostname } from 'node:os';
import type { WorkbenchStore } from '../../store';

/**
 * One run of a sync at a time, whichever process starts it (the app's scheduler, a job the
 * user started, `sluice sync` in a terminal): a lease in the store, renewed while the run
 * lasts. A killed process cannot give its lease back; a new run takes it over when it has
 * expired, or at once when the holder is on this machine and its process is gone, or its
 * run is over (a worker thread that died inside a live process).
 */

export const LEASE_MS = 30_000;

export class SyncBusyError extends Error {
  override name = 'SyncBusyError';
}

function ownerOf(runId: string): string {
  return `${hostname()}:${process.pid}:${runId}`;
}

function holderIsGone(store: WorkbenchStore, holder: string): boolean {
  const [host, pid, runId] = holder.split(':');
  if (runId) {
    const run = store.getRun(runId);
    if (!run || (run.status !== 'running' && run.status !== 'queued')) return true;
  }
  if (host !== hostname()) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs of this sync still 'running' whose process is gone (killed before it even took the
 * lease, or while holding it): marked failed, so the history does not show them running
 * forever. A run names its process in its params ({ pid, host }) when it can.
 */
export function sweepOrphans(store: WorkbenchStore, name: string, runId: string): string[] {
  const swept: string[] = [];
  for (const r of store.listRuns({ kind: 'sync', status: 'running', limit: 200 })) {
    if (r.id === runId || r.name !== name) continue;
    const p = r.params as { pid?: unknown; host?: unknown } | undefined;
    if (typeof p?.pid !== 'number' || p.host !== hostname()) continue;
    if (holderIsGone(store, `${hostname()}:${p.pid}:`) && store.finishRunIfOpen(r.id, { status: 'failed', error: 'the process running this sync ended before it finished (killed or crashed)' })) swept.push(r.id);
  }
  return swept;
}

export interface Lease {
  /** The run of a holder that was gone when its lease was taken over (killed, crashed). */
  tookOverFrom?: string;
  release(): void;
}

export function acquireLease(store: WorkbenchStore, seq: number, name: string, runId: string): Lease {
  const owner = ownerOf(runId);
  let dead: string | undefined;
  const holder = store.syncs.acquireLease(seq, owner, LEASE_MS, (h) => {
    const gone = holderIsGone(store, h);
    if (gone) dead = h.split(':')[2];
    return gone;
  });
  if (holder !== undefined) {
    const [host, pid, run] = holder.split(':');
    throw new SyncBusyError(`sync '${name}' is already running (run ${run ?? '?'}, process ${pid} on ${host}); try again when it has finished`);
  }
  const timer = setInterval(() => {
    try {
      store.syncs.renewLease(seq, owner, LEASE_MS);
    } catch {
      // A busy store delays a renewal; the lease lasts LEASE_MS, far longer than the interval.
    }
  }, LEASE_MS / 3);
  timer.unref();
  return {
    tookOverFrom: dead,
    release() {
      clearInterval(timer);
      try {
        store.syncs.releaseLease(seq, owner);
      } catch {
        // The lease expires on its own.
      }
    },
  };
}
