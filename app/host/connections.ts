import { RunConnections, type Env } from '../engine/connections';
import type { Connection } from '../connectors/types';
import type { ConnectionDoc, PipelineDocument } from '../model/document';
import { ApiError } from '../contract/errors';
import type { HostDeps } from './deps';

/**
 * Saved (workbench) connections, as the engine sees them: named connections whose
 * passwords are `${env:…}` references. A password the desktop app encrypted is decrypted
 * into a private variable of a run's environment — in memory only, never on disk.
 */
export interface ResolvedConnections {
  named: Record<string, ConnectionDoc>;
  /** Variables to add to the environment of the run that uses them. */
  secrets: Record<string, string>;
}

/** A variable name for a connection's decrypted password, safe whatever the connection is called. */
export function secretVariable(connectionName: string): string {
  return `SLUICE_SECRET_${Buffer.from(connectionName, 'utf8').toString('hex')}`;
}

export function workbenchConnections(deps: HostDeps): ResolvedConnections {
  const named: Record<string, ConnectionDoc> = {};
  const secrets: Record<string, string> = {};
  for (const c of deps.store.listConnections()) {
    const doc: ConnectionDoc = { url: c.url };
    if (Object.keys(c.options).length > 0) doc.options = c.options;
    if (c.secretRef) doc.password = c.secretRef;
    else if (c.encryptedSecret && deps.secrets) {
      const variable = secretVariable(c.name);
      secrets[variable] = deps.secrets.decrypt(c.encryptedSecret);
      doc.password = `\${env:${variable}}`;
    }
    named[c.name] = doc;
  }
  return { named, secrets };
}

/** The document with the saved connections added (the document's own, by the same name, win). */
export function withWorkbenchConnections(doc: PipelineDocument, deps: HostDeps): { document: PipelineDocument; secrets: Record<string, string> } {
  const { named, secrets } = workbenchConnections(deps);
  if (Object.keys(named).length === 0) return { document: doc, secrets };
  return { document: { ...doc, connections: { ...named, ...doc.connections } }, secrets };
}

export function hostEnv(deps: HostDeps, extra: Record<string, string> = {}): Env {
  return { ...(deps.env ?? process.env), ...extra };
}

/**
 * Opens a saved connection by name, or a URL, for one piece of work and closes it after.
 * Relative file URLs resolve against the workspace folder.
 */
export async function withConnection<T>(
  deps: HostDeps,
  nameOrUrl: string,
  fn: (conn: Connection) => Promise<T>,
  extra?: { named?: Record<string, ConnectionDoc>; secrets?: Record<string, string> },
): Promise<T> {
  const saved = workbenchConnections(deps);
  const connections = new RunConnections(
    { ...saved.named, ...extra?.named },
    { baseDir: deps.workspace.root, env: hostEnv(deps, { ...saved.secrets, ...extra?.secrets }) },
  );
  try {
    let conn: Connection;
    try {
      conn = await connections.open(nameOrUrl);
    } catch (e) {
      throw new ApiError('connection-failed', e instanceof Error ? e.message : String(e));
    }
    return await fn(conn);
  } finally {
    await connections.closeAll();
  }
}
