import type { JobView } from './useJob';

const fmt = (n: number) => n.toLocaleString('en-US');

/** A run in progress (rows so far) or finished (status and rows per node). */
export function RunResult({ view, types }: { view: JobView; types: Map<string, string> }) {
  const result = view.job?.result;
  const nodes = result?.nodes ?? view.progress?.nodes ?? [];
  const done = view.job !== undefined;
  return (
    <section className="run" aria-live="polite" data-testid="run-result" data-status={view.status}>
      <h2>
        Run: <span className={`status status-${view.status}`} data-testid="run-status">{view.status}</span>
      </h2>
      {!done && (
        <div className="progress" data-testid="run-progress" role="progressbar" aria-busy="true">
          <span className="bar" />
          <span>
            {view.progress ? `${fmt(view.progress.rowsRead)} rows read · ${(view.progress.elapsedMs / 1000).toFixed(1)} s` : 'starting…'}
          </span>
        </div>
      )}
      {done && result && (
        <p data-testid="run-summary">
          {fmt(result.rowsRead)} rows read, {fmt(result.rowsWritten)} written, {fmt(result.rejected)} rejected in{' '}
          {(result.durationMs / 1000).toFixed(2)} s{result.runId ? ` (run ${result.runId})` : ''}
        </p>
      )}
      {done && view.job?.error && (
        <p className="error" data-testid="run-error">
          {view.job.error}
        </p>
      )}
      {done && view.job?.problems && (
        <ul className="problems">
          {view.job.problems.map((p, i) => (
            <li key={i}>
              {p.path}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {nodes.length > 0 && (
        <table className="grid" data-testid="node-stats">
          <thead>
            <tr>
              <th>Node</th>
              <th>Type</th>
              <th className="num">Rows in</th>
              <th className="num">Rows out</th>
              <th className="num">Rejected</th>
              <th className="num">Time</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.nodeId} data-testid="node-stats-row" data-node-id={n.nodeId}>
                <td>{n.nodeId}</td>
                <td>{types.get(n.nodeId) ?? ''}</td>
                <td className="num" data-testid="rows-in">{fmt(n.rowsIn)}</td>
                <td className="num" data-testid="rows-out">{fmt(n.rowsOut)}</td>
                <td className="num" data-testid="rows-rejected">{fmt(n.rejected)}</td>
                <td className="num">{n.durationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
