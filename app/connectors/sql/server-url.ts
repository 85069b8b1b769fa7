import { ConnectorError } from '../types';

/**
 * `scheme://user[:password]@host[:port]/database?options` for server databases. The
 * authority parts become options (host, port, database, user) so that explicit options
 * can override them; the query string adds the rest. A password in the URL is accepted
 * here (the engine resolves `${env:NAME}` into URLs); the workbench store and documents
 * refuse one before it gets this far. Messages never repeat it.
 */
export interface ServerUrl {
  scheme: string;
  password?: string;
  /** host, port, database, user (when present) and the query parameters, as text. */
  query: Record<string, string>;
}

/** Query parameter names in the libpq / JDBC style -> Sluice option names. */
const ALIASES: Record<string, string> = {
  statement_timeout: 'statementTimeoutMs',
  statementTimeout: 'statementTimeoutMs',
  pool: 'poolSize',
  pool_size: 'poolSize',
  ssl_mode: 'sslmode',
  sslMode: 'sslmode',
  connect_timeout_ms: 'connectTimeoutMs',
};

export function parseServerUrl(url: string, what: string): ServerUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectorError(`not a ${what} URL: ${JSON.stringify(redactPassword(url))} (expected e.g. ${what === 'PostgreSQL' ? 'postgres://user@host:5432/db' : 'mysql://user@host:3306/db'})`);
  }
  const query: Record<string, string> = {};
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host !== '') query.host = decodeURIComponent(host);
  if (u.port !== '') query.port = u.port;
  if (u.username !== '') query.user = decodeURIComponent(u.username);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '') query.database = decodeURIComponent(path);
  for (const [k, v] of u.searchParams) query[ALIASES[k] ?? k] = v;
  const out: ServerUrl = { scheme: u.protocol.replace(/:$/, '').toLowerCase(), query };
  if (u.password !== '') out.password = decodeURIComponent(u.password);
  return out;
}

/** The URL with any password replaced by ***, for messages. */
export function redactPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** `host[:port]` or `[v6]:port` -> parts. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new ConnectorError(`not a host[:port]: ${JSON.stringify(text)}`);
  return { host: m[1], port: m[2] === undefined ? defaultPort : Number(m[2]) };
}
