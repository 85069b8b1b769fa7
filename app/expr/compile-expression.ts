import { checkExpression, type ExprScope } from './check';
import { compileAst, type CompiledExpr } from './compile';
import { ExprError } from './errors';

/** Parses, checks and compiles; throws ExprError listing every error with its position. */
export function compileExpression(text: string, scope: ExprScope): CompiledExpr {
  const r = checkExpression(text, scope);
  if (!r.ast || !r.type || r.problems.some((p) => p.severity === 'error')) throw new ExprError(r.problems, text);
  return compileAst(r.ast, scope, { type: r.type, nullable: r.nullable, columns: r.columns });
}
