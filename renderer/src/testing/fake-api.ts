import type { MethodName, SluiceApi } from '../../../app/contract';

/** For store tests: how the fake API answers one method. */
export type FakeHandler = (input: Record<string, unknown>) => unknown;

/** A fake API for store tests: answers per method (an unexpected call throws), and remembers every call. */
export function fakeApi(handlers: Partial<Record<MethodName, FakeHandler>>) {
  const calls: Array<{ method: MethodName; input: Record<string, unknown> }> = [];
  const call = (async (method: MethodName, input?: Record<string, unknown>) => {
    calls.push({ method, input: input ?? {} });
    const h = handlers[method];
    if (!h) throw new Error(`unexpected call ${method}`);
    return h(input ?? {});
  }) as unknown as SluiceApi['call'];
  return { call, calls, of: (m: MethodName) => calls.filter((c) => c.method === m).map((c) => c.input) };
}
