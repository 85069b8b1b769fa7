import type { PipelineSummary } from '../../app/contract';

export function PipelineList(props: { pipelines?: PipelineSummary[]; selected?: string; onSelect(id: string): void }) {
  if (!props.pipelines) return <p className="hint">Loading…</p>;
  if (props.pipelines.length === 0) {
    return (
      <p className="hint" data-testid="pipeline-list-empty">
        No pipelines in this workspace.
      </p>
    );
  }
  return (
    <ul className="pipeline-list" data-testid="pipeline-list">
      {props.pipelines.map((p) => (
        <li key={p.id}>
          <button
            type="button"
            className={p.id === props.selected ? 'selected' : undefined}
            aria-current={p.id === props.selected ? 'true' : undefined}
            data-testid="pipeline-item"
            data-pipeline-id={p.id}
            onClick={() => props.onSelect(p.id)}
            title={p.description ?? p.id}
          >
            <span className="name">{p.name}</span>
            <span className="meta">
              {p.id} · {p.loads ? `${p.nodeCount} nodes` : 'does not load'}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
