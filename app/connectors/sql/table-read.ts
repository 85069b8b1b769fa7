import { quoteIdent } from '../../model/sql';
import { ConnectorError, type Dialect } from '../types';

/**
 * What every SQL connector does with a table read's request: the columns asked for (all by
 * default) and the ORDER BY terms (`name`, `name asc|desc`), checked against the table's
 * columns, so a missing one is an error naming it and the columns there are.
 */
export function resolveTableRead<C extends { name: string }>(opts: {
  columns: readonly C[];
  request: { columns?: string[]; orderBy?: string[] };
  dialect: Dialect;
  connector: string;
  table: string;
  /** Who says it: the connection's label or file. */
  where: string;
}): { wanted: string[]; picked: C[]; selectList: string; orderBy: string } {
  const { columns, request, dialect, connector, table, where } = opts;
  const byName = new Map(columns.map((c) => [c.name, c]));
  const wanted = request.columns ?? columns.map((c) => c.name);
  for (const w of wanted) {
    if (!byName.has(w)) throw new ConnectorError(`${where}: table '${table}' has no column '${w}' (columns: ${columns.map((c) => c.name).join(', ')})`, { connector, table });
  }
  const q = (n: string) => quoteIdent(n, dialect);
  const order = (request.orderBy ?? []).map((o) => {
    const m = /^(.*?)\s+(asc|desc)$/i.exec(o);
    const name = byName.has(o) || !m ? o : m[1];
    if (!byName.has(name)) throw new ConnectorError(`${where}: cannot order by '${o}': no such column in '${table}'`, { connector, table });
    return `${q(name)}${m && name !== o ? ` ${m[2].toUpperCase()}` : ''}`;
  });
  const picked = wanted.map((w) => byName.get(w)!);
  return { wanted, picked, selectList: picked.map((c) => q(c.name)).join(', '), orderBy: order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '' };
}
