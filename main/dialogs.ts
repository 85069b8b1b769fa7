import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import { ApiError } from '../app/contract/errors';
import type { NativeDialogs } from '../app/host/deps';

const MAX_OPEN_BYTES = 16 * 1024 * 1024;
const PIPELINE_FILTERS = [
  { name: 'Pipelines', extensions: ['yaml', 'yml', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

/** The native open and save dialogs, attached to the app's window. */
export function electronDialogs(dialog: Dialog, window: () => BrowserWindow | undefined): NativeDialogs {
  return {
    async open(opts) {
      const win = window();
      const options = { title: opts.title, filters: opts.filters ?? PIPELINE_FILTERS, properties: ['openFile' as const] };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      if (r.canceled || r.filePaths.length === 0) return { canceled: true };
      const file = r.filePaths[0];
      if (opts.read === false) return { canceled: false, fileName: path.basename(file), path: file };
      const size = (await stat(file)).size;
      if (size > MAX_OPEN_BYTES) throw new ApiError('forbidden', `${path.basename(file)} is ${size} bytes: more than a pipeline file can be`);
      return { canceled: false, fileName: path.basename(file), text: await readFile(file, 'utf8') };
    },
    async save(opts) {
      const win = window();
      const options = { title: opts.title, defaultPath: opts.defaultName, filters: opts.filters ?? PIPELINE_FILTERS };
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return { canceled: true };
      await writeFile(r.filePath, opts.text);
      return { canceled: false, path: r.filePath };
    },
  };
}
