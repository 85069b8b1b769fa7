import YAML, { isMap, isSeq, isPair, isScalar, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { PipelineDocumentSchema, type PipelineDocument } from './document';
import type { Problem } from './problems';

/**
 * Reading and writing pipeline documents as JSON or YAML.
 * Writing is canonical: fixed key order for the envelope, nodes, edges, connections and
 * parameters; node configs keep the order they were given in. So a saved file diffs
 * cleanly and save(load(save(doc))) is byte-identical to save(doc).
 */

export type DocumentFormat = 'json' | 'yaml';

export interface LoadResult {
  document?: PipelineDocument;
  /** The parsed value even when it failed validation, for tools that show it anyway. */
  raw?: unknown;
  problems: Problem[];
}

export function formatFromPath(path: string): DocumentFormat {
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

/** `nodes[2].config.columns[0].expr` from a path array. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(document)';
}

/** Unsafe integers stay exact as strings: JSON has no bigint and the schema takes text. */
function normalizeParsed(v: unknown): unknown {
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (Array.isArray(v)) return v.map(normalizeParsed);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalizeParsed(x);
    return out;
  }
  return v;
}

/** Parses JSON or YAML text (YAML 1.2 reads JSON too), reporting syntax errors with line and column. */
export function parseDocumentText(text: string, file = 'pipeline'): { value?: unknown; problems: Problem[] } {
  // YAML reads JSON too, but leniently ({"a": } is valid YAML): hold JSON files to JSON.
  if (/\.json$/i.test(file) || /^\s*[{[]/.test(text)) {
    const problem = jsonSyntaxProblem(text, file);
    if (problem) return { problems: [problem] };
  }
  const doc = YAML.parseDocument(text, { intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: '(document)',
          severity: 'error' as const,
          message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        };
      }),
    };
  }
  return { value: normalizeParsed(doc.toJS({ maxAliasCount: 100 })), problems: [] };
}

function jsonSyntaxProblem(text: string, file: string): Problem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = at ? Number(at[1]) : errorOffset(text);
    let where = '';
    if (pos !== undefined) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      where = `:${line}:${pos - before.lastIndexOf('\n')}`;
    }
    const what = message.replace(/ in JSON at position \d+.*$/, '').replace(/, \.\.\."[\s\S]*$/, '');
    return { path: '(document)', severity: 'error', message: `${file}${where}: ${what}` };
  }
}

/**
 * Where JSON.parse gave up, when its message does not say: the shortest prefix that fails
 * for another reason than ending early (binary search; parse errors are monotonic enough).
 */
function errorOffset(text: string): number | undefined {
  const failsEarly = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = (e as Error).message;
      if (/end of JSON input/.test(m)) return false;
      const at = /position (\d+)/.exec(m);
      return at ? Number(at[1]) < k : true;
    }
  };
  if (!failsEarly(text.length)) return undefined;
  let lo = 0;
  let hi = text.length;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    if (failsEarly(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

export function zodProblems(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): Problem[] {
  return error.issues.map((i) => ({
    path: formatPath([...prefix, ...i.path]),
    severity: 'error' as const,
    message: i.message,
  }));
}

/** Text -> validated document envelope (node configs are checked later, against their node types). */
export function loadDocument(text: string, file = 'pipeline'): LoadResult {
  const parsed = parseDocumentText(text, file);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const result = PipelineDocumentSchema.safeParse(parsed.value);
  if (!result.success) return { raw: parsed.value, problems: zodProblems(result.error) };
  return { document: result.data, raw: parsed.value, problems: [] };
}

const ENVELOPE_ORDER = ['version', 'kind', 'name', 'description', 'parameters', 'connections', 'nodes', 'edges'];
const NODE_ORDER = ['id', 'type', 'title', 'description', 'config', 'position'];
const CONNECTION_ORDER = ['url', 'password', 'options', 'description'];
const PARAMETER_ORDER = ['type', 'default', 'description'];

function ordered(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = obj[k];
  for (const k of Object.keys(obj).sort()) if (!(k in out) && obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function orderedRecord(
  rec: Record<string, unknown> | undefined,
  order: string[],
): Record<string, unknown> | undefined {
  if (!rec) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = ordered(v as Record<string, unknown>, order);
  return out;
}

/** The document as a plain object in canonical key order, without empty optional sections. */
export function canonicalDocument(doc: PipelineDocument): Record<string, unknown> {
  return ordered(
    {
      ...doc,
      parameters: orderedRecord(doc.parameters, PARAMETER_ORDER),
      connections: orderedRecord(doc.connections, CONNECTION_ORDER),
      nodes: doc.nodes.map((n) => ordered(n, NODE_ORDER)),
      edges: doc.edges.map((e) => ({ from: e.from, to: e.to })),
    },
    ENVELOPE_ORDER,
  );
}

/** Edges, positions and short lists in flow style: one line each, so a one-edge change is a one-line diff. */
function flowSmallCollections(node: YamlNode | null, key: string | undefined): void {
  if (isMap(node)) {
    if (key === 'position') node.flow = true;
    for (const pair of node.items) {
      if (isPair(pair)) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        flowSmallCollections(pair.value as YamlNode | null, k);
      }
    }
  } else if (isSeq(node)) {
    // Short lists of plain values (keys, required columns) read best on one line.
    if (node.items.length > 0 && node.items.every((i) => isScalar(i) && String(i.value).length < 40) && node.items.length <= 8) {
      node.flow = true;
      return;
    }
    for (const item of node.items) {
      if (key === 'edges' && isMap(item)) item.flow = true;
      else flowSmallCollections(item as YamlNode | null, undefined);
    }
  }
}

export function serializeDocument(doc: PipelineDocument, format: DocumentFormat): string {
  const canonical = canonicalDocument(doc);
  if (format === 'json') return JSON.stringify(canonical, null, 2) + '\n';
  const ydoc = new YAML.Document(canonical);
  flowSmallCollections(ydoc.contents as YamlNode, undefined);
  return ydoc.toString({ lineWidth: 0, indent: 2, flowCollectionPadding: true, singleQuote: false });
}
