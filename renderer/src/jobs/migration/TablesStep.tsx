import { useEffect, useMemo, useRef, useState } from 'react';
import { existingInTarget, formatCount, selectable, selectionSummary, type TableInfo } from './model';
import { StepHeading } from './parts';
import { migrationWizardStore, useMigrationWizard } from './store';

/** The header checkbox: ticked, unticked or mixed, like a file manager's. */
function AllBox({ tables, selected }: { tables: TableInfo[]; selected: readonly string[] }) {
  const ref = useRef<HTMLInputElement>(null);
  const n = tables.filter((t) => selected.includes(t.name)).length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = n > 0 && n < tables.length;
  }, [n, tables.length]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={n === tables.length ? 'Untick every table shown' : 'Tick every table shown'}
      data-testid="mig-tables-all"
      checked={tables.length > 0 && n === tables.length}
      disabled={tables.length === 0}
      onChange={(e) => {
        const names = new Set(tables.map((t) => t.name));
        const others = selected.filter((x) => !names.has(x));
        migrationWizardStore.getState().setSelected(e.target.checked ? [...others, ...tables.map((t) => t.name)] : others);
      }}
    />
  );
}

/** Step 2: the source's tables and views, with row estimates; which to copy. */
export function TablesStep() {
  const source = useMigrationWizard((s) => s.sourceTables);
  const target = useMigrationWizard((s) => s.targetTables);
  const selected = useMigrationWizard((s) => s.selected);
  const includeViews = useMigrationWizard((s) => s.includeViews);
  const from = useMigrationWizard((s) => s.from);
  const to = useMigrationWizard((s) => s.to);
  const [filter, setFilter] = useState('');
  const all = useMemo(() => source.value ?? [], [source.value]);
  const shown = useMemo(() => all.filter((t) => t.name.toLowerCase().includes(filter.trim().toLowerCase())), [all, filter]);
  const tickable = shown.filter((t) => selectable(t, includeViews));
  const views = all.filter((t) => t.kind === 'view').length;
  const there = new Set(existingInTarget(all.map((t) => t.name), target.value ?? []).map((n) => n.toLowerCase()));
  const sum = selectionSummary(all, selected);
  const wizard = migrationWizardStore.getState();

  return (
    <section className="mig-step" aria-labelledby="mig-step-title">
      <StepHeading hint={`The tables of ${from} to copy into ${to}. They are created in the target in foreign-key order.`}>Tables</StepHeading>
      <div className="mig-toolbar">
        <input type="search" className="mig-filter" placeholder="Filter tables" aria-label="Filter tables by name" data-testid="mig-tables-filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" data-testid="mig-select-all" disabled={tickable.length === 0} onClick={() => wizard.setSelected([...new Set([...selected, ...tickable.map((t) => t.name)])])}>
          Select all
        </button>
        <button type="button" data-testid="mig-select-none" disabled={selected.length === 0} onClick={() => wizard.setSelected(selected.filter((n) => !shown.some((t) => t.name === n)))}>
          Select none
        </button>
        <label className="mig-check" title={views === 0 ? 'The source has no views' : 'A view is copied as a table holding its rows (its definition is not)'}>
          <input type="checkbox" data-testid="mig-include-views" checked={includeViews} disabled={views === 0 && !includeViews} onChange={(e) => wizard.setIncludeViews(e.target.checked)} />
          Views as tables{views > 0 ? ` (${views})` : ''}
        </label>
        <span className="spacer" />
        <button type="button" className="icon" aria-label="List the tables again" title="List the tables again" data-testid="mig-tables-reload" onClick={() => void wizard.loadTables(true)}>
          ↻
        </button>
      </div>
      {source.status === 'loading' && (
        <p className="hint" role="status">
          Listing the tables of {from}…
        </p>
      )}
      {source.status === 'error' && (
        <p className="mig-alert bad" role="alert" data-testid="mig-tables-error">
          The tables of {from} could not be listed: {source.error}
        </p>
      )}
      {source.status === 'ready' && all.length === 0 && <p className="hint">{from} holds no tables.</p>}
      {all.length > 0 && (
        <div className="mig-table-wrap">
          <table className="grid mig-grid" data-testid="mig-tables">
            <thead>
              <tr>
                <th scope="col" className="mig-col-check">
                  <AllBox tables={tickable} selected={selected} />
                </th>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Rows (estimate)
                </th>
                <th scope="col">In the target</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => {
                const on = selected.includes(t.name);
                const can = selectable(t, includeViews);
                const id = `mig-table-${t.schema ?? ''}-${t.name}`;
                return (
                  <tr key={`${t.schema ?? ''}.${t.name}`} className={on ? 'selected' : undefined} data-testid="mig-table-row" data-table={t.name} data-selected={on}>
                    <td className="mig-col-check">
                      <input id={id} type="checkbox" data-testid="mig-table-check" checked={on} disabled={!can && !on} onChange={(e) => wizard.setTable(t.name, e.target.checked)} />
                    </td>
                    <td>
                      <label htmlFor={id} className="mig-table-name">
                        {t.schema ? <span className="muted">{t.schema}.</span> : null}
                        {t.name}
                      </label>
                    </td>
                    <td className="muted">{t.kind === 'view' ? (includeViews ? 'view → table' : 'view (tick "Views as tables")') : 'table'}</td>
                    <td className="num" data-testid="mig-table-rows">
                      {t.rowEstimate === undefined ? '' : formatCount(t.rowEstimate)}
                    </td>
                    <td>
                      {there.has(t.name.toLowerCase()) ? (
                        <span className="status-pill warn" title="The target has a table of this name: see Options, If a target table exists">
                          exists
                        </span>
                      ) : target.status === 'ready' ? (
                        <span className="muted small">new</span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length === 0 && <p className="hint">No table matches "{filter}".</p>}
        </div>
      )}
      <p className="mig-summary" role="status" data-testid="mig-tables-summary">
        {sum.count} of {sum.of} selected{sum.count > 0 ? ` · ${sum.rowsKnown ? '' : 'at least '}${formatCount(sum.rows)} rows` : ''}
      </p>
    </section>
  );
}
