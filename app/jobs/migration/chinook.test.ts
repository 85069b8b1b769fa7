import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { myReachable, MY } from '../../connectors/mysql/test-db';
import { PG, pgReachable } from '../../connectors/postgres/test-db';
import { whenServer } from '../../connectors/sql/test-servers';
import type { Connection, TableDescription } from '../../connectors/types';
import { chinookCopy, compareDatabases, migrate, myTarget, pgTarget, tempDir, withConnection } from './test-env';
import type { MigrationReport } from './types';

/**
 * The Chinook database round trip: SQLite -> PostgreSQL -> MariaDB -> SQLite. At the end
 * the data equals the data at the start, table by table (by the migration's own verify
 * checksums and by an independent row-by-row comparison), and each target has the keys,
 * foreign keys and indexes of the source.
 */

const reachable = await (async () => {
  const [pg, my] = await Promise.all([pgReachable(), myReachable()]);
  if (!pg.ok) return pg;
  if (!my.ok) return my;
  return { ok: true as const };
})();

const TABLES = ['Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'InvoiceLine', 'MediaType', 'Playlist', 'PlaylistTrack', 'Track'];

function structure(d: TableDescription) {
  return {
    primaryKey: d.primaryKey,
    foreignKeys: d.foreignKeys.map((f) => `${f.columns.join(',')}->${f.refTable}(${f.refColumns.join(',')})`).sort(),
    indexes: d.indexes.map((i) => i.columns.join(',')).sort(),
    columns: d.columns.map((c) => [c.name, c.nullable]),
  };
}

async function structures(c: Connection): Promise<Record<string, ReturnType<typeof structure>>> {
  const out: Record<string, ReturnType<typeof structure>> = {};
  for (const t of TABLES) out[t] = structure(await c.describeTable(t));
  return out;
}

function expectClean(r: MigrationReport): void {
  expect(r.error, r.error).toBeUndefined();
  expect(r.status).toBe('succeeded');
  expect(r.rejected).toBe(0);
  expect(r.steps.filter((s) => s.status !== 'done')).toEqual([]);
  expect(r.verify?.every((v) => v.ok && v.sourceRows === v.targetRows)).toBe(true);
}

whenServer(`PostgreSQL at ${PG.host}:${PG.port} and MariaDB at ${MY.host}:${MY.port}`, reachable, () => {
  describe('Chinook: SQLite -> PostgreSQL -> MariaDB -> SQLite', () => {
    const tmp = tempDir();
    let pg: Awaited<ReturnType<typeof pgTarget>>;
    let my: Awaited<ReturnType<typeof myTarget>>;
    let start: string;
    const end = path.join(tmp.dir, 'back.db');
    const reports: MigrationReport[] = [];
    beforeAll(async () => {
      pg = await pgTarget();
      my = await myTarget();
      start = `sqlite:${chinookCopy(tmp.dir)}`;
    });
    afterAll(async () => {
      await pg?.drop();
      await my?.drop();
      tmp.remove();
    });

    it('SQLite -> PostgreSQL', async () => {
      const r = await migrate(start, pg.url, { verify: true });
      expectClean(r);
      expect(r.tables.map((t) => t.name).sort()).toEqual(TABLES);
      expect(r.rowsCopied).toBe(15_607);
      reports.push(r);
    });

    it('PostgreSQL -> MariaDB', async () => {
      const r = await migrate(pg.url, my.url, { verify: true });
      expectClean(r);
      expect(r.rowsCopied).toBe(15_607);
      reports.push(r);
    });

    it('MariaDB -> SQLite (a new file: nothing to back up; loaded with the rollback journal, WAL at the end)', async () => {
      const r = await migrate(my.url, `sqlite:${end}`, { verify: true });
      expectClean(r);
      expect(r.backupPath).toBeUndefined();
      const db = new Database(end, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      reports.push(r);
    });

    it('the data at the end equals the data at the start, table by table', async () => {
      expect(reports).toHaveLength(3);
      await withConnection(start, (a) => withConnection(`sqlite:${end}`, async (b) => expect(await compareDatabases(a, b, TABLES)).toEqual([])));
      // The verify checksums agree along the whole chain.
      const sums = reports.map((r) => Object.fromEntries(r.verify!.map((v) => [v.table, v.targetChecksum])));
      expect(sums[1]).toEqual(sums[0]);
      expect(sums[2]).toEqual(sums[0]);
      // And verify-only, start against end directly.
      const direct = await migrate(start, `sqlite:${end}`, {}, { verifyOnly: true });
      expect(direct.status, direct.error).toBe('succeeded');
      expect(direct.verify!.map((v) => [v.table, v.ok]).sort()).toEqual(TABLES.map((t) => [t, true]));
    });

    it('each target has the primary keys, foreign keys and indexes of the source', async () => {
      const source = await withConnection(start, structures);
      for (const url of [pg.url, my.url, `sqlite:${end}`]) {
        const target = await withConnection(url, structures);
        for (const t of TABLES) {
          expect(target[t].primaryKey, `${url} ${t}`).toEqual(source[t].primaryKey);
          expect(target[t].foreignKeys, `${url} ${t}`).toEqual(source[t].foreignKeys);
          expect(target[t].columns, `${url} ${t}`).toEqual(source[t].columns);
          // MySQL makes the index a foreign key needs itself when none is there; the source's indexes are all there.
          expect(target[t].indexes, `${url} ${t}`).toEqual(expect.arrayContaining(source[t].indexes));
        }
      }
    });

    it('sequences continue after the loaded ids (PostgreSQL identity, MariaDB AUTO_INCREMENT, SQLite rowid)', async () => {
      await withConnection(pg.url, async (c) => {
        const s = await c.read({ query: `SELECT nextval(pg_get_serial_sequence('"Track"', 'TrackId'))` });
        for await (const b of s.batches) expect(Number(b[0][0])).toBe(3504);
      });
      await withConnection(my.url, async (c) => {
        const s = await c.read({ query: `SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${my.database}' AND TABLE_NAME = 'Track'` });
        for await (const b of s.batches) expect(Number(b[0][0])).toBe(3504);
      });
      await withConnection(`sqlite:${end}`, async (c) => {
        await c.execute!(`INSERT INTO "Genre" ("Name") VALUES ('new')`);
        const s = await c.read({ query: `SELECT max("GenreId") FROM "Genre"` });
        for await (const b of s.batches) expect(Number(b[0][0])).toBe(26);
      });
    });

    it('the other directions: MariaDB -> PostgreSQL, PostgreSQL -> SQLite, SQLite -> MariaDB, each the same data as the start', async () => {
      const pg2 = await pgTarget();
      const my2 = await myTarget();
      const lite2 = `sqlite:${path.join(tmp.dir, 'from-pg.db')}`;
      try {
        for (const [from, to] of [
          [my.url, pg2.url],
          [pg.url, lite2],
          [start, my2.url],
        ]) {
          const r = await migrate(from, to, { verify: true });
          expectClean(r);
          expect(r.rowsCopied, `${from} -> ${to}`).toBe(15_607);
          await withConnection(start, (a) => withConnection(to, async (b) => expect(await compareDatabases(a, b, TABLES), `${from} -> ${to}`).toEqual([])));
        }
      } finally {
        await pg2.drop();
        await my2.drop();
      }
    });

    it('migrating into the SQLite file again backs it up first (online backup) and reports where', async () => {
      const r = await migrate(my.url, `sqlite:${end}`, { ifExists: 'truncate', tables: ['Genre'], verify: true });
      expect(r.status, r.error).toBe('succeeded');
      expect(r.backupPath).toMatch(/back\.before-[0-9A-Z]{26}\.db$/);
      // The backup holds the file as it was: with the row added above.
      await withConnection(`sqlite:${r.backupPath}`, async (c) => {
        const s = await c.read({ query: 'SELECT count(*) FROM "Genre"' });
        for await (const b of s.batches) expect(Number(b[0][0])).toBe(26);
      });
      await withConnection(`sqlite:${end}`, async (c) => {
        const s = await c.read({ query: 'SELECT count(*) FROM "Genre"' });
        for await (const b of s.batches) expect(Number(b[0][0])).toBe(25);
      });
    });
  });
});
