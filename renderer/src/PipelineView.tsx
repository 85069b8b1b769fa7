import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../app/contract';
import { api } from './api';
import { RunResult } from './RunResult';
import { useJob } from './useJob';

type Pipeline = MethodOutput<'pipelines/get'>;

export function PipelineView({ id }: { id: string }) {
  const [pipeline, setPipeline] = useState<Pipeline>();
  const [error, setError] = useState<string>();
  const [jobId, setJobId] = useState<string>();
  const job = useJob(jobId);
  const running = job?.status === 'queued' || job?.status === 'running';

  useEffect(() => {
    api.call('pipelines/get', { id }).then(setPipeline, (e: Error) => setError(e.message));
  }, [id]);

  const run = async () => {
    setError(undefined);
    try {
      setJobId((await api.call('pipeline/run', { id })).jobId);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const cancel = () => jobId && void api.call('jobs/cancel', { id: jobId });

  if (error && !pipeline) return <div className="error" role="alert" data-testid="error">{error}</div>;
  if (!pipeline) return <p className="hint">Loading…</p>;
  const doc = pipeline.document;
  return (
    <article className="pipeline" data-testid="pipeline-view" data-pipeline-id={id}>
      <header className="pipeline-header">
        <h1 data-testid="pipeline-title">{pipeline.name}</h1>
        <span className="spacer" />
        {running ? (
          <button type="button" onClick={cancel} data-testid="cancel-button">
            Stop
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void run()} disabled={!doc} data-testid="run-button">
            Run
          </button>
        )}
      </header>
      {doc?.description && <p className="description">{doc.description}</p>}
      {error && <div className="error" role="alert" data-testid="error">{error}</div>}
      {pipeline.problems.length > 0 && (
        <ul className="problems" data-testid="load-problems">
          {pipeline.problems.map((p, i) => (
            <li key={i}>
              {p.path}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {doc && (
        <table className="grid" data-testid="node-list">
          <thead>
            <tr>
              <th>Node</th>
              <th>Type</th>
              <th>Title</th>
            </tr>
          </thead>
          <tbody>
            {doc.nodes.map((n) => (
              <tr key={n.id} data-testid="node-item" data-node-id={n.id}>
                <td>{n.id}</td>
                <td>{n.type}</td>
                <td>{n.title ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {job && <RunResult view={job} types={new Map(doc?.nodes.map((n) => [n.id, n.type]))} />}
    </article>
  );
}
