// The Electron main process: one window, its menu and dialogs, safeStorage, and the IPC
// binding of the contract. No business logic lives here: everything the UI can do goes
// through app/host's handlers, exactly as in the browser host.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, protocol, safeStorage, session } from 'electron';
import { IPC_EVENT_CHANNEL, type AppCommand, type EventMessage } from '../app/contract';
import { openHost, type Host } from '../app/host/bootstrap';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { electronDialogs } from './dialogs';
import { bindContractToIpc } from './ipc';
import { menuTemplate } from './menu';
import { safeStorageBox } from './secrets';
import { APP_ORIGIN, hardenSession, hardenWebContents } from './security';
import { loadAppState, saveAppState, withRecent, type AppState } from './window-state';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '..', 'renderer');
const PRELOAD = path.join(here, '..', 'preload', 'index.cjs');

registerAppScheme(protocol);
hardenWebContents(app);
if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
let host: Host | undefined;
let state: AppState = { recent: [] };
let stateFile = '';

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    ...(state.bounds ?? { width: 1280, height: 820 }),
    minWidth: 800,
    minHeight: 500,
    title: 'Sluice',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // A middle click on a link must not open a window (Electron security checklist).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  const remember = () => {
    if (win.isDestroyed()) return;
    state = { ...state, maximized: win.isMaximized(), bounds: win.isMaximized() ? state.bounds : win.getBounds() };
  };
  win.on('resize', remember);
  win.on('move', remember);
  win.on('close', () => {
    remember();
    saveAppState(stateFile, state);
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

function sendCommand(command: AppCommand, pipelineId?: string): void {
  const message: EventMessage = { name: 'app/command', payload: { command, pipelineId } };
  window?.webContents.send(IPC_EVENT_CHANNEL, message);
}

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        command: sendCommand,
        about: () =>
          void dialog.showMessageBox({ type: 'info', title: 'About Sluice', message: `Sluice ${app.getVersion()}`, detail: 'A data-integration workbench.' }),
        recent: state.recent,
        isMac: process.platform === 'darwin',
        devTools: !app.isPackaged,
      }),
    ),
  );
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  serveRenderer(protocol, RENDERER_DIR);
  host = await openHost({
    hostKind: 'electron',
    secrets: safeStorageBox(safeStorage),
    dialogs: electronDialogs(dialog, () => window),
    // Packaged, the demo workspace ships as an extra resource (electron-builder.yml).
    demoDir: app.isPackaged ? path.join(process.resourcesPath, 'demo') : undefined,
  });
  stateFile = path.join(host.home, 'window-state.json');
  state = loadAppState(stateFile);
  bindContractToIpc(host.handlers, host.events, () => window?.webContents, (method, input) => {
    // Opening a pipeline puts it on File > Open Recent.
    if (method === 'pipelines/get') {
      state = withRecent(state, (input as { id: string }).id);
      buildMenu();
    }
  });
  buildMenu();
  window = createWindow();
  window.on('closed', () => {
    window = undefined;
  });
}

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.on('window-all-closed', () => app.quit());

app.on('will-quit', (e) => {
  if (!host) return;
  e.preventDefault();
  const h = host;
  host = undefined;
  void h.close().finally(() => app.quit());
});

app
  .whenReady()
  .then(start)
  .catch((e: unknown) => {
    dialog.showErrorBox('Sluice could not start', e instanceof Error ? e.message : String(e));
    app.exit(1);
  });
