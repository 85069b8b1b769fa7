import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, type EventMessage, type Handlers, type MethodName } from '../contract';
import { dispatch, type DispatchOptions } from './dispatch';
import type { EventHub } from './events';

/*
 * The contract bound to Electron's IPC. It lives here, free of Electron (it codes against
 * the small interfaces below), so Node tests bind it to a fake ipcMain and call exactly the
 * functions the desktop app registers; main/ipc.ts binds it to the real ipcMain.
 */

/** The part of Electron's ipcMain this module uses: tests pass a fake that records handlers. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload?: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of an IpcMainInvokeEvent this module reads. */
export interface IpcInvokeEventLike {
  senderFrame?: { url: string } | null;
}

export interface BindOptions {
  /** Only frames showing the app's own pages may call (not a page that navigated elsewhere). */
  isTrustedSender(url: string): boolean;
  dispatch?: DispatchOptions;
  /** Told about every successful call (the main process keeps its Recent menu with it). */
  onSuccess?(method: MethodName, input: unknown, result: unknown): void;
}

/**
 * Binds every contract method to ipcMain.handle on its own channel (`sluice:<method>`), each
 * going through the same dispatch as HTTP: payload validated before the handler runs,
 * output validated after, errors returned as an envelope (IPC never rejects). Returns a
 * function that removes the bindings.
 */
export function bindIpc(ipc: IpcMainLike, handlers: Handlers, opts: BindOptions): () => void {
  for (const method of METHOD_NAMES) {
    ipc.handle(ipcChannel(method), async (event, payload) => {
      const url = event.senderFrame?.url ?? '';
      if (!opts.isTrustedSender(url)) {
        return { ok: false, error: { code: 'forbidden', message: `${method}: calls from ${url || 'an unknown frame'} are not allowed` } };
      }
      const env = await dispatch(handlers, method, payload, { transport: 'ipc' }, opts.dispatch);
      if (env.ok) opts.onSuccess?.(method, payload, env.result);
      return env;
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipc.removeHandler(ipcChannel(method));
  };
}

/** Pushes the host's events to a window (the preload hands them to the page's listeners). */
export function forwardEvents(events: EventHub, send: (channel: string, message: EventMessage) => void): () => void {
  return events.subscribe((e) => send(IPC_EVENT_CHANNEL, e));
}
