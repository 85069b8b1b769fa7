// The sync editor's run status: the footer line and the latest run.
import { useEffect, useState } from 'react';
import { isRunning, useRuns } from '../../stores/runs';
import { clock } from './schedule';
import { syncProgressView } from './progress';
import { SyncJobProgress, SyncProgress } from './SyncProgress';
import { latestJobOf, useSyncs, type SyncEditorState } from './store';
import type { SyncCounts } from '../../../../app/contract';

/** One line in the footer: what the editor is doing, else how the latest run of this session goes. */
const NOTE_MS = 5000;

export function FooterStatus({ editor }: { editor: SyncEditorState }) {
  const job = useRuns((s) => latestJobOf(s, editor.form.name));
  const counts = job?.result?.sync ?? job?.progress?.sync;
  const [, redraw] = useState(0);
  const noteLeft = editor.note ? editor.note.at + NOTE_MS - Date.now() : 0;
  useEffect(() => {
    if (noteLeft <= 0) return;
    const t = setTimeout(() => redraw((n) => n + 1), noteLeft);
    return () => clearTimeout(t);
  }, [noteLeft]);
  const note = noteLeft > 0 ? editor.note?.text : undefined;
  const text = editor.busy
    ? `${editor.busy[0].toUpperCase()}${editor.busy.slice(1)}…`
    : note
      ? note
      : job && counts
      ? `${isRunning(job) ? 'Running' : `Latest run ${job.status}`}: ${syncProgressView(counts, job.status).summary}`
      : job
        ? `Latest run ${job.status}`
        : '';
  return (
    <span className={`small sync-footer-status${job && !editor.busy && !note ? ` status-${job.status}` : ' muted'}`} data-testid="sync-footer-status" title={text}>
      {/* Announced when the editor starts or finishes something, not at every progress tick. */}
      <span className="sr-only" role="status">
        {editor.busy || note ? text : ''}
      </span>
      <span aria-hidden={editor.busy || note ? true : undefined} data-testid="sync-footer-text">
        {text}
      </span>
    </span>
  );
}

/** The latest run of the sync: this session's job, else the recorded last run. */
export function LatestRun({ editor }: { editor: SyncEditorState }) {
  const job = useRuns((s) => latestJobOf(s, editor.form.name));
  const summary = useSyncs((s) => s.syncs.find((x) => x.id === editor.id));
  const run = useSyncs((s) => (summary?.state?.lastRunId ? s.runs[summary.state.lastRunId] : undefined));
  const counts = run?.details as SyncCounts | undefined;
  return (
    <section className={`sync-latest${job ? ' has-job' : ''}`} aria-labelledby="sync-latest-title" data-testid="sync-latest-run">
      <h3 id="sync-latest-title" className="sync-section-title">
        Latest run
        {summary?.state && (
          <span className="muted small" data-testid="sync-state">
            {' '}
            · {summary.state.pending.toLocaleString('en-US')} change{summary.state.pending === 1 ? '' : 's'} queued
            {summary.state.highWater !== undefined ? ` · high-water mark ${summary.state.highWater}` : ''}
          </span>
        )}
      </h3>
      {job ? (
        <>
          <div className="sync-latest-head">
            <span className={`status status-${job.status}`} data-testid="sync-latest-status">
              {job.status}
            </span>
            <span className="muted small">{job.startedAt ? `started ${clock(Date.parse(job.startedAt), Date.now())}` : ''}</span>
          </div>
          {job.progress?.sync || job.result?.sync ? <SyncJobProgress job={job} showRate /> : <p className="hint">{job.status === 'queued' ? 'Waiting for a free job slot…' : 'Starting…'}</p>}
          {(job.error || job.result?.error) && (
            <p className="field-error" role="alert">
              {job.result?.error ?? job.error}
            </p>
          )}
          {job.problems && job.problems.length > 0 && (
            <ul className="sync-run-problems" data-testid="sync-run-problems">
              {job.problems.map((p, i) => (
                <li key={i} className="field-error">
                  <code>{p.path}</code>: {p.message}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : run && counts?.phase ? (
        <>
          <div className="sync-latest-head">
            <span className={`status status-${run.status}`}>{run.status}</span>
            <span className="muted small">{clock(Date.parse(run.startedAt), Date.now())}</span>
          </div>
          <SyncProgress counts={counts} status={run.status} rejected={run.rejected} />
        </>
      ) : (
        <p className="hint">Not run yet. Save, then Run now (Ctrl+Enter); the run monitor below follows it too.</p>
      )}
    </section>
  );
}
