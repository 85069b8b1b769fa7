import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput, PipelineSummary } from '../../app/contract';
import { api } from './api';
import { PipelineList } from './PipelineList';
import { PipelineView } from './PipelineView';

type WorkspaceInfo = MethodOutput<'workspace/info'>;

/** A minimal workbench: the workspace's pipelines on the left, the selected one on the right. */
export function App() {
  const [info, setInfo] = useState<WorkspaceInfo>();
  const [pipelines, setPipelines] = useState<PipelineSummary[]>();
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      const [i, list] = await Promise.all([api.call('workspace/info'), api.call('pipelines/list')]);
      setInfo(i);
      setPipelines(list.pipelines);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      api.on('app/command', ({ command, pipelineId }) => {
        if (command === 'openRecent' && pipelineId) setSelected(pipelineId);
      }),
    [],
  );

  return (
    <div className="app">
      <header className="toolbar">
        <span className="brand">Sluice</span>
        <span className="workspace" data-testid="workspace-name" title={info?.root}>
          {info ? info.name : '…'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => void refresh()} data-testid="refresh-button">
          Refresh
        </button>
      </header>
      {error && (
        <div className="error" role="alert" data-testid="error">
          {error}
        </div>
      )}
      <main className="panes">
        <nav className="explorer" aria-label="Pipelines">
          <h2>Pipelines</h2>
          <PipelineList pipelines={pipelines} selected={selected} onSelect={setSelected} />
        </nav>
        <section className="content">
          {selected ? (
            <PipelineView key={selected} id={selected} />
          ) : (
            <p className="hint" data-testid="no-selection">
              Select a pipeline to see its nodes and run it.
            </p>
          )}
        </section>
      </main>
      <footer className="statusbar" data-testid="status-bar">
        {info ? `${info.host === 'electron' ? 'Desktop app' : 'Browser host'} · ${info.root} · Sluice ${info.version}` : 'connecting…'}
      </footer>
    </div>
  );
}
