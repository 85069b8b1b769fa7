import { ApiError, type Handlers } from '../../contract';
import type { HostDeps } from '../deps';

/** Files inside the workspace folder, and the native dialogs for files outside it. */
export function fileHandlers(deps: HostDeps): Pick<Handlers, 'files/read' | 'files/write' | 'files/list' | 'dialogs/open' | 'dialogs/save'> {
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
    'files/list': async ({ extensions, limit }) => {
      const match = extensions?.length ? new RegExp(`\\.(${extensions.map((e) => e.toLowerCase()).join('|')})$`, 'i') : /./;
      const found = await ws.findFiles(match, { maxFiles: limit + 1 });
      const files = [];
      for (const path of found.slice(0, limit)) {
        try {
          files.push({ path, ...(await ws.modifiedAt(path)) });
        } catch {
          // A file that vanished meanwhile is not listed.
        }
      }
      return { files, truncated: found.length > limit };
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
