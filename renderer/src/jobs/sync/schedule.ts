/**
 * When the next scheduled run of a sync happens, as far as the renderer can tell.
 *
 * The host runs a sync with `schedule: { every }` itself, on a fixed interval that starts when
 * its scheduler picks the schedule up (at start, or at the rescan of the workspace after a save,
 * at most a minute later), skipping a tick while the previous run still goes. The renderer
 * does not start scheduled runs of its own: two schedulers would start the sync twice per
 * interval and the second run would fail on the sync's lease. What it can know is the
 * rhythm: a run it did not start itself is a tick of the host's interval (`lastTick`); a
 * schedule it just saved starts within a minute (`savedAt`).
 */

export interface ScheduleFacts {
  everyMs: number;
  /** When the host last started the sync on its own (a job this window did not start). */
  lastTick?: number;
  /** When this window saved the schedule (the host picks it up at its next rescan). */
  savedAt?: number;
  now: number;
}

/** How late the host may pick up a saved schedule: its workspace rescan interval. */
export const RESCAN_MS = 60_000;

export interface NextRun {
  /** The expected time (ms since the epoch). */
  at: number;
  /** True when it is only known to within a minute (the host's rescan). */
  approximate: boolean;
}

export function nextRun(f: ScheduleFacts): NextRun | undefined {
  if (!(f.everyMs > 0)) return undefined;
  // A saved schedule restarts the host's interval: a tick from before the save says nothing.
  if (f.lastTick !== undefined && (f.savedAt === undefined || f.lastTick >= f.savedAt)) {
    const periods = Math.max(1, Math.ceil((f.now - f.lastTick) / f.everyMs));
    return { at: f.lastTick + periods * f.everyMs, approximate: false };
  }
  if (f.savedAt !== undefined) {
    // The first tick is one interval after the pickup, which is within a minute of the save.
    const earliest = f.savedAt + f.everyMs;
    if (earliest >= f.now) return { at: earliest, approximate: true };
    const periods = Math.ceil((f.now - earliest) / f.everyMs);
    return { at: earliest + periods * f.everyMs, approximate: true };
  }
  return undefined;
}

/** `15m` as people say it: "every 15 min". */
export function describeEvery(every: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(every.trim());
  if (!m) return `every ${every}`;
  const n = Number(m[1]);
  const unit = { s: 's', m: 'min', h: 'h', d: n === 1 ? 'day' : 'days' }[m[2] as 's' | 'm' | 'h' | 'd'];
  return `every ${m[1]} ${unit}`;
}

/** A moment as a short clock time, with the day when it is not today. */
export function clock(at: number, now: number): string {
  const d = new Date(at);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return sameDay ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}
