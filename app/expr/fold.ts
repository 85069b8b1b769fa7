import { children, type Expr } from './ast';
import { compileAst } from './compile';
import { ExprRuntimeError, type ExprProblem } from './errors';
import { lookupFunction } from './functions/index';

/** True when the node reads no column or parameter and calls nothing non-deterministic. */
function isConstant(e: Expr): boolean {
  if (e.kind === 'column' || e.kind === 'param') return false;
  if (e.kind === 'call' && lookupFunction(e.name)?.deterministic === false) return false;
  return children(e).every(isConstant);
}

/**
 * Evaluates the constant parts of a checked tree once and warns about those that always fail
 * (CAST('abc' AS int), 1 / 0 is fine: NULL). Databases evaluate such constants while planning,
 * even in a CASE branch that no row reaches, so the warning also flags SQL that would fail there.
 */
export function constantFailures(ast: Expr): ExprProblem[] {
  const out: ExprProblem[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'literal') return;
    if (isConstant(e)) {
      try {
        compileAst(e, { columns: [] }, { type: { kind: 'text' }, nullable: true, columns: [] }).evaluate([], {});
      } catch (err) {
        if (!(err instanceof ExprRuntimeError)) throw err;
        out.push({ message: `this always fails: ${err.message}`, start: e.start, end: e.end, severity: 'warning', hint: 'TRY_CAST returns NULL instead of failing' });
      }
      return;
    }
    children(e).forEach(visit);
  };
  visit(ast);
  return out;
}
