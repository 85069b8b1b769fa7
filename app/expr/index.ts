/**
 * Sluice's expression language: SQL expression syntax, parsed once, type-checked against the
 * input schema, compiled to JavaScript for the engine and rendered to SQL per dialect.
 * See docs/expressions.md for the language reference.
 */
export type { Expr, ExprType } from './ast';
export { children, walk } from './ast';
export { parseExpression } from './parser';
export { checkExpression, checkAst, type ExprScope, type CheckResult } from './check';
export { compileAst, isTrue, type CompiledExpr } from './compile';
export { compileExpression } from './compile-expression';
export { renderSql, renderSqlDetailed, renderLiteral, type RenderOptions, type RenderResult } from './render-sql';
export { castValue, inferTextType, canCast, formatFloat } from './cast';
export { ExprError, ExprRuntimeError, CastError, ExprRenderError, formatProblem, type ExprProblem, type RuntimeErrorCode } from './errors';
export { FUNCTIONS } from './functions/index';
export type { FunctionDoc, FunctionCategory } from './functions/types';
export { registerSqliteFunctions, SQLITE_FUNCTION_NAMES } from './sqlite-functions';
