import type { LogicalType, TypeKind } from '../model/types';
import type { Value } from '../model/values';

/**
 * The static type of an expression: a logical type, or `null` for a bare NULL whose type
 * nothing decides (it becomes text when it reaches the outside, as in PostgreSQL).
 */
export interface ExprType {
  kind: TypeKind | 'null';
  precision?: number;
  scale?: number;
}

/**
 * Every node carries its offsets in the expression text. `type` and `nullable` are filled in
 * by the checker (checkExpression returns the annotated tree); the parser leaves them unset,
 * except on literals, whose type is known from their spelling.
 */
interface NodeBase {
  start: number;
  end: number;
  type?: ExprType;
  nullable?: boolean;
}

export interface LiteralNode extends NodeBase {
  kind: 'literal';
  /** A run-time value (Decimal for exact numerics, canonical strings for temporal types). */
  value: Value;
  type: ExprType;
}

export interface ColumnNode extends NodeBase {
  kind: 'column';
  /** As written; the checker replaces it with the schema's spelling. */
  name: string;
  quoted: boolean;
  /** Position in the input row, set by the checker. */
  index?: number;
}

export interface ParamNode extends NodeBase {
  kind: 'param';
  name: string;
}

export type UnaryOp = '-' | '+' | 'not';

export interface UnaryNode extends NodeBase {
  kind: 'unary';
  op: UnaryOp;
  operand: Expr;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | '||' | 'and' | 'or';

export interface BinaryNode extends NodeBase {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface IsNode extends NodeBase {
  kind: 'is';
  operand: Expr;
  test: 'null' | 'true' | 'false' | 'unknown';
  negated: boolean;
}

/** `a IS DISTINCT FROM b` (negated: `IS NOT DISTINCT FROM`): equality where NULL = NULL. */
export interface DistinctNode extends NodeBase {
  kind: 'distinct';
  left: Expr;
  right: Expr;
  negated: boolean;
}

export interface InNode extends NodeBase {
  kind: 'in';
  operand: Expr;
  list: Expr[];
  negated: boolean;
}

export interface BetweenNode extends NodeBase {
  kind: 'between';
  operand: Expr;
  low: Expr;
  high: Expr;
  negated: boolean;
}

export interface LikeNode extends NodeBase {
  kind: 'like';
  operand: Expr;
  pattern: Expr;
  /** ESCAPE clause; absent means the default escape character, backslash. */
  escape?: Expr;
  negated: boolean;
  /** ILIKE: case-insensitive (both sides lower-cased). */
  caseInsensitive: boolean;
}

export interface CaseNode extends NodeBase {
  kind: 'case';
  /** Simple CASE: `CASE x WHEN 1 THEN ...`; absent for a searched CASE. */
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
}

export interface CastNode extends NodeBase {
  kind: 'cast';
  operand: Expr;
  target: LogicalType;
  /** cast: fails the row; try: NULL on failure; implicit: a promotion the checker inserted. */
  mode: 'cast' | 'try' | 'implicit';
}

export interface CallNode extends NodeBase {
  kind: 'call';
  /** Lower-case function name (aliases are resolved by the checker to the canonical name). */
  name: string;
  args: Expr[];
}

export type Expr =
  | LiteralNode
  | ColumnNode
  | ParamNode
  | UnaryNode
  | BinaryNode
  | IsNode
  | DistinctNode
  | InNode
  | BetweenNode
  | LikeNode
  | CaseNode
  | CastNode
  | CallNode;

/** The direct children of a node, in source order. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'param':
      return [];
    case 'unary':
    case 'is':
    case 'cast':
      return [e.operand];
    case 'binary':
    case 'distinct':
      return [e.left, e.right];
    case 'in':
      return [e.operand, ...e.list];
    case 'between':
      return [e.operand, e.low, e.high];
    case 'like':
      return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'case': {
      const out: Expr[] = e.operand ? [e.operand] : [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'call':
      return e.args;
  }
}

/** Visits every node, parents before children. */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  visit(e);
  for (const c of children(e)) walk(c, visit);
}
