import { openPipeline } from '../actions';
import { isDirty, useDocument } from '../stores/document';
import { useFiles } from '../stores/files';

/** The workspace's pipeline files; the open one marked, with its unsaved marker. */
export function PipelinesSection() {
  const pipelines = useFiles((s) => s.pipelines);
  const loaded = useFiles((s) => s.loaded);
  const recent = useFiles((s) => s.recent);
  const openId = useDocument((s) => s.pipelineId);
  const dirty = useDocument(isDirty);
  if (!loaded) return <p className="hint">Loading…</p>;
  if (pipelines.length === 0) {
    return (
      <p className="hint" data-testid="pipeline-list-empty">
        No pipelines in this workspace yet. Build one on the canvas and save it (Ctrl+S).
      </p>
    );
  }
  const recentOthers = recent.filter((r) => r !== openId && pipelines.some((p) => p.id === r)).slice(0, 4);
  return (
    <>
      <ul className="pipeline-list" data-testid="pipeline-list">
        {pipelines.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className={p.id === openId ? 'selected' : undefined}
              aria-current={p.id === openId ? 'true' : undefined}
              data-testid="pipeline-item"
              data-pipeline-id={p.id}
              onClick={() => void openPipeline(p.id)}
              title={p.description ?? p.id}
            >
              <span className="name">
                {p.name}
                {p.id === openId && dirty && (
                  <span className="dirty-dot" aria-label="unsaved changes">
                    {' '}
                    ●
                  </span>
                )}
              </span>
              <span className="meta">
                {p.id} · {p.loads ? `${p.nodeCount} nodes` : 'does not load'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {recentOthers.length > 0 && (
        <div className="recent" data-testid="recent-files">
          <div className="palette-category">Recent</div>
          <ul className="pipeline-list">
            {recentOthers.map((id) => (
              <li key={id}>
                <button type="button" data-testid="recent-item" onClick={() => void openPipeline(id)}>
                  <span className="meta">{id}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
