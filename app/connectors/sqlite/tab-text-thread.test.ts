import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Value } from '../../model/values';
import { openConnection } from '../registry';
import type { Connection, TabTextPage, TabTextRequest } from '../types';

/**
 * A large table's tab text pages come from a worker thread that reads ahead along the key
 * (tab-text-thread.ts): whatever the caller asks next, each page must be the one the
 * in-thread reader gives for that request, and a request the worker did not foresee
 * must not get a page it read ahead for another.
 */
describe('SQLite tab text pages from a worker thread', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-sqlite-tabtext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 't.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, amount DECIMAL(10,2))`);
  const add = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 5000; i++) add.run(i * 2, `name ${i}`, i % 7 === 0 ? null : i === 4321 ? 'tab\there' : `note ${i}`, (i % 1000) / 4);
  })();
  db.close();

  const request = (rows: number): TabTextRequest => ({
    table: { name: 't' },
    key: 'id',
    rows,
    columns: [
      { name: 'id', type: { kind: 'bigint' }, notNull: true },
      { name: 'name', type: { kind: 'text' }, notNull: true },
      { name: 'note', type: { kind: 'text' } },
      { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 } },
    ],
  });

  const plain = (p: TabTextPage | undefined) => p && { ...p, bytes: p.bytes?.toString('utf8') };

  async function withPages<T>(rows: number, f: (next: (after: Value | undefined, limit: number) => Promise<TabTextPage | undefined>) => Promise<T>): Promise<T> {
    const c: Connection = await openConnection({ url: `sqlite:${file}` }, { baseDir: dir });
    const pages = c.readTabText!(request(rows))!;
    try {
      return await f((after, limit) => pages.next(after, limit));
    } finally {
      await pages.close();
      await c.close();
    }
  }

  it('gives the same pages as the in-thread reader, for a run along the key and for requests it did not foresee', async () => {
    // [after, limit]: runs along the key (read ahead), other limits, jumps back and forward, the end and past it.
    const script: Array<[Value | undefined, number] | 'follow'> = [
      [undefined, 100],
      'follow',
      'follow',
      'follow',
      [400, 100],
      [400, 37],
      'follow',
      [2, 1000],
      'follow',
      [8600, 500],
      'follow',
      'follow',
      [10_000, 10],
      [9998, 10],
      [undefined, 250],
      'follow',
    ];
    const run = (rows: number) =>
      withPages(rows, async (next) => {
        const out: unknown[] = [];
        let last: [Value | undefined, number] = [undefined, 0];
        for (const step of script) {
          const [after, limit] = step === 'follow' ? last : step;
          const page = await next(after, limit);
          out.push(plain(page));
          last = [page?.lastKey, limit];
        }
        return out;
      });
    const inThread = await run(0);
    const threaded = await run(1e9);
    expect(threaded).toEqual(inThread);
    // The script did read pages, a page with a tab in it came back unclean, and the end came.
    expect(inThread.filter((p) => p !== undefined).length).toBeGreaterThan(10);
    expect(inThread).toContainEqual(expect.objectContaining({ clean: false }));
    expect(inThread).toContain(undefined);
  });

  it('reads the whole table in pages, in key order, with every row once', async () => {
    const keys = await withPages(1e9, async (next) => {
      const out: Value[] = [];
      for (let p = await next(undefined, 333), n = 0; p; p = await next(p.lastKey, 333), n++) out.push(p.firstKey, p.lastKey, p.rows);
      return out;
    });
    const rows = keys.filter((_, i) => i % 3 === 2).reduce((s: number, n) => s + (n as number), 0);
    expect(rows).toBe(5000);
    expect(keys[0]).toBe(2);
    expect(keys.at(-2)).toBe(10_000);
  });

  it('a failure in the worker reaches the caller with the file named', async () => {
    const c = await openConnection({ url: `sqlite:${file}` }, { baseDir: dir });
    try {
      const pages = c.readTabText!({ ...request(1e9), columns: [...request(1e9).columns, { name: 'missing', type: { kind: 'text' } }] })!;
      await expect(pages.next(undefined, 10)).rejects.toThrow(/t\.db: reading pages: .*missing/);
      await pages.close();
    } finally {
      await c.close();
    }
  });
});
