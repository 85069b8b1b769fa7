import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_PREFIX, METHOD_NAMES } from '../app/contract';

/**
 * No Electron binary runs here, so this starts main.ts against a fake `electron` module that
 * records what the main process asks of it: the window's options, the IPC channels, the
 * protocol handler, the session's permission handlers, the navigation guards. The desktop
 * app's wiring is checked for real; only Electron itself is pretend.
 */

type Listener = (...args: unknown[]) => unknown;

const recorded = vi.hoisted(() => ({
  windows: [] as Array<{ options: Record<string, unknown>; url?: string }>,
  ipc: new Map<string, (event: unknown, payload?: unknown) => Promise<unknown>>(),
  appEvents: new Map<string, Listener[]>(),
  protocolHandler: undefined as undefined | ((request: { url: string }) => Promise<Response>),
  privileged: [] as unknown[],
  permissionRequest: undefined as undefined | Listener,
  permissionCheck: undefined as undefined | Listener,
  menu: undefined as unknown,
  ready: undefined as undefined | (() => void),
}));

vi.mock('electron', () => {
  class BrowserWindow {
    readonly webContents = { send: () => {}, isDestroyed: () => false };
    private readonly entry: { options: Record<string, unknown>; url?: string };
    constructor(options: Record<string, unknown>) {
      this.entry = { options };
      recorded.windows.push(this.entry);
    }
    loadURL(url: string) {
      this.entry.url = url;
      return Promise.resolve();
    }
    once() {}
    on() {}
    maximize() {}
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    getBounds() {
      return { x: 0, y: 0, width: 1280, height: 820 };
    }
  }
  const readyPromise = new Promise<void>((resolve) => (recorded.ready = resolve));
  return {
    app: {
      on: (event: string, l: Listener) => recorded.appEvents.set(event, [...(recorded.appEvents.get(event) ?? []), l]),
      whenReady: () => readyPromise,
      requestSingleInstanceLock: () => true,
      quit: () => {},
      exit: () => {},
      getVersion: () => '0.1.0',
      isPackaged: false,
    },
    BrowserWindow,
    dialog: { showErrorBox: (title: string, message: string) => console.error(title, message), showMessageBox: async () => ({}) },
    ipcMain: {
      handle: (channel: string, l: (event: unknown, payload?: unknown) => Promise<unknown>) => recorded.ipc.set(channel, l),
      removeHandler: (channel: string) => recorded.ipc.delete(channel),
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (recorded.menu = m) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => recorded.privileged.push(...s),
      handle: (_scheme: string, h: (request: { url: string }) => Promise<Response>) => (recorded.protocolHandler = h),
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Listener) => (recorded.permissionRequest = h),
        setPermissionCheckHandler: (h: Listener) => (recorded.permissionCheck = h),
        webRequest: { onHeadersReceived: () => {} },
      },
    },
  };
});

describe('the Electron main process (against a recording fake of Electron)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'sluice-main-'));
  const previousHome = process.env.SLUICE_HOME;

  beforeAll(async () => {
    process.env.SLUICE_HOME = home;
    await import('./main');
    recorded.ready!();
    await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 20_000 });
  }, 30_000);

  afterAll(async () => {
    for (const l of recorded.appEvents.get('will-quit') ?? []) l({ preventDefault: () => {} });
    if (previousHome === undefined) delete process.env.SLUICE_HOME;
    else process.env.SLUICE_HOME = previousHome;
    await new Promise((r) => setTimeout(r, 200));
    rmSync(home, { recursive: true, force: true });
  });

  it('opens one window, isolated and sandboxed, on the app scheme', () => {
    const [win] = recorded.windows;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(win.url).toBe('sluice://app/index.html');
    expect(recorded.privileged).toEqual([expect.objectContaining({ scheme: 'sluice', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
  });

  it('binds exactly the contract to IPC, and a call goes through to the host', async () => {
    expect([...recorded.ipc.keys()].sort()).toEqual(METHOD_NAMES.map((m) => IPC_PREFIX + m).sort());
    const info = await recorded.ipc.get(`${IPC_PREFIX}workspace/info`)!({ senderFrame: { url: 'sluice://app/index.html' } }, {});
    expect(info).toMatchObject({ ok: true, result: { host: 'electron', secretStorage: false, root: path.join(home, 'workspace') } });
    const foreign = await recorded.ipc.get(`${IPC_PREFIX}workspace/info`)!({ senderFrame: { url: 'https://evil.example/' } }, {});
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('denies every permission request and check', () => {
    let granted: boolean | undefined;
    recorded.permissionRequest!({}, 'media', (ok: boolean) => (granted = ok));
    expect(granted).toBe(false);
    expect(recorded.permissionCheck!({}, 'notifications')).toBe(false);
  });

  it('blocks navigation away from the app, new windows and webviews', () => {
    const handlers = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    const contents = { on: (e: string, l: Listener) => handlers.set(e, l), setWindowOpenHandler: (h: Listener) => (openHandler = h) };
    for (const l of recorded.appEvents.get('web-contents-created') ?? []) l({}, contents);
    const prevented = (event: string, url?: string) => {
      let p = false;
      handlers.get(event)!({ preventDefault: () => (p = true) }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', 'sluice://app/index.html')).toBe(false);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('serves the renderer from its folder only, with the Content-Security-Policy', async () => {
    const page = await recorded.protocolHandler!({ url: 'sluice://app/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(await page.text()).toContain('<div id="root">');
    for (const url of ['sluice://app/../package.json', 'sluice://app/%2e%2e/package.json', 'sluice://other/index.html']) {
      const r = await recorded.protocolHandler!({ url });
      expect(await r.text(), url).not.toContain('"name": "sluice"');
    }
  });

  it('has the File, Edit, View and Help menus', () => {
    expect((recorded.menu as Array<{ label?: string }>).map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
  });
});
