// The preload of the app's window (sandboxed: it may use only contextBridge and ipcRenderer).
// It exposes exactly the contract — one function per method, a subscription per event —
// and nothing else: no ipcRenderer, no Node, no generic send(channel, ...).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, isEventName, type EventName } from '../app/contract/names';

type Listener = (payload: unknown) => void;

const call = Object.freeze(
  Object.fromEntries(METHOD_NAMES.map((m) => [m, (input: unknown) => ipcRenderer.invoke(ipcChannel(m), input)])),
);

const listeners = new Map<EventName, Set<Listener>>(EVENT_NAMES.map((e) => [e, new Set<Listener>()]));

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, message: { name?: unknown; payload?: unknown }) => {
  if (!isEventName(message?.name)) return;
  for (const l of listeners.get(message.name) ?? []) l(message.payload);
});

contextBridge.exposeInMainWorld('sluice', {
  call,
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event)) throw new Error(`no event ${JSON.stringify(event)} in the API contract`);
    if (typeof listener !== 'function') throw new Error('a listener must be a function');
    const set = listeners.get(event)!;
    const l = listener as Listener;
    set.add(l);
    return () => void set.delete(l);
  },
});
