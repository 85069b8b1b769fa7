import type { z } from 'zod';
import {
  ApiError,
  CONTRACT,
  isMethodName,
  type ApiErrorShape,
  type CallContext,
  type Envelope,
  type ErrorIssue,
  type Handlers,
  type MethodName,
} from '../contract';

export interface DispatchOptions {
  /**
   * Check what handlers return against the output schema (default true). It also strips
   * fields the contract does not declare, so nothing leaks that the UI was not meant to see.
   */
  validateOutput?: boolean;
  /** Called with unexpected errors (not ApiErrors), e.g. to log their stack. */
  onInternalError?: (method: string, error: unknown) => void;
}

/** `limit`, `secret.password`, `nodes[2].id` from a zod issue path. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function zodIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
}

function describeIssues(issues: ErrorIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

function failure(error: ApiErrorShape): Envelope<never> {
  return { ok: false, error };
}

/**
 * The one way into the handlers, for every transport: checks the method name, validates
 * the payload against the method's input schema (a bad payload gets an error naming each
 * field, and the handler never runs), runs the handler, validates its output, and turns
 * any exception into an error envelope. Never throws.
 */
export async function dispatch(
  handlers: Handlers,
  method: unknown,
  payload: unknown,
  ctx: CallContext,
  opts: DispatchOptions = {},
): Promise<Envelope<unknown>> {
  if (!isMethodName(method)) {
    return failure({ code: 'unknown-method', message: `no method ${JSON.stringify(method)} in the API contract` });
  }
  const def = CONTRACT[method];
  // A method without parameters may be called with nothing at all.
  const parsed = def.input.safeParse(payload === undefined || payload === null ? {} : payload);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return failure({ code: 'invalid-input', message: `${method}: ${describeIssues(issues)}`, issues });
  }
  let result: unknown;
  try {
    const handler = handlers[method] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    result = await handler(parsed.data, ctx);
  } catch (e) {
    if (e instanceof ApiError) return failure(e.toShape());
    opts.onInternalError?.(method, e);
    return failure({ code: 'internal', message: `${method}: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (opts.validateOutput === false) return { ok: true, result };
  const out = def.output.safeParse(result);
  if (!out.success) {
    const issues = zodIssues(out.error);
    opts.onInternalError?.(method, new Error(`invalid output: ${describeIssues(issues)}`));
    return failure({ code: 'invalid-output', message: `${method} returned a result the contract does not allow: ${describeIssues(issues)}`, issues });
  }
  return { ok: true, result: out.data };
}

/** Calls one method in-process with full typing (tests, the CLI). Throws ApiError on failure. */
export async function callDirect<M extends MethodName>(
  handlers: Handlers,
  method: M,
  input: unknown,
  opts?: DispatchOptions,
): Promise<z.output<(typeof CONTRACT)[M]['output']>> {
  const env = await dispatch(handlers, method, input, { transport: 'direct' }, opts);
  if (!env.ok) throw ApiError.fromShape(env.error);
  return env.result as z.output<(typeof CONTRACT)[M]['output']>;
}
