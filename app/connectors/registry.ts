import { csvConnector } from './csv/csv.connector';
import { jsonConnector } from './json/json.connector';
import { mysqlConnector } from './mysql/mysql.connector';
import { ndjsonConnector } from './ndjson/ndjson.connector';
import { postgresConnector } from './postgres/postgres.connector';
import { sqliteConnector } from './sqlite/sqlite.connector';
import { ConnectorError, type Connection, type ConnectionConfig, type ConnectorModule, type OpenContext } from './types';
import { schemeOf } from './url';

/**
 * Every connector, listed once. Adding one (PostgreSQL, MySQL, ...) is one import and one
 * line here; ids and URL schemes are checked for duplicates when this module loads.
 */
export const connectors: readonly ConnectorModule[] = [sqliteConnector, postgresConnector, mysqlConnector, csvConnector, ndjsonConnector, jsonConnector];

export function checkRegistry(list: readonly ConnectorModule[]): Map<string, ConnectorModule> {
  const ids = new Set<string>();
  const bySchemes = new Map<string, ConnectorModule>();
  for (const c of list) {
    if (ids.has(c.id)) throw new Error(`connector registry: duplicate id '${c.id}'`);
    ids.add(c.id);
    for (const s of c.schemes) {
      const scheme = s.toLowerCase();
      const other = bySchemes.get(scheme);
      if (other) throw new Error(`connector registry: scheme '${scheme}' claimed by both '${other.id}' and '${c.id}'`);
      bySchemes.set(scheme, c);
    }
  }
  return bySchemes;
}

const byScheme = checkRegistry(connectors);

export function knownSchemes(): string[] {
  return [...byScheme.keys()];
}

/** The connector that opens a URL, or undefined. */
export function connectorFor(url: string): ConnectorModule | undefined {
  const scheme = schemeOf(url);
  return scheme === undefined ? undefined : byScheme.get(scheme);
}

export function connectorById(id: string): ConnectorModule | undefined {
  return connectors.find((c) => c.id === id);
}

export async function openConnection(config: ConnectionConfig, ctx: OpenContext): Promise<Connection> {
  const c = connectorFor(config.url);
  if (!c) {
    const scheme = schemeOf(config.url);
    const known = knownSchemes().map((s) => `${s}:`).join(', ');
    throw new ConnectorError(
      scheme === undefined
        ? `not a connection URL: ${JSON.stringify(config.url)} (it should start with a scheme: ${known})`
        : `no connector for '${scheme}:' URLs (known: ${known})`,
    );
  }
  return c.open(config, ctx);
}
