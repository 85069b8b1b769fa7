import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T, type LogicalType } from '../../model/types';
import { WorkbenchStore } from '../../store';
import { openRunHistory } from '../history/recorder';
import { parseSyncValue, type SyncDocument } from './definition';
import { runSync, type SyncResult } from './sync-run';
import { freshDb, reachable, tableRows, type TestDb } from './test-dbs';
import { openConnection } from '../../connectors/registry';

/**
 * PostgreSQL -> PostgreSQL full diffs with the row hashes computed in the database
 * (pushdown.ts): the same changes as the ordinary path, over every type that takes part and
 * NULLs in each; values equal in Sluice's sense but stored differently (1.5 and 1.50 in an
 * unconstrained numeric, -0 and 0) are not changes; a column type that cannot take part
 * keeps the ordinary path.
 */

const pg = await reachable('postgres');
if (!pg.ok) {
  if (process.env.CI) describe('postgres server', () => it('answers (required under CI)', () => expect.fail(`PostgreSQL is not reachable: ${pg.why}`)));
  else console.warn(`skipping the PostgreSQL pushdown sync tests: ${pg.why}`);
}

const COLUMNS = ['id', 'i', 'n', 'f', 't', 'c', 'b', 'd', 'ts', 'tz', 'u', 'by'];
const TYPES: LogicalType[] = [T.bigint, T.int, T.decimal(38, 10), T.float, T.text, T.text, T.boolean, T.date, T.timestamp, T.timestamptz, T.uuid, T.bytes];
const DDL = `(id bigint PRIMARY KEY, i integer, n numeric, f double precision, t text, c char(3), b boolean, d date, ts timestamp, tz timestamptz, u uuid, "by" bytea)`;

/** Row `id`'s values as SQL; every column is NULL in some rows. */
function values(id: number, v = 0): string {
  const nul = (k: number, s: string) => ((id + k) % 9 === 0 ? 'NULL' : s);
  return `(${[
    id,
    nul(1, String(id * 3 + v)),
    nul(2, `${id}.${v}5`),
    nul(3, String(id / 7 + v)),
    nul(4, `'text ${id} ✓ ${v}'`),
    nul(5, `'c${id % 10}'`),
    nul(6, String((id + v) % 2 === 0)),
    nul(7, `date '1969-12-${String(1 + ((id + v) % 28)).padStart(2, '0')}'`),
    nul(8, `timestamp '2024-03-01 10:00:00.${String(id).padStart(6, '0')}'`),
    nul(0, `timestamptz '2024-10-27 01:30:00+00' + interval '${id + v} minutes'`),
    nul(1, `'00000000-0000-4000-8000-${String(id * 10 + v).padStart(12, '0')}'`),
    nul(2, `'\\x${(id * 16 + v).toString(16).padStart(6, '0')}'::bytea`),
  ].join(', ')})`;
}

let db: TestDb;
let dir: string;

beforeAll(async () => {
  if (!pg.ok) return;
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-pushdown-'));
  db = await freshDb('postgres');
});

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function syncDoc(name: string, s: string, t: string, extra: Record<string, unknown> = {}): SyncDocument {
  const loaded = parseSyncValue({
    version: 1,
    kind: 'sync',
    name,
    connections: { db: { url: db.url } },
    source: { connection: 'db', table: s },
    target: { connection: 'db', table: t },
    mode: 'full',
    batchSize: 40,
    ...extra,
  });
  if (!loaded.document) throw new Error(JSON.stringify(loaded.problems));
  return loaded.document;
}

async function sync(doc: SyncDocument): Promise<{ result: SyncResult; log: string[] }> {
  const log: string[] = [];
  const logger = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
  const store = WorkbenchStore.open(path.join(dir, 'workbench.db'));
  try {
    const h = openRunHistory(store, { kind: 'sync', name: doc.name });
    const result = await runSync(doc, { baseDir: dir, store, runId: h.runId, logger });
    h.finish({ status: result.status, error: result.error, details: result.sync });
    if (result.status !== 'succeeded') throw new Error(`sync ${result.status}: ${result.error}`);
    return { result, log };
  } finally {
    store.close();
  }
}

async function expectSame(s: string, t: string, columns = COLUMNS, types = TYPES): Promise<void> {
  const [a, b] = await Promise.all([tableRows(db.url, s, columns, types, 'id'), tableRows(db.url, t, columns, types, 'id')]);
  expect(b).toEqual(a);
}

const PUSHED = 'row hashes computed in PostgreSQL';

/** The first value of a query's first row. */
async function pgScalar(sql: string): Promise<unknown> {
  const conn = await openConnection({ url: db.url }, { baseDir: dir });
  try {
    const stream = await conn.read({ query: sql });
    for await (const rows of stream.batches) if (rows.length > 0) return rows[0][0];
    return undefined;
  } finally {
    await conn.close();
  }
}

describe.runIf(pg.ok)('full diff with hashes computed in PostgreSQL', () => {
  it('finds exactly the inserts, updates and deletes, over every type that takes part; equal values stored differently are no change', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => values(i + 1));
    await db.exec(`CREATE TABLE p_src ${DDL}; CREATE TABLE p_dst ${DDL}; INSERT INTO p_src VALUES ${rows.join(', ')}; INSERT INTO p_dst SELECT * FROM p_src`);
    const doc = syncDoc('pushdown', 'p_src', 'p_dst');

    const first = await sync(doc);
    expect(first.log.join('\n')).toContain(PUSHED);
    expect(first.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0 });

    // 4 inserts (one far past the others), 6 updates (a value to NULL, NULL to a value, one
    // column each of several types), 3 deletes; and two non-changes: 1.5 stored as 1.50 and
    // 0 stored as -0 on the target.
    await db.exec(`INSERT INTO p_src VALUES ${[301, 302, 303, 5000].map((id) => values(id, 1)).join(', ')};
      UPDATE p_src SET t = NULL WHERE id = 10; UPDATE p_src SET i = 1 WHERE id = 35;
      UPDATE p_src SET tz = tz + interval '1 microsecond' WHERE id = 40; UPDATE p_src SET "by" = '\\x00'::bytea WHERE id = 41;
      UPDATE p_src SET c = 'zz' WHERE id = 50; UPDATE p_src SET n = n + 0.0000000001 WHERE id = 51;
      DELETE FROM p_src WHERE id IN (1, 150, 300);
      UPDATE p_src SET n = 1.5, f = 0 WHERE id = 60; UPDATE p_dst SET n = 1.50, f = '-0' WHERE id = 60`);
    const second = await sync(doc);
    expect(second.log.join('\n')).toContain(PUSHED);
    expect(second.result.sync).toMatchObject({ inserts: 4, updates: 6, deletes: 3, conflicts: 0, applied: 13 });
    await expectSame('p_src', 'p_dst');

    const third = await sync(doc);
    expect(third.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0 });
  });

  it('fetches a whole key range when most rows of a batch changed, and gives the same result', async () => {
    await db.exec(`CREATE TABLE r_src ${DDL}; CREATE TABLE r_dst ${DDL};
      INSERT INTO r_src VALUES ${Array.from({ length: 200 }, (_, i) => values(i + 1)).join(', ')};
      INSERT INTO r_dst VALUES ${Array.from({ length: 200 }, (_, i) => values(i + 1, i < 150 ? 2 : 0)).join(', ')}`);
    // One batch of changes for the whole table: 150 of its 200 rows are fetched as one key range.
    const { result, log } = await sync(syncDoc('range', 'r_src', 'r_dst', { batchSize: 5000 }));
    expect(log.join('\n')).toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 0, updates: 150, deletes: 0 });
    await expectSame('r_src', 'r_dst');
  });

  it('keeps the ordinary path for a column type that cannot take part, or types that differ between the sides', async () => {
    await db.exec(`CREATE TABLE j_src (id int PRIMARY KEY, doc json, note text); CREATE TABLE j_dst (id int PRIMARY KEY, doc json, note text);
      INSERT INTO j_src VALUES (1, '{"b":1,"a":2}', 'x'), (2, '[1,2]', NULL), (3, NULL, 'z');
      INSERT INTO j_dst VALUES (1, '{"a":2,"b":1}', 'x'), (2, '[1, 2]', 'y')`);
    const j = await sync(syncDoc('json', 'j_src', 'j_dst'));
    expect(j.log.join('\n')).toMatch(/rows hashed here, not in PostgreSQL \(column doc is of type json\)/);
    expect(j.result.sync).toMatchObject({ inserts: 1, updates: 1, deletes: 0 });

    await db.exec(`CREATE TABLE w_src (id int PRIMARY KEY, v numeric(10,2)); CREATE TABLE w_dst (id int PRIMARY KEY, v numeric(12,4));
      INSERT INTO w_src VALUES (1, 1.5), (2, 2); INSERT INTO w_dst VALUES (1, 1.5), (2, 3)`);
    const w = await sync(syncDoc('widths', 'w_src', 'w_dst'));
    expect(w.log.join('\n')).toMatch(/column v is numeric\(10,2\) in the source and numeric\(12,4\) in the target/);
    expect(w.result.sync).toMatchObject({ inserts: 0, updates: 1, deletes: 0 });
    await expectSame('w_src', 'w_dst', ['id', 'v'], [T.int, T.decimal(12, 4)]);
  });

  it("finds changes PostgreSQL's own hash functions fold together, and values moving between columns", async () => {
    // Pairs that hashint8extended, timestamp_hash_extended and time_hash_extended fold to the
    // same 32 bits (lo ^ hi), and numbers hash_numeric_extended hashes alike (the sign).
    const ddl = `(id int PRIMARY KEY, big bigint, n numeric, ts timestamp, tz timestamptz, tm time, d date, b boolean, x text, y text)`;
    // One change per row, each a pair PostgreSQL's hash functions alone cannot tell apart
    // (rows 1-6), or a value moving to another column (7, 8).
    await db.exec(`CREATE TABLE f_src ${ddl}; CREATE TABLE f_dst ${ddl};
      INSERT INTO f_src SELECT g, 1, 1.5, '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '00:00:00.000001', '2000-01-01', true, 'a', NULL FROM generate_series(1, 10) g;
      UPDATE f_src SET big = -1, y = 'b' WHERE id = 2;
      INSERT INTO f_dst SELECT * FROM f_src;
      UPDATE f_src SET big = 4294967296 WHERE id = 1;
      UPDATE f_src SET big = 4294967295 WHERE id = 2;
      UPDATE f_src SET n = -1.5 WHERE id = 3;
      UPDATE f_src SET ts = '2000-01-01 01:11:34.967297' WHERE id = 4;
      UPDATE f_src SET tz = '2000-01-01 01:11:34.967297+00' WHERE id = 5;
      UPDATE f_src SET tm = '01:11:34.967296' WHERE id = 6;
      UPDATE f_src SET x = NULL, y = 'a' WHERE id = 7;
      UPDATE f_src SET x = y, y = x WHERE id = 8;
      UPDATE f_src SET d = '9999-12-31', b = NULL WHERE id = 9`);
    // The folded pairs hash alike in PostgreSQL: the test is only worth something while they do.
    const same = await pgScalar(`SELECT hashint8extended(1, 0) = hashint8extended(4294967296, 0) AND hash_numeric_extended(1.5, 0) = hash_numeric_extended(-1.5, 0)
      AND timestamp_hash_extended('2000-01-01 00:00:00', 0) = timestamp_hash_extended('2000-01-01 01:11:34.967297', 0) AND time_hash_extended('00:00:00.000001', 0) = time_hash_extended('01:11:34.967296', 0)`);
    expect(same).toBe(true);
    const cols = ['id', 'big', 'n', 'ts', 'tz', 'tm', 'd', 'b', 'x', 'y'];
    const types = [T.int, T.bigint, T.decimal(38, 10), T.timestamp, T.timestamptz, T.time, T.date, T.boolean, T.text, T.text];
    const doc = syncDoc('folds', 'f_src', 'f_dst');
    const { result, log } = await sync(doc);
    expect(log.join('\n')).toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 0, updates: 9, deletes: 0 });
    await expectSame('f_src', 'f_dst', cols, types);
    // And back (the other side of each pair is now the target's).
    await db.exec(`UPDATE f_src SET big = 1 WHERE id = 1; UPDATE f_src SET tm = '00:00:00.000001' WHERE id = 6`);
    const again = await sync(doc);
    expect(again.result.sync).toMatchObject({ inserts: 0, updates: 2, deletes: 0 });
    await expectSame('f_src', 'f_dst', cols, types);

    // Infinite dates and timestamps hash without an error (Sluice reads them as the connection says).
    await db.exec(`CREATE TABLE i_src (id int PRIMARY KEY, d date, ts timestamp); CREATE TABLE i_dst (id int PRIMARY KEY, d date, ts timestamp);
      INSERT INTO i_src VALUES (1, 'infinity', '-infinity'), (2, '-infinity', 'infinity'), (3, '2020-01-01', '2020-01-01'); INSERT INTO i_dst SELECT * FROM i_src;
      UPDATE i_src SET d = '-infinity' WHERE id = 1`);
    const inf = await sync(syncDoc('infinity', 'i_src', 'i_dst', { connections: { db: { url: `${db.url}&infinity=clamp` } } }));
    expect(inf.log.join('\n')).toContain(PUSHED);
    expect(inf.result.sync).toMatchObject({ inserts: 0, updates: 1, deletes: 0 });
  });

  it('merges bigint keys past 2^53 and negative ones, and tables larger than a socket read (rows straddle reads)', async () => {
    // 40,000 rows of (key, hash) pairs are over a megabyte of COPY data: many socket reads.
    await db.exec(`CREATE TABLE g_src (id bigint PRIMARY KEY, v text, w int); CREATE TABLE g_dst (id bigint PRIMARY KEY, v text, w int);
      INSERT INTO g_src SELECT g, 'v' || g, g % 7 FROM generate_series(-20000, 19999) g;
      INSERT INTO g_src VALUES (9007199254740993, 'big', 1), (9223372036854775807, 'max', 2), (-9223372036854775808, 'min', 3), (4294967296, 'two32', 4);
      INSERT INTO g_dst SELECT * FROM g_src;
      UPDATE g_src SET w = w + 1 WHERE id % 97 = 0;
      DELETE FROM g_src WHERE id % 101 = 5 OR id = 9223372036854775807;
      INSERT INTO g_src VALUES (9007199254740992, 'new', 0), (-9223372036854775807, 'new', 0), (25000, 'new', 0);
      UPDATE g_src SET v = 'changed' WHERE id IN (9007199254740993, -9223372036854775808, 4294967296)`);
    const updates = Number(await pgScalar(`SELECT count(*) FROM g_src s JOIN g_dst d USING (id) WHERE (s.v, s.w) <> (d.v, d.w)`));
    const deletes = Number(await pgScalar(`SELECT count(*) FROM g_dst d WHERE NOT EXISTS (SELECT 1 FROM g_src s WHERE s.id = d.id)`));
    expect(updates).toBeGreaterThan(400);
    expect(deletes).toBeGreaterThan(150);
    const { result, log } = await sync(syncDoc('bigkeys', 'g_src', 'g_dst', { batchSize: 1000 }));
    expect(log.join('\n')).toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 3, updates, deletes, sourceRows: 40_000 + 4 - deletes + 3, targetRows: 40_004 });
    await expectSame('g_src', 'g_dst', ['id', 'v', 'w'], [T.bigint, T.text, T.int]);
    // deletes: ignore keeps the target's rows that the source lost.
    await db.exec(`DELETE FROM g_src WHERE id < -19990; UPDATE g_src SET w = 100 WHERE id = 0`);
    const kept = await sync(syncDoc('bigkeys-keep', 'g_src', 'g_dst', { deletes: 'ignore' }));
    expect(kept.result.sync).toMatchObject({ inserts: 0, updates: 1, deletes: 0 });
  });

  it('runs on a pool of one connection (the hash streams have their own, fetches queue for the pool)', async () => {
    await db.exec(`CREATE TABLE p1_src (id int PRIMARY KEY, v int); CREATE TABLE p1_dst (id int PRIMARY KEY, v int);
      INSERT INTO p1_src SELECT g, g FROM generate_series(1, 30000) g; INSERT INTO p1_dst SELECT * FROM p1_src;
      UPDATE p1_src SET v = -v WHERE id % 10 = 0; DELETE FROM p1_src WHERE id % 10 = 5; INSERT INTO p1_src SELECT g, g FROM generate_series(30001, 32500) g`);
    const doc = syncDoc('pool1', 'p1_src', 'p1_dst', { connections: { db: { url: `${db.url}&pool=1` } }, batchSize: 2000 });
    const { result, log } = await sync(doc);
    expect(log.join('\n')).toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 2500, updates: 3000, deletes: 3000 });
    await expectSame('p1_src', 'p1_dst', ['id', 'v'], [T.int, T.int]);
  });

  it('can be cancelled while the hashes stream, and the next run finishes the work', async () => {
    await db.exec(`CREATE TABLE c_src (id int PRIMARY KEY, v text); CREATE TABLE c_dst (id int PRIMARY KEY, v text);
      INSERT INTO c_src SELECT g, 'v' || g FROM generate_series(1, 400000) g; INSERT INTO c_dst SELECT * FROM c_src;
      UPDATE c_src SET v = 'changed' WHERE id % 1000 = 0`);
    const doc = syncDoc('cancel', 'c_src', 'c_dst');
    const store = WorkbenchStore.open(path.join(dir, 'workbench.db'));
    try {
      const h = openRunHistory(store, { kind: 'sync', name: doc.name });
      const abort = new AbortController();
      // Cancelled once the merge has gone past some rows.
      const result = await runSync(doc, { baseDir: dir, store, runId: h.runId, signal: abort.signal, progressIntervalMs: 5, onProgress: (p) => (p.sync.sourceRows > 0 ? abort.abort() : undefined) });
      h.finish({ status: result.status, error: result.error, details: result.sync });
      expect(result.status).toBe('cancelled');
    } finally {
      store.close();
    }
    // What the cancelled run had queued is recovered (applied first), the rest found again.
    const { result } = await sync(doc);
    expect(result.sync).toMatchObject({ deletes: 0, inserts: 0 });
    expect(result.sync.updates + result.sync.recovered).toBe(400);
    await expectSame('c_src', 'c_dst', ['id', 'v'], [T.int, T.text]);
  });

  it('diffs a table of the key alone (no column left to hash)', async () => {
    await db.exec(`CREATE TABLE o_src (id int PRIMARY KEY); CREATE TABLE o_dst (id int PRIMARY KEY);
      INSERT INTO o_src SELECT generate_series(1, 50); INSERT INTO o_dst SELECT generate_series(3, 60)`);
    const { result, log } = await sync(syncDoc('keyonly', 'o_src', 'o_dst'));
    expect(log.join('\n')).toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 2, updates: 0, deletes: 10 });
    await expectSame('o_src', 'o_dst', ['id'], [T.int]);
  });

  it('other conflict policies read the rows (they compare canonical hashes with the base)', async () => {
    await db.exec(`CREATE TABLE k_src (id int PRIMARY KEY, v text); CREATE TABLE k_dst (id int PRIMARY KEY, v text); INSERT INTO k_src VALUES (1, 'a'), (2, 'b')`);
    const { result, log } = await sync(syncDoc('policy', 'k_src', 'k_dst', { conflicts: 'skip' }));
    expect(log.join('\n')).not.toContain(PUSHED);
    expect(result.sync).toMatchObject({ inserts: 2 });
  });
});
