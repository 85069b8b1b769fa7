import { PipelineInvalidError, runPipeline } from '../engine/run';
import type { PipelineDocument } from '../model/document';
import { formatType } from '../model/types';
import { toJsonValue } from '../model/values';
import { JobFailure, type JobContext } from './protocol';

/** What the host sends a worker to preview one node's output. */
export interface PreviewJobParams {
  document: PipelineDocument;
  baseDir: string;
  node: string;
  port?: string;
  limit: number;
  /** Rows each source may read at most, so a preview answers quickly whatever the input. */
  sourceLimit: number;
  params?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface PreviewJobResult {
  columns: Array<{ name: string; type: string; nullable: boolean }>;
  /** JSON-safe cells (decimals and big integers as text, bytes as base64): they cross threads as they are. */
  rows: Array<Array<string | number | boolean | null>>;
  sampled: boolean;
  durationMs: number;
}

/** A preview runs in a worker like a run does: planning and reading never block the host. */
export async function runPreviewJob(raw: unknown, ctx: JobContext): Promise<PreviewJobResult> {
  const p = raw as PreviewJobParams;
  try {
    const result = await runPipeline(p.document, {
      baseDir: p.baseDir,
      params: p.params,
      env: p.env ? { ...process.env, ...p.env } : undefined,
      signal: ctx.signal,
      preview: { node: p.node, port: p.port, limit: p.limit, sourceLimit: p.sourceLimit },
    });
    if (result.status !== 'succeeded' || !result.preview) throw new Error(result.error ?? 'the preview produced no rows');
    return {
      columns: result.preview.schema.columns.map((c) => ({ name: c.name, type: formatType(c.type), nullable: c.nullable })),
      rows: result.preview.rows.map((r) => r.map(toJsonValue)),
      sampled: result.preview.sampled,
      durationMs: result.durationMs,
    };
  } catch (e) {
    if (e instanceof PipelineInvalidError) throw new JobFailure(e.message, { problems: e.problems });
    throw e;
  }
}
