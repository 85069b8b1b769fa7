import { useEffect, useRef, type ReactNode } from 'react';

/** The step's own heading, focused when the step changes so screen readers announce where they are. */
export function StepHeading({ children, hint }: { children: ReactNode; hint?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // A step mounts when it becomes the current one: the focus goes to its title, not back to <body>.
    ref.current?.focus();
  }, []);
  return (
    <div className="mig-step-head">
      <h3 ref={ref} tabIndex={-1} id="mig-step-title" data-testid="mig-step-title">
        {children}
      </h3>
      {hint && <p className="mig-step-hint">{hint}</p>}
    </div>
  );
}

/** A progress bar with its value for assistive technology; indeterminate while the total is unknown. */
export function ProgressBar({ fraction, label, tone, testId }: { fraction: number | undefined; label: string; tone?: 'ok' | 'bad' | 'warn'; testId?: string }) {
  const pct = fraction === undefined ? undefined : Math.round(fraction * 100);
  return (
    <div
      className={`progress-bar mig-bar${fraction === undefined ? ' indeterminate' : ''}${tone ? ` tone-${tone}` : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-testid={testId}
      data-value={pct ?? ''}
    >
      <span style={{ width: pct === undefined ? undefined : `${pct}%` }} />
    </div>
  );
}
