import { useEffect, useState } from 'react';
import type { RunRecord, SyncCounts, SyncSummary } from '../../../../app/contract';
import { isRunning, useRuns } from '../../stores/runs';
import { plural } from './progress';
import { clock, describeEvery } from './schedule';
import { latestJobOf, nextRunOf, syncsStore, useSyncs } from './store';

/** Re-renders every `ms` (relative times such as the next run). */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** A high-water mark is JSON text (a timestamp string, a number): shown as its value. */
function markText(json: string): string {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : json;
  } catch {
    return json;
  }
}

function lastRunText(run: RunRecord | undefined, now: number): string | undefined {
  if (!run) return undefined;
  const counts = run.details as Partial<SyncCounts> | undefined;
  const applied = typeof counts?.applied === 'number' ? counts.applied + (counts.recovered ?? 0) : run.rowsOut;
  const when = clock(Date.parse(run.finishedAt ?? run.startedAt), now);
  return `last run ${run.status} ${when}${applied !== undefined && run.status === 'succeeded' ? ` · ${plural(applied, 'change')} applied` : ''}`;
}

function SyncItem({ sync, now }: { sync: SyncSummary; now: number }) {
  const run = useSyncs((s) => (sync.state?.lastRunId ? s.runs[sync.state.lastRunId] : undefined));
  // Primitive selections (a selector making a new object each time would re-render forever).
  const tick = useSyncs((s) => s.ticks[sync.name]);
  const savedAt = useSyncs((s) => s.scheduleSavedAt[sync.id]);
  const next = nextRunOf(sync, tick, savedAt, now);
  const job = useRuns((s) => latestJobOf(s, sync.name));
  const open = useSyncs((s) => s.editor?.id === sync.id);
  const running = isRunning(job) || sync.state?.running === true;
  const pending = sync.state?.pending ?? 0;
  const phase = running ? (job?.progress?.sync?.phase ?? (job?.status === 'queued' ? 'queued' : undefined)) : undefined;
  return (
    <li className="sync-row">
      <button
        type="button"
        className={`sync-item${open ? ' selected' : ''}`}
        aria-current={open ? 'true' : undefined}
        data-testid="sync-item"
        data-sync-id={sync.id}
        data-mode={sync.mode ?? ''}
        data-pending={pending}
        data-running={String(running)}
        data-last-status={run?.status ?? ''}
        title={sync.description ?? sync.id}
        onClick={() => void syncsStore.getState().open(sync.id)}
      >
        <span className="name">
          {sync.name}
          {running && (
            <span className="sync-badge running" data-testid="sync-running">
              {phase ? `running · ${phase}` : 'running'}
            </span>
          )}
          {!sync.loads && <span className="sync-badge bad">does not load</span>}
        </span>
        <span className="meta">
          {sync.id}
          {sync.mode && ` · ${sync.mode === 'incremental' ? 'incremental' : 'full diff'}`}
          {sync.state?.highWater !== undefined && <> · up to {markText(sync.state.highWater)}</>}
          {pending > 0 && (
            <span className="warn-text" data-testid="sync-pending">
              {' '}
              · {plural(pending, 'change')} queued
            </span>
          )}
        </span>
        {run && !running && (
          <span className={`meta status-${run.status}`} data-testid="sync-last-run">
            {lastRunText(run, now)}
          </span>
        )}
        {sync.schedule && (
          <span className="meta" data-testid="sync-schedule">
            {sync.schedule.enabled ? describeEvery(sync.schedule.every) : 'schedule paused'}
            {next && (
              <span data-testid="sync-next-run" data-at={next.at}>
                {' '}
                · next {next.approximate ? '≈ ' : ''}
                {clock(next.at, now)}
              </span>
            )}
          </span>
        )}
      </button>
      {/* Beside the item, not in it: a button cannot hold another. */}
      <button
        type="button"
        className="sync-run-now"
        data-testid="sync-run-now"
        aria-label={`Run ${sync.name} now`}
        title={!sync.loads ? 'The file does not load: open it to see why' : running ? 'Running' : 'Run now'}
        disabled={running || !sync.loads}
        onClick={() => void syncsStore.getState().runNow(sync.id)}
      >
        ▶
      </button>
    </li>
  );
}

/** The workspace's sync definitions with their state (mode, high-water mark, queued changes, last run, schedule). */
export function SyncsSection() {
  const syncs = useSyncs((s) => s.syncs);
  const loaded = useSyncs((s) => s.loaded);
  const error = useSyncs((s) => s.error);
  const now = useNow(30_000);
  return (
    <div className="syncs" data-testid="syncs">
      {!loaded && <p className="hint">Loading…</p>}
      {error && <p className="error small">{error}</p>}
      {loaded && syncs.length === 0 && !error && (
        <p className="hint" data-testid="sync-list-empty">
          No syncs yet. A sync keeps a target table equal to a source table, applying only what changed.
        </p>
      )}
      {syncs.length > 0 && (
        <ul className="pipeline-list sync-list" data-testid="sync-list">
          {syncs.map((s) => (
            <SyncItem key={s.id} sync={s} now={now} />
          ))}
        </ul>
      )}
      <button type="button" className="add" data-testid="new-sync" onClick={() => void syncsStore.getState().newSync()}>
        + New sync…
      </button>
    </div>
  );
}

/** The section head's buttons. */
export function SyncsSectionActions() {
  return (
    <button type="button" className="icon" aria-label="Refresh the sync list" title="Refresh" data-testid="refresh-syncs" onClick={() => void syncsStore.getState().refresh()}>
      ↻
    </button>
  );
}
