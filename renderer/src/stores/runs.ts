import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { EventPayload, JobInfo, NodeStats, RunRecord } from '../../../app/contract';
import { api } from '../api';
import { isFinished } from '../jobs/status';

export interface LogLine {
  jobId: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  time: string;
}

/** One throughput sample of a running job: rows read so far at a moment. */
export interface ThroughputSample {
  elapsedMs: number;
  rowsRead: number;
  rowsPerSecond: number;
}

/**
 * Jobs of this session (running and done, from jobs/list and job events), the recorded runs
 * (runs/list), each job's log lines and throughput samples. Kinds other than pipeline
 * (migration, sync) show here as they come.
 */
export interface RunsState {
  jobs: Record<string, JobInfo>;
  /** Job ids, newest first. */
  order: string[];
  runs: RunRecord[];
  logs: LogLine[];
  samples: Record<string, ThroughputSample[]>;
  /** The job the canvas shows counts of (the last run started from the editor). */
  activeJobId: string | undefined;
  /** The recorded run the Problems panel shows the rejected rows of (default: the active job's). */
  inspectedRunId: string | undefined;
  inspectRun(runId: string | undefined): void;
  applyProgress(e: EventPayload<'job/progress'>): void;
  applyFinished(e: EventPayload<'job/finished'>): void;
  addLog(e: EventPayload<'job/log'>): void;
  setActive(jobId: string | undefined): void;
  upsertJob(job: JobInfo): void;
  refresh(): Promise<void>;
  refreshRuns(): Promise<void>;
  cancel(jobId: string): Promise<void>;
}

const MAX_LOGS = 2000;
const MAX_SAMPLES = 120;

export const isRunning = (job: JobInfo | undefined) => job !== undefined && (job.status === 'queued' || job.status === 'running');

export function createRunsStore() {
  return createStore<RunsState>()((set, get) => ({
    jobs: {},
    order: [],
    runs: [],
    logs: [],
    samples: {},
    activeJobId: undefined,
    inspectedRunId: undefined,

    inspectRun(runId) {
      set({ inspectedRunId: runId });
    },

    upsertJob(job) {
      const prev = get().jobs[job.id];
      // Answers and events may arrive out of order (jobs/cancel's answer, saying running, after
      // the event that the job was cancelled): a finished job never goes back to running.
      if (prev && isFinished(prev.status) && !isFinished(job.status)) return;
      set({ jobs: { ...get().jobs, [job.id]: job }, order: prev ? get().order : [job.id, ...get().order] });
    },

    applyProgress(e) {
      const prev = get().jobs[e.jobId];
      const job: JobInfo = prev
        ? { ...prev, status: e.status, progress: e.progress ?? prev.progress }
        : { id: e.jobId, kind: e.kind, title: e.kind, status: e.status, createdAt: new Date().toISOString(), progress: e.progress };
      get().upsertJob(job);
      if (e.progress) {
        const list = get().samples[e.jobId] ?? [];
        const sample = { elapsedMs: e.progress.elapsedMs, rowsRead: e.progress.rowsRead, rowsPerSecond: e.progress.rowsPerSecond };
        set({ samples: { ...get().samples, [e.jobId]: [...list, sample].slice(-MAX_SAMPLES) } });
      }
    },

    applyFinished(e) {
      get().upsertJob(e.job);
      if (e.jobId === get().activeJobId && e.job.result?.runId) set({ inspectedRunId: e.job.result.runId });
      void get().refreshRuns();
    },

    addLog(e) {
      const logs = [...get().logs, { jobId: e.jobId, level: e.level, message: e.message, time: e.time }];
      set({ logs: logs.length > MAX_LOGS ? logs.slice(-MAX_LOGS) : logs });
    },

    setActive(jobId) {
      set({ activeJobId: jobId, ...(jobId === undefined ? { inspectedRunId: undefined } : {}) });
    },

    async refresh() {
      const { jobs } = await api.call('jobs/list');
      for (const j of jobs) get().upsertJob(j);
      await get().refreshRuns();
    },

    async refreshRuns() {
      const { runs } = await api.call('runs/list', { limit: 50 });
      set({ runs });
    },

    async cancel(jobId) {
      get().upsertJob(await api.call('jobs/cancel', { id: jobId }));
    },
  }));
}

export const runsStore = createRunsStore();

export function useRuns<T>(selector: (s: RunsState) => T): T {
  return useStore(runsStore, selector);
}

/** Per-node counts of a job: its final result, else its latest progress. */
export function nodeStatsOf(job: JobInfo | undefined): Record<string, NodeStats> {
  const list = job?.result?.nodes ?? job?.progress?.nodes ?? [];
  return Object.fromEntries(list.map((n) => [n.nodeId, n]));
}

/** Estimated seconds left, when the total is known (a source's row estimate). */
export function etaSeconds(rowsRead: number, rowsPerSecond: number, totalRows: number | undefined): number | undefined {
  if (!totalRows || rowsPerSecond <= 0 || rowsRead >= totalRows) return undefined;
  return (totalRows - rowsRead) / rowsPerSecond;
}

/** Subscribes the store to the host's job events; returns the unsubscribe function. */
export function followJobEvents(): () => void {
  const s = runsStore.getState();
  const offs = [
    api.on('job/progress', (e) => s.applyProgress(e)),
    api.on('job/finished', (e) => s.applyFinished(e)),
    api.on('job/log', (e) => s.addLog(e)),
  ];
  return () => offs.forEach((off) => off());
}
