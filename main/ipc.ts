import { ipcMain, type WebContents } from 'electron';
import type { Handlers, MethodName } from '../app/contract';
import type { EventHub } from '../app/host/events';
import { bindIpc, forwardEvents } from '../app/host/ipc';
import { isAppUrl } from './security';

/**
 * Binds the contract to Electron's ipcMain (one channel per method, the same dispatch and
 * validation as HTTP; only the app's own pages may call) and pushes the host's events to
 * the window.
 */
export function bindContractToIpc(
  handlers: Handlers,
  events: EventHub,
  window: () => WebContents | undefined,
  onSuccess?: (method: MethodName, input: unknown) => void,
): () => void {
  const unbind = bindIpc(ipcMain, handlers, { isTrustedSender: isAppUrl, onSuccess });
  const stop = forwardEvents(events, (channel, message) => {
    const wc = window();
    if (wc && !wc.isDestroyed()) wc.send(channel, message);
  });
  return () => {
    stop();
    unbind();
  };
}
