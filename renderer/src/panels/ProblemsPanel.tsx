import { useEffect, useMemo, useState } from 'react';
import type { JsonScalar } from '../../../app/contract';
import { api } from '../api';
import { quoteIdent } from '../mapping/mapping';
import { dialogsStore, notify } from '../stores/dialogs';
import { documentStore, useDocument } from '../stores/document';
import { isRunning, useRuns, runsStore } from '../stores/runs';
import { selectionStore } from '../stores/selection';
import { problemNode, useValidation } from '../stores/validation';
import { groupsByColumn, groupsByPattern, groupsByRule, type ErrorGroup, type GroupBy, type RejectedGroup, type RejectedRow } from './rejected';

export interface RowFix {
  rejectedId: number;
  column: string;
  value: string | number | boolean | null;
}

/**
 * Replays rejected rows of a node, with fixes, from that node on through the pipeline as it is
 * in the editor now (with any rule added since the run): runs/replay, a job like a run.
 */
async function replayRows(input: { runId: string; nodeId: string; fixes: RowFix[]; ids: number[] }): Promise<string> {
  const { doc, pipelineId } = documentStore.getState();
  const { jobId } = await api.call('runs/replay', { document: doc, ...(pipelineId ? { id: pipelineId } : {}), ...input });
  return jobId;
}

function PipelineProblems() {
  const problems = useValidation((s) => s.problems);
  const doc = useDocument((s) => s.doc);
  if (problems.length === 0) {
    return (
      <span className="ok-text small" data-testid="no-problems">
        no problems found
      </span>
    );
  }
  return (
    <ul className="problem-list" data-testid="problem-list">
      {problems.map((p, i) => {
        const node = problemNode(p, doc);
        return (
          <li key={i} className={p.severity}>
            <button type="button" className="link" data-testid="problem-item" disabled={!node} onClick={() => node && selectionStore.getState().selectNode(node)}>
              <span className={`sev sev-${p.severity}`}>{p.severity === 'error' ? '⛔' : '⚠'}</span>
              <span className="problem-where">{node ?? p.path}</span> {p.message}
              {p.hint && <span className="muted"> ({p.hint})</span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** "Add a rule" from a group: a node in front of the one that rejected, fixing what the group is about. */
async function addRule(kind: 'cast' | 'default' | 'filter', nodeId: string, column: string) {
  const d = dialogsStore.getState();
  const col = quoteIdent(column);
  const doc = documentStore.getState();
  if (!doc.doc.nodes.some((n) => n.id === nodeId)) {
    notify(`node '${nodeId}' is not in this pipeline`, 'error');
    return;
  }
  let id = '';
  if (kind === 'cast') {
    const type = await d.prompt(`Cast ${column}`, `Cast ${column} to which type? (values that do not convert become NULL, with a warning)`, 'text', 'Add cast');
    if (!type) return;
    id = doc.insertBefore(nodeId, 'cast', { columns: [{ name: column, type, onError: 'null' }] }, `cast_${column}`);
  } else if (kind === 'default') {
    const value = await d.prompt(`Default for ${column}`, `Value used when ${column} is NULL or empty (an expression, e.g. 'unknown' or 0)`, "'unknown'", 'Add default');
    if (!value) return;
    id = doc.insertBefore(nodeId, 'derive', { columns: [{ name: column, expr: `coalesce(nullif(${col}, ''), ${value})` }] }, `default_${column}`);
  } else {
    const where = await d.prompt(`Filter on ${column}`, 'Keep only rows where (a SQL condition)', `${col} IS NOT NULL`, 'Add filter');
    if (!where) return;
    id = doc.insertBefore(nodeId, 'filter', { where }, `keep_${column}`);
  }
  if (id) {
    selectionStore.getState().selectNode(id);
    notify(`Added ${id} before ${nodeId}; run again to apply it.`);
  }
}

function RejectedRowsTable(props: {
  rows: RejectedRow[];
  fixes: Map<number, RowFix>;
  onFix(fix: RowFix | { rejectedId: number; clear: true }): void;
  checked: Set<number>;
  onCheck(id: number, on: boolean): void;
  onCheckAll(on: boolean): void;
}) {
  // The offending columns first, so the values to fix are in view.
  const columns = useMemo(() => {
    const names: string[] = [];
    for (const r of props.rows) if (r.column && !names.includes(r.column)) names.push(r.column);
    for (const r of props.rows) for (const k of Object.keys(r.row)) if (!names.includes(k)) names.push(k);
    return names;
  }, [props.rows]);
  return (
    <div className="rejected-table-wrap">
      <table className="grid rejected-table" data-testid="rejected-rows">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Replay all rows shown"
                data-testid="check-all"
                checked={props.rows.length > 0 && props.checked.size === props.rows.length}
                onChange={(e) => props.onCheckAll(e.target.checked)}
              />
            </th>
            <th scope="col">Reason</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => {
            const fix = props.fixes.get(r.id);
            return (
              <tr key={r.id} data-testid="rejected-row" data-rejected-id={r.id}>
                <td>
                  <input type="checkbox" aria-label={`Replay row ${r.id}`} data-testid="check-row" checked={props.checked.has(r.id)} onChange={(e) => props.onCheck(r.id, e.target.checked)} />
                </td>
                <td className="reason" title={r.message}>
                  {r.replayedAt && (
                    <span className="replayed" data-testid="replayed-marker" title={`replayed ${new Date(r.replayedAt).toLocaleString()}`}>
                      replayed ·{' '}
                    </span>
                  )}
                  {r.message}
                </td>
                {columns.map((c) => {
                  const v = r.row[c] as JsonScalar | undefined;
                  const offending = c === r.column;
                  if (!offending) {
                    return (
                      <td key={c} className={v === null || v === undefined ? 'null' : undefined}>
                        {v === null || v === undefined ? 'NULL' : String(v)}
                      </td>
                    );
                  }
                  return (
                    <td key={c} className={`offending${fix ? ' fixed' : ''}`} data-testid="offending-cell">
                      <input
                        aria-label={`Fix ${c} of row ${r.id}`}
                        data-testid="fix-input"
                        value={fix ? String(fix.value ?? '') : v === null || v === undefined ? '' : String(v)}
                        placeholder="NULL"
                        onChange={(e) => {
                          const text = e.target.value;
                          const original = v === null || v === undefined ? '' : String(v);
                          if (text === original) props.onFix({ rejectedId: r.id, clear: true });
                          else props.onFix({ rejectedId: r.id, column: c, value: typeof v === 'number' && text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text });
                        }}
                      />
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function GroupDetail({ runId, group }: { runId: string; group: ErrorGroup }) {
  const [rows, setRows] = useState<RejectedRow[]>();
  const [total, setTotal] = useState(0);
  const [fixes, setFixes] = useState<Map<number, RowFix>>(new Map());
  const [checked, setChecked] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setRows(undefined);
    api
      .call('runs/rejected', { runId, nodeId: group.filter.nodeId, rule: group.filter.rule, column: group.filter.column, limit: 500 })
      .then((r) => {
        if (!live) return;
        const list = group.ids ? r.rows.filter((x) => group.ids!.includes(x.id)) : r.rows;
        setRows(list);
        setTotal(group.ids ? list.length : r.total);
        setChecked(new Set(list.map((x) => x.id)));
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [runId, group]);
  const column = rows?.find((r) => r.column)?.column ?? (typeof group.filter.column === 'string' && group.filter.column ? group.filter.column : undefined);
  const [replayJob, setReplayJob] = useState<string>();
  const replayStatus = useRuns((s) => (replayJob ? s.jobs[replayJob] : undefined));
  const replay = async () => {
    try {
      const jobId = await replayRows({ runId, nodeId: group.nodeId, fixes: [...fixes.values()], ids: [...checked] });
      setReplayJob(jobId);
      runsStore.getState().upsertJob(await api.call('jobs/get', { id: jobId }));
      notify(`Replaying ${checked.size} rows`);
    } catch (e) {
      notify(`Replay failed: ${(e as Error).message}`, 'error');
    }
  };
  // When the replay ends, the rows it sent through show as replayed.
  const replayDone = replayStatus && !isRunning(replayStatus);
  useEffect(() => {
    if (!replayDone) return;
    void api.call('runs/rejected', { runId, nodeId: group.filter.nodeId, rule: group.filter.rule, column: group.filter.column, limit: 500 }).then((r) => {
      setRows((old) => (old ? old.map((x) => r.rows.find((y) => y.id === x.id) ?? x) : old));
      setFixes(new Map());
    });
  }, [replayDone, runId, group]);
  return (
    <section className="group-detail" aria-label={`Rows of ${group.label}`} data-testid="group-detail">
      <div className="panel-bar">
        <strong>{group.label}</strong>
        <span className="muted">
          {' '}
          · {group.nodeId} · {total.toLocaleString('en-US')} rows{rows && rows.length < total ? ` (first ${rows.length})` : ''}
        </span>
        <span className="spacer" />
        {column && (
          <span className="rule-actions" role="group" aria-label="Add a rule">
            <button type="button" data-testid="add-rule-cast" onClick={() => void addRule('cast', group.nodeId, column)}>
              + Cast
            </button>
            <button type="button" data-testid="add-rule-default" onClick={() => void addRule('default', group.nodeId, column)}>
              + Default
            </button>
            <button type="button" data-testid="add-rule-filter" onClick={() => void addRule('filter', group.nodeId, column)}>
              + Filter
            </button>
          </span>
        )}
        <button
          type="button"
          className="primary"
          data-testid="replay-button"
          title={`Send the ${checked.size} checked rows, with your fixes, back in at ${group.nodeId} and on through the pipeline as it is now (sinks append)`}
          disabled={checked.size === 0 || (replayStatus !== undefined && isRunning(replayStatus))}
          onClick={() => void replay()}
        >
          Replay {checked.size} row{checked.size === 1 ? '' : 's'}
          {fixes.size > 0 ? ` (${fixes.size} fixed)` : ''}
        </button>
        {replayStatus && (
          <span className="replay-status" data-testid="replay-status" data-status={replayStatus.status}>
            replay <span className={`status status-${replayStatus.status}`}>{replayStatus.status}</span>
            {replayStatus.result ? ` · ${replayStatus.result.rowsWritten} written · ${replayStatus.result.rejected} rejected again` : ''}
          </span>
        )}
      </div>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
      {!rows && !error && <p className="hint">Loading rows…</p>}
      {rows && (
        <RejectedRowsTable
          rows={rows}
          fixes={fixes}
          checked={checked}
          onCheckAll={(on) => setChecked(on ? new Set(rows.map((x) => x.id)) : new Set())}
          onCheck={(id, on) =>
            setChecked((s) => {
              const n = new Set(s);
              if (on) n.add(id);
              else n.delete(id);
              return n;
            })
          }
          onFix={(f) =>
            setFixes((m) => {
              const n = new Map(m);
              if ('clear' in f) n.delete(f.rejectedId);
              else n.set(f.rejectedId, f);
              return n;
            })
          }
        />
      )}
    </section>
  );
}

function RejectedRows({ runId }: { runId: string }) {
  const [groups, setGroups] = useState<RejectedGroup[]>();
  const [patternRows, setPatternRows] = useState<RejectedRow[]>();
  const [by, setBy] = useState<GroupBy>('rule');
  const [open, setOpen] = useState<ErrorGroup>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setGroups(undefined);
    setOpen(undefined);
    setPatternRows(undefined);
    api.call('runs/rejectedSummary', { runId }).then((r) => setGroups(r.groups), (e: Error) => setError(e.message));
  }, [runId]);
  useEffect(() => {
    if (by === 'pattern' && !patternRows) void api.call('runs/rejected', { runId, limit: 1000 }).then((r) => setPatternRows(r.rows));
  }, [by, runId, patternRows]);
  const list = useMemo(() => {
    if (!groups) return [];
    if (by === 'rule') return groupsByRule(groups);
    if (by === 'column') return groupsByColumn(groups);
    return patternRows ? groupsByPattern(patternRows) : [];
  }, [groups, by, patternRows]);
  const total = groups?.reduce((n, g) => n + g.count, 0) ?? 0;
  if (error) return <div className="error">{error}</div>;
  if (!groups) return <p className="hint">Loading rejected rows…</p>;
  if (groups.length === 0) {
    return (
      <p className="hint ok-text" data-testid="no-rejected">
        No rows were rejected in run {runId}.
      </p>
    );
  }
  return (
    <div className="rejected" data-testid="rejected-panel" data-run-id={runId}>
      <div className="panel-bar">
        <strong data-testid="rejected-total" title="A row rejected for two reasons counts twice">
          {total.toLocaleString('en-US')} rejections
        </strong>
        <span className="spacer" />
        <span role="radiogroup" aria-label="Group by" className="segmented">
          {(['rule', 'column', 'pattern'] as const).map((b) => (
            <button key={b} type="button" role="radio" aria-checked={by === b} data-testid={`group-by-${b}`} onClick={() => setBy(b)}>
              by {b}
            </button>
          ))}
        </span>
      </div>
      <div className="rejected-split">
        <ul className="error-groups" aria-label="Groups of rejected rows" data-testid="error-groups">
          {list.map((g) => (
            <li key={g.key}>
              <button type="button" className={open?.key === g.key ? 'selected' : ''} aria-pressed={open?.key === g.key} data-testid="error-group" data-label={g.label} onClick={() => setOpen(g)}>
                <span className="count">{g.count.toLocaleString('en-US')}</span>
                <span className="group-label">{g.label}</span>
                <span className="muted small">
                  {g.nodeId} · {g.detail}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {open ? <GroupDetail key={open.key} runId={runId} group={open} /> : <p className="hint">Open a group to see its rows, fix values, add a rule or replay them.</p>}
      </div>
    </div>
  );
}

/** Problems: what is wrong with the pipeline before it runs, and the rows a run rejected. */
export function ProblemsPanel() {
  const runId = useRuns((s) => s.inspectedRunId ?? (s.activeJobId ? s.jobs[s.activeJobId]?.result?.runId : undefined));
  const runs = useRuns((s) => s.runs);
  const pipelineId = useDocument((s) => s.pipelineId);
  const withRejects = runs.filter((r) => (r.rejected ?? 0) > 0 && (!pipelineId || r.pipelinePath === undefined || r.pipelinePath.endsWith(pipelineId)));
  const problemCount = useValidation((s) => s.problems.length);
  return (
    <div className="problems-panel" data-testid="problems-panel">
      <section aria-label="Pipeline problems" className={problemCount ? 'has-problems' : undefined}>
        <h3 className="section-title">
          Pipeline{problemCount === 0 && <PipelineProblems />}
        </h3>
        {problemCount > 0 && <PipelineProblems />}
      </section>
      <section aria-label="Rejected rows">
        <h3 className="section-title">
          Rejected rows
          <select
            className="inline-select"
            aria-label="Run"
            data-testid="rejected-run-select"
            value={runId ?? ''}
            onChange={(e) => runsStore.getState().inspectRun(e.target.value || undefined)}
          >
            <option value="">{runId ? '' : 'choose a run…'}</option>
            {runId && !withRejects.some((r) => r.id === runId) && <option value={runId}>run {runId}</option>}
            {withRejects.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {new Date(r.startedAt).toLocaleString()} · {r.rejected} rows rejected
              </option>
            ))}
          </select>
        </h3>
        {runId ? <RejectedRows runId={runId} /> : <p className="hint">Run the pipeline (or choose a past run) to see the rows it rejected.</p>}
      </section>
    </div>
  );
}
