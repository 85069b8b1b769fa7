import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../app/contract/schemas';

export interface MenuActions {
  /** Hands a command to the UI (the app/command event): the UI owns the document. */
  command(command: AppCommand, pipelineId?: string): void;
  about(): void;
  recent: string[];
  isMac: boolean;
  devTools: boolean;
}

/** The application menu as data (built into a Menu by main.ts; tested without Electron). */
export function menuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const cmd = (command: AppCommand) => () => a.command(command);
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New Pipeline', accelerator: 'CmdOrCtrl+N', click: cmd('new') },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: cmd('open') },
      {
        label: 'Open Recent',
        enabled: a.recent.length > 0,
        submenu: a.recent.map((id) => ({ label: id, click: () => a.command('openRecent', id) })),
      },
      { type: 'separator' },
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: cmd('save') },
      { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: cmd('saveAs') },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: cmd('export') },
      { type: 'separator' },
      a.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      // The pipeline's own undo history lives in the UI; it falls back to text undo in fields.
      { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: cmd('undo') },
      { label: 'Redo', accelerator: a.isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y', click: cmd('redo') },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(a.devTools ? [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
    ],
  };
  const help: MenuItemConstructorOptions = { label: '&Help', submenu: [{ label: 'About Sluice', click: () => a.about() }] };
  return [...(a.isMac ? [{ role: 'appMenu' as const }] : []), file, edit, view, help];
}
