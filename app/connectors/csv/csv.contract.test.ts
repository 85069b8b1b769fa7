import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConnectorContract } from '../contract.suite';
import { openConnection } from '../registry';

runConnectorContract({
  name: 'csv',
  caps: { sql: false, keys: false, typedStorage: false, nan: true, infinity: true, negativeZero: true, bigRows: 200_000 },
  async fresh(table) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-csv-'));
    const url = `csv:${join(dir, `${table}.csv`)}`;
    return {
      conn: await openConnection({ url }, { baseDir: dir }),
      table,
      reopen: (options) => openConnection({ url, options }, { baseDir: dir }),
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
