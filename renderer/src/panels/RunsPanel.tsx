import { useEffect, useMemo } from 'react';
import type { JobInfo, RunRecord } from '../../../app/contract';
import { MigrationResumeButton } from '../jobs/migration/ResumeButton';
import { SyncJobProgress } from '../jobs/sync/SyncProgress';
import { resolveConnection } from '../mapping/MappingEditor';
import { connectionsStore, useConnections } from '../stores/connections';
import { useDocument } from '../stores/document';
import { etaSeconds, isRunning, runsStore, useRuns } from '../stores/runs';
import { uiStore } from '../stores/ui';
import { Sparkline } from './Sparkline';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The rows the sources of the open document hold, when every source table reports a row estimate. */
function useSourceRowEstimate(): number | undefined {
  const doc = useDocument((s) => s.doc);
  const tables = useConnections((s) => s.tables);
  const sources = useMemo(
    () =>
      doc.nodes
        .filter((n) => n.type === 'source' && typeof n.config?.connection === 'string' && typeof n.config?.table === 'string')
        .map((n) => ({ connection: resolveConnection(doc, n.config!.connection as string), table: n.config!.table as string })),
    [doc],
  );
  useEffect(() => {
    for (const s of sources) void connectionsStore.getState().loadTables(s.connection);
  }, [sources]);
  let total = 0;
  for (const s of sources) {
    const list = tables[s.connection];
    const t = Array.isArray(list) ? list.find((x) => x.name === s.table) : undefined;
    if (t?.rowEstimate === undefined) return undefined;
    total += t.rowEstimate;
  }
  return sources.length ? total : undefined;
}

function JobCard({ job, total }: { job: JobInfo; total: number | undefined }) {
  const samples = useRuns((s) => s.samples[job.id]);
  const running = isRunning(job);
  const p = job.progress;
  const rows = job.result?.rowsRead ?? p?.rowsRead ?? 0;
  const rate = p?.rowsPerSecond ?? 0;
  const eta = running && total ? etaSeconds(rows, rate, total) : undefined;
  const fraction = !running ? 1 : total ? Math.min(1, rows / total) : undefined;
  return (
    <li className={`job-card status-${job.status}`} data-testid="job-card" data-job-id={job.id} data-status={job.status}>
      <div className="job-head">
        <span className="job-kind">{job.kind}</span>
        <strong className="job-title">{job.title}</strong>
        <span className={`status status-${job.status}`} data-testid="job-status">
          {job.status}
        </span>
        <span className="spacer" />
        {running && (
          <button type="button" data-testid="job-cancel" onClick={() => void runsStore.getState().cancel(job.id)}>
            Cancel
          </button>
        )}
        <MigrationResumeButton job={job} />
        {job.result?.runId && (
          <button
            type="button"
            className="link"
            onClick={() => {
              runsStore.getState().inspectRun(job.result!.runId);
              uiStore.getState().showTab('problems');
            }}
          >
            Rejected rows
          </button>
        )}
      </div>
      <div
        className={`progress-bar${fraction === undefined ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`${job.title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === undefined ? undefined : Math.round(fraction * 100)}
      >
        <span style={{ width: fraction === undefined ? undefined : `${fraction * 100}%` }} />
      </div>
      <div className="job-meta" data-testid="job-meta">
        <span>{fmt(rows)} rows read</span>
        {running && rate > 0 && <span> · {fmt(rate)} rows/s</span>}
        {eta !== undefined && <span data-testid="job-eta"> · about {duration(eta * 1000)} left</span>}
        {p && <span> · {duration(p.elapsedMs)}</span>}
        {job.result && (
          <span data-testid="job-result">
            {' '}
            · {fmt(job.result.rowsWritten)} written · {fmt(job.result.rejected)} rejected · {duration(job.result.durationMs)}
          </span>
        )}
        {job.error && <span className="error-text"> · {job.error}</span>}
        {job.result?.error && job.result.error !== job.error && <span className="error-text"> · {job.result.error}</span>}
      </div>
      <SyncJobProgress job={job} />
      {samples && samples.length > 1 && <Sparkline values={samples.map((s) => s.rowsPerSecond)} label="Rows per second" />}
    </li>
  );
}

function PastRuns({ runs }: { runs: RunRecord[] }) {
  if (runs.length === 0) return <p className="hint">No recorded runs yet.</p>;
  return (
    <table className="grid runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Kind</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col" className="num">
            Rows in
          </th>
          <th scope="col" className="num">
            Rows out
          </th>
          <th scope="col" className="num">
            Rejected
          </th>
          <th scope="col" className="num">
            Time
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-testid="run-row" data-run-id={r.id}>
            <td>
              <button
                type="button"
                className="link"
                title="Show this run's rejected rows"
                onClick={() => {
                  runsStore.getState().inspectRun(r.id);
                  uiStore.getState().showTab('problems');
                }}
              >
                {r.name}
              </button>
            </td>
            <td>{r.kind}</td>
            <td className={`status status-${r.status}`}>{r.status}</td>
            <td>{new Date(r.startedAt).toLocaleString()}</td>
            <td className="num">{r.rowsIn === undefined ? '' : fmt(r.rowsIn)}</td>
            <td className="num">{r.rowsOut === undefined ? '' : fmt(r.rowsOut)}</td>
            <td className="num">{r.rejected === undefined ? '' : fmt(r.rejected)}</td>
            <td className="num">{duration(r.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Runs: the jobs of this session (pipeline runs today; migrations and syncs list here too as
 * their screens arrive) with progress, throughput and cancel, and the recorded runs.
 */
export function RunsPanel() {
  const order = useRuns((s) => s.order);
  const jobs = useRuns((s) => s.jobs);
  const runs = useRuns((s) => s.runs);
  const total = useSourceRowEstimate();
  const activeId = useRuns((s) => s.activeJobId);
  useEffect(() => {
    void runsStore.getState().refresh();
  }, []);
  return (
    <div className="runs-panel" data-testid="runs-panel">
      <section aria-label="Jobs" className="jobs-area" data-testid="jobs-area">
        <h3 className="section-title">Jobs</h3>
        {order.length === 0 ? (
          <p className="hint">No jobs in this session. Run the pipeline (Ctrl+Enter) to start one.</p>
        ) : (
          <ul className="job-list">
            {order.map((id) => (
              <JobCard key={id} job={jobs[id]} total={id === activeId ? total : undefined} />
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Recorded runs">
        <h3 className="section-title">
          History{' '}
          <button type="button" className="icon" aria-label="Refresh the run history" onClick={() => void runsStore.getState().refreshRuns()}>
            ↻
          </button>
        </h3>
        <PastRuns runs={runs} />
      </section>
    </div>
  );
}
