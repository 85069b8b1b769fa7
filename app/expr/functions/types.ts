import type { Dialect } from '../../connectors/types';
import type { Value } from '../../model/values';
import type { CallNode, Expr, ExprType } from '../ast';

export type FunctionCategory = 'string' | 'number' | 'date' | 'null' | 'logic' | 'json' | 'other';

/** What a function's type rule may ask of the checker. */
export interface CheckApi {
  error(node: Expr, message: string, hint?: string): void;
  warning(node: Expr, message: string, hint?: string): void;
  /**
   * Converts a typed argument to `to`: a text literal is parsed (an error if it does not
   * parse), NULL takes the type, numeric and date promotions become implicit casts. Reports
   * an error naming `what` when no conversion exists. `anyToText` allows any type to become
   * text (concat, ||).
   */
  coerce(node: Expr, to: ExprType, what: string, anyToText?: boolean): Expr;
  /** The common type of several arguments, each coerced to it; reports a mismatch. */
  unify(nodes: Expr[], what: string): { type: ExprType; nodes: Expr[] } | undefined;
  /** Requires one of the kinds ('numeric' for any number); coerces a text literal to the first kind. */
  expect(node: Expr, kinds: readonly (ExprType['kind'] | 'numeric')[], what: string): Expr | undefined;
  /** The value of an integer literal (e.g. the digits of round(x, 2)), else undefined. */
  intLiteral(node: Expr): number | undefined;
  /** The value of a text literal, else undefined. */
  textLiteral(node: Expr): string | undefined;
}

export interface Resolution {
  type: ExprType;
  /** The arguments after coercion. */
  args: Expr[];
  /** Overrides the default (nullable when any argument is). */
  nullable?: boolean;
}

/** Code generation services for functions that need more than a strict call. */
export interface GenApi {
  /** JavaScript source of a sub-expression, evaluating to a Value. */
  expr(e: Expr): string;
  /** A fresh local variable name. */
  temp(): string;
  /** A reference to a constant (value or helper function) in the compiled closure. */
  constant(v: unknown): string;
}

/** Rendering services for functions. */
export interface SqlApi {
  dialect: Dialect;
  /** The rendered arguments, each safe to place anywhere (parenthesised when compound). */
  args: string[];
  /** The typed argument nodes. */
  nodes: Expr[];
  call: CallNode;
  render(e: Expr): string;
  /** A SQL literal of a value. */
  literal(v: Value, t: ExprType): string;
  /** A SQL string literal. */
  str(s: string): string;
  /**
   * An expression of type `t` that raises a run-time error mentioning `valueSql` (PostgreSQL,
   * SQLite with the Sluice function pack); MySQL cannot raise inside an expression: NULL.
   */
  raise(message: string, valueSql: string, t: ExprType): string;
  /** Records that the rendered SQL only approximates Sluice's semantics for this dialect. */
  note(message: string): void;
  /** Text comparison in code point order, per dialect. */
  textCompare(op: string, a: string, b: string): string;
  /** CAST of rendered SQL from one Sluice type to another, with Sluice's semantics. */
  cast(sql: string, from: ExprType, to: ExprType, mode: 'cast' | 'try' | 'implicit'): string;
}

export interface FunctionDef {
  name: string;
  aliases?: string[];
  category: FunctionCategory;
  signature: string;
  returns: string;
  description: string;
  example: string;
  minArgs: number;
  maxArgs: number;
  /** False for now() and current_date. */
  deterministic?: boolean;
  /**
   * Functions that are another construct in disguise (mod -> %, if -> CASE, extract -> year ...)
   * rewrite the call before checking; undefined after reporting an error.
   */
  rewrite?: (call: CallNode, api: CheckApi) => Expr | undefined;
  check(args: Expr[], api: CheckApi, call: CallNode): Resolution | undefined;
  /**
   * The JavaScript implementation for the resolved argument types, called with non-null
   * arguments (a NULL argument makes the result NULL without calling it).
   */
  impl?: (types: ExprType[], result: ExprType, args: Expr[]) => (...v: Value[]) => Value;
  /** Code generation for functions that are not NULL-strict (coalesce, concat ...). */
  compile?: (g: GenApi, args: Expr[], result: ExprType) => string;
  sql(s: SqlApi): string;
}

export interface FunctionDoc {
  name: string;
  category: FunctionCategory;
  signature: string;
  returns: string;
  description: string;
  example: string;
}
