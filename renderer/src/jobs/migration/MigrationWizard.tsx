import { useEffect, useRef, type KeyboardEvent } from 'react';
import { connectionsStore, useConnections } from '../../stores/connections';
import { isRunning, useRuns } from '../../stores/runs';
import { EndpointsStep } from './EndpointsStep';
import { sameDatabase } from './model';
import { OptionsStep } from './OptionsStep';
import { PlanActions, PlanStep } from './PlanStep';
import { ReportActions, ReportStep } from './ReportStep';
import { RunActions, RunStep } from './RunStep';
import { currentJobId, migrationWizardStore, STEPS, stepBlockers, useMigrationWizard, type WizardStep } from './store';
import { TablesStep } from './TablesStep';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab and Shift+Tab stay inside the dialog (it is modal: the workbench behind is inert to the keyboard too). */
function trapTab(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== 'Tab') return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
  if (items.length === 0) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

function Stepper({ step, blockers }: { step: WizardStep; blockers: Record<WizardStep, string | undefined> }) {
  const index = STEPS.findIndex((s) => s.id === step);
  return (
    <nav className="mig-stepper" aria-label="Migration steps">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.id} className={i < index ? 'done' : i === index ? 'current' : undefined}>
            <button
              type="button"
              data-testid={`mig-step-${s.id}`}
              aria-current={s.id === step ? 'step' : undefined}
              disabled={s.id !== step && blockers[s.id] !== undefined}
              title={s.id !== step ? blockers[s.id] : undefined}
              onClick={() => migrationWizardStore.getState().goTo(s.id)}
            >
              <span className="mig-step-no" aria-hidden="true">
                {i < index ? '✓' : i + 1}
              </span>
              {s.label}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The buttons of the step: Back and Next before the plan; Run, Cancel, Resume and Close after. */
function Footer({ step, blockers }: { step: WizardStep; blockers: Record<WizardStep, string | undefined> }) {
  const index = STEPS.findIndex((s) => s.id === step);
  const prev = STEPS[index - 1];
  const next = STEPS[index + 1];
  const go = (to: WizardStep) => migrationWizardStore.getState().goTo(to);
  const nextBlocked = next ? blockers[next.id] : undefined;
  const early = step === 'endpoints' || step === 'tables' || step === 'options';
  return (
    <div className="mig-footer" data-testid="mig-footer">
      {prev && (early || step === 'plan') && (
        <button type="button" data-testid="mig-back" onClick={() => go(prev.id)}>
          ← Back
        </button>
      )}
      {step !== 'report' && <span className="spacer" />}
      {early && nextBlocked && (
        <span className="mig-footer-hint" id="mig-next-why" data-testid="mig-next-why">
          {nextBlocked}
        </span>
      )}
      {early && (
        <button type="button" className="primary" data-testid="mig-next" disabled={nextBlocked !== undefined} aria-describedby={nextBlocked ? 'mig-next-why' : undefined} onClick={() => go(next.id)}>
          {next.id === 'plan' ? 'Make the plan (dry run) →' : 'Next →'}
        </button>
      )}
      {step === 'plan' && <PlanActions />}
      {step === 'run' && <RunActions />}
      {step === 'report' && <ReportActions />}
    </div>
  );
}

/**
 * The migration wizard: source and target, tables, options, the plan (a dry run), the run with
 * per-table progress, and the report. A modal dialog over the workbench; closing it while a
 * migration runs leaves the job running (it shows in Runs, and the wizard finds it again).
 */
export function MigrationWizard() {
  const open = useMigrationWizard((s) => s.open);
  if (!open) return null;
  return <WizardDialog />;
}

function WizardDialog() {
  const s = useMigrationWizard((x) => x);
  const job = useRuns((r) => r.jobs[currentJobId(s) ?? '']);
  const running = isRunning(job);
  const from = useConnections((c) => c.connections.find((x) => x.name === s.from));
  const to = useConnections((c) => c.connections.find((x) => x.name === s.to));
  const blockers = stepBlockers(s, { running, sameDatabase: sameDatabase(from, to) });
  const dialog = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<Element | null>(null);

  useEffect(() => {
    returnFocus.current = document.activeElement;
    void connectionsStore.getState().refresh();
    return () => {
      if (returnFocus.current instanceof HTMLElement) returnFocus.current.focus();
    };
  }, []);

  const close = () => migrationWizardStore.getState().hide();
  return (
    <div className="overlay mig-overlay">
      <div
        ref={dialog}
        className="dialog mig-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="mig-title"
        aria-describedby="mig-step-title"
        data-testid="migration-wizard"
        data-step={s.step}
        onKeyDown={(e) => {
          // A dialog opened inside the wizard (a new connection) handles its own Escape.
          if (e.key === 'Escape' && !(e.target instanceof HTMLElement && e.target.closest('.connection-form'))) {
            e.stopPropagation();
            close();
          }
          trapTab(e);
        }}
      >
        <div className="dialog-head mig-head">
          <h2 id="mig-title">Migrate tables</h2>
          {from && to && (
            <span className="mig-route muted" data-testid="mig-route">
              {from.name} → {to.name}
            </span>
          )}
          {running && (
            <span className="mig-running-pill" role="status">
              running
            </span>
          )}
          <span className="spacer" />
          <button type="button" className="icon" aria-label={running ? 'Close (the migration goes on in the background)' : 'Close'} title={running ? 'Close: the migration goes on (see Runs)' : 'Close'} data-testid="mig-close" onClick={close}>
            ✕
          </button>
        </div>
        <Stepper step={s.step} blockers={blockers} />
        <div className="mig-body" data-testid="mig-body">
          {s.step === 'endpoints' && <EndpointsStep />}
          {s.step === 'tables' && <TablesStep />}
          {s.step === 'options' && <OptionsStep />}
          {s.step === 'plan' && <PlanStep />}
          {s.step === 'run' && <RunStep />}
          {s.step === 'report' && <ReportStep />}
        </div>
        <Footer step={s.step} blockers={blockers} />
      </div>
    </div>
  );
}
