import { useRef, useState } from 'react';
import type { ConnectionInfo } from '../../../../app/contract';
import { ConnectionForm } from '../../explorer/ConnectionForm';
import { connectionsStore, useConnections } from '../../stores/connections';
import { StepHeading } from './parts';
import { DIALECT_LABEL, dialectOfUrl, sameDatabase } from './model';
import { migrationWizardStore, useMigrationWizard } from './store';

type Side = 'from' | 'to';

function ConnectionChoices({ side, value, connections, onNew }: { side: Side; value: string; connections: ConnectionInfo[]; onNew(): void }) {
  const label = side === 'from' ? 'Source' : 'Target';
  const set = (name: string) => (side === 'from' ? migrationWizardStore.getState().setFrom(name) : migrationWizardStore.getState().setTo(name));
  return (
    <fieldset className="mig-endpoint" data-testid={`mig-${side}`}>
      <legend>
        {label} <span className="muted small">{side === 'from' ? 'read from, never changed' : 'tables are created or loaded here'}</span>
      </legend>
      {connections.length === 0 && <p className="hint">No saved connections yet.</p>}
      <ul className="mig-conn-list">
        {connections.map((c) => {
          const dialect = dialectOfUrl(c.url);
          const id = `mig-${side}-${c.name}`;
          return (
            <li key={c.name}>
              <label htmlFor={id} className={`mig-conn${value === c.name ? ' selected' : ''}${dialect ? '' : ' unusable'}`} data-testid="mig-connection" data-connection={c.name}>
                <input id={id} type="radio" name={`mig-${side}`} value={c.name} checked={value === c.name} disabled={!dialect} onChange={() => set(c.name)} />
                <span className="mig-conn-name">{c.name}</span>
                <span className="mig-dialect">{dialect ? DIALECT_LABEL[dialect] : 'not a database'}</span>
                <span className="mig-conn-url" title={c.url}>
                  {c.url}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <button type="button" className="add" data-testid={`mig-new-${side}`} onClick={onNew}>
        + New connection…
      </button>
    </fieldset>
  );
}

/** Step 1: the source and the target, among the saved connections (or a new one, made here). */
export function EndpointsStep() {
  const from = useMigrationWizard((s) => s.from);
  const to = useMigrationWizard((s) => s.to);
  const connections = useConnections((s) => s.connections);
  const error = useConnections((s) => s.error);
  const [adding, setAdding] = useState<Side>();
  const before = useRef<string[]>([]);
  const source = connections.find((c) => c.name === from);
  const target = connections.find((c) => c.name === to);
  const same = sameDatabase(source, target);
  const sqlDb = connections.filter((c) => dialectOfUrl(c.url));

  const startAdding = (side: Side) => {
    before.current = connectionsStore.getState().connections.map((c) => c.name);
    setAdding(side);
  };
  const doneAdding = () => {
    const side = adding;
    setAdding(undefined);
    // The connection just saved goes where "New connection…" was pressed.
    const added = connectionsStore.getState().connections.find((c) => !before.current.includes(c.name));
    if (added && side && dialectOfUrl(added.url)) {
      if (side === 'from') migrationWizardStore.getState().setFrom(added.name);
      else migrationWizardStore.getState().setTo(added.name);
    }
  };

  return (
    <section className="mig-step" aria-labelledby="mig-step-title">
      <StepHeading hint="Tables are copied from the source into the target: SQLite, PostgreSQL or MySQL/MariaDB, in any direction.">Source and target</StepHeading>
      {error && (
        <p className="mig-alert bad" role="alert">
          The saved connections could not be listed: {error}
        </p>
      )}
      {connections.length > 0 && sqlDb.length === 0 && <p className="hint">None of the saved connections is a database; add one with New connection….</p>}
      <div className="mig-endpoints">
        <ConnectionChoices side="from" value={from} connections={connections} onNew={() => startAdding('from')} />
        <div className="mig-arrow" aria-hidden="true">
          →
        </div>
        <ConnectionChoices side="to" value={to} connections={connections} onNew={() => startAdding('to')} />
      </div>
      {from && to && (
        <div className="mig-endpoint-bar">
          <button type="button" data-testid="mig-swap" onClick={() => migrationWizardStore.getState().swap()}>
            ⇅ Swap source and target
          </button>
        </div>
      )}
      {same && (
        <p className="mig-alert bad" role="alert" data-testid="mig-same-db">
          <strong>Source and target are the same database</strong> ({source!.url}). A migration would copy tables onto themselves: choose another target.
        </p>
      )}
      {adding && <ConnectionForm onClose={doneAdding} />}
    </section>
  );
}
