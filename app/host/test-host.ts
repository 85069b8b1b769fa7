import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_PREFIX, type Envelope, type MethodName } from '../contract';
import { workerLaunchFor } from '../jobs/worker-entry';
import { openHost, type Host } from './bootstrap';
import type { NativeDialogs, SecretBox } from './deps';
import { startBrowserHost, type BrowserHost } from './http';
import { bindIpc, type IpcInvokeEventLike, type IpcMainLike } from './ipc';

/** Test helpers: a host on a fresh copy of the fixture workspace, reachable by IPC or HTTP. */

export const FIXTURE_WORKSPACE = fileURLToPath(new URL('./fixtures/workspace', import.meta.url));
export const APP_PAGE = 'sluice://app/index.html';

/** "Encryption" for tests that leaves no plain text behind (bytes XOR 0x5a). */
export const fakeSecrets: SecretBox = {
  encrypt: (plain) => Uint8Array.from(Buffer.from(plain, 'utf8'), (b) => b ^ 0x5a),
  decrypt: (data) => Buffer.from(Uint8Array.from(data, (b) => b ^ 0x5a)).toString('utf8'),
};

export const fakeDialogs: NativeDialogs = {
  open: async () => ({ canceled: false, fileName: 'picked.yaml', text: 'version: 1\nname: picked\nnodes: []\n' }),
  save: async (opts) => ({ canceled: false, path: `/saved/${opts.defaultName}` }),
};

export interface TestHost {
  host: Host;
  dir: string;
  close(): Promise<void>;
}

export async function startTestHost(opts: { secrets?: SecretBox; dialogs?: NativeDialogs; hostKind?: 'electron' | 'browser'; concurrency?: number } = {}): Promise<TestHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-host-'));
  const workspaceDir = path.join(dir, 'workspace');
  cpSync(FIXTURE_WORKSPACE, workspaceDir, { recursive: true });
  const host = await openHost({
    hostKind: opts.hostKind ?? 'electron',
    home: path.join(dir, 'home'),
    workspaceDir,
    secrets: opts.secrets,
    dialogs: opts.dialogs,
    launch: workerLaunchFor(new URL('../jobs/worker.ts', import.meta.url)),
    // The job worker is bundled on the fly: the batch pool's worker is not beside it.
    batchWorkerFile: workerLaunchFor(new URL('../jobs/batch/chunk-worker.ts', import.meta.url)).filename as string,
    concurrency: opts.concurrency,
    env: { ...process.env, SHOP_PASSWORD: 'not-used-by-csv' },
  });
  return {
    host,
    dir,
    async close() {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Listener = (event: IpcInvokeEventLike, payload?: unknown) => Promise<unknown>;

/** Records what bindIpc registers, as Electron's ipcMain would, and lets tests invoke it. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, payload: unknown, senderUrl = APP_PAGE): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    // IPC carries payloads by structured clone: the handler never shares the caller's objects.
    return h({ senderFrame: { url: senderUrl } }, structuredClone(payload));
  }
}

export type Transport = (method: MethodName | string, payload: unknown) => Promise<Envelope<unknown>>;

export function ipcTransport(host: Host): { call: Transport; ipc: FakeIpcMain } {
  const ipc = new FakeIpcMain();
  bindIpc(ipc, host.handlers, { isTrustedSender: (url) => url.startsWith('sluice://app/') });
  return { ipc, call: async (method, payload) => (await ipc.invoke(IPC_PREFIX + method, payload)) as Envelope<unknown> };
}

export async function httpTransport(host: Host): Promise<{ call: Transport; server: BrowserHost }> {
  const server = await startBrowserHost({ handlers: host.handlers, events: host.events });
  return {
    server,
    call: async (method, payload) => {
      const res = await fetch(`${server.origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
        body: JSON.stringify(payload),
      });
      return (await res.json()) as Envelope<unknown>;
    },
  };
}
