import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';

/** Table reads in rowid order go a page at a time (connection.ts, rowidPages): same rows, same snapshot. */
describe('SQLite table reads by rowid pages', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-sqlite-pages-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'p.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE named (rowid TEXT, oid TEXT, v INTEGER);
    CREATE TABLE wr (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;`);
  const add = db.prepare('INSERT INTO t VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 1000; i++) add.run(i * 3 - 1500, `v${i}`);
  })();
  db.exec(`INSERT INTO named VALUES ('a', 'b', 1), ('c', 'd', 2); INSERT INTO wr VALUES ('x', 1), ('a', 2);`);
  db.close();

  async function all(table: string, batchSize: number, orderBy?: string[], during?: () => void): Promise<Row[]> {
    const c = await openConnection({ url: `sqlite:${file}` }, { baseDir: dir });
    try {
      const s = await c.read({ table, ...(orderBy ? { orderBy } : {}) }, { batchSize });
      const out: Row[] = [];
      for await (const b of s.batches) {
        out.push(...b);
        during?.();
        during = undefined;
      }
      return out;
    } finally {
      await c.close();
    }
  }

  it('returns every row once, in key order, across many pages (negative rowids included)', async () => {
    const rows = await all('t', 7, ['id']);
    expect(rows).toHaveLength(1000);
    expect(rows[0]).toEqual([-1497, 'v1']);
    expect(rows.at(-1)).toEqual([1500, 'v1000']);
    expect(rows.every((r, i) => i === 0 || (r[0] as number) > (rows[i - 1][0] as number))).toBe(true);
    expect(rows[0]).toHaveLength(2);
  });

  it('sees one snapshot, like a single statement, while another connection writes', async () => {
    const rows = await all('t', 10, undefined, () => {
      const w = new Database(file);
      w.exec(`INSERT INTO t VALUES (100000, 'late'); DELETE FROM t WHERE id = 1500`);
      w.close();
    });
    expect(rows).toHaveLength(1000);
    expect(rows.at(-1)).toEqual([1500, 'v1000']);
  });

  it('tables with columns named rowid / oid, and WITHOUT ROWID tables, read as before', async () => {
    expect(await all('named', 1)).toEqual([
      ['a', 'b', 1],
      ['c', 'd', 2],
    ]);
    expect(await all('wr', 1, ['k'])).toEqual([
      ['a', 2],
      ['x', 1],
    ]);
    expect((await all('t', 5, ['v DESC'])).slice(0, 2).map((r) => r[1])).toEqual(['v999', 'v998']);
  });
});
