import { useEffect, useRef } from 'react';
import { useConnections } from '../../stores/connections';
import { dialectOfUrl, existingInTarget, IF_EXISTS_CHOICES, ON_ERROR_CHOICES, ruleMessages, uiWording } from './model';
import { StepHeading } from './parts';
import { currentKey, migrationWizardStore, useMigrationWizard } from './store';

/** What a decimal column could become in each target, for the example rule. */
const EXAMPLE_DECIMAL = { sqlite: 'REAL', postgres: 'numeric(12,2)', mysql: 'decimal(12,2)' } as const;

/** A list editor of type rules; what the planner said about each rule shows under it. */
function TypeRules() {
  const rules = useMigrationWizard((s) => s.typeRules);
  const plan = useMigrationWizard((s) => s.plan);
  const current = useMigrationWizard((s) => s.plan.key === currentKey(s));
  const fromName = useMigrationWizard((s) => s.from);
  const toName = useMigrationWizard((s) => s.to);
  const from = useConnections((c) => c.connections.find((x) => x.name === fromName));
  const to = useConnections((c) => c.connections.find((x) => x.name === toName));
  const sd = (from && dialectOfUrl(from.url)) ?? 'sqlite';
  const td = (to && dialectOfUrl(to.url)) ?? 'postgres';
  const example = `${sd} ${sd === 'sqlite' ? 'NUMERIC' : 'numeric'} -> ${td} ${EXAMPLE_DECIMAL[td]}`;
  const added = useRef(rules.length);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // A rule just added gets the focus, ready to type.
    if (rules.length > added.current) list.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus();
    added.current = rules.length;
  }, [rules.length]);
  const checked = plan.status === 'ready' && current ? plan.value : undefined;
  const wizard = migrationWizardStore.getState();
  return (
    <fieldset className="field mig-rules" data-testid="mig-rules">
      <legend className="field-label">Type rules</legend>
      <p className="field-help">
        Override how a column type is mapped: <code>[dialect] TYPE [in table.column] -&gt; dialect TYPE</code>, e.g. <code>{example}</code> or{' '}
        <code>{`${sd} TEXT in orders.code -> ${td} varchar(20)`}</code>. The first matching rule wins; every other column keeps the default mapping.
      </p>
      {rules.length > 0 && (
        <ol className="mig-rule-list" ref={list}>
          {rules.map((rule, i) => {
            const said = ruleMessages(rule, checked);
            const id = `mig-rule-${i}`;
            return (
              <li key={i} data-testid="mig-rule" data-invalid={said.errors.length > 0}>
                <div className="mig-rule-row">
                  <label htmlFor={id} className="sr-only">
                    Type rule {i + 1}
                  </label>
                  <input
                    id={id}
                    className="mig-rule-input"
                    data-testid="mig-rule-input"
                    spellCheck={false}
                    placeholder={example}
                    value={rule}
                    aria-invalid={said.errors.length > 0}
                    aria-describedby={said.errors.length + said.warnings.length > 0 ? `${id}-said` : undefined}
                    onChange={(e) => wizard.setRule(i, e.target.value)}
                  />
                  <button type="button" className="icon" aria-label={`Remove type rule ${i + 1}`} title="Remove" data-testid="mig-rule-remove" onClick={() => wizard.removeRule(i)}>
                    ✕
                  </button>
                </div>
                {(said.errors.length > 0 || said.warnings.length > 0) && (
                  <div id={`${id}-said`}>
                    {said.errors.map((m) => (
                      <div key={m} className="field-error" data-testid="mig-rule-error">
                        {m}
                      </div>
                    ))}
                    {said.warnings.map((m) => (
                      <div key={m} className="mig-warn-text small" data-testid="mig-rule-warning">
                        {m}
                      </div>
                    ))}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <div className="mig-rule-actions">
        <button type="button" data-testid="mig-rule-add" onClick={() => wizard.addRule()}>
          + Add a rule
        </button>
        {rules.some((r) => r.trim()) && (
          <button type="button" data-testid="mig-rule-check" disabled={plan.status === 'loading'} onClick={() => void wizard.requestPlan(true)}>
            {plan.status === 'loading' ? 'Checking…' : 'Check the rules'}
          </button>
        )}
        {checked && rules.some((r) => r.trim()) && rules.every((r) => ruleMessages(r, checked).errors.length === 0) && (
          <span className="ok-text small" role="status" data-testid="mig-rules-ok">
            The planner accepts {rules.filter((r) => r.trim()).length === 1 ? 'the rule' : 'every rule'}.
          </span>
        )}
        {plan.status === 'error' && current && <span className="error-text small">{uiWording(plan.error ?? '')}</span>}
      </div>
    </fieldset>
  );
}

/** Step 3: tables that exist in the target, rows the target cannot hold, type rules, chunk size. */
export function OptionsStep() {
  const ifExists = useMigrationWizard((s) => s.ifExists);
  const onError = useMigrationWizard((s) => s.onError);
  const chunkRows = useMigrationWizard((s) => s.chunkRows);
  const selected = useMigrationWizard((s) => s.selected);
  const target = useMigrationWizard((s) => s.targetTables.value);
  const there = existingInTarget(selected, target ?? []);
  const wizard = migrationWizardStore.getState();
  return (
    <section className="mig-step" aria-labelledby="mig-step-title">
      <StepHeading hint="Nothing is changed until you run the migration: the next step is a dry run.">Options</StepHeading>
      <fieldset className="field mig-choices" data-testid="mig-if-exists">
        <legend className="field-label">If a target table exists</legend>
        {there.length > 0 ? (
          <p className="mig-alert warn" data-testid="mig-existing">
            {there.length === 1 ? `'${there[0]}' exists` : `${there.length} of the chosen tables exist`} in the target already{there.length > 1 ? `: ${there.join(', ')}` : ''}.
          </p>
        ) : target ? (
          <p className="field-help">None of the chosen tables exists in the target: they are all created.</p>
        ) : null}
        {IF_EXISTS_CHOICES.map((c) => (
          <label key={c.id} className={`mig-choice${ifExists === c.id ? ' selected' : ''}`}>
            <input type="radio" name="mig-if-exists" value={c.id} data-testid={`mig-if-exists-${c.id}`} checked={ifExists === c.id} onChange={() => wizard.setIfExists(c.id)} />
            <span className="mig-choice-label">
              {c.label}
              {c.id === 'fail' && <span className="muted small"> (default)</span>}
            </span>
            <span className="mig-choice-help">{c.help}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="field mig-choices" data-testid="mig-on-error">
        <legend className="field-label">Rows the target cannot hold</legend>
        {ON_ERROR_CHOICES.map((c) => (
          <label key={c.id} className={`mig-choice${onError === c.id ? ' selected' : ''}`}>
            <input type="radio" name="mig-on-error" value={c.id} data-testid={`mig-on-error-${c.id}`} checked={onError === c.id} onChange={() => wizard.setOnError(c.id)} />
            <span className="mig-choice-label">{c.label}</span>
            <span className="mig-choice-help">{c.help}</span>
          </label>
        ))}
      </fieldset>
      <TypeRules />
      <details className="mig-advanced">
        <summary>Advanced</summary>
        <div className="field">
          <label className="field-label" htmlFor="mig-chunk">
            Rows per checkpoint
          </label>
          <input
            id="mig-chunk"
            type="number"
            min={1}
            step={1000}
            className="narrow"
            data-testid="mig-chunk-rows"
            placeholder="50000"
            value={chunkRows ?? ''}
            onChange={(e) => {
              const n = Math.floor(Number(e.target.value));
              wizard.setChunkRows(e.target.value === '' || !Number.isFinite(n) || n < 1 ? undefined : n);
            }}
          />
          <span className="field-help">Source rows per target transaction and checkpoint (default 50,000). A resumed migration continues after the last checkpoint.</span>
        </div>
      </details>
    </section>
  );
}
