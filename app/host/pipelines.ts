import path from 'node:path';
import { PipelineDocumentSchema, type PipelineDocument } from '../model/document';
import { formatFromPath, loadDocument, parseDocumentText, zodProblems, type DocumentFormat } from '../model/document-io';
import type { Problem } from '../model/problems';
import { ApiError } from '../contract/errors';
import type { PipelineSummary } from '../contract/schemas';
import type { HostDeps } from './deps';
import type { Workspace } from './workspace';

/** Pipeline files are YAML or JSON; bigger files are data, not pipelines. */
export const PIPELINE_FILE_RE = /\.(ya?ml|json)$/i;
const MAX_PIPELINE_BYTES = 2 * 1024 * 1024;

export interface LoadedPipelineFile {
  id: string;
  format: DocumentFormat;
  text: string;
  document?: PipelineDocument;
  problems: Problem[];
  /** The name from the document, else the file's base name. */
  name: string;
  size: number;
  updatedAt: string;
}

export async function readPipelineFile(ws: Workspace, id: string): Promise<LoadedPipelineFile> {
  const text = (await ws.readFile(id, MAX_PIPELINE_BYTES)).toString('utf8');
  const loaded = loadDocument(text, id);
  const raw = loaded.raw as { name?: unknown } | undefined;
  const { size, updatedAt } = await ws.modifiedAt(id);
  return {
    id,
    format: formatFromPath(id),
    text,
    document: loaded.document,
    problems: loaded.problems,
    name: loaded.document?.name ?? (typeof raw?.name === 'string' ? raw.name : baseName(id)),
    size,
    updatedAt,
  };
}

export function baseName(id: string): string {
  return path.posix.basename(id).replace(PIPELINE_FILE_RE, '');
}

/** A YAML or JSON file is listed as a pipeline when it looks like one, even a broken one. */
function looksLikePipeline(text: string): boolean {
  const parsed = parseDocumentText(text);
  const v = parsed.value as { nodes?: unknown; kind?: unknown; version?: unknown } | undefined;
  if (parsed.problems.length > 0) return /^\s*(version|kind|nodes)\s*:/m.test(text);
  return !!v && typeof v === 'object' && (Array.isArray(v.nodes) || v.kind === 'pipeline');
}

export function summaryOf(f: LoadedPipelineFile): PipelineSummary {
  return {
    id: f.id,
    name: f.name,
    description: f.document?.description,
    format: f.format,
    size: f.size,
    updatedAt: f.updatedAt,
    loads: f.document !== undefined,
    nodeCount: f.document?.nodes.length ?? 0,
  };
}

export async function listPipelineFiles(ws: Workspace): Promise<PipelineSummary[]> {
  const out: PipelineSummary[] = [];
  for (const id of await ws.findFiles(PIPELINE_FILE_RE)) {
    try {
      const { size } = await ws.modifiedAt(id);
      if (size > MAX_PIPELINE_BYTES) continue;
      const f = await readPipelineFile(ws, id);
      if (f.document || looksLikePipeline(f.text)) out.push(summaryOf(f));
    } catch {
      // A file that vanished or cannot be read is simply not listed.
    }
  }
  return out;
}

export function problemsAsIssues(problems: Problem[]): Array<{ path: string; message: string }> {
  return problems.map((p) => ({ path: p.path, message: p.message }));
}

/** An editor's document checked against the envelope schema: the document, or its problems. */
export function parseDocumentValue(value: unknown): { document?: PipelineDocument; problems: Problem[] } {
  const r = PipelineDocumentSchema.safeParse(value);
  return r.success ? { document: r.data, problems: [] } : { problems: zodProblems(r.error) };
}

export interface PipelineTarget {
  document: PipelineDocument;
  /** Relative paths in the document resolve against this folder. */
  baseDir: string;
  /** The file, when the target is a saved pipeline (recorded with runs). */
  file?: string;
  id?: string;
}

/**
 * What validate, preview and run work on: the saved file, or the editor's document (its
 * relative paths resolved against the folder of `id` when given, else the workspace root).
 * A target that does not load throws invalid-document with its problems.
 */
export async function resolveTarget(deps: HostDeps, input: { id?: string; document?: unknown }): Promise<PipelineTarget> {
  const ws = deps.workspace;
  const file = input.id !== undefined ? await ws.resolve(input.id) : undefined;
  const baseDir = file ? path.dirname(file) : ws.root;
  if (input.document !== undefined) {
    const parsed = parseDocumentValue(input.document);
    if (!parsed.document) throw invalidDocument('the document', parsed.problems);
    return { document: parsed.document, baseDir, file, id: input.id };
  }
  const f = await readPipelineFile(ws, input.id!);
  if (!f.document) throw invalidDocument(input.id!, f.problems);
  return { document: f.document, baseDir, file, id: input.id };
}

export function invalidDocument(what: string, problems: Problem[]): ApiError {
  const errors = problems.filter((p) => p.severity === 'error');
  return new ApiError(
    'invalid-document',
    `${what} is not a valid pipeline document: ${errors.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    problemsAsIssues(errors),
  );
}

/** A free file name in the workspace root for an imported pipeline: `orders.yaml`, `orders-2.yaml` ... */
export async function freePipelineId(ws: Workspace, fileName: string, format: DocumentFormat): Promise<string> {
  const ext = PIPELINE_FILE_RE.exec(fileName)?.[0].toLowerCase() ?? (format === 'json' ? '.json' : '.yaml');
  const stem =
    path
      .basename(fileName.replace(/\\/g, '/'))
      .replace(PIPELINE_FILE_RE, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '') || 'pipeline';
  for (let i = 1; i < 10_000; i++) {
    const id = `${stem}${i === 1 ? '' : `-${i}`}${ext}`;
    if (!(await ws.exists(id))) return id;
  }
  throw new ApiError('conflict', `no free file name for ${fileName}`);
}
