import type { GraphEdge, PipelineGraph } from '../../engine/graph';
import { ancestorsOf } from '../../engine/graph';
import type { ValidationResult } from '../../engine/validate';
import { formatEndpoint, type EdgeDoc, type NodeDoc, type PipelineDocument } from '../../model/document';
import type { Schema } from '../../model/schema';
import type { AggregateSpec } from './partial';

/**
 * How a pipeline runs as a batch job (input -> split -> process -> combine -> output).
 *
 * The input is one source node, read in chunks. Every node downstream of it that works
 * row by row (select, derive, map, filter, cast, validate, lookup, route) — and whose other
 * inputs are lookup tables from elsewhere — runs in the workers, on one chunk at a time:
 * the parallel section. The edges leaving it are cut:
 *  - an edge into an aggregate node (its only input) carries partial aggregate states,
 *    merged in the combine step (partial.ts), so aggregates run in parallel too;
 *  - any other edge carries rows, spilled per chunk and fed on in chunk order, so the rest
 *    of the pipeline (sinks, sorts, dedupes…) sees the rows in the order a single-threaded
 *    run would.
 * Two documents come out: the one each worker runs on its chunk (the source replaced by
 * the chunk, each cut by a spill or a partial aggregate), and the one the combine step
 * runs (each cut by a source of the spilled rows, each split aggregate by its merge).
 */

export const CHUNK_SOURCE = '__batch_chunk';
export const SPILL = '__batch_spill';
export const PARTIAL = '__batch_partial';
export const SPILLED_ROWS = '__batch_rows';
export const MERGED = '__batch_merged';
export const CSV_PART = '__batch_csv_part';

const ROW_LOCAL = new Set(['select', 'derive', 'map', 'filter', 'cast', 'validate', 'lookup', 'route']);

/** A CSV file a sink overwrites: the workers can write its parts themselves. */
export interface CsvTarget {
  path: string;
  delimiter: string;
  quote: string;
  escape: string;
  lineEnding: '\n' | '\r\n';
  header: boolean;
}

export interface Cut {
  index: number;
  /**
   * rows: spilled, then fed on in chunk order; aggregate: partial states merged; csv: the
   * rows go into a sink that overwrites a CSV file, so each worker writes its chunk's part
   * of the file and the parts are put together in chunk order (no rows cross threads).
   */
  kind: 'rows' | 'aggregate' | 'csv';
  from: { node: string; port: string };
  to: { node: string; port: string };
  /** The rows crossing the cut. */
  schema: Schema;
  /** kind aggregate: the aggregate node, its config and output. */
  aggregate?: { id: string; spec: AggregateSpec; output: Schema };
  /** kind csv: the sink node and its file. */
  csv?: { sink: string; target: CsvTarget };
}

export interface BatchPlan {
  sourceId: string;
  /** The source node's config (connection, table or query, columns, onError). */
  source: { connection: string; table?: string; query?: string; columns?: string[]; onError: 'stop' | 'skip' };
  sourceSchema: Schema;
  parallel: string[];
  cuts: Cut[];
  processDoc: PipelineDocument;
  combineDoc: PipelineDocument;
}

export class NotBatchable extends Error {
  override name = 'NotBatchable';
}

function isReadsFirst(graph: PipelineGraph, e: GraphEdge): boolean {
  return graph.nodes.get(e.to.node)!.ports.inputs.find((p) => p.name === e.to.port)?.readsFirst === true;
}

function edgeDoc(e: { from: { node: string; port: string }; to: { node: string; port: string } }): EdgeDoc {
  return { from: formatEndpoint(e.from.node, e.from.port, 'out'), to: formatEndpoint(e.to.node, e.to.port, 'in') };
}

/**
 * `csvSinks`: sink nodes (by id) that overwrite a plain UTF-8 CSV file (the caller opened
 * their connections to know): an edge into one of them becomes a csv cut.
 */
export function planBatch(doc: PipelineDocument, v: ValidationResult, csvSinks: ReadonlyMap<string, CsvTarget> = new Map()): BatchPlan {
  const graph = v.graph;
  // The split source: a source whose rows feed the pipeline (not only lookup tables).
  const sources = graph.order.filter((id) => {
    const n = graph.nodes.get(id)!;
    return n.type.category === 'source' && [...n.outgoing.values()].flat().some((e) => !isReadsFirst(graph, e));
  });
  if (sources.length !== 1) {
    throw new NotBatchable(
      sources.length === 0 ? 'the pipeline has no source to split' : `a batch job splits one source, and this pipeline reads ${sources.length} (${sources.join(', ')}): run it without --workers`,
    );
  }
  const sourceId = sources[0];
  const sourceNode = graph.nodes.get(sourceId)!;
  if (sourceNode.type.type !== 'source') throw new NotBatchable(`node '${sourceId}' (${sourceNode.type.type}) cannot be split into chunks`);
  const sourceSchema = v.schemas.get(sourceId)?.out;
  if (!sourceSchema) throw new NotBatchable(`node '${sourceId}' has no planned output`);
  const downstreamOfSource = (id: string) => ancestorsOf(graph, id).has(sourceId);

  // The parallel section, in topological order: row-by-row nodes fed only by the source or
  // by the section itself (lookup tables may come from elsewhere, read by each worker).
  const parallel = new Set<string>();
  for (const id of graph.order) {
    const n = graph.nodes.get(id)!;
    if (id === sourceId || !ROW_LOCAL.has(n.type.type)) continue;
    const incoming = [...n.incoming.values()].flat();
    if (incoming.length === 0) continue;
    const ok = incoming.every((e) =>
      isReadsFirst(graph, e) ? e.from.node !== sourceId && !parallel.has(e.from.node) && !downstreamOfSource(e.from.node) : e.from.node === sourceId || parallel.has(e.from.node),
    );
    if (ok) parallel.add(id);
  }
  const inProcess = (id: string) => id === sourceId || parallel.has(id);

  // The cuts: edges from the source or the section to the rest.
  const cuts: Cut[] = [];
  for (const e of graph.edges) {
    if (!inProcess(e.from.node) || inProcess(e.to.node)) continue;
    const to = graph.nodes.get(e.to.node)!;
    const schema = v.schemas.get(e.from.node)?.[e.from.port];
    if (!schema) throw new NotBatchable(`the edge ${edgeDoc(e).from} -> ${edgeDoc(e).to} has no planned schema`);
    const onlyInput = [...to.incoming.values()].flat().length === 1;
    const csv = csvSinks.get(to.id);
    if (csv && onlyInput) {
      cuts.push({ index: cuts.length, kind: 'csv', from: e.from, to: e.to, schema, csv: { sink: to.id, target: csv } });
    } else if (to.type.type === 'aggregate' && e.to.port === 'in' && onlyInput) {
      const output = v.schemas.get(to.id)?.out;
      if (!output) throw new NotBatchable(`aggregate '${to.id}' has no planned output`);
      const c = to.config as AggregateSpec;
      cuts.push({ index: cuts.length, kind: 'aggregate', from: e.from, to: e.to, schema, aggregate: { id: to.id, spec: { groupBy: c.groupBy, aggregates: c.aggregates }, output } });
    } else cuts.push({ index: cuts.length, kind: 'rows', from: e.from, to: e.to, schema });
  }

  // Nodes outside the section that the section needs (lookup tables), and whether the rest needs them too.
  const supportOnly = new Set<string>();
  const support = new Set<string>();
  for (const id of parallel) {
    for (const e of [...graph.nodes.get(id)!.incoming.values()].flat()) {
      if (!inProcess(e.from.node)) for (const a of ancestorsOf(graph, e.from.node)) support.add(a);
    }
  }
  for (const id of support) {
    const out = [...graph.nodes.get(id)!.outgoing.values()].flat();
    if (out.every((e) => inProcess(e.to.node) || support.has(e.to.node))) supportOnly.add(id);
  }

  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const processNodes: NodeDoc[] = [{ id: sourceId, type: CHUNK_SOURCE, config: {} }];
  for (const id of graph.order) if (parallel.has(id) || support.has(id)) processNodes.push(byId.get(id)!);
  const processEdges: EdgeDoc[] = graph.edges.filter((e) => processNodes.some((n) => n.id === e.from.node) && processNodes.some((n) => n.id === e.to.node)).map(edgeDoc);
  for (const c of cuts) {
    const id = c.kind === 'rows' ? `__spill_${c.index}` : c.kind === 'csv' ? `__csv_${c.index}` : `__partial_${c.index}`;
    processNodes.push({ id, type: c.kind === 'rows' ? SPILL : c.kind === 'csv' ? CSV_PART : PARTIAL, config: { cut: c.index } });
    processEdges.push(edgeDoc({ from: c.from, to: { node: id, port: 'in' } }));
  }

  const mergedIds = new Set(cuts.filter((c) => c.kind === 'aggregate').map((c) => c.aggregate!.id));
  const csvIds = new Set(cuts.filter((c) => c.kind === 'csv').map((c) => c.csv!.sink));
  const combineNodes: NodeDoc[] = [];
  for (const id of graph.order) {
    if (inProcess(id) || supportOnly.has(id) || csvIds.has(id)) continue;
    const c = cuts.find((x) => x.aggregate?.id === id);
    combineNodes.push(c ? { id, type: MERGED, config: { cut: c.index } } : byId.get(id)!);
  }
  const inCombine = new Set(combineNodes.map((n) => n.id));
  const combineEdges: EdgeDoc[] = graph.edges.filter((e) => inCombine.has(e.from.node) && inCombine.has(e.to.node) && !(mergedIds.has(e.to.node) && e.to.port === 'in')).map(edgeDoc);
  for (const c of cuts) {
    if (c.kind !== 'rows') continue;
    const id = `__rows_${c.index}`;
    combineNodes.unshift({ id, type: SPILLED_ROWS, config: { cut: c.index } });
    combineEdges.push(edgeDoc({ from: { node: id, port: 'out' }, to: c.to }));
  }

  const cfg = sourceNode.config as BatchPlan['source'];
  return {
    sourceId,
    source: { connection: cfg.connection, table: cfg.table, query: cfg.query, columns: cfg.columns, onError: cfg.onError ?? 'stop' },
    sourceSchema,
    parallel: [...parallel],
    cuts,
    processDoc: { ...doc, name: `${doc.name} (chunk)`, nodes: processNodes, edges: processEdges },
    combineDoc: { ...doc, name: `${doc.name} (combine)`, nodes: combineNodes, edges: combineEdges },
  };
}
