import type { JobInfo, JobStatus, SyncCounts } from '../../../../app/contract';
import { plural, syncProgressView } from './progress';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface SyncProgressProps {
  counts: SyncCounts;
  status: JobStatus;
  rowsPerSecond?: number;
  /** Rows the run rejected: conflicts skipped and reported, rows a transform rejected. */
  rejected?: number;
}

/**
 * A sync run's phases (recover the queue, detect and queue changes, apply and confirm them)
 * and its counts: found by kind, applied and confirmed, conflicts, rows/s.
 */
export function SyncProgress({ counts, status, rowsPerSecond, rejected }: SyncProgressProps) {
  const v = syncProgressView(counts, status);
  const running = status === 'running' || status === 'queued';
  return (
    <div
      className="sync-progress"
      data-testid="sync-progress"
      data-phase={counts.phase}
      data-status={status}
      data-inserts={v.inserts}
      data-updates={v.updates}
      data-deletes={v.deletes}
      data-conflicts={v.conflicts}
      data-applied={v.applied}
      data-recovered={v.recovered}
      data-complete={String(v.complete)}
    >
      <ol className="sync-phases" aria-label="Sync phases">
        {v.phases.map((p) => (
          <li key={p.id} className={`sync-phase ${p.state}`} aria-current={p.state === 'current' ? 'step' : undefined} data-testid={`sync-phase-${p.id}`} data-state={p.state}>
            <span className="sync-phase-mark" aria-hidden="true">
              {p.state === 'done' ? '✓' : p.state === 'stopped' ? '✕' : p.state === 'skipped' ? '–' : p.state === 'current' ? '●' : '○'}
            </span>
            {p.label}
            <span className="sr-only"> ({p.state === 'current' ? 'in progress' : p.state === 'skipped' ? 'nothing to recover' : p.state})</span>
          </li>
        ))}
      </ol>
      {/* Not a live region: it changes a few times a second while a run goes. */}
      <p className="sync-summary" data-testid="sync-summary">
        {v.summary}
      </p>
      <table className="sync-counts">
        <caption className="sr-only">Changes found and applied</caption>
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col" className="num">
              Inserts
            </th>
            <th scope="col" className="num">
              Updates
            </th>
            <th scope="col" className="num">
              Deletes
            </th>
            <th scope="col" className="num">
              Conflicts
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Found</th>
            <td className="num" data-testid="sync-found-inserts">
              {fmt(v.inserts)}
            </td>
            <td className="num" data-testid="sync-found-updates">
              {fmt(v.updates)}
            </td>
            <td className="num" data-testid="sync-found-deletes">
              {fmt(v.deletes)}
            </td>
            <td className="num" data-testid="sync-conflicts">
              {fmt(v.conflicts)}
            </td>
          </tr>
          <tr>
            <th scope="row">Applied</th>
            {v.complete ? (
              <>
                <td className="num">{fmt(v.inserts)}</td>
                <td className="num">{fmt(v.updates)}</td>
                <td className="num">{fmt(v.deletes)}</td>
              </>
            ) : (
              // Only the total is known until everything found is applied.
              <td className="sync-applied-total" colSpan={3}>
                {fmt(v.applied)} of {fmt(v.total)}
              </td>
            )}
            <td className="num muted">{v.conflicts > 0 ? 'not applied' : ''}</td>
          </tr>
        </tbody>
      </table>
      {v.fraction !== undefined && running && (
        <div className="progress-bar" role="progressbar" aria-label="Changes applied" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v.fraction * 100)}>
          <span style={{ width: `${v.fraction * 100}%` }} />
        </div>
      )}
      <p className="sync-facts muted">
        <span data-testid="sync-applied">{plural(v.applied, 'change')} applied and confirmed</span>
        <span> · {plural(counts.sourceRows, 'source row')} read</span>
        <span> · {plural(counts.targetRows, 'target row')} read</span>
        {running && rowsPerSecond !== undefined && rowsPerSecond > 0 && <span> · {fmt(rowsPerSecond)} rows/s</span>}
        {v.conflicts > 0 && <span className="warn-text"> · {plural(v.conflicts, 'conflict')} (kept by the conflict policy)</span>}
        {rejected !== undefined && rejected > 0 && <span className="warn-text" data-testid="sync-rejected"> · {plural(rejected, 'row')} skipped and reported</span>}
      </p>
    </div>
  );
}

/**
 * The sync part of a job card in the run monitor: nothing for other kinds, or before the first
 * progress. `showRate` where nothing else shows rows/s (the job card's own line does).
 */
export function SyncJobProgress({ job, showRate }: { job: JobInfo; showRate?: boolean }) {
  const counts = job.result?.sync ?? job.progress?.sync;
  if (job.kind !== 'sync' || !counts) return null;
  return <SyncProgress counts={counts} status={job.status} rowsPerSecond={showRate ? job.progress?.rowsPerSecond : undefined} rejected={job.result?.rejected} />;
}
