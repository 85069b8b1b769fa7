/**
 * Errors of the expression language. Check-time problems carry character offsets into the
 * expression text (UTF-16 code units, as editors count them); messages show line:column.
 */
export interface ExprProblem {
  message: string;
  /** Offset of the first character concerned (0-based). */
  start: number;
  /** Offset just after the last character concerned. */
  end: number;
  hint?: string;
  severity: 'error' | 'warning';
}

/** 1-based line and column of an offset, for messages. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

export function formatProblem(text: string, p: ExprProblem): string {
  const { line, col } = lineCol(text, p.start);
  return `at ${line}:${col}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/** A syntax or type error in an expression; `problems` holds every error found. */
export class ExprError extends Error {
  constructor(
    readonly problems: ExprProblem[],
    readonly text: string,
  ) {
    super(
      problems
        .filter((p) => p.severity === 'error')
        .map((p) => formatProblem(text, p))
        .join('; ') || 'invalid expression',
    );
    this.name = 'ExprError';
  }
}

/** What went wrong while evaluating one row: the engine rejects the row with this reason. */
/**
 * cast: a value does not convert; overflow: beyond 64-bit integers or finite floats; range: a
 * date beyond 0001..9999; domain: sqrt(-1), ln(0) ...; argument: a bad argument (negative
 * length, invalid pattern); parameter: a parameter value of the wrong type.
 */
export type RuntimeErrorCode = 'cast' | 'overflow' | 'range' | 'domain' | 'argument' | 'parameter';

export class ExprRuntimeError extends Error {
  constructor(
    message: string,
    readonly code: RuntimeErrorCode = 'argument',
  ) {
    super(message);
    this.name = 'ExprRuntimeError';
  }
}

/** A value that cannot become the requested type (CAST, file connectors converting text). */
export class CastError extends Error {
  constructor(
    message: string,
    /** invalid: not the type's syntax; range: the right syntax but too large (or small). */
    readonly reason: 'invalid' | 'range' = 'invalid',
  ) {
    super(message);
    this.name = 'CastError';
  }
}

/** The renderer cannot express this expression in the requested SQL dialect. */
export class ExprRenderError extends Error {
  constructor(
    message: string,
    readonly start?: number,
    readonly end?: number,
  ) {
    super(message);
    this.name = 'ExprRenderError';
  }
}
