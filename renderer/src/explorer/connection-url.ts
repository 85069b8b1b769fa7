/** The connection form's fields, to and from a connection URL. */
export type ConnectionKind = 'sqlite' | 'postgres' | 'mysql';

export interface ConnectionFields {
  kind: ConnectionKind;
  /** SQLite: the database file (relative to the workspace, or absolute). */
  path: string;
  host: string;
  port: string;
  database: string;
  user: string;
}

export const DEFAULT_PORTS: Record<ConnectionKind, string> = { sqlite: '', postgres: '5432', mysql: '3306' };

export function emptyFields(kind: ConnectionKind = 'sqlite'): ConnectionFields {
  return { kind, path: '', host: '127.0.0.1', port: DEFAULT_PORTS[kind], database: '', user: kind === 'postgres' ? 'postgres' : kind === 'mysql' ? 'root' : '' };
}

export function buildUrl(f: ConnectionFields): string {
  if (f.kind === 'sqlite') return `sqlite:${f.path}`;
  const scheme = f.kind === 'postgres' ? 'postgres' : 'mysql';
  const user = f.user ? `${encodeURIComponent(f.user)}@` : '';
  const port = f.port ? `:${f.port}` : '';
  return `${scheme}://${user}${f.host}${port}/${encodeURIComponent(f.database)}`;
}

export function parseUrl(url: string): ConnectionFields | undefined {
  if (/^sqlite:/i.test(url)) return { ...emptyFields('sqlite'), path: url.replace(/^sqlite:(\/\/)?/i, '') };
  const m = /^(postgres(?:ql)?|mysql|mariadb):\/\/(?:([^@/]*)@)?([^:/]+)(?::(\d+))?\/([^?]*)/i.exec(url);
  if (!m) return undefined;
  const kind: ConnectionKind = m[1].toLowerCase().startsWith('postgres') ? 'postgres' : 'mysql';
  return { kind, path: '', user: decodeURIComponent((m[2] ?? '').split(':')[0]), host: m[3], port: m[4] ?? DEFAULT_PORTS[kind], database: decodeURIComponent(m[5]) };
}
