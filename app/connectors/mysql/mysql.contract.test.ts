import { runConnectorContract } from '../contract.suite';
import { openConnection } from '../registry';
import { whenServer } from '../sql/test-servers';
import { freshDatabase, MY, MY_URL, myExec, myReachable } from './test-db';

whenServer(`MariaDB at ${MY.host}:${MY.port}`, await myReachable(), () => {
  runConnectorContract({
    name: 'mysql',
    // MariaDB's DOUBLE has no NaN or Infinity and stores -0 as 0; identifiers are utf8mb3.
    caps: { sql: true, keys: true, typedStorage: true, nan: false, infinity: false, negativeZero: false, astralIdentifiers: false, bigRows: 1_000_000 },
    async fresh(table) {
      const { database, drop } = await freshDatabase();
      const url = `${MY_URL}/${database}`;
      const conn = await openConnection({ url }, { baseDir: '/' });
      return {
        conn,
        table,
        reopen: (options) => openConnection({ url, options }, { baseDir: '/' }),
        exec: async (sql) => void (await myExec(sql, database)),
        cleanup: drop,
      };
    },
  });
});
