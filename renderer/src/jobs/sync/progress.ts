import type { JobStatus, SyncCounts } from '../../../../app/contract';

/**
 * A sync job's counts (progress.sync while it runs, result.sync after) as the run monitor
 * shows them. The core reports changes found by kind (inserts, updates, deletes: those to
 * apply; conflicts apart) and one count of changes applied and confirmed; when that count
 * reaches what was found, every insert, update and delete found was applied.
 */

export type PhaseId = SyncCounts['phase'];
export type StepState = 'done' | 'current' | 'todo' | 'skipped' | 'stopped';

export interface PhaseStep {
  id: PhaseId;
  label: string;
  state: StepState;
}

export interface SyncProgressView {
  phases: PhaseStep[];
  inserts: number;
  updates: number;
  deletes: number;
  /** Changes to apply (inserts + updates + deletes). */
  total: number;
  conflicts: number;
  applied: number;
  recovered: number;
  /** Share applied while applying; undefined while changes are still being found. */
  fraction: number | undefined;
  /** Everything found was applied and confirmed. */
  complete: boolean;
  /** One line: what happens now, or what happened. */
  summary: string;
}

const PHASES: Array<{ id: PhaseId; label: string }> = [
  { id: 'recover', label: 'Recover queue' },
  { id: 'detect', label: 'Detect → queue' },
  { id: 'apply', label: 'Apply → confirm' },
  { id: 'done', label: 'Done' },
];

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function syncProgressView(c: SyncCounts, status: JobStatus): SyncProgressView {
  const total = c.inserts + c.updates + c.deletes;
  const at = PHASES.findIndex((p) => p.id === c.phase);
  const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  const stopped = status === 'failed' || status === 'cancelled';
  const phases = PHASES.map((p, i): PhaseStep => {
    let state: StepState = i < at ? 'done' : i === at ? 'current' : 'todo';
    if (p.id === 'recover' && state === 'done' && c.recovered === 0) state = 'skipped';
    if (state === 'current' && stopped) state = 'stopped';
    if (p.id === 'done' && c.phase === 'done') state = stopped ? 'stopped' : 'done';
    return { ...p, state };
  });
  const complete = c.phase === 'done' && !stopped && c.applied >= total;
  const fraction = c.phase === 'apply' ? (total === 0 ? 1 : Math.min(1, c.applied / total)) : c.phase === 'done' ? 1 : undefined;
  const kinds = [plural(c.inserts, 'insert'), plural(c.updates, 'update'), plural(c.deletes, 'delete')].join(', ');
  let summary: string;
  if (status === 'queued') summary = 'waiting for a free job slot';
  else if (!ended && c.phase === 'recover') summary = 'applying changes an earlier run left queued';
  else if (!ended && c.phase === 'detect') summary = `comparing: ${plural(c.sourceRows, 'source row')} read, ${plural(total, 'change')} queued so far`;
  else if (!ended && c.phase === 'apply') summary = `applying: ${c.applied.toLocaleString('en-US')} of ${plural(total, 'change')} applied and confirmed`;
  else if (complete) summary = total === 0 ? 'nothing to apply: the target already matches' : `${kinds} applied`;
  else if (stopped) summary = `${status} after ${c.applied.toLocaleString('en-US')} of ${plural(total, 'change')} applied (the rest stays queued for the next run)`;
  else summary = `${c.applied.toLocaleString('en-US')} of ${plural(total, 'change')} applied`;
  if (c.recovered > 0) summary += ` · ${plural(c.recovered, 'queued change')} of an earlier run recovered`;
  return { phases, inserts: c.inserts, updates: c.updates, deletes: c.deletes, total, conflicts: c.conflicts, applied: c.applied, recovered: c.recovered, fraction, complete, summary };
}
