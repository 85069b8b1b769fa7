import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Channel } from '../../engine/channel';
import type { Env } from '../../engine/connections';
import { runPipeline, type RunRecorder, type RunResult } from '../../engine/run';
import { hasErrors, validateDocument } from '../../engine/validate';
import type { ConnectionDoc, EdgeDoc, NodeDoc, PipelineDocument } from '../../model/document';
import { loadDocument } from '../../model/document-io';
import type { Problem } from '../../model/problems';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { nodeRegistry, NodeRegistry } from '../../nodes/registry';
import { feedNode } from '../../nodes/common/feed';
import { defineNode, type Logger } from '../../nodes/types';
import type { SyncDocument } from './definition';

/**
 * A sync's rows may pass through pipeline nodes between source and target (mapping,
 * validation). The engine runs them as it runs any pipeline — same nodes, same rejected
 * rows, recorded under the sync's run — with two node types of the sync's own standing
 * for the ends: `source` yields the rows the sync read, `target` hands what reaches it to
 * the sync (which diffs, queues and applies it) instead of writing anything.
 *
 * Written inline (`transform.nodes` and `edges`, joined to the reserved ids `source` and
 * `target`) or as a pipeline file (`transform.pipeline`), whose one source node and one
 * sink fed by a data port are substituted; its other sinks (say, a CSV of rejected rows)
 * write as they would in a run.
 *
 * The nodes must keep rows in order (derive, map, select, cast, filter, validate, lookup
 * do) and pass the key columns through unchanged: a full diff merges the output with the
 * target in key order, and says so when the order is broken.
 */

export const SYNC_SOURCE = '__sync_source';
export const SYNC_TARGET = '__sync_target';

export interface TransformPlan {
  document: PipelineDocument;
  /** Relative paths in the nodes resolve against this folder. */
  baseDir: string;
  params?: Record<string, unknown>;
  /** The rows that reach the target. */
  output: Schema;
}

function registryFor(inputSchema: Schema, onPlanned: (s: Schema) => void, run?: { input: AsyncIterable<Row[]>; out: Channel }): NodeRegistry {
  const source = feedNode({ type: SYNC_SOURCE, title: 'Sync source', description: 'The rows the sync reads from its source table.', schema: inputSchema, rows: () => run!.input });
  const target = defineNode<Record<string, never>>({
    type: SYNC_TARGET,
    title: 'Sync target',
    category: 'sink',
    description: 'Hands the rows to the sync, which compares, queues and applies them.',
    config: z.object({}),
    example: {},
    ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),
    plan: (ctx) => {
      onPlanned(ctx.inputs.in[0]);
      return {};
    },
    async run(ctx) {
      for await (const rows of ctx.input()) {
        await run!.out.push(rows);
        if (run!.out.cancelled) break;
      }
    },
  });
  return new NodeRegistry([...nodeRegistry.all(), source, target]);
}

/** The transform as a pipeline document with the two stand-in nodes, or problems. */
function transformDocument(doc: SyncDocument, syncDir: string): { document?: PipelineDocument; baseDir: string; problems: Problem[] } {
  const t = doc.transform!;
  if (t.nodes) {
    const reserved = t.nodes.find((n) => n.id === 'source' || n.id === 'target');
    if (reserved) return { baseDir: syncDir, problems: [{ path: 'transform.nodes', severity: 'error', message: `node id '${reserved.id}' is reserved for the sync's ${reserved.id}` }] };
    const nodes: NodeDoc[] = [{ id: 'source', type: SYNC_SOURCE, config: {} }, ...t.nodes, { id: 'target', type: SYNC_TARGET, config: {} }];
    const edges: EdgeDoc[] = t.edges ?? [];
    return { document: { version: 1, name: `${doc.name} (transform)`, connections: doc.connections, nodes, edges }, baseDir: syncDir, problems: [] };
  }
  const file = path.resolve(syncDir, t.pipeline!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { baseDir: syncDir, problems: [{ path: 'transform.pipeline', severity: 'error', message: `${t.pipeline}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}` }] };
  }
  const loaded = loadDocument(text, t.pipeline);
  if (!loaded.document) return { baseDir: path.dirname(file), problems: loaded.problems.map((p) => ({ ...p, path: `transform.pipeline: ${p.path}` })) };
  const p = loaded.document;
  const sources = p.nodes.filter((n) => n.type === 'source');
  const rejectedPorts = new Set(p.edges.filter((e) => /\.rejected$/.test(e.from)).map((e) => e.to.split('.')[0]));
  const sinks = p.nodes.filter((n) => n.type === 'sink' && !rejectedPorts.has(n.id));
  const problems: Problem[] = [];
  if (sources.length !== 1) problems.push({ path: 'transform.pipeline', severity: 'error', message: `${t.pipeline}: the pipeline needs exactly one source node to stand for the sync source (it has ${sources.length})` });
  if (sinks.length !== 1) problems.push({ path: 'transform.pipeline', severity: 'error', message: `${t.pipeline}: the pipeline needs exactly one sink fed with data to stand for the sync target (it has ${sinks.length})` });
  if (problems.length > 0) return { baseDir: path.dirname(file), problems };
  const nodes = p.nodes.map((n) =>
    n.id === sources[0].id ? { id: n.id, type: SYNC_SOURCE, config: {} } : n.id === sinks[0].id ? { id: n.id, type: SYNC_TARGET, config: {} } : n,
  );
  const connections: Record<string, ConnectionDoc> = { ...doc.connections, ...p.connections };
  return { document: { ...p, connections, nodes }, baseDir: path.dirname(file), problems: [] };
}

/** Checks the transform against the rows the sync reads; gives the schema that reaches the target. */
export async function planTransform(doc: SyncDocument, input: Schema, opts: { syncDir: string; env?: Env }): Promise<{ plan?: TransformPlan; problems: Problem[] }> {
  const built = transformDocument(doc, opts.syncDir);
  if (!built.document) return { problems: built.problems };
  let output: Schema | undefined;
  const registry = registryFor(input, (s) => (output = s));
  const v = await validateDocument(built.document, { registry, baseDir: built.baseDir, env: opts.env });
  const problems = v.problems.map((p) => ({ ...p, path: `transform: ${p.path}` }));
  if (hasErrors(problems)) return { problems };
  if (!output) return { problems: [...problems, { path: 'transform', severity: 'error', message: 'no rows reach the target: connect a node to `target`' }] };
  return { plan: { document: built.document, baseDir: built.baseDir, params: doc.transform?.params, output }, problems };
}

export interface TransformRun {
  rows: AsyncIterable<Row[]>;
  /** The engine's result; it settles once every row has been handed over. */
  done: Promise<RunResult>;
  /** Stops the transform early (the sync failed elsewhere). */
  cancel(): void;
}

/** Runs the transform over `input` (rows of `inputSchema`); its output streams back, with back-pressure. */
export function runTransform(
  plan: TransformPlan,
  input: AsyncIterable<Row[]>,
  inputSchema: Schema,
  opts: { recorder?: RunRecorder; logger?: Logger; env?: Env; signal?: AbortSignal },
): TransformRun {
  const out = new Channel(4);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const registry = registryFor(inputSchema, () => {}, { input, out });
  const done = runPipeline(plan.document, {
    baseDir: plan.baseDir,
    registry,
    params: plan.params,
    env: opts.env,
    signal: controller.signal,
    recorder: opts.recorder,
    logger: opts.logger,
  }).then(
    (r) => {
      if (r.status === 'succeeded') out.close();
      else out.fail(new Error(`the sync's transform ${r.status}: ${r.error ?? ''}`));
      return r;
    },
    (e: unknown) => {
      out.fail(e);
      throw e;
    },
  );
  // The consumer sees failures through `rows`; keep this promise from being reported as unhandled.
  done.catch(() => {});
  done.finally(() => opts.signal?.removeEventListener('abort', onAbort)).catch(() => {});
  return {
    rows: out,
    done,
    cancel: () => {
      out.cancel();
      controller.abort();
    },
  };
}
