// The renderer's only way to the core: the contract, over whichever transport exists.
// In the desktop app the preload put `window.sluice` there (IPC); in a browser the same
// calls go over HTTP to the browser host (the session cookie authenticates them) and
// events arrive as server-sent events. Components call `api` and never know which.
import type { EventName, EventPayload, InputArgs, MethodName, MethodOutput, SluiceApi, SluiceBridge } from '../../app/contract';
import { ApiError, type Envelope } from '../../app/contract/errors';

declare global {
  interface Window {
    sluice?: SluiceBridge;
  }
}

function unwrap<T>(env: Envelope<T>): T {
  if (!env.ok) throw ApiError.fromShape(env.error);
  return env.result;
}

export function ipcApi(bridge: SluiceBridge): SluiceApi {
  return {
    transport: 'ipc',
    async call<M extends MethodName>(method: M, ...[input]: InputArgs<M>): Promise<MethodOutput<M>> {
      return unwrap((await bridge.call[method](input ?? {})) as Envelope<MethodOutput<M>>);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as EventPayload<E>));
    },
  };
}

export function httpApi(base = ''): SluiceApi {
  let source: EventSource | undefined;
  let subscribers = 0;
  return {
    transport: 'http',
    async call<M extends MethodName>(method: M, ...[input]: InputArgs<M>): Promise<MethodOutput<M>> {
      let res: Response;
      try {
        res = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          credentials: 'same-origin',
        });
      } catch (e) {
        throw new ApiError('internal', `the Sluice host does not answer (${(e as Error).message}); is \`sluice serve\` still running?`);
      }
      const type = res.headers.get('content-type') ?? '';
      if (!type.includes('application/json')) {
        throw new ApiError(res.status === 403 ? 'forbidden' : 'internal', `${method}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }
      return unwrap((await res.json()) as Envelope<MethodOutput<M>>);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      // One stream for all subscriptions; EventSource reconnects by itself.
      source ??= new EventSource(`${base}/api/events`, { withCredentials: true });
      subscribers++;
      const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as EventPayload<E>);
      source.addEventListener(event, handler as EventListener);
      return () => {
        source?.removeEventListener(event, handler as EventListener);
        if (--subscribers === 0) {
          source?.close();
          source = undefined;
        }
      };
    },
  };
}

export function createApi(): SluiceApi {
  return typeof window !== 'undefined' && window.sluice ? ipcApi(window.sluice) : httpApi();
}

/** The app's one API client. */
export const api: SluiceApi = createApi();
export { ApiError };
