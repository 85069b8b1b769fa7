import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConnectorContract } from '../contract.suite';
import { openConnection } from '../registry';

runConnectorContract({
  name: 'sqlite',
  caps: { sql: true, keys: true, typedStorage: true, nan: false, infinity: true, negativeZero: false, bigRows: 1_000_000 },
  async fresh(table) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const conn = await openConnection({ url }, { baseDir: dir });
    return {
      conn,
      table,
      reopen: (options) => openConnection({ url, options }, { baseDir: dir }),
      async exec(sql) {
        const db = new Database(join(dir, 'test.db'));
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
