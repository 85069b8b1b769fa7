/**
 * Runs syncs on their interval (`schedule: { every: 15m }`) while the desktop app or the
 * browser host is open. A tick finds the previous run of the same sync still queued or
 * running, it skips (a slow sync never piles up runs behind itself); two syncs never wait
 * for each other here — the job runner's concurrency limit decides what runs at once.
 */

export interface ScheduledSync {
  /** The definition file (workspace id). */
  id: string;
  name: string;
  everyMs: number;
}

export interface SchedulerOptions {
  /** Starts a run of the sync; resolves to its job id. */
  start(id: string): Promise<string>;
  /** True while a job is queued or running. */
  isActive(jobId: string): boolean;
  log?(level: 'info' | 'warn', message: string): void;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `1.5h`, `1d` -> milliseconds. */
export function parseEvery(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: '${text}' (e.g. 30s, 15m, 1h, 1d)`);
  return Math.max(1000, Math.round(Number(m[1]) * UNITS[m[2]]));
}

interface Entry {
  sync: ScheduledSync;
  timer: NodeJS.Timeout;
  lastJob?: string;
  /** When the interval ticks next (ms since the epoch). */
  next: number;
}

export class SyncScheduler {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: SchedulerOptions) {}

  /** The syncs to run from now on: new ones start their interval, removed or changed ones stop or restart. */
  set(list: readonly ScheduledSync[]): void {
    const wanted = new Map(list.map((s) => [s.id, s]));
    for (const [id, e] of this.entries) {
      const w = wanted.get(id);
      if (!w || w.everyMs !== e.sync.everyMs || w.name !== e.sync.name) {
        clearInterval(e.timer);
        this.entries.delete(id);
      }
    }
    for (const s of list) {
      if (this.entries.has(s.id)) continue;
      const entry: Entry = { sync: s, next: Date.now() + s.everyMs, timer: setInterval(() => void this.tick(entry), s.everyMs) };
      entry.timer.unref();
      this.entries.set(s.id, entry);
    }
  }

  /** When a scheduled sync's interval ticks next (ms since the epoch); undefined when it has no schedule here. */
  nextRun(id: string): number | undefined {
    return this.entries.get(id)?.next;
  }

  list(): ScheduledSync[] {
    return [...this.entries.values()].map((e) => e.sync);
  }

  /** One tick of a sync's interval (exposed for tests). */
  async tick(entry: { sync: ScheduledSync; lastJob?: string; next?: number }): Promise<string | undefined> {
    entry.next = Date.now() + entry.sync.everyMs;
    if (entry.lastJob && this.opts.isActive(entry.lastJob)) {
      this.opts.log?.('info', `sync '${entry.sync.name}': still running from the last interval, this one is skipped`);
      return undefined;
    }
    try {
      entry.lastJob = await this.opts.start(entry.sync.id);
      return entry.lastJob;
    } catch (e) {
      this.opts.log?.('warn', `sync '${entry.sync.name}' could not start: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Runs a scheduled sync now, as its interval would (skipped when still running). */
  async runNow(id: string): Promise<string | undefined> {
    const e = this.entries.get(id);
    return e ? this.tick(e) : undefined;
  }

  stop(): void {
    for (const e of this.entries.values()) clearInterval(e.timer);
    this.entries.clear();
  }
}
