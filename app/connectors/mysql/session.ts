import type { FieldPacket, PoolConnection, QueryOptions, ResultSetHeader } from 'mysql2';

/**
 * A small promise layer over mysql2's callback API (the callback API is the one whose
 * queries can .stream(); its promise wrapper cannot).
 */

export type Rows = Record<string, unknown>[];

export function query<T = Rows>(conn: PoolConnection, sql: string | QueryOptions, values?: unknown[]): Promise<{ rows: T; fields: FieldPacket[] }> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, rows: unknown, fields: FieldPacket[]) => (err ? reject(err) : resolve({ rows: rows as T, fields }));
    const opts: QueryOptions = typeof sql === 'string' ? { sql } : sql;
    if (values === undefined) conn.query(opts, cb);
    else conn.query(opts, values, cb);
  });
}

export async function exec(conn: PoolConnection, sql: string | QueryOptions, values?: unknown[]): Promise<ResultSetHeader> {
  return (await query<ResultSetHeader>(conn, sql, values)).rows;
}

/** The server as the connector sees it. */
export interface ServerInfo {
  mariadb: boolean;
  /** Major, minor, patch. */
  version: [number, number, number];
  /** The product name for messages: 'MariaDB' or 'MySQL'. */
  product: string;
  /** MariaDB 10.7+ has a UUID type. */
  uuidType: boolean;
  /** @@local_infile: the server accepts LOAD DATA LOCAL INFILE. */
  localInfile: boolean;
  maxAllowedPacket: number;
}

export async function serverInfo(conn: PoolConnection): Promise<ServerInfo> {
  const { rows } = await query<{ v: string; li: number | string; map: number | string }[]>(conn, 'SELECT VERSION() AS v, @@local_infile AS li, @@max_allowed_packet AS map');
  const v = String(rows[0].v);
  const mariadb = /mariadb/i.test(v);
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  const version: [number, number, number] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  return {
    mariadb,
    version,
    product: mariadb ? 'MariaDB' : 'MySQL',
    uuidType: mariadb && (version[0] > 10 || (version[0] === 10 && version[1] >= 7)),
    localInfile: Number(rows[0].li) === 1,
    maxAllowedPacket: Number(rows[0].map),
  };
}
