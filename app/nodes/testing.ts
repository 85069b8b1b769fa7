import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Problem } from '../model/problems';
import type { Schema } from '../model/schema';
import type { LogicalType } from '../model/types';
import type { Row, Value } from '../model/values';
import { rejectedRow, rejectedSchema } from './common/rejected';
import type { AnyNodeType, ConnectionProvider, InputPort, OutputPort, PlanResult, RejectedRow } from './types';

/**
 * Runs one node type on in-memory inputs, for node tests: plan (with problems), then run,
 * collecting every output port and every rejected row. No engine, no connectors.
 */
export interface NodeTestInput {
  schema: Schema;
  rows: Row[];
}

export interface NodeTestResult {
  problems: Problem[];
  schemas: PlanResult;
  outputs: Record<string, Row[]>;
  rejected: RejectedRow[];
  /** Rows recorded with warnings (ctx.warn): they went on to their output. */
  warnings: RejectedRow[];
  /** Files the node left in its temp folders when it finished (they should be none). */
  tempFilesLeft: string[];
}

const noConnections: ConnectionProvider = {
  open: () => Promise.reject(new Error('this test has no connections')),
  describe: (x) => x,
};

export async function runNode(
  type: AnyNodeType,
  rawConfig: unknown,
  inputs: Record<string, NodeTestInput | NodeTestInput[]>,
  opts: {
    params?: Record<string, Value>;
    paramTypes?: Record<string, LogicalType>;
    connections?: ConnectionProvider;
    batchSize?: number;
    preview?: boolean;
    /** An output port reports `done` once it holds this many rows (a preview that has enough). */
    doneAfter?: Record<string, number>;
  } = {},
): Promise<NodeTestResult> {
  const problems: Problem[] = [];
  const parsed = type.config.safeParse(rawConfig);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, severity: 'error' })),
      schemas: {},
      outputs: {},
      rejected: [],
      warnings: [],
      tempFilesLeft: [],
    };
  }
  const config = parsed.data;
  const lists: Record<string, NodeTestInput[]> = {};
  for (const [k, v] of Object.entries(inputs)) lists[k] = Array.isArray(v) ? v : [v];
  const connections = opts.connections ?? noConnections;
  let schemas = await type.plan({
    nodeId: 'n',
    config,
    inputs: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.map((i) => i.schema)])),
    params: opts.paramTypes ?? {},
    connections,
    problem: (path, message, extra) => problems.push({ path, message, severity: extra?.severity ?? 'error', ...extra }),
  });
  const ports = type.ports(config);
  for (const p of ports.outputs) {
    if (p.kind === 'rejected' && !schemas[p.name] && lists.in?.[0]) schemas = { ...schemas, [p.name]: rejectedSchema(lists.in[0].schema) };
  }
  const result: NodeTestResult = { problems, schemas, outputs: {}, rejected: [], warnings: [], tempFilesLeft: [] };
  if (problems.some((p) => p.severity === 'error')) return result;

  const batchSize = opts.batchSize ?? 3;
  const toPort = (i: NodeTestInput): InputPort => ({
    schema: i.schema,
    async *[Symbol.asyncIterator]() {
      for (let k = 0; k < i.rows.length; k += batchSize) yield i.rows.slice(k, k + batchSize);
    },
  });
  const outputs: Record<string, Row[]> = {};
  for (const p of ports.outputs) outputs[p.name] = [];
  const output = (port = 'out'): OutputPort => {
    if (!outputs[port]) throw new Error(`no output port '${port}'`);
    const limit = opts.doneAfter?.[port] ?? Infinity;
    return {
      schema: schemas[port]!,
      get done() {
        return outputs[port].length >= limit;
      },
      push: async (rows) => void outputs[port].push(...rows),
    };
  };
  const temp: string[] = [];
  const rejectedPort = ports.outputs.find((p) => p.kind === 'rejected');
  const controller = new AbortController();
  try {
    await type.run({
      nodeId: 'n',
      config,
      params: opts.params ?? {},
      paramTypes: opts.paramTypes ?? {},
      signal: controller.signal,
      input: (port = 'in') => toPort(lists[port][0]),
      inputs: (port) => (lists[port] ?? []).map(toPort),
      output,
      reject: async (rows) => {
        result.rejected.push(...rows);
        if (rejectedPort) outputs[rejectedPort.name].push(...rows.map((r) => rejectedRow('n', r.row, r.reasons)));
      },
      warn: async (rows) => void result.warnings.push(...rows),
      readyToCommit: async () => true,
      connections,
      tempDir: async () => {
        const d = await mkdtemp(join(tmpdir(), 'sluice-node-test-'));
        temp.push(d);
        return d;
      },
      preview: opts.preview ?? false,
      log: { info() {}, warn() {}, error() {} },
    });
  } finally {
    for (const d of temp) {
      result.tempFilesLeft.push(...(await readdir(d)).map((f) => join(d, f)));
      await rm(d, { recursive: true, force: true });
    }
  }
  result.outputs = outputs;
  return result;
}
