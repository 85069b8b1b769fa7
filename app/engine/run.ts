import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineDocument } from '../model/document';
import type { Problem } from '../model/problems';
import type { Schema } from '../model/schema';
import type { LogicalType } from '../model/types';
import { formatValue, rowKey, toJsonValue, type Row, type Value } from '../model/values';
import { rejectedRow } from '../nodes/common/rejected';
import { nodeRegistry, type NodeRegistry } from '../nodes/registry';
import type { InputPort, Logger, OutputPort, PlanResult, RejectedRow, RunContext } from '../nodes/types';
import { Channel } from './channel';
import { RunConnections, type Env } from './connections';
import { ancestorsOf, type GraphNode, type PipelineGraph } from './graph';
import { hasErrors, resolveParameters, validateDocument } from './validate';

/** What the engine needs of the workbench store (WorkbenchStore satisfies it). */
export interface RunRecorder {
  startRun(r: { kind: 'pipeline' | 'preview' | 'batch'; name: string; params?: unknown; pipelinePath?: string }): string;
  finishRun(
    id: string,
    r: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string; rowsIn?: number; rowsOut?: number; rejected?: number },
  ): void;
  recordNodeStats(runId: string, stats: NodeStats[]): void;
  addRejectedRows(
    runId: string,
    rows: Array<{
      nodeId: string;
      rule: string;
      column?: string;
      value?: string;
      message: string;
      rowKey?: string;
      row: Record<string, unknown>;
      severity?: 'error' | 'warning';
    }>,
  ): void;
}

export interface NodeStats {
  nodeId: string;
  rowsIn: number;
  rowsOut: number;
  rejected: number;
  durationMs: number;
}

export interface RunProgress {
  runId?: string;
  elapsedMs: number;
  nodes: NodeStats[];
  /** Rows read by the sources so far, and per second since the start. */
  rowsRead: number;
  rowsPerSecond: number;
}

export interface PreviewRequest {
  node: string;
  /** Output port to show (default `out`; a sink shows what it would write). */
  port?: string;
  limit: number;
  /** Rows each source may read at most (default 100,000): previews stay fast on big inputs. */
  sourceLimit?: number;
}

export interface RunOptions {
  baseDir: string;
  registry?: NodeRegistry;
  /** Parameter overrides (text from the command line is cast to the declared types). */
  params?: Record<string, unknown>;
  env?: Env;
  signal?: AbortSignal;
  recorder?: RunRecorder;
  pipelinePath?: string;
  onProgress?: (p: RunProgress) => void;
  progressIntervalMs?: number;
  logger?: Logger;
  preview?: PreviewRequest;
  /** Rejected rows kept in the store per node (counts stay exact beyond it). Default 100,000. */
  maxRejectedStored?: number;
  /** Batches an edge holds before its producer waits. */
  channelCapacity?: number;
}

export interface RunResult {
  runId?: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  /** The node whose failure ended the run. */
  failedNode?: string;
  durationMs: number;
  nodes: NodeStats[];
  rowsRead: number;
  rowsWritten: number;
  rejected: number;
  preview?: { schema: Schema; rows: Row[]; sampled: boolean };
}

export class PipelineInvalidError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `the pipeline has ${problems.filter((p) => p.severity === 'error').length} problem(s):\n` +
        problems
          .filter((p) => p.severity === 'error')
          .map((p) => `  ${p.path}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'PipelineInvalidError';
  }
}

class RunCancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'AbortError';
  }
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

interface NodeState {
  node: GraphNode;
  stats: NodeStats;
  started: number;
}

/**
 * Runs a pipeline: plans it, then runs every node at once, connected by bounded channels,
 * so batches stream end to end with back-pressure. The first failure cancels the rest.
 * With `preview`, only the nodes up to the previewed one run, sinks write nothing, and the
 * run stops as soon as the preview has its rows.
 */
export async function runPipeline(doc: PipelineDocument, opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const registry = opts.registry ?? nodeRegistry;
  const connections = new RunConnections(doc.connections ?? {}, { baseDir: opts.baseDir, env: opts.env, signal: opts.signal });
  const preview = opts.preview;
  try {
    const previewTarget = preview ? previewNodeOf(doc, preview.node) : undefined;
    const validation = await validateDocument(doc, { registry, baseDir: opts.baseDir, env: opts.env, connections });
    // A preview needs only its own upstream to be sound: the rest may still be under construction.
    const upstream = previewTarget && validation.graph.nodes.has(previewTarget.node) ? ancestorsOf(validation.graph, previewTarget.node) : undefined;
    const problems = upstream ? validation.problems.filter((p) => !p.nodeId || upstream.has(p.nodeId)) : validation.problems;
    if (hasErrors(problems)) throw new PipelineInvalidError(problems);
    const params = resolveParameters(doc, validation.paramTypes, opts.params);
    return await execute(doc, validation.graph, validation.schemas, params, validation.paramTypes, connections, opts, started, previewTarget);
  } finally {
    await connections.closeAll();
  }
}

/** A sink has no output to show: preview it as the rows arriving at its input. */
function previewNodeOf(doc: PipelineDocument, nodeId: string): { node: string; port?: string } {
  if (!doc.nodes.some((n) => n.id === nodeId)) {
    throw new PipelineInvalidError([{ path: 'preview', severity: 'error', message: `no node '${nodeId}' to preview` }]);
  }
  return { node: nodeId };
}

async function execute(
  doc: PipelineDocument,
  graph: PipelineGraph,
  schemas: Map<string, PlanResult>,
  params: Record<string, Value>,
  paramTypes: Record<string, LogicalType>,
  connections: RunConnections,
  opts: RunOptions,
  started: number,
  previewTarget: { node: string } | undefined,
): Promise<RunResult> {
  const preview = opts.preview;
  const log = opts.logger ?? silentLogger;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(new RunCancelled());
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  // In a preview of a sink, show what reaches the sink: its upstream output.
  let target = previewTarget?.node;
  let targetPort = preview?.port ?? 'out';
  if (target && graph.nodes.get(target)!.type.category === 'sink') {
    const e = graph.nodes.get(target)!.incoming.get('in')?.[0];
    if (e) {
      target = e.from.node;
      targetPort = e.from.port;
    }
  }
  const active = target ? ancestorsOf(graph, target) : new Set(graph.order);
  const recorder = opts.recorder;
  const runId = recorder?.startRun({
    kind: preview ? 'preview' : 'pipeline',
    name: doc.name,
    params,
    pipelinePath: opts.pipelinePath,
  });

  const states = new Map<string, NodeState>();
  for (const id of graph.order) {
    if (!active.has(id)) continue;
    states.set(id, { node: graph.nodes.get(id)!, started: 0, stats: { nodeId: id, rowsIn: 0, rowsOut: 0, rejected: 0, durationMs: 0 } });
  }

  // Channels, one per active edge. Inputs a node reads to the end first (lookup's table)
  // would deadlock against a sibling edge from the same upstream: make those unbounded.
  const capacity = opts.channelCapacity ?? 4;
  const channels = new Map<number, Channel>();
  for (const e of graph.edges) {
    if (!active.has(e.from.node) || !active.has(e.to.node)) continue;
    channels.set(e.index, new Channel(needsUnbounded(graph, e.to.node, e.to.port) ? Infinity : capacity));
  }

  let previewRows: Row[] | undefined;
  let sampled = false;
  let previewComplete = false;
  const previewSchema = target ? schemas.get(target)?.[targetPort] : undefined;
  if (target && !previewSchema) {
    throw new PipelineInvalidError([{ path: 'preview', severity: 'error', message: `node '${target}' has no output '${targetPort}'` }]);
  }

  const pendingRejects: Array<Parameters<RunRecorder['addRejectedRows']>[1][number]> = [];
  const storedRejects = new Map<string, number>();
  const maxStored = opts.maxRejectedStored ?? 100_000;
  const flushRejects = () => {
    if (runId && recorder && pendingRejects.length > 0) recorder.addRejectedRows(runId, pendingRejects.splice(0));
  };

  let tempRoot: string | undefined;
  const tempDir = async () => {
    tempRoot ??= await mkdtemp(join(tmpdir(), 'sluice-run-'));
    return mkdtemp(join(tempRoot, 'node-'));
  };

  const stop = () => {
    for (const c of channels.values()) c.cancel();
  };

  const contextFor = (state: NodeState): RunContext<unknown> => {
    const node = state.node;
    const nodeSchemas = schemas.get(node.id) ?? {};
    const inputPort = (edgeIndex: number, schema: Schema): InputPort => {
      const channel = channels.get(edgeIndex)!;
      return {
        schema,
        [Symbol.asyncIterator]() {
          const it = channel[Symbol.asyncIterator]();
          return {
            next: async () => {
              if (controller.signal.aborted) throw controller.signal.reason;
              const r = await it.next();
              if (!r.done) state.stats.rowsIn += r.value.length;
              return r;
            },
            return: async () => it.return!(),
          };
        },
      };
    };
    const inputsOf = (port: string): InputPort[] =>
      (node.incoming.get(port) ?? []).map((e) => inputPort(e.index, schemas.get(e.from.node)![e.from.port]!));

    const outputs = new Map<string, OutputPort>();
    const outputPort = (port: string): OutputPort => {
      const existing = outputs.get(port);
      if (existing) return existing;
      const spec = node.ports.outputs.find((p) => p.name === port);
      if (!spec) throw new Error(`node '${node.id}' has no output port '${port}'`);
      const schema = nodeSchemas[port];
      if (!schema) throw new Error(`node '${node.id}': output '${port}' has no planned schema`);
      const targets = (node.outgoing.get(port) ?? []).flatMap((e) => (channels.has(e.index) ? [channels.get(e.index)!] : []));
      const isPreview = node.id === target && port === targetPort;
      const isSource = node.type.category === 'source';
      let sourceRows = 0;
      const sourceLimit = preview ? (preview.sourceLimit ?? 100_000) : Infinity;
      const out: OutputPort = {
        schema,
        get done() {
          if (controller.signal.aborted) return true;
          if (isSource && sourceRows >= sourceLimit) return true;
          if (isPreview && previewComplete) return true;
          return targets.length > 0 && targets.every((c) => c.cancelled);
        },
        push: async (rows: Row[]) => {
          if (controller.signal.aborted) throw controller.signal.reason;
          if (rows.length === 0) return;
          if (isSource && preview) {
            if (sourceRows >= sourceLimit) {
              sampled = true;
              return;
            }
            if (sourceRows + rows.length > sourceLimit) {
              rows = rows.slice(0, sourceLimit - sourceRows);
              sampled = true;
            }
            sourceRows += rows.length;
          }
          if (spec.kind === 'data') state.stats.rowsOut += rows.length;
          if (isPreview) {
            previewRows ??= [];
            for (const r of rows) {
              if (previewRows.length >= preview!.limit) break;
              previewRows.push(r);
            }
            if (previewRows.length >= preview!.limit && !previewComplete) {
              previewComplete = true;
              stop();
            }
          }
          if (targets.length === 1) await targets[0].push(rows);
          else if (targets.length > 1) await Promise.all(targets.map((c) => c.push(rows)));
        },
      };
      outputs.set(port, out);
      return out;
    };

    // Rejected rows are built for the rejected port only when something reads it (an edge, a
    // preview): unread, they were a tenth of the allocation of a CPU-bound validate pipeline.
    const rejectedPort = node.ports.outputs.find(
      (p) => p.kind === 'rejected' && ((node.outgoing.get(p.name) ?? []).some((e) => channels.has(e.index)) || (node.id === target && p.name === targetPort)),
    );
    const inSchema = inputsOf('in')[0]?.schema ?? nodeSchemas.out;
    const keyIndexes = inSchema?.key?.map((k) => inSchema.columns.findIndex((c) => c.name === k)).filter((i) => i >= 0);

    // Rejected rows and warnings go to the store alike (capped per node); warnings keep their row flowing.
    const record = (rows: RejectedRow[], severity?: 'warning') => {
      if (!runId || !recorder) return;
      let stored = storedRejects.get(node.id) ?? 0;
      for (const r of rows) {
        if (stored >= maxStored) break;
        stored++;
        const asObject: Record<string, unknown> = {};
        inSchema?.columns.forEach((c, i) => (asObject[c.name] = toJsonValue(r.row[i] ?? null)));
        const key = keyIndexes && keyIndexes.length > 0 && r.row.length > 0 ? rowKey(r.row, keyIndexes) : undefined;
        for (const reason of r.reasons) {
          pendingRejects.push({
            nodeId: node.id,
            rule: reason.rule,
            column: reason.column,
            value: reason.value === undefined ? undefined : formatValue(reason.value, 500),
            message: reason.message,
            rowKey: key,
            row: asObject,
            severity: severity ?? reason.severity,
          });
        }
      }
      storedRejects.set(node.id, stored);
      if (pendingRejects.length >= 1000) flushRejects();
    };

    return {
      nodeId: node.id,
      config: node.config,
      params,
      paramTypes,
      signal: controller.signal,
      preview: preview !== undefined,
      log: {
        info: (m, d) => log.info(m, { node: node.id, ...d }),
        warn: (m, d) => log.warn(m, { node: node.id, ...d }),
        error: (m, d) => log.error(m, { node: node.id, ...d }),
      },
      connections,
      tempDir,
      readyToCommit,
      input: (port = 'in') => {
        const list = inputsOf(port);
        if (list.length !== 1) throw new Error(`node '${node.id}': input '${port}' has ${list.length} edges`);
        return list[0];
      },
      inputs: inputsOf,
      output: (port = 'out') => outputPort(port),
      reject: async (rows: RejectedRow[]) => {
        if (rows.length === 0) return;
        state.stats.rejected += rows.length;
        record(rows);
        if (rejectedPort) await outputPort(rejectedPort.name).push(rows.map((r) => rejectedRow(node.id, r.row, r.reasons)));
      },
      warn: async (rows: RejectedRow[]) => record(rows, 'warning'),
    };
  };

  let firstError: { node: string; error: unknown } | undefined;
  // The commit barrier: sinks wait here until all other nodes are done.
  let settledNodes = 0;
  const commitWaiters: Array<(ok: boolean) => void> = [];
  const checkBarrier = () => {
    const failed = firstError !== undefined || (controller.signal.aborted && !previewComplete);
    if (failed || settledNodes + commitWaiters.length >= states.size) {
      for (const w of commitWaiters.splice(0)) w(!failed);
    }
  };
  controller.signal.addEventListener('abort', checkBarrier);
  const readyToCommit = () =>
    new Promise<boolean>((resolve) => {
      commitWaiters.push(resolve);
      checkBarrier();
    });
  const progressTimer =
    opts.onProgress &&
    setInterval(() => opts.onProgress!(progressOf(states, started, runId)), opts.progressIntervalMs ?? 250);

  const runNode = async (state: NodeState): Promise<void> => {
    const node = state.node;
    const outgoing = [...node.outgoing.values()].flat().flatMap((e) => (channels.has(e.index) ? [channels.get(e.index)!] : []));
    const incoming = [...node.incoming.values()].flat().flatMap((e) => (channels.has(e.index) ? [channels.get(e.index)!] : []));
    state.started = performance.now();
    try {
      await node.type.run(contextFor(state));
      for (const c of outgoing) c.close();
    } catch (error) {
      if (!firstError && !isAbort(error)) {
        firstError = { node: node.id, error };
        log.error(`node '${node.id}' failed: ${(error as Error).message}`, { node: node.id });
        controller.abort(new RunCancelled());
      }
      for (const c of outgoing) c.fail(error);
    } finally {
      // Whatever it did not read, it never will: let the upstream stop.
      for (const c of incoming) c.cancel();
      state.stats.durationMs = performance.now() - state.started;
      settledNodes++;
      checkBarrier();
    }
  };

  try {
    await Promise.all([...states.values()].map(runNode));
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
    if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
  }

  const nodes = [...states.values()].map((s) => ({ ...s.stats, durationMs: Math.round(s.stats.durationMs) }));
  const cancelled = !firstError && controller.signal.aborted && !previewComplete;
  const status: RunResult['status'] = firstError ? 'failed' : cancelled ? 'cancelled' : 'succeeded';
  const error = firstError
    ? `node '${firstError.node}' (${graph.nodes.get(firstError.node)!.type.type}): ${(firstError.error as Error).message ?? String(firstError.error)}`
    : cancelled
      ? 'the run was cancelled'
      : undefined;
  const rowsRead = sum(nodes, (n) => (graph.nodes.get(n.nodeId)!.type.category === 'source' ? n.rowsOut : 0));
  // A sink writes what it reads, and only a successful run keeps what it wrote.
  for (const n of nodes) if (graph.nodes.get(n.nodeId)!.type.category === 'sink') n.rowsOut = status === 'succeeded' ? n.rowsIn - n.rejected : 0;
  const rowsWritten = sum(nodes, (n) => (graph.nodes.get(n.nodeId)!.type.category === 'sink' ? n.rowsOut : 0));
  const rejected = sum(nodes, (n) => n.rejected);
  if (runId && recorder) {
    flushRejects();
    recorder.recordNodeStats(runId, nodes);
    recorder.finishRun(runId, { status, error, rowsIn: rowsRead, rowsOut: rowsWritten, rejected });
  }
  opts.onProgress?.(progressOf(states, started, runId));
  const result: RunResult = {
    runId,
    status,
    error,
    failedNode: firstError?.node,
    durationMs: Math.round(performance.now() - started),
    nodes,
    rowsRead,
    rowsWritten,
    rejected,
  };
  if (target && previewSchema) result.preview = { schema: previewSchema, rows: previewRows ?? [], sampled };
  return result;
}

function needsUnbounded(graph: PipelineGraph, nodeId: string, port: string): boolean {
  const node = graph.nodes.get(nodeId)!;
  const firstPorts = node.ports.inputs.filter((p) => p.readsFirst).map((p) => p.name);
  if (firstPorts.length === 0 || firstPorts.includes(port)) return false;
  // Our edge waits while the node drains its readsFirst inputs; if both share an upstream,
  // a bounded buffer here would stall that upstream forever.
  const mine = new Set<string>();
  for (const e of node.incoming.get(port) ?? []) for (const a of ancestorsOf(graph, e.from.node)) mine.add(a);
  for (const p of firstPorts) {
    for (const e of node.incoming.get(p) ?? []) for (const a of ancestorsOf(graph, e.from.node)) if (mine.has(a)) return true;
  }
  return false;
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

function progressOf(states: Map<string, NodeState>, started: number, runId: string | undefined): RunProgress {
  const nodes = [...states.values()].map((s) => ({
    ...s.stats,
    durationMs: Math.round(s.started ? performance.now() - s.started : 0),
  }));
  const elapsedMs = performance.now() - started;
  const rowsRead = sum([...states.values()], (s) => (s.node.type.category === 'source' ? s.stats.rowsOut : 0));
  return { runId, elapsedMs: Math.round(elapsedMs), nodes, rowsRead, rowsPerSecond: elapsedMs > 0 ? Math.round((rowsRead * 1000) / elapsedMs) : 0 };
}
