import { useEffect, useRef, useState } from 'react';
import { useRuns } from '../stores/runs';

/** Log lines of this session's jobs, newest at the bottom, filterable by level. */
export function LogsPanel() {
  const logs = useRuns((s) => s.logs);
  const [level, setLevel] = useState<'all' | 'warn' | 'error'>('all');
  const end = useRef<HTMLDivElement>(null);
  const shown = logs.filter((l) => level === 'all' || l.level === level || (level === 'warn' && l.level === 'error'));
  useEffect(() => {
    // A block body: recent Chromium returns a promise from scrollIntoView, which must not reach React as a cleanup.
    end.current?.scrollIntoView({ block: 'end' });
  }, [shown.length]);
  return (
    <div className="logs-panel" data-testid="logs-panel">
      <div className="panel-bar">
        <label className="inline">
          Level{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>
            <option value="all">all</option>
            <option value="warn">warnings and errors</option>
            <option value="error">errors</option>
          </select>
        </label>
        <span className="muted"> {shown.length} lines</span>
      </div>
      {shown.length === 0 ? (
        <p className="hint">No log lines yet: jobs write here while they run.</p>
      ) : (
        <div className="log-lines" role="log" aria-live="polite">
          {shown.map((l, i) => (
            <div key={i} className={`log-line log-${l.level}`} data-testid="log-line">
              <time>{l.time.slice(11, 19)}</time> <span className="log-level">{l.level}</span> <span className="muted">{l.jobId.slice(0, 8)}</span> {l.message}
            </div>
          ))}
          <div ref={end} />
        </div>
      )}
    </div>
  );
}
