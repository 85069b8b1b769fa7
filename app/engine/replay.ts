import { castValue } from '../expr';
import type { EdgeDoc, NodeDoc, PipelineDocument } from '../model/document';
import { formatEndpoint } from '../model/document';
import type { Schema } from '../model/schema';
import { formatType } from '../model/types';
import type { Row, Value } from '../model/values';
import { nodeRegistry, NodeRegistry } from '../nodes/registry';
import { feedNode } from '../nodes/common/feed';
import { ancestorsOf, type PipelineGraph } from './graph';
import { runPipeline, type RunOptions, type RunResult } from './run';
import { validateDocument } from './validate';

/** What replay needs of the workbench store (WorkbenchStore satisfies it). */
export interface RejectedRowSource {
  listRejectedRows(
    runId: string,
    opts: { nodeId?: string; replayed?: boolean; limit?: number; offset?: number },
  ): Array<{ id: number; nodeId: string; rowKey: string | null; row: Record<string, unknown>; replayedAt: string | null }>;
  markRejectedReplayed(runId: string, ids: number[]): void;
}

export interface ReplayRequest {
  runId: string;
  /** The node that rejected the rows: they re-enter at its input. */
  nodeId: string;
  /** Rejected-row records to replay (default: every one of the node not replayed yet). */
  ids?: number[];
  /** Corrected values, per rejected-row record and column. */
  fixes?: Array<{ rejectedId: number; column: string; value: unknown }>;
}

export interface ReplayResult extends RunResult {
  /** Distinct rows sent back in (a row rejected for two reasons is replayed once). */
  rowsReplayed: number;
  /** Sinks that would have replaced or emptied their target and appended instead. */
  sinksAppended: string[];
}

export class ReplayError extends Error {
  override name = 'ReplayError';
}

const REPLAY_NODE = '__replayed_rows';

/**
 * Sends a run's rejected rows (optionally corrected) back through the pipeline from the
 * node that rejected them: that node and everything downstream of its data outputs run,
 * fed by the stored rows; other inputs of those nodes (a lookup's table) are read as usual.
 * Sinks append: a sink that would replace or empty its target inserts instead, so replay
 * never removes what the original run loaded. Rows rejected again are recorded in the new
 * run; the replayed records are marked replayed once the new run succeeds.
 */
export async function replayRejected(
  doc: PipelineDocument,
  request: ReplayRequest,
  store: RejectedRowSource,
  opts: Omit<RunOptions, 'registry' | 'preview'>,
): Promise<ReplayResult> {
  const validation = await validateDocument(doc, { baseDir: opts.baseDir, env: opts.env });
  const graph = validation.graph;
  const target = graph.nodes.get(request.nodeId);
  if (!target) throw new ReplayError(`no node '${request.nodeId}' in pipeline '${doc.name}'`);
  const inEdge = target.incoming.get('in')?.[0];
  const inputSchema = inEdge ? validation.schemas.get(inEdge.from.node)?.[inEdge.from.port] : undefined;
  if (!inEdge || !inputSchema) {
    throw new ReplayError(
      target.type.category === 'source'
        ? `node '${request.nodeId}' is a source: its rejected records are unreadable input, not rows; fix the file and run again`
        : `node '${request.nodeId}' has no planned input to replay into (validate the pipeline first)`,
    );
  }

  const records = loadRecords(store, request);
  if (records.length === 0) throw new ReplayError(`run ${request.runId} has no rejected rows of node '${request.nodeId}' left to replay`);
  const rows = typedRows(records, inputSchema, request.fixes ?? []);

  const { document, sinksAppended } = replayDocument(doc, graph, request.nodeId);
  const replayed = feedNode({
    type: REPLAY_NODE,
    title: 'Replayed rows',
    description: 'The rejected rows being replayed.',
    schema: inputSchema,
    async *rows() {
      for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
    },
  });
  const registry = new NodeRegistry([...nodeRegistry.all(), replayed]);
  const result = await runPipeline(document, { ...opts, registry });
  if (result.status === 'succeeded') store.markRejectedReplayed(request.runId, records.map((r) => r.ids).flat());
  return { ...result, rowsReplayed: rows.length, sinksAppended };
}

interface ReplayRecord {
  ids: number[];
  row: Record<string, unknown>;
}

/** The node's not-yet-replayed records (or the chosen ones), one per distinct row. */
function loadRecords(store: RejectedRowSource, request: ReplayRequest): ReplayRecord[] {
  const wanted = request.ids ? new Set(request.ids) : undefined;
  const byRow = new Map<string, ReplayRecord>();
  for (let offset = 0; ; offset += 1000) {
    const page = store.listRejectedRows(request.runId, { nodeId: request.nodeId, replayed: wanted ? undefined : false, limit: 1000, offset });
    for (const r of page) {
      if (wanted && !wanted.has(r.id)) continue;
      if (r.replayedAt && !wanted) continue;
      // A row rejected for several reasons has one record per reason: replay it once.
      const key = r.rowKey ?? JSON.stringify(r.row);
      const seen = byRow.get(key);
      if (seen) seen.ids.push(r.id);
      else byRow.set(key, { ids: [r.id], row: r.row });
    }
    if (page.length < 1000) break;
  }
  if (wanted) {
    const found = new Set([...byRow.values()].flatMap((r) => r.ids));
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length) throw new ReplayError(`rejected rows ${missing.join(', ')} are not rows of node '${request.nodeId}' in run ${request.runId}`);
  }
  return [...byRow.values()];
}

/** Stored rows are JSON (exact numbers as text, bytes as base64): back to typed values. */
function typedRows(records: ReplayRecord[], schema: Schema, fixes: NonNullable<ReplayRequest['fixes']>): Row[] {
  const fixesById = new Map<number, Array<{ column: string; value: unknown }>>();
  for (const f of fixes) {
    if (!schema.columns.some((c) => c.name === f.column)) {
      throw new ReplayError(`fix for rejected row ${f.rejectedId}: no column '${f.column}' in the input (${schema.columns.map((c) => c.name).join(', ')})`);
    }
    fixesById.set(f.rejectedId, [...(fixesById.get(f.rejectedId) ?? []), f]);
  }
  return records.map((rec) => {
    const values: Record<string, unknown> = { ...rec.row };
    for (const id of rec.ids) for (const f of fixesById.get(id) ?? []) values[f.column] = f.value;
    return schema.columns.map((c) => {
      const raw = values[c.name];
      if (raw === undefined || raw === null) return null;
      try {
        if (c.type.kind === 'bytes' && typeof raw === 'string') return new Uint8Array(Buffer.from(raw, 'base64'));
        return castValue(raw as Value, c.type);
      } catch (e) {
        throw new ReplayError(`rejected row ${rec.ids[0]}, column '${c.name}': ${JSON.stringify(raw)} is not a ${formatType(c.type)}: ${(e as Error).message}`);
      }
    });
  });
}

/**
 * The pipeline cut for replay: the target node fed by the replayed rows, every node
 * downstream of its data outputs, and whatever those nodes' other inputs need.
 */
function replayDocument(doc: PipelineDocument, graph: PipelineGraph, targetId: string): { document: PipelineDocument; sinksAppended: string[] } {
  const downstream = new Set<string>([targetId]);
  const stack = [targetId];
  while (stack.length) {
    const node = graph.nodes.get(stack.pop()!)!;
    for (const [port, edges] of node.outgoing) {
      if (node.ports.outputs.find((p) => p.name === port)?.kind === 'rejected') continue;
      for (const e of edges) {
        if (downstream.has(e.to.node)) continue;
        downstream.add(e.to.node);
        stack.push(e.to.node);
      }
    }
  }
  const keep = new Set(downstream);
  for (const id of downstream) {
    for (const [port, edges] of graph.nodes.get(id)!.incoming) {
      if (id === targetId && port === 'in') continue;
      for (const e of edges) {
        if (downstream.has(e.from.node)) continue;
        for (const a of ancestorsOf(graph, e.from.node)) keep.add(a);
      }
    }
  }

  const sinksAppended: string[] = [];
  const nodes: NodeDoc[] = doc.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => {
      const mode = n.config?.mode;
      if (graph.nodes.get(n.id)?.type.category === 'sink' && (mode === 'replace' || mode === 'truncate-insert')) {
        sinksAppended.push(n.id);
        return { ...n, config: { ...n.config, mode: 'insert' } };
      }
      return n;
    });
  nodes.unshift({ id: REPLAY_NODE, type: REPLAY_NODE, config: {} });
  const edges: EdgeDoc[] = [{ from: REPLAY_NODE, to: formatEndpoint(targetId, 'in', 'in') }];
  for (const e of graph.edges) {
    if (!keep.has(e.from.node) || !keep.has(e.to.node)) continue;
    if (e.to.node === targetId && e.to.port === 'in') continue;
    const fromPort = graph.nodes.get(e.from.node)!.ports.outputs.find((p) => p.name === e.from.port);
    if (fromPort?.kind === 'rejected') continue;
    edges.push({ from: formatEndpoint(e.from.node, e.from.port, 'out'), to: formatEndpoint(e.to.node, e.to.port, 'in') });
  }
  return { document: { ...doc, name: `${doc.name} (replay)`, nodes, edges }, sinksAppended };
}
