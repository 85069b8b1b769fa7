import { ConnectorError, type Connection } from '../../connectors/types';
import type { Row, Value } from '../../model/values';

/** Small queries the migration asks of a database (counts, catalog checks): every row, as an array. */
export async function queryRows(conn: Connection, sql: string, params: Value[] = []): Promise<Row[]> {
  const stream = await conn.read({ query: sql, params });
  const out: Row[] = [];
  for await (const batch of stream.batches) out.push(...batch);
  return out;
}

export async function queryNumber(conn: Connection, sql: string, params: Value[] = []): Promise<number> {
  const rows = await queryRows(conn, sql, params);
  const v = rows[0]?.[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || (typeof v === 'object' && v !== null && 'toNumber' in v)) return Number(String(v));
  throw new ConnectorError(`expected a number from ${sql}, got ${String(v)}`);
}

/** The connection's execute(), which SQL connectors have; a clear error otherwise. */
export function executor(conn: Connection, label: string): (sql: string, params?: Value[]) => Promise<number> {
  const run = conn.execute?.bind(conn);
  if (!run) throw new ConnectorError(`${label} cannot run SQL statements (connector '${conn.connectorId}')`);
  return run;
}
