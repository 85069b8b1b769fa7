import { RunConnections } from '../../engine/connections';
import { formatType } from '../../model/types';
import { formatCount, table } from '../format';
import { EXIT, type Io } from '../io';

export async function inspectCommand(url: string, flags: { table?: string; json?: boolean }, io: Io): Promise<number> {
  const connections = new RunConnections({}, { baseDir: process.cwd() });
  try {
    const conn = await connections.open(url);
    if (flags.table) {
      const t = await conn.describeTable(flags.table);
      if (flags.json) {
        io.out(JSON.stringify({ ...t, columns: t.columns.map((c) => ({ ...c, type: formatType(c.type) })) }, null, 2));
        return EXIT.ok;
      }
      io.out(`${t.kind} ${t.schema ? `${t.schema}.` : ''}${t.name}${t.rowEstimate !== undefined ? ` (~${formatCount(t.rowEstimate)} rows)` : ''}\n`);
      io.out(
        table(
          ['column', 'type', 'native type', 'null', 'default', 'key'],
          t.columns.map((c) => [
            c.name,
            formatType(c.type),
            c.nativeType,
            c.nullable ? 'yes' : 'no',
            c.default ?? '',
            t.primaryKey?.includes(c.name) ? 'PK' : '',
          ]),
        ),
      );
      for (const u of t.uniques) io.out(`unique (${u.columns.join(', ')})`);
      for (const f of t.foreignKeys) io.out(`foreign key (${f.columns.join(', ')}) -> ${f.refTable} (${f.refColumns.join(', ')})`);
      for (const i of t.indexes) io.out(`${i.unique ? 'unique ' : ''}index ${i.name} (${i.columns.join(', ')})`);
      return EXIT.ok;
    }
    const tables = await conn.listTables();
    if (flags.json) io.out(JSON.stringify(tables, null, 2));
    else
      io.out(
        table(
          ['name', 'kind', 'rows (estimate)'],
          tables.map((t) => [t.schema ? `${t.schema}.${t.name}` : t.name, t.kind, t.rowEstimate ?? '']),
        ),
      );
    return EXIT.ok;
  } finally {
    await connections.closeAll();
  }
}
