import { runConnectorContract } from '../contract.suite';
import { openConnection } from '../registry';
import { whenServer } from '../sql/test-servers';
import { freshSchema, PG, PG_URL, pgExec, pgReachable } from './test-db';

whenServer(`PostgreSQL at ${PG.host}:${PG.port}`, await pgReachable(), () => {
  runConnectorContract({
    name: 'postgres',
    caps: { sql: true, keys: true, typedStorage: true, nan: true, infinity: true, negativeZero: true, bigRows: 1_000_000 },
    async fresh(table) {
      const { schema, drop } = await freshSchema();
      const url = `${PG_URL}?schema=${schema}`;
      const conn = await openConnection({ url }, { baseDir: '/' });
      return {
        conn,
        table,
        reopen: (options) => openConnection({ url, options }, { baseDir: '/' }),
        exec: (sql) => pgExec(sql, schema),
        cleanup: drop,
      };
    },
  });
});
