import { runsStore, useRuns } from '../../stores/runs';
import { uiStore } from '../../stores/ui';
import { formatCount, formatDuration, formatKeys, formatRange, migrationRunId, outcomeOf, uiWording, verifyOf, type TableVerify } from './model';
import { StepHeading } from './parts';
import { currentJobId, migrationWizardStore, useMigrationWizard } from './store';

const short = (checksum: string) => (checksum.length > 14 ? `${checksum.slice(0, 12)}…` : checksum);

function VerifyCell({ v }: { v: TableVerify | undefined }) {
  if (!v) return <span className="muted small">not verified</span>;
  return v.ok ? (
    <span className="ok-text" data-testid="mig-verify-ok">
      <span aria-hidden="true">✓ </span>match
    </span>
  ) : (
    <span className="bad" data-testid="mig-verify-differs">
      <span aria-hidden="true">✗ </span>differs
    </span>
  );
}

function Mismatches({ v }: { v: TableVerify }) {
  if (v.ok && !v.note) return null;
  return (
    <div className="mig-mismatch" data-testid="mig-mismatch" data-table={v.table}>
      <strong>{v.table}</strong>
      {v.note && <span className="muted"> · {v.note}</span>}
      {v.mismatches.length > 0 && (
        <ul>
          {v.mismatches.map((m, i) => (
            <li key={i}>
              keys {formatRange(m.from, m.to)}: source {formatCount(m.sourceRows)} rows, target {formatCount(m.targetRows)}
              {m.missing.length > 0 && <> · missing in the target: {formatKeys(m.missing)}</>}
              {m.extra.length > 0 && <> · only in the target: {formatKeys(m.extra)}</>}
              {m.changed.length > 0 && <> · changed: {formatKeys(m.changed)}</>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Step 6: the job's report: rows per table, verification, the backup, rejected rows, the steps after the load. */
export function ReportStep() {
  const jobId = useMigrationWizard(currentJobId);
  const job = useRuns((r) => (jobId ? r.jobs[jobId] : undefined));
  const report = job?.result?.migration;
  const outcome = outcomeOf(job);
  const checks = verifyOf(report);
  const byTable = new Map(checks.map((v) => [v.table, v]));
  const runId = migrationRunId(job);
  const attempt = useMigrationWizard((s) => s.jobIds.length);
  return (
    <section className="mig-step" aria-labelledby="mig-step-title" data-testid="mig-report" data-status={job?.status ?? ''} data-verify={outcome.verify} data-attempt={attempt}>
      <StepHeading>Report</StepHeading>
      <div className={`mig-outcome ${outcome.kind}`} role="status" data-testid="mig-outcome" data-kind={outcome.kind}>
        <span className="mig-outcome-icon" aria-hidden="true">
          {outcome.kind === 'succeeded' ? '✓' : outcome.kind === 'failed' ? '✗' : outcome.kind === 'cancelled' ? '■' : '…'}
        </span>
        <div>
          <strong data-testid="mig-outcome-headline">{outcome.headline}</strong>
          {outcome.detail && <div className="mig-outcome-detail">{outcome.detail}</div>}
          {report && (
            <div className="mig-outcome-detail muted">
              <span className="mono">{report.source}</span> → <span className="mono">{report.target}</span>
              {runId && <> · run {runId}</>}
              {attempt > 1 && <> · resumed {attempt - 1 === 1 ? 'once' : `${attempt - 1} times`}</>}
            </div>
          )}
        </div>
      </div>
      {!report && job?.error && (
        <p className="mig-alert bad" role="alert">
          {uiWording(job.error)}
        </p>
      )}
      {report?.backupPath && (
        <p className="mig-alert info" data-testid="mig-backup">
          The target file existed, so it was backed up first: <span className="mono">{report.backupPath}</span>
        </p>
      )}
      {report && report.rejected > 0 && (
        <p className="mig-alert warn" data-testid="mig-rejected">
          {formatCount(report.rejected)} row{report.rejected === 1 ? '' : 's'} could not be stored in the target and {report.rejected === 1 ? 'was' : 'were'} rejected, each with its reason.{' '}
          {runId && (
            <button
              type="button"
              className="link"
              data-testid="mig-show-rejected"
              onClick={() => {
                runsStore.getState().inspectRun(runId);
                uiStore.getState().showTab('problems');
                migrationWizardStore.getState().hide();
              }}
            >
              Show the rejected rows
            </button>
          )}
        </p>
      )}
      {report && report.tables.length > 0 && (
        <>
          <h4 className="mig-subhead">Tables</h4>
          <div className="mig-table-wrap">
            <table className="grid mig-grid" data-testid="mig-report-tables">
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Action</th>
                  <th scope="col" className="num">
                    Source rows
                  </th>
                  <th scope="col" className="num">
                    Copied
                  </th>
                  <th scope="col" className="num">
                    Rejected
                  </th>
                  <th scope="col" className="num">
                    Time
                  </th>
                  <th scope="col">Verify</th>
                  <th scope="col" className="num">
                    Count source / target
                  </th>
                  <th scope="col">Checksum source / target</th>
                </tr>
              </thead>
              <tbody>
                {report.tables.map((t) => {
                  const v = t.verify ?? byTable.get(t.name);
                  return (
                    <tr key={t.name} data-testid="mig-report-table" data-table={t.name} data-copied={t.copied} data-verify={v ? (v.ok ? 'ok' : 'differs') : 'none'}>
                      <td>{t.name}</td>
                      <td>{t.action}</td>
                      <td className="num">{formatCount(t.rows)}</td>
                      <td className="num">{formatCount(t.copied)}</td>
                      <td className={`num${t.rejected > 0 ? ' bad' : ''}`}>{formatCount(t.rejected)}</td>
                      <td className="num">{t.seconds > 0 ? formatDuration(t.seconds * 1000) : ''}</td>
                      <td>
                        <VerifyCell v={v} />
                      </td>
                      <td className="num" data-testid="mig-verify-counts">
                        {v ? `${formatCount(v.sourceRows)} / ${formatCount(v.targetRows)}` : ''}
                        {v && v.unstorable > 0 && <span className="muted small"> ({formatCount(v.unstorable)} not storable)</span>}
                      </td>
                      <td className="mono small">{v ? <span title={`${v.sourceChecksum} / ${v.targetChecksum}`}>{v.sourceChecksum === v.targetChecksum ? `${short(v.sourceChecksum)} (same)` : `${short(v.sourceChecksum)} / ${short(v.targetChecksum)}`}</span> : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      {checks.some((v) => !v.ok || v.note) && (
        <>
          <h4 className="mig-subhead">Differences</h4>
          {checks.map((v) => (
            <Mismatches key={v.table} v={v} />
          ))}
        </>
      )}
      {report && report.steps.length > 0 && (
        <>
          <h4 className="mig-subhead">After the load</h4>
          <ul className="mig-steps done" data-testid="mig-report-steps">
            {report.steps.map((s) => (
              <li key={s.id} className={`step-${s.status}`}>
                <span className={s.status === 'done' ? 'ok-text' : s.status === 'failed' ? 'bad' : 'muted'}>{s.status}</span> {s.description}
                {s.error && <span className="bad"> · {s.error}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {report && report.warnings.length > 0 && (
        <details className="mig-advanced">
          <summary>
            {report.warnings.length} warning{report.warnings.length === 1 ? '' : 's'}
          </summary>
          <ul>
            {report.warnings.map((w) => (
              <li key={w}>{uiWording(w)}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** The footer of the report: Resume a run that can continue, start again, close. */
export function ReportActions() {
  const jobId = useMigrationWizard(currentJobId);
  const job = useRuns((r) => (jobId ? r.jobs[jobId] : undefined));
  const busy = useMigrationWizard((s) => s.busy);
  const runError = useMigrationWizard((s) => s.runError);
  const outcome = outcomeOf(job);
  const wizard = migrationWizardStore.getState();
  return (
    <>
      <button type="button" data-testid="mig-again" onClick={() => wizard.again()}>
        New migration with these choices
      </button>
      <span className="spacer" />
      {runError && (
        <span className="mig-footer-hint error-text" role="alert" data-testid="mig-run-error">
          {runError}
        </span>
      )}
      {outcome.resumable && (
        <button type="button" className="primary" data-testid="mig-resume" disabled={busy} onClick={() => void wizard.resume()}>
          {busy ? 'Resuming…' : '↻ Resume'}
        </button>
      )}
      <button type="button" className={outcome.resumable ? undefined : 'primary'} data-testid="mig-done" onClick={() => wizard.hide()}>
        Close
      </button>
    </>
  );
}
