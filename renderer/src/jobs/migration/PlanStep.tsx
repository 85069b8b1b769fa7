import { useEffect } from 'react';
import { DIALECT_LABEL, formatCount, planDdl, planTotals, typeChanges, uiWording, type MigrationPlan } from './model';
import { StepHeading } from './parts';
import { currentKey, currentPlan, migrationWizardStore, useMigrationWizard } from './store';

const ACTION_LABEL: Record<MigrationPlan['tables'][number]['action'], string> = {
  create: 'create',
  truncate: 'empty, then load',
  append: 'append',
  upsert: 'upsert',
};

function Problems({ plan }: { plan: MigrationPlan }) {
  if (plan.problems.length === 0) return null;
  const go = migrationWizardStore.getState().goTo;
  return (
    <div className="mig-alert bad" role="alert" data-testid="mig-plan-problems">
      <strong>
        {plan.problems.length === 1 ? 'A problem' : `${plan.problems.length} problems`} must be solved before the migration can run (nothing was changed):
      </strong>
      <ul>
        {plan.problems.map((p) => (
          <li key={p} data-testid="mig-plan-problem">
            {uiWording(p)}
          </li>
        ))}
      </ul>
      <div className="mig-alert-actions">
        <button type="button" data-testid="mig-fix-options" onClick={() => go('options')}>
          Change the options
        </button>
        <button type="button" onClick={() => go('tables')}>
          Change the tables
        </button>
      </div>
    </div>
  );
}

function TablesInOrder({ plan }: { plan: MigrationPlan }) {
  const changes = typeChanges(plan);
  return (
    <div className="mig-table-wrap">
      <table className="grid mig-grid" data-testid="mig-plan-tables">
        <caption className="sr-only">Tables in load order</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Table</th>
            <th scope="col">Action</th>
            <th scope="col">Key</th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col" className="num">
              Columns
            </th>
            <th scope="col">Type changes</th>
          </tr>
        </thead>
        <tbody>
          {plan.tables.map((t, i) => {
            const mine = changes.filter((c) => c.table === t.name);
            const lossy = mine.filter((c) => c.warning).length;
            return (
              <tr key={t.name} data-testid="mig-plan-table" data-table={t.name} data-rows={t.rows} data-action={t.action}>
                <td className="num muted">{i + 1}</td>
                <td>
                  {t.name}
                  {t.kind === 'view' && <span className="muted small"> (view {t.source} as a table)</span>}
                  {t.kind !== 'view' && t.source !== t.name && <span className="muted small"> (from {t.source})</span>}
                </td>
                <td>{ACTION_LABEL[t.action]}</td>
                <td className="mono small">{t.key?.join(', ') ?? <span className="mig-warn-text">none</span>}</td>
                <td className="num">{formatCount(t.rows)}</td>
                <td className="num">{t.columns.length}</td>
                <td>
                  {mine.length === 0 ? (
                    <span className="muted small">none</span>
                  ) : (
                    <span>
                      {mine.length}
                      {lossy > 0 && <span className="mig-warn-text"> · {lossy} may lose data</span>}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function TypeChanges({ plan }: { plan: MigrationPlan }) {
  const changes = typeChanges(plan);
  if (changes.length === 0) return <p className="hint">Every column keeps its type.</p>;
  return (
    <div className="mig-table-wrap">
      <table className="grid mig-grid mig-changes" data-testid="mig-type-changes">
        <caption className="sr-only">Type changes</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Source type</th>
            <th scope="col">Target type</th>
            <th scope="col">Why / what may be lost</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={`${c.table}.${c.column}`} className={c.warning ? 'lossy' : undefined} data-testid="mig-type-change" data-column={`${c.table}.${c.column}`} data-lossy={c.warning ? 'true' : 'false'}>
              <td className="mono">
                {c.table}.{c.column}
              </td>
              <td className="mono">{c.sourceType}</td>
              <td className="mono">{c.targetType}</td>
              <td className="mig-change-note">
                {c.warning && (
                  <span className="mig-warn-text" data-testid="mig-lossy-warning">
                    <span aria-hidden="true">⚠ </span>
                    <span className="sr-only">Warning: </span>
                    {c.warning}
                  </span>
                )}
                {c.rule && <span className="muted small">{c.warning ? ' · ' : ''}rule: {c.rule}</span>}
                {!c.warning && !c.rule && <span className="muted small">the target's default mapping</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Step 4: the dry run. Tables in load order, type changes, the DDL, the steps after the load, problems. */
export function PlanStep() {
  const state = useMigrationWizard((s) => s.plan);
  const plan = useMigrationWizard(currentPlan);
  const stale = useMigrationWizard((s) => s.plan.key !== currentKey(s));
  useEffect(() => {
    void migrationWizardStore.getState().requestPlan();
  }, []);
  const loading = state.status === 'loading' || (stale && state.status !== 'error');
  const otherWarnings = plan ? plan.warnings.filter((w) => !plan.tables.some((t) => t.columns.some((c) => c.warning === w))) : [];
  const totals = plan ? planTotals(plan) : undefined;
  return (
    <section className="mig-step" aria-labelledby="mig-step-title" aria-busy={loading}>
      <StepHeading hint="A dry run: both databases were opened and read, nothing was changed.">Plan</StepHeading>
      {loading && (
        <p className="mig-loading" role="status" data-testid="mig-plan-loading">
          <span className="spinner" aria-hidden="true" /> Making the plan: reading both databases and counting rows…
        </p>
      )}
      {state.status === 'error' && !stale && (
        <div className="mig-alert bad" role="alert" data-testid="mig-plan-error">
          <strong>The plan could not be made:</strong> {uiWording(state.error ?? '')}
          <div className="mig-alert-actions">
            <button type="button" onClick={() => void migrationWizardStore.getState().requestPlan(true)}>
              Try again
            </button>
          </div>
        </div>
      )}
      {plan && totals && !loading && (
        <div className="mig-plan" data-testid="mig-plan" data-problems={plan.problems.length}>
          <p className="mig-plan-route" data-testid="mig-plan-summary">
            <span className="mono">{plan.source.url}</span> <span className="muted">({DIALECT_LABEL[plan.source.dialect]})</span> → <span className="mono">{plan.target.url}</span>{' '}
            <span className="muted">({DIALECT_LABEL[plan.target.dialect]})</span>
            <br />
            {totals.tables} table{totals.tables === 1 ? '' : 's'}, {formatCount(totals.rows)} rows · if a table exists: {plan.options.ifExists} · rows the target cannot hold: {plan.options.onError}
          </p>
          <Problems plan={plan} />
          {plan.problems.length === 0 && (
            <p className="mig-alert ok" data-testid="mig-plan-ok">
              <span aria-hidden="true">✓ </span>The plan has no problems: the migration can run.
            </p>
          )}
          {otherWarnings.length > 0 && (
            <div className="mig-alert warn" data-testid="mig-plan-warnings">
              <strong>
                {otherWarnings.length} warning{otherWarnings.length === 1 ? '' : 's'}:
              </strong>
              <ul>
                {otherWarnings.map((w) => (
                  <li key={w}>{uiWording(w)}</li>
                ))}
              </ul>
            </div>
          )}
          <h4 className="mig-subhead">Tables in load order (foreign keys first)</h4>
          {plan.tables.length > 0 ? <TablesInOrder plan={plan} /> : <p className="hint">No tables.</p>}
          {plan.cycles.length > 0 && <p className="mig-warn-text small">Foreign keys form a cycle ({plan.cycles.map((c) => c.join(' → ')).join('; ')}): those keys are created after the load.</p>}
          <h4 className="mig-subhead">Type changes</h4>
          <TypeChanges plan={plan} />
          <h4 className="mig-subhead" id="mig-ddl-title">
            DDL
          </h4>
          <pre className="mig-ddl" data-testid="mig-ddl" tabIndex={0} aria-labelledby="mig-ddl-title">
            {planDdl(plan)}
          </pre>
          <h4 className="mig-subhead">After the load</h4>
          {plan.steps.length === 0 ? (
            <p className="hint">No indexes, foreign keys or sequences to add after the load.</p>
          ) : (
            <ol className="mig-steps" data-testid="mig-plan-steps">
              {plan.steps.map((s) => (
                <li key={s.id}>
                  {s.description} <span className="muted small">({s.kind})</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}

/** The footer of the plan step: verify after the load, and Run (disabled while the plan has problems). */
export function PlanActions() {
  const plan = useMigrationWizard(currentPlan);
  const verify = useMigrationWizard((s) => s.verify);
  const busy = useMigrationWizard((s) => s.busy);
  const runError = useMigrationWizard((s) => s.runError);
  const why = !plan ? 'Waiting for the plan.' : plan.problems.length > 0 ? 'Run is disabled: the plan has problems.' : undefined;
  return (
    <>
      <label className="mig-check" title="Compare row counts and checksums of every table after the load">
        <input type="checkbox" data-testid="mig-verify" checked={verify} onChange={(e) => migrationWizardStore.getState().setVerify(e.target.checked)} />
        Verify after the load (counts and checksums)
      </label>
      {(why || runError) && (
        <span className={`mig-footer-hint${runError ? ' error-text' : ''}`} id="mig-run-why" data-testid="mig-run-why" role={runError ? 'alert' : undefined}>
          {runError ?? why}
        </span>
      )}
      <button type="button" className="primary" data-testid="mig-run" disabled={why !== undefined || busy} aria-describedby={why ? 'mig-run-why' : undefined} onClick={() => void migrationWizardStore.getState().start()}>
        {busy ? 'Starting…' : '▶ Run the migration'}
      </button>
    </>
  );
}
