import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MY, myExec, myReachable } from '../../connectors/mysql/test-db';
import { PG, pgExec, pgReachable } from '../../connectors/postgres/test-db';
import { whenServer } from '../../connectors/sql/test-servers';
import { WorkbenchStore } from '../../store';
import { migrate, myTarget, pgTarget, tempDir, withConnection } from './test-env';

/**
 * Bad input and failures: rows the target cannot hold are rejected with reasons (or stop
 * the migration, as chosen); a constraint only the database knows is found by writing
 * the refused chunk again in halves; unreachable servers, wrong passwords and failing DDL
 * leave nothing behind; a crash between the target's commit and the store's checkpoint
 * resumes to every row exactly once.
 */

const tmp = tempDir('sluice-migrate-errors-');
afterAll(() => tmp.remove());

/** items: 40 rows, qty as text; rows 7, 19 and 33 hold text that is no integer. */
function source(name: string): string {
  const file = path.join(tmp.dir, name);
  const db = new Database(file);
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, qty TEXT, name TEXT NOT NULL)');
  const add = db.prepare('INSERT INTO items VALUES (?, ?, ?)');
  for (let i = 1; i <= 40; i++) add.run(i, i === 7 ? 'seven' : i === 19 ? '1.5.2' : i === 33 ? '' : String(i % 3 === 0 ? -i : i), `item ${i}`);
  db.close();
  return `sqlite:${file}`;
}

async function count(url: string, table: string): Promise<number> {
  return withConnection(url, async (c) => {
    const s = await c.read({ query: `SELECT count(*) FROM ${c.dialect === 'mysql' ? `\`${table}\`` : `"${table}"`}` });
    let n = 0;
    for await (const b of s.batches) n = Number(b[0][0]);
    return n;
  });
}

async function tablesOf(url: string): Promise<string[]> {
  return withConnection(url, async (c) => (await c.listTables()).map((t) => t.name));
}

const servers = await Promise.all([pgReachable(), myReachable()]);

for (const [label, reachable, target, rule] of [
  [`PostgreSQL at ${PG.host}:${PG.port}`, servers[0], pgTarget, 'sqlite TEXT in items.qty -> postgres integer'],
  [`MariaDB at ${MY.host}:${MY.port}`, servers[1], myTarget, 'sqlite TEXT in items.qty -> mysql int'],
] as const) {
  whenServer(label, reachable, () => {
    describe(`bad input into ${label.split(' ')[0]}`, () => {
      const tag = label.split(' ')[0];
      let t: Awaited<ReturnType<typeof target>>;
      beforeAll(async () => {
        t = await target();
      });
      afterAll(() => t?.drop());

      it('on-error reject: the rows the target cannot hold are rejected with reasons in the store, the rest is loaded', async () => {
        const store = WorkbenchStore.openInMemory();
        const r = await migrate(source(`reject-${tag}.db`), t.url, { typeRules: [rule], onError: 'reject', chunkRows: 10, verify: true }, { store });
        expect(r.status, r.error).toBe('succeeded');
        expect(r.rejected).toBe(3);
        expect(r.rowsCopied).toBe(37);
        expect(r.tables[0]).toMatchObject({ name: 'items', copied: 37, rejected: 3 });
        // Verify leaves the rejected rows out, and says so.
        expect(r.verify![0]).toMatchObject({ ok: true, sourceRows: 37, targetRows: 37, unstorable: 3 });
        const rows = store.listRejectedRows(r.runId!);
        expect(rows.map((x) => [x.nodeId, x.rule, x.column, x.rowKey, x.value])).toEqual([
          ['items', 'type', 'qty', 'id=7', '"seven"'],
          ['items', 'type', 'qty', 'id=19', '"1.5.2"'],
          ['items', 'type', 'qty', 'id=33', '""'],
        ]);
        expect(rows.find((x) => x.rowKey === 'id=7')).toMatchObject({ message: expect.stringMatching(/^column 'qty': .*seven.* \(target type int\)$/), row: { id: 7, qty: 'seven', name: 'item 7' } });
        expect(store.getRun(r.runId!)).toMatchObject({ status: 'succeeded', rowsOut: 37, rejected: 3 });
        expect(await count(t.url, 'items')).toBe(37);
        store.close();
      });

      it('on-error stop: the first bad row stops the migration, names table, key and column; earlier chunks stay, and the run can be resumed', async () => {
        const store = WorkbenchStore.openInMemory();
        const r = await migrate(source(`stop-${tag}.db`), t.url, { typeRules: [rule], onError: 'stop', chunkRows: 5, tables: ['items'], ifExists: 'truncate' }, { store });
        expect(r.status).toBe('failed');
        expect(r.error).toMatch(/^table 'items', row id=7: column 'qty': .*seven.* \(the chunk was rolled back; choose --on-error reject/);
        expect(r.resumable).toBe(true);
        expect(r.rowsCopied).toBe(5);
        expect(await count(t.url, 'items')).toBe(5);
        expect(store.getMigration(r.runId!)!.tables[0]).toMatchObject({ state: 'loading', rowsCopied: 5, chunks: 1 });
        store.close();
      });

      it('a constraint only the database knows: the refused chunk is written again in halves and only the refused rows are rejected', async () => {
        const exec = label.startsWith('PostgreSQL') ? (sql: string) => pgExec(sql, (t as { schema: string }).schema) : (sql: string) => myExec(sql, (t as { database: string }).database).then(() => undefined);
        await exec('CREATE TABLE checked (id bigint PRIMARY KEY, qty int CHECK (qty >= 0), name text NOT NULL)');
        const file = path.join(tmp.dir, `checked-${tag}.db`);
        const db = new Database(file);
        db.exec('CREATE TABLE checked (id INTEGER PRIMARY KEY, qty INTEGER, name TEXT NOT NULL)');
        const add = db.prepare('INSERT INTO checked VALUES (?, ?, ?)');
        for (let i = 1; i <= 100; i++) add.run(i, i % 30 === 0 ? -1 : i, `n${i}`);
        db.close();
        const store = WorkbenchStore.openInMemory();
        const r = await migrate(`sqlite:${file}`, t.url, { onError: 'reject', ifExists: 'append', chunkRows: 40, verify: true }, { store });
        expect(r.status, r.error).toBe('failed');
        expect(r.error).toMatch(/verification found differences in: checked/);
        expect(r.rejected).toBe(3);
        expect(r.rowsCopied).toBe(97);
        expect(r.verify![0]).toMatchObject({ sourceRows: 100, targetRows: 97 });
        expect(r.verify![0].mismatches.flatMap((m) => m.missing)).toEqual([[30], [60], [90]]);
        const rejected = store.listRejectedRows(r.runId!);
        expect(rejected.map((x) => [x.rule, x.rowKey])).toEqual([
          ['database', 'id=30'],
          ['database', 'id=60'],
          ['database', 'id=90'],
        ]);
        expect(rejected[0].message).toMatch(/check/i);
        expect(await count(t.url, 'checked')).toBe(97);
        store.close();
      });

      it('DDL that fails half way leaves no table behind', async () => {
        const file = path.join(tmp.dir, `two-${tag}.db`);
        const db = new Database(file);
        // A default the target refuses for the column's type: the second CREATE TABLE fails.
        db.exec("CREATE TABLE a_first (id INTEGER PRIMARY KEY); CREATE TABLE b_second (id INTEGER PRIMARY KEY, x INTEGER DEFAULT 'abc')");
        db.close();
        const before = await tablesOf(t.url);
        const r = await migrate(`sqlite:${file}`, t.url, {});
        expect(r.status).toBe('failed');
        expect(r.error).toMatch(/could not create table 'b_second': .* \(the tables created before it were dropped again; nothing is left behind\)/);
        expect(await tablesOf(t.url)).toEqual(before);
      });
    });
  });
}

describe('unreachable servers and wrong passwords', () => {
  it('an unreachable target fails with a clear message and creates nothing', async () => {
    const r = await migrate(source('unreachable.db'), 'postgres://postgres@127.0.0.1:1/test');
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused \(nothing was changed\)/);
    expect(r.runId).toBeUndefined();
  });

  it('an unreachable source fails the same way, and a SQLite target is not even created', async () => {
    const target = path.join(tmp.dir, 'never.db');
    const r = await migrate('mysql://root@127.0.0.1:1/nothing', `sqlite:${target}`);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/127\.0\.0\.1:1.*\(nothing was changed\)/);
    expect(existsSync(target)).toBe(false);
  });

  whenServer(`MariaDB at ${MY.host}:${MY.port}`, servers[1], () => {
    it('a wrong password is named as such, and the target stays as it was', async () => {
      const t = await myTarget();
      try {
        const r = await migrate(source('password.db'), `mysql://${MY.user}:wrong-password@${MY.host}:${MY.port}/${t.database}`);
        expect(r.status).toBe('failed');
        expect(r.error).toMatch(/access denied|password/i);
        expect(r.error).not.toContain('wrong-password');
        expect(await tablesOf(t.url)).toEqual([]);
      } finally {
        await t.drop();
      }
    });
  });
});

whenServer(`PostgreSQL at ${PG.host}:${PG.port}`, servers[0], () => {
  describe('a crash between the target commit and the checkpoint', () => {
    it('leaves the target a chunk ahead of the store; the resume writes that chunk again with upsert: every row exactly once', async () => {
      const t = await pgTarget();
      const store = WorkbenchStore.openInMemory();
      try {
        const file = path.join(tmp.dir, 'window.db');
        const db = new Database(file);
        db.exec('CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT)');
        const add = db.prepare('INSERT INTO w VALUES (?, ?)');
        for (let i = 1; i <= 1000; i++) add.run(i, `v${i}`);
        db.close();
        // The process "dies" right after the target committed chunk 3: its checkpoint is never written.
        const record = store.recordMigrationChunk.bind(store);
        store.recordMigrationChunk = (runId, c) => {
          if (c.chunk === 3) throw new Error('simulated crash after the target commit');
          record(runId, c);
        };
        const first = await migrate(`sqlite:${file}`, t.url, { chunkRows: 100 }, { store });
        expect(first.status).toBe('failed');
        expect(first.error).toMatch(/simulated crash/);
        expect(await count(t.url, 'w')).toBe(300);
        expect(store.getMigration(first.runId!)!.tables[0]).toMatchObject({ rowsCopied: 200, chunks: 2 });
        store.recordMigrationChunk = record;
        const again = await migrate(`sqlite:${file}`, t.url, {}, { store, resume: first.runId });
        expect(again.status, again.error).toBe('succeeded');
        expect(again.tables[0]).toMatchObject({ copied: 1000, rejected: 0 });
        expect(await count(t.url, 'w')).toBe(1000);
        const v = await migrate(`sqlite:${file}`, t.url, {}, { verifyOnly: true });
        expect(v.verify![0]).toMatchObject({ ok: true, sourceRows: 1000, targetRows: 1000 });
        // A finished run is not resumed again.
        const done = await migrate(`sqlite:${file}`, t.url, {}, { store, resume: first.runId });
        expect(done.error).toMatch(/has already finished successfully/);
      } finally {
        store.close();
        await t.drop();
      }
    });
  });
});

describe('a source record that cannot be read', () => {
  it('on-error reject with verify: the record is rejected with its reason and verify counts it as unstorable instead of failing', async () => {
    const file = path.join(tmp.dir, 'bad-date.db');
    const db = new Database(file);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, born DATE, name TEXT)');
    const add = db.prepare('INSERT INTO people VALUES (?, ?, ?)');
    for (let i = 1; i <= 30; i++) add.run(i, i === 12 ? '2022-13-01' : `1990-01-${String((i % 28) + 1).padStart(2, '0')}`, `person ${i}`);
    db.close();
    const store = WorkbenchStore.open(path.join(tmp.dir, 'bad-date-store.db'));
    try {
      const r = await migrate(`sqlite:${file}`, `sqlite:${path.join(tmp.dir, 'bad-date-copy.db')}`, { onError: 'reject', verify: true }, { store });
      expect(r.status, r.error).toBe('succeeded');
      expect(r.tables[0]).toMatchObject({ name: 'people', copied: 29, rejected: 1 });
      expect(r.verify![0]).toMatchObject({ ok: true, sourceRows: 29, targetRows: 29, unstorable: 1 });
      expect(store.listRejectedRows(r.runId!)[0].message).toMatch(/2022-13-01/);
    } finally {
      store.close();
    }
  });
});
