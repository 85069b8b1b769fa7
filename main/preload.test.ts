import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, IPC_EVENT_CHANNEL, METHOD_NAMES, type SluiceBridge } from '../app/contract';

// The preload runs against Electron's contextBridge and ipcRenderer: record what it does with them.
const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (channel: string, payload: unknown) => ({ ok: true, result: { channel, payload } }));
let onEvent: ((event: unknown, message: unknown) => void) | undefined;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: (channel: string, payload: unknown) => invoke(channel, payload),
    on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
      if (channel === IPC_EVENT_CHANNEL) onEvent = listener;
    },
  },
}));

describe('the preload', () => {
  let bridge: SluiceBridge;
  beforeEach(async () => {
    await import('./preload');
    bridge = exposed.get('sluice') as SluiceBridge;
  });

  it('exposes one object, window.sluice, with exactly call and on', () => {
    expect([...exposed.keys()]).toEqual(['sluice']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
  });

  it('exposes exactly the contract methods, each invoking its own channel', async () => {
    expect(Object.keys(bridge.call).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.isFrozen(bridge.call)).toBe(true);
    await bridge.call['pipelines/get']({ id: 'a.yaml' });
    expect(invoke).toHaveBeenLastCalledWith('sluice:pipelines/get', { id: 'a.yaml' });
  });

  it('delivers contract events to their listeners and refuses other names', () => {
    const got: unknown[] = [];
    const off = bridge.on('job/finished', (p) => got.push(p));
    onEvent?.({}, { name: 'job/finished', payload: { jobId: 'j' } });
    onEvent?.({}, { name: 'job/progress', payload: { jobId: 'other' } });
    onEvent?.({}, { name: 'not/anEvent', payload: {} });
    off();
    onEvent?.({}, { name: 'job/finished', payload: { jobId: 'after' } });
    expect(got).toEqual([{ jobId: 'j' }]);
    expect(() => bridge.on('evil/event' as never, () => {})).toThrow(/no event/);
    for (const e of EVENT_NAMES) expect(() => bridge.on(e, () => {})()).not.toThrow();
  });
});
