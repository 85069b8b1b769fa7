import { useCallback, useEffect } from 'react';
import { PreviewGrid } from '../grid/PreviewGrid';
import { contentKey } from '../lib/content';
import { documentStore, useDocument } from '../stores/document';
import { previewStore, usePreview } from '../stores/preview';
import { singleSelectedNode, useSelection } from '../stores/selection';
import { useUi } from '../stores/ui';

const REFRESH_DELAY_MS = 500;

/** Keeps the preview on the selected node, refreshed a moment after each edit while the tab is open. */
function usePreviewFollowsEditor() {
  const selected = useSelection(singleSelectedNode);
  const doc = useDocument((s) => s.doc);
  const visible = useUi((s) => s.bottomTab === 'preview' && !s.bottomCollapsed);
  useEffect(() => {
    if (!visible || !selected || !doc.nodes.some((n) => n.id === selected)) return;
    const p = previewStore.getState();
    if (p.nodeId === selected && p.computedFor && contentKey(p.computedFor) === contentKey(doc)) return;
    const t = setTimeout(() => void previewStore.getState().load(doc, selected, { pipelineId: documentStore.getState().pipelineId }), p.nodeId === selected ? REFRESH_DELAY_MS : 0);
    return () => clearTimeout(t);
  }, [selected, doc, visible]);
}

export function PreviewPanel() {
  usePreviewFollowsEditor();
  const selected = useSelection(singleSelectedNode);
  const { nodeId, result, loading, error, receivedAt, renderMs, limit, computedFor } = usePreview((s) => s);
  const current = useDocument((s) => s.doc);
  // Rows or an error of an older version of the pipeline, while the new one is on its way.
  const stale = computedFor !== undefined && contentKey(computedFor) !== contentKey(current) && nodeId === selected;
  const onRendered = useCallback((ms: number) => previewStore.getState().setRenderMs(ms), []);
  if (!selected && !result) {
    return (
      <p className="hint" data-testid="preview-empty">
        Select a node to see the rows at its output.
      </p>
    );
  }
  return (
    <div className={`preview-panel${stale ? ' stale' : ''}`} data-testid="preview-panel" data-stale={stale} data-node-id={nodeId ?? ''} data-loading={loading} data-render-ms={renderMs ?? ''}>
      <div className="panel-bar">
        <span>
          {nodeId ? (
            <>
              Rows at <strong>{nodeId}</strong>
            </>
          ) : null}
          {result && (
            <span className="muted" data-testid="preview-summary">
              {' '}
              · {result.rows.length.toLocaleString('en-US')} rows{result.rows.length >= limit ? ` (first ${limit.toLocaleString('en-US')})` : ''} ·{' '}
              {result.columns.length} columns{result.sampled ? ' · sources sampled' : ''} · {result.durationMs} ms
            </span>
          )}
        </span>
        <span className="spacer" />
        {(loading || stale) && <span className="spinner" aria-label="Loading preview" data-testid="preview-loading" />}
        <label className="inline">
          Rows{' '}
          <select aria-label="Rows to preview" value={limit} onChange={(e) => previewStore.getState().setLimit(Number(e.target.value))}>
            {[100, 1000, 5000, 10000].map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en-US')}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="preview-refresh"
          disabled={!selected}
          onClick={() => selected && void previewStore.getState().load(documentStore.getState().doc, selected, { pipelineId: documentStore.getState().pipelineId })}
        >
          Refresh
        </button>
      </div>
      {error && (
        <div className="error" role="alert" data-testid="preview-error">
          {error}
        </div>
      )}
      {result && !error && (
        <PreviewGrid columns={result.columns} rows={result.rows} label={`Preview of ${nodeId}`} onRendered={onRendered} startedAt={receivedAt} />
      )}
    </div>
  );
}
