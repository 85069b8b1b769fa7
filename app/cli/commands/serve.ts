import path from 'node:path';
import { findShipped, openHost } from '../../host/bootstrap';
import { startBrowserHost } from '../../host/http';
import { EXIT, UsageError, type Io } from '../io';

export interface ServeFlags {
  port?: string;
  workspace?: string;
  json?: boolean;
}

/** The built renderer: out/renderer (vite build) next to the repository root or dist/. */
export function rendererDir(): string | undefined {
  const index = findShipped(path.join('out', 'renderer', 'index.html'));
  return index && path.dirname(index);
}

/**
 * `sluice serve`: the workbench in a browser. Opens the workspace and store, serves the
 * renderer and the API on 127.0.0.1, prints the URL with its session token, and runs until
 * interrupted (Ctrl-C or SIGTERM), then closes the store cleanly.
 */
export async function serveCommand(flags: ServeFlags, io: Io, until?: Promise<unknown>): Promise<number> {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number (0-65535), got '${flags.port}'`);
  const staticDir = rendererDir();
  const host = await openHost({ hostKind: 'browser', workspaceDir: flags.workspace });
  const server = await startBrowserHost({
    handlers: host.handlers,
    events: host.events,
    port,
    staticDir,
    dispatch: { onInternalError: (method, e) => io.err(`${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`) },
  });
  if (flags.json) {
    io.out(JSON.stringify({ url: server.url, origin: server.origin, port: server.port, workspace: host.workspace.root, home: host.home, ui: staticDir ?? null }));
  } else {
    if (!staticDir) io.err('note: the user interface is not built (run `npm run build:renderer`); the API answers anyway');
    io.out(`Sluice is serving workspace ${host.workspace.root}`);
    io.out(`open ${server.url}`);
    io.out('(only this machine can connect; the token in the URL is this session\'s key; Ctrl-C stops)');
  }
  const stop =
    until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  await stop;
  await server.close();
  await host.close();
  return EXIT.ok;
}
