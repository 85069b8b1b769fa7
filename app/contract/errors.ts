/**
 * Errors as the API carries them. A handler throws ApiError with a code the UI can act on;
 * every other exception reaches the caller as `internal` with its message (never a stack).
 */

export const ERROR_CODES = [
  /** The payload does not match the method's input schema; `issues` name the fields. */
  'invalid-input',
  'unknown-method',
  'not-found',
  /** It exists already (a file that createOnly would overwrite). */
  'conflict',
  /** A pipeline text that does not load; `issues` hold its problems. */
  'invalid-document',
  /** A path outside the workspace, a plain-text secret ... */
  'forbidden',
  /** A password was given but this host cannot encrypt it (browser host, CLI). */
  'secrets-unavailable',
  /** This host cannot do that (native dialogs in the browser). */
  'unsupported',
  'connection-failed',
  /** The handler returned something the contract does not allow: a bug in the host. */
  'invalid-output',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorIssue {
  /** Where: `limit`, `secret.password`, `nodes[2].config.table` ... ('' for the payload itself). */
  path: string;
  message: string;
}

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  issues?: ErrorIssue[];
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
  }

  toShape(): ApiErrorShape {
    return this.issues && this.issues.length > 0
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }

  static fromShape(e: ApiErrorShape): ApiError {
    return new ApiError(e.code, e.message, e.issues);
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}
