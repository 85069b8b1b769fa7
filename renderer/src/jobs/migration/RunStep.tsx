import { isRunning, useRuns } from '../../stores/runs';
import { formatCount, formatDuration, outcomeOf, overallProgress, PHASES, tableProgress } from './model';
import { ProgressBar, StepHeading } from './parts';
import { currentJobId, migrationWizardStore, useMigrationWizard } from './store';

const PHASE_LABEL = { pending: 'waiting', loading: 'loading', loaded: 'loaded', skipped: 'skipped' } as const;

/** Step 5: the running migration, from the job/progress events the runs store keeps (no second subscription). */
export function RunStep() {
  const jobId = useMigrationWizard(currentJobId);
  const attempts = useMigrationWizard((s) => s.jobIds.length);
  const job = useRuns((r) => (jobId ? r.jobs[jobId] : undefined));
  const overall = overallProgress(job);
  const tables = tableProgress(job);
  const outcome = outcomeOf(job);
  const phaseIndex = PHASES.findIndex((p) => p.id === overall.phase);
  const running = isRunning(job);
  const backedUp = (job?.progress?.migration?.backupPath ?? job?.result?.migration?.backupPath) !== undefined;
  const tone = outcome.kind === 'succeeded' ? 'ok' : outcome.kind === 'failed' ? 'bad' : outcome.kind === 'cancelled' ? 'warn' : undefined;
  return (
    <section className="mig-step" aria-labelledby="mig-step-title" data-testid="mig-run" data-status={job?.status ?? 'starting'} data-phase={overall.phase ?? ''} data-attempt={attempts}>
      <StepHeading hint={running ? 'You can close this window: the migration goes on in the background and shows in Runs.' : undefined}>
        {attempts > 1 ? 'Run (resumed)' : 'Run'}
      </StepHeading>
      <ol className="mig-phases" aria-label="Phases">
        {PHASES.filter((p) => p.id !== 'plan').map((p) => {
          const i = PHASES.findIndex((x) => x.id === p.id);
          const reached = phaseIndex < 0 ? 'todo' : i < phaseIndex || (i === phaseIndex && !running) ? 'done' : i === phaseIndex ? 'now' : 'todo';
          // A backup is made only of a SQLite target file that exists; past that point, say whether one was.
          const state = p.id === 'backup' && reached === 'done' && !backedUp ? 'skipped' : reached;
          return (
            <li key={p.id} className={`mig-phase ${state}`} aria-current={state === 'now' ? 'step' : undefined} data-testid="mig-phase" data-phase={p.id} data-state={state}>
              {p.label}
              {state === 'skipped' && <span className="sr-only"> (not needed)</span>}
            </li>
          );
        })}
      </ol>
      <div className="mig-overall" data-testid="mig-overall">
        <div className="mig-overall-line">
          <strong role="status" aria-live="polite" data-testid="mig-run-status">
            {running ? (overall.current ? `${outcome.headline.replace(/…$/, '')}: ${overall.current}…` : outcome.headline) : outcome.headline}
          </strong>
          <span className="spacer" />
          <span className="mig-meta" data-testid="mig-overall-meta">
            {formatCount(overall.rowsCopied)}
            {overall.rowsTotal > 0 ? ` of ${formatCount(overall.rowsTotal)}` : ''} rows
            {running && overall.rowsPerSecond > 0 && ` · ${formatCount(overall.rowsPerSecond)} rows/s`}
            {running && overall.etaMs !== undefined && ` · about ${formatDuration(overall.etaMs)} left`}
            {overall.elapsedMs > 0 && ` · ${formatDuration(overall.elapsedMs)}`}
          </span>
        </div>
        <ProgressBar fraction={job ? overall.fraction : undefined} label="All tables" tone={tone} testId="mig-overall-bar" />
      </div>
      {!job && (
        <p className="hint" role="status">
          Starting the job…
        </p>
      )}
      {tables.length > 0 && (
        <ul className="mig-progress-list" data-testid="mig-progress">
          {tables.map((t) => (
            <li key={t.name} className={`mig-progress-row ${t.phase}`} data-testid="mig-table-progress" data-table={t.name} data-phase={t.phase} data-rows={t.rows}>
              <span className="mig-progress-name">{t.name}</span>
              <ProgressBar fraction={t.fraction} label={`${t.name}: ${PHASE_LABEL[t.phase]}`} tone={t.phase === 'loaded' ? 'ok' : undefined} />
              <span className="mig-meta">
                {formatCount(t.rows)} / {formatCount(t.total)}
                {t.rejected > 0 && <span className="bad"> · {formatCount(t.rejected)} rejected</span>}
                {t.phase === 'loading' && t.rowsPerSecond > 0 && ` · ${formatCount(t.rowsPerSecond)} rows/s`}
                {t.phase === 'loading' && t.etaMs !== undefined && ` · ${formatDuration(t.etaMs)} left`}
              </span>
              <span className={`mig-progress-phase ${t.phase}`}>{PHASE_LABEL[t.phase]}</span>
            </li>
          ))}
        </ul>
      )}
      {outcome.detail && !running && (
        <p className={`mig-alert ${outcome.kind === 'failed' ? 'bad' : 'warn'}`} role="alert" data-testid="mig-run-detail">
          {outcome.detail}
        </p>
      )}
    </section>
  );
}

/** The footer while running: Cancel (the open chunk is rolled back; the run stays resumable). */
export function RunActions() {
  const jobId = useMigrationWizard(currentJobId);
  const job = useRuns((r) => (jobId ? r.jobs[jobId] : undefined));
  const runError = useMigrationWizard((s) => s.runError);
  const running = isRunning(job) || !job;
  return (
    <>
      {runError && (
        <span className="mig-footer-hint error-text" role="alert">
          {runError}
        </span>
      )}
      {running ? (
        <button type="button" data-testid="mig-cancel" disabled={!job} onClick={() => void migrationWizardStore.getState().cancel()}>
          ■ Cancel
        </button>
      ) : (
        <button type="button" className="primary" data-testid="mig-see-report" onClick={() => migrationWizardStore.getState().goTo('report')}>
          See the report →
        </button>
      )}
    </>
  );
}
