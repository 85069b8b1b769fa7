import { ApiError, type Handlers } from '../../contract';
import type { HostDeps } from '../deps';

/** Files inside the workspace folder, and the native dialogs for files outside it. */
export function fileHandlers(deps: HostDeps): Pick<Handlers, 'files/read' | 'files/write' | 'dialogs/open' | 'dialogs/save'> {
  const ws = deps.workspace;
  const noDialogs = () =>
    new ApiError('unsupported', 'this host has no native dialogs (the browser host): use the browser\'s file upload and download instead');
  return {
    'files/read': async ({ path, encoding, maxBytes }) => {
      const data = await ws.readFile(path, maxBytes);
      return { path, encoding, size: data.length, text: data.toString(encoding) };
    },
    'files/write': async ({ path, text, encoding, createFolders }) => {
      const data = Buffer.from(text, encoding);
      await ws.writeFile(path, data, { createFolders });
      return { path, size: data.length };
    },
    'dialogs/open': async (input) => {
      if (!deps.dialogs) throw noDialogs();
      return deps.dialogs.open(input);
    },
    'dialogs/save': async (input) => {
      if (!deps.dialogs) throw noDialogs();
      return deps.dialogs.save(input);
    },
  };
}
