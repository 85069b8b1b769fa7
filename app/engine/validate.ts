import { castValue } from '../expr';
import type { PipelineDocument } from '../model/document';
import { loadDocument } from '../model/document-io';
import type { Problem } from '../model/problems';
import type { Schema } from '../model/schema';
import { formatType, parseType, type LogicalType } from '../model/types';
import type { Value } from '../model/values';
import { nodeRegistry, type NodeRegistry } from '../nodes/registry';
import type { ConnectionProvider, PlanResult } from '../nodes/types';
import { rejectedSchema } from '../nodes/common/rejected';
import { buildGraph, type PipelineGraph } from './graph';
import { RunConnections, type Env } from './connections';

export interface ValidateOptions {
  registry?: NodeRegistry;
  baseDir: string;
  env?: Env;
  /** Plan only these nodes (and need their inputs); default all. */
  only?: Set<string>;
  connections?: ConnectionProvider;
}

export interface ValidationResult {
  problems: Problem[];
  graph: PipelineGraph;
  /** Output schemas per node and port, for the nodes that could be planned. */
  schemas: Map<string, PlanResult>;
  paramTypes: Record<string, LogicalType>;
}

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

export function parameterTypes(doc: PipelineDocument, problems: Problem[]): Record<string, LogicalType> {
  const types: Record<string, LogicalType> = {};
  for (const [name, p] of Object.entries(doc.parameters ?? {})) {
    const t = parseType(p.type);
    if (!t) {
      problems.push({ path: `parameters.${name}.type`, severity: 'error', message: `parameter '${name}': unknown type '${p.type}'` });
      continue;
    }
    types[name] = t;
    if (p.default !== undefined && p.default !== null) {
      try {
        castValue(toValue(p.default), t);
      } catch (e) {
        problems.push({
          path: `parameters.${name}.default`,
          severity: 'error',
          message: `parameter '${name}': default ${JSON.stringify(p.default)} is not a ${formatType(t)}: ${(e as Error).message}`,
        });
      }
    }
  }
  return types;
}

function toValue(v: unknown): Value {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * Parameter values for a run: the document's defaults, overridden by the caller's values
 * (text from the command line is cast to the declared type).
 */
export function resolveParameters(
  doc: PipelineDocument,
  types: Record<string, LogicalType>,
  overrides: Record<string, unknown> = {},
): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const name of Object.keys(overrides)) {
    if (!(name in types)) throw new Error(`unknown parameter '${name}'; the pipeline declares: ${Object.keys(types).join(', ') || 'none'}`);
  }
  for (const [name, t] of Object.entries(types)) {
    const raw = name in overrides ? overrides[name] : doc.parameters?.[name]?.default;
    if (raw === undefined || raw === null) {
      out[name] = null;
      continue;
    }
    try {
      out[name] = castValue(toValue(raw), t);
    } catch (e) {
      throw new Error(`parameter '${name}': ${JSON.stringify(raw)} is not a ${formatType(t)}: ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * Every problem of a document at once: structure (node types, configs, edges, cycles),
 * parameters, and, node by node in topological order, what planning finds (expressions
 * that do not parse, unknown columns with a "did you mean", type mismatches, connections).
 */
export async function validateDocument(doc: PipelineDocument, opts: ValidateOptions): Promise<ValidationResult> {
  const registry = opts.registry ?? nodeRegistry;
  const problems: Problem[] = [];
  const paramTypes = parameterTypes(doc, problems);
  const { graph, problems: structural } = buildGraph(doc, (t) => registry.get(t), registry.types());
  problems.push(...structural);
  const schemas = new Map<string, PlanResult>();

  const ownConnections = opts.connections ? undefined : new RunConnections(doc.connections ?? {}, { baseDir: opts.baseDir, env: opts.env });
  const connections = opts.connections ?? ownConnections!;
  try {
    for (const id of graph.order) {
      if (opts.only && !opts.only.has(id)) continue;
      const node = graph.nodes.get(id)!;
      const inputs: Record<string, Schema[]> = {};
      let missingInput = node.ports.inputs.some((p) => !p.optional && !node.incoming.get(p.name)?.length);
      for (const port of node.ports.inputs) {
        const list: Schema[] = [];
        for (const e of node.incoming.get(port.name) ?? []) {
          const s = schemas.get(e.from.node)?.[e.from.port];
          if (s) list.push(s);
          else missingInput = true;
        }
        inputs[port.name] = list;
      }
      // An upstream node that could not be planned already has its problem; don't cascade.
      if (missingInput) continue;
      const at = `nodes[${node.index}].config`;
      let result: PlanResult = {};
      try {
        result = await node.type.plan({
          nodeId: id,
          config: node.config,
          inputs,
          params: paramTypes,
          connections,
          problem: (path, message, extra) =>
            problems.push({
              path: path ? `${at}.${path}` : `nodes[${node.index}]`,
              severity: extra?.severity ?? 'error',
              message: `node '${id}': ${message}`,
              nodeId: id,
              hint: extra?.hint,
              start: extra?.start,
              end: extra?.end,
            }),
        });
      } catch (e) {
        problems.push({ path: `nodes[${node.index}]`, severity: 'error', nodeId: id, message: `node '${id}': ${(e as Error).message}` });
        continue;
      }
      for (const port of node.ports.outputs) {
        if (port.kind === 'rejected' && !result[port.name] && inputs.in?.[0]) {
          result = { ...result, [port.name]: rejectedSchema(inputs.in[0]) };
        }
      }
      schemas.set(id, result);
    }
  } finally {
    await ownConnections?.closeAll();
  }
  return { problems, graph, schemas, paramTypes };
}

/** Text -> every problem (syntax, envelope, structure, planning). */
export async function validateText(
  text: string,
  file: string,
  opts: ValidateOptions,
): Promise<ValidationResult & { document?: PipelineDocument }> {
  const loaded = loadDocument(text, file);
  if (!loaded.document) return { problems: loaded.problems, schemas: new Map(), paramTypes: {}, graph: { nodes: new Map(), order: [], edges: [] } };
  const result = await validateDocument(loaded.document, opts);
  return { ...result, document: loaded.document };
}
