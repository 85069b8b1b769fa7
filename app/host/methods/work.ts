import { validateDocument } from '../../engine/validate';
import type { Schema } from '../../model/schema';
import { formatType } from '../../model/types';
import type { Problem } from '../../model/problems';
import { nodeRegistry } from '../../nodes/registry';
import type { BatchJobParams } from '../../jobs/batch/batch-job';
import type { PipelineJobParams } from '../../jobs/pipeline-job';
import type { PreviewJobParams, PreviewJobResult } from '../../jobs/preview-job';
import type { ReplayJobParams } from '../../jobs/replay-job';
import { ApiError, type ApiColumn, type Handlers } from '../../contract';
import { hostEnv, withWorkbenchConnections } from '../connections';
import type { HostDeps } from '../deps';
import { parseDocumentValue, problemsAsIssues, readPipelineFile, resolveTarget } from '../pipelines';

function columnsOf(schema: Schema): ApiColumn[] {
  return schema.columns.map((c) => ({ name: c.name, type: formatType(c.type), nullable: c.nullable }));
}

/** Rows a preview's sources may read at most: a preview answers in a moment, whatever the input. */
const PREVIEW_SOURCE_LIMIT = 50_000;

/** Validate, preview and run: work on a pipeline, saved or being edited. */
export function pipelineWorkHandlers(deps: HostDeps): Pick<Handlers, 'pipeline/validate' | 'pipeline/preview' | 'pipeline/run' | 'runs/replay'> {
  const registry = deps.registry ?? nodeRegistry;
  return {
    'pipeline/validate': async (input) => {
      // A document that does not load is not an API error here: its problems are the answer.
      if (input.document !== undefined) {
        const parsed = parseDocumentValue(input.document);
        if (!parsed.document) return { valid: false, problems: parsed.problems, schemas: {} };
      } else {
        const f = await readPipelineFile(deps.workspace, input.id!);
        if (!f.document) return { valid: false, problems: f.problems, schemas: {} };
      }
      const target = await resolveTarget(deps, input);
      const { document, secrets } = withWorkbenchConnections(target.document, deps);
      const result = await validateDocument(document, { registry, baseDir: target.baseDir, env: hostEnv(deps, secrets) });
      const schemas: Record<string, Record<string, { columns: ApiColumn[]; key?: string[] }>> = {};
      for (const [nodeId, ports] of result.schemas) {
        schemas[nodeId] = {};
        for (const [port, s] of Object.entries(ports)) if (s) schemas[nodeId][port] = { columns: columnsOf(s), key: s.key };
      }
      return { valid: !result.problems.some((p) => p.severity === 'error'), problems: result.problems, schemas };
    },

    'pipeline/preview': async (input) => {
      const target = await resolveTarget(deps, input);
      const { document, secrets } = withWorkbenchConnections(target.document, deps);
      const params: PreviewJobParams = {
        document,
        baseDir: target.baseDir,
        node: input.node,
        port: input.port,
        limit: input.limit,
        sourceLimit: PREVIEW_SOURCE_LIMIT,
        params: input.params,
        env: secrets,
      };
      const id = deps.previews.start({ kind: 'preview', title: `preview ${input.node}`, params });
      const job = await deps.previews.waitFor(id);
      if (job.status === 'succeeded') return job.result as PreviewJobResult;
      const problems = (job.details as { problems?: Problem[] } | undefined)?.problems;
      if (problems) throw new ApiError('invalid-document', job.error ?? 'the pipeline is not valid', problemsAsIssues(problems.filter((p) => p.severity === 'error')));
      throw new ApiError('internal', job.error ?? `the preview ended ${job.status}`);
    },

    'pipeline/run': async (input) => {
      const target = await resolveTarget(deps, input);
      const { document, secrets } = withWorkbenchConnections(target.document, deps);
      const params: PipelineJobParams = {
        document,
        baseDir: target.baseDir,
        pipelinePath: target.file,
        params: input.params,
        storePath: deps.store.path === ':memory:' ? undefined : deps.store.path,
        env: secrets,
      };
      const labels: Record<string, string> = target.id ? { pipelineId: target.id } : {};
      const record = { name: target.document.name, params: input.params, file: target.file };
      if (input.workers !== undefined) {
        const batch: BatchJobParams = { ...params, workers: input.workers, chunks: input.chunks, retries: input.retries, workerFile: deps.batchWorkerFile };
        return { jobId: deps.jobs.start({ kind: 'batch', title: `${target.document.name} (batch)`, params: batch, labels, record }) };
      }
      return { jobId: deps.jobs.start({ kind: 'pipeline', title: target.document.name, params, labels, record }) };
    },

    'runs/replay': async (input) => {
      if (!deps.store.getRun(input.runId)) throw new ApiError('not-found', `no run ${input.runId}`);
      if (deps.store.path === ':memory:') throw new ApiError('unsupported', 'replay needs a workbench store on disk (the job runs in a worker)');
      const target = await resolveTarget(deps, input);
      const { document, secrets } = withWorkbenchConnections(target.document, deps);
      const params: ReplayJobParams = {
        document,
        baseDir: target.baseDir,
        pipelinePath: target.file,
        storePath: deps.store.path,
        env: secrets,
        request: { runId: input.runId, nodeId: input.nodeId, ids: input.ids, fixes: input.fixes },
      };
      const labels: Record<string, string> = { runId: input.runId, ...(target.id ? { pipelineId: target.id } : {}) };
      const record = { name: `${target.document.name} (replay of ${input.nodeId})`, params: { runId: input.runId, nodeId: input.nodeId }, file: target.file };
      return { jobId: deps.jobs.start({ kind: 'replay', title: `${target.document.name}: replay ${input.nodeId}`, params, labels, record }) };
    },
  };
}
