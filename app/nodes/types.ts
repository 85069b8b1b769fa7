import type { z } from 'zod';
import type { Connection } from '../connectors/types';
import type { Problem } from '../model/problems';
import type { Schema } from '../model/schema';
import type { LogicalType } from '../model/types';
import type { Row, Value } from '../model/values';

export type NodeCategory = 'source' | 'transform' | 'quality' | 'combine' | 'sink';

export interface PortSpec {
  name: string;
  /** `rejected` ports carry rows that failed, with their reasons as extra columns. */
  kind: 'data' | 'rejected';
  description?: string;
  /** Accepts several incoming edges (union's `in`). */
  multiple?: boolean;
  /** May stay unconnected (an input that is optional, e.g. lookup's table-backed mode). */
  optional?: boolean;
  /**
   * The node reads this input to its end before it reads the others (lookup reads its
   * table first). The engine uses it to avoid deadlocks when both inputs share an upstream.
   */
  readsFirst?: boolean;
}

export interface Ports {
  inputs: PortSpec[];
  outputs: PortSpec[];
}

/** Opens connections by pipeline name or URL, once per run, closed by the engine. */
export interface ConnectionProvider {
  open(nameOrUrl: string): Promise<Connection>;
  /** The URL a name resolves to (for messages and file paths), without secrets. */
  describe(nameOrUrl: string): string;
}

export interface Logger {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface PlanContext<C> {
  nodeId: string;
  config: C;
  /** Schemas of the connected inputs, by port; a `multiple` port has one per edge. */
  inputs: Record<string, Schema[]>;
  params: Record<string, LogicalType>;
  connections: ConnectionProvider;
  /** Reports a problem; `path` is relative to the node's config, e.g. `columns[0].expr`. */
  problem(path: string, message: string, extra?: Partial<Pick<Problem, 'severity' | 'hint' | 'start' | 'end'>>): void;
}

/** Output schemas by port name. A port left out has an unknown schema (planning failed). */
export type PlanResult = Partial<Record<string, Schema>>;

export interface RejectReason {
  rule: string;
  column?: string;
  value?: Value;
  message: string;
  severity?: 'error' | 'warning';
}

export interface RejectedRow {
  row: Row;
  reasons: RejectReason[];
}

export interface InputPort extends AsyncIterable<Row[]> {
  readonly schema: Schema;
}

export interface OutputPort {
  readonly schema: Schema;
  /** Sends a batch downstream; resolves when there is room again (back-pressure). Rows must not be mutated afterwards. */
  push(rows: Row[]): Promise<void>;
  /** True when nobody downstream wants more rows (e.g. a preview has what it needs). */
  readonly done: boolean;
}

export interface RunContext<C> {
  nodeId: string;
  config: C;
  params: Record<string, Value>;
  /** The declared types of the parameters, for compiling expressions. */
  paramTypes: Record<string, LogicalType>;
  signal: AbortSignal;
  /** The input port's stream; for a `multiple` port, one per edge via `inputs`. */
  input(port?: string): InputPort;
  inputs(port: string): InputPort[];
  output(port?: string): OutputPort;
  /** Records rejected rows (store, counts) and sends them out of the `rejected` port when the node has one. */
  reject(rows: RejectedRow[]): Promise<void>;
  /**
   * Records rows that go on despite a problem (validate's warnings, a cast to NULL): stored
   * with their reasons as severity 'warning', not counted as rejected, not sent out of `rejected`.
   */
  warn(rows: RejectedRow[]): Promise<void>;
  connections: ConnectionProvider;
  /** A fresh folder for spill files, removed after the run. */
  tempDir(): Promise<string>;
  /**
   * Resolves once every other node of the run is done (or waiting here too): true when the
   * run succeeded so far, false when it failed or was cancelled. Sinks call it before they
   * commit, so that no sink commits while another part of the run can still fail.
   */
  readyToCommit(): Promise<boolean>;
  /** Preview runs write nothing: sinks pass rows through instead. */
  preview: boolean;
  log: Logger;
}

export interface NodeType<C> {
  type: string;
  title: string;
  category: NodeCategory;
  description: string;
  /** Parses a document's config, filling defaults; each field has a description (help and forms come from it). */
  config: z.ZodType<C>;
  /** A small working config for help and the palette. */
  example: Record<string, unknown>;
  ports(config: C): Ports;
  plan(ctx: PlanContext<C>): Promise<PlanResult> | PlanResult;
  run(ctx: RunContext<C>): Promise<void>;
}

/** The registry holds node types with their config types erased; the engine parses config first. */
export type AnyNodeType = NodeType<unknown>;

export function defineNode<C>(def: NodeType<C>): AnyNodeType {
  return def as unknown as AnyNodeType;
}
