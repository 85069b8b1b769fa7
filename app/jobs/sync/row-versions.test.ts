import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../model/types';
import { WorkbenchStore } from '../../store';
import { openRunHistory } from '../history/recorder';
import { parseSyncValue, type SyncDocument } from './definition';
import { openConnection } from '../../connectors/registry';
import { readRowsByKey } from './pg-diff';
import type { RowVersionGuards } from './row-versions';
import { runSync, type SyncResult } from './sync-run';
import { sideOf } from './tables';
import { freshDb, reachable, tableRows, type TestDb } from './test-dbs';

/**
 * The cache of PostgreSQL full diffs (row-versions.ts, key-ranges.ts): after a first run
 * that hashes every row, runs read key-range summaries and compare only the keys changed,
 * inserted or deleted since on either side; every change is still found, and each guard
 * sends the run back to the hashes.
 */

const pg = await reachable('postgres');
if (!pg.ok) {
  if (process.env.CI) describe('postgres server', () => it('answers (required under CI)', () => expect.fail(`PostgreSQL is not reachable: ${pg.why}`)));
  else console.warn(`skipping the PostgreSQL row-version cache tests: ${pg.why}`);
}

let db: TestDb;
let dir: string;
const storeFile = () => path.join(dir, 'workbench.db');

beforeAll(async () => {
  if (!pg.ok) return;
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-row-versions-'));
  db = await freshDb('postgres');
});

afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function syncDoc(name: string, s: string, t: string, extra: Record<string, unknown> = {}): SyncDocument {
  const loaded = parseSyncValue({ version: 1, kind: 'sync', name, connections: { db: { url: db.url } }, source: { connection: 'db', table: s }, target: { connection: 'db', table: t }, mode: 'full', batchSize: 500, ...extra });
  if (!loaded.document) throw new Error(JSON.stringify(loaded.problems));
  return loaded.document;
}

interface SideCounts {
  rows: number;
  changed: number;
  deleted: number;
}

interface Outcome {
  result: SyncResult;
  log: string;
  /** The summaries' counts (undefined when the run hashed every row). */
  stats?: { source: SideCounts; target: SideCounts; candidates: number };
}

async function sync(doc: SyncDocument, opts: { rehash?: boolean; signal?: AbortSignal; onProgress?: Parameters<typeof runSync>[1]['onProgress']; onLine?: (m: string) => void } = {}): Promise<Outcome> {
  const lines: string[] = [];
  let stats: Outcome['stats'];
  const info = (m: string, d?: Record<string, unknown>) => {
    lines.push(m);
    opts.onLine?.(m);
    if (m.startsWith('full diff: key-range summaries')) stats = d as Outcome['stats'];
  };
  const logger = { info, warn: info, error: info };
  const store = WorkbenchStore.open(storeFile());
  try {
    const h = openRunHistory(store, { kind: 'sync', name: doc.name });
    const result = await runSync(doc, { baseDir: dir, store, runId: h.runId, logger, rehash: opts.rehash, signal: opts.signal, onProgress: opts.onProgress, progressIntervalMs: 5 });
    h.finish({ status: result.status, error: result.error, details: result.sync });
    if (result.status === 'failed') throw new Error(`sync failed: ${result.error}`);
    return { result, log: lines.join('\n'), stats };
  } finally {
    store.close();
  }
}

const CACHED = 'key-range summaries of both sides compared with the cache';
const HASHED = 'row-version cache not used';
const COLS = ['id', 'v', 'w'];
const TYPES = [T.bigint, T.text, T.int];

async function expectSame(s: string, t: string): Promise<void> {
  const [a, b] = await Promise.all([tableRows(db.url, s, COLS, TYPES, 'id'), tableRows(db.url, t, COLS, TYPES, 'id')]);
  expect(b).toEqual(a);
}

/** A source and a target table of `rows` equal rows. */
async function tables(name: string, rows: number): Promise<void> {
  await db.exec(`CREATE TABLE ${name}_s (id bigint PRIMARY KEY, v text, w int); CREATE TABLE ${name}_t (id bigint PRIMARY KEY, v text, w int);
    INSERT INTO ${name}_s SELECT g, 'v' || g, g % 13 FROM generate_series(1, ${rows}) g; INSERT INTO ${name}_t SELECT * FROM ${name}_s`);
}

/** The store's view of a sync's cache: current generation, its guards, and the blocks per generation. */
function cacheInStore(name: string): { generation?: number; entries?: number; guards?: RowVersionGuards; blocks: Array<{ generation: number; part: number; n: number }> } {
  const sdb = new Database(storeFile(), { readonly: true });
  try {
    const seq = sdb.prepare(`SELECT seq FROM syncs WHERE id = ?`).pluck().get(name) as number;
    const cur = sdb.prepare(`SELECT generation, guards, entries FROM sync_row_versions WHERE sync_seq = ?`).get(seq) as { generation: number; guards: string; entries: number } | undefined;
    const blocks = sdb.prepare(`SELECT generation, part, count(*) AS n FROM sync_row_version_blocks WHERE sync_seq = ? GROUP BY generation, part ORDER BY generation, part`).all(seq) as Array<{ generation: number; part: number; n: number }>;
    return { generation: cur?.generation, entries: cur?.entries, guards: cur ? (JSON.parse(cur.guards) as RowVersionGuards) : undefined, blocks };
  } finally {
    sdb.close();
  }
}

/** The sync's queue in the store: how many runs' entries, how many entries, how many pending. */
function queueInStore(name: string): Array<{ runs: number; entries: number; pending: number }> {
  const sdb = new Database(storeFile(), { readonly: true });
  try {
    const seq = sdb.prepare(`SELECT seq FROM syncs WHERE id = ?`).pluck().get(name) as number;
    return sdb.prepare(`SELECT count(DISTINCT run_seq) AS runs, count(*) AS entries, count(*) FILTER (WHERE confirmed_at IS NULL) AS pending FROM sync_queue WHERE sync_seq = ?`).all(seq) as Array<{ runs: number; entries: number; pending: number }>;
  } finally {
    sdb.close();
  }
}

/** Replaces a sync's recorded guards (to simulate another server, timeline or transaction-id state). */
function editGuards(name: string, edit: (g: RowVersionGuards) => void): void {
  const sdb = new Database(storeFile());
  try {
    const seq = sdb.prepare(`SELECT seq FROM syncs WHERE id = ?`).pluck().get(name) as number;
    const g = JSON.parse(sdb.prepare(`SELECT guards FROM sync_row_versions WHERE sync_seq = ?`).pluck().get(seq) as string) as RowVersionGuards;
    edit(g);
    sdb.prepare(`UPDATE sync_row_versions SET guards = ? WHERE sync_seq = ?`).run(JSON.stringify(g), seq);
  } finally {
    sdb.close();
  }
}

describe.runIf(pg.ok)('the source rows read beside the summary (readRowsByKey)', () => {
  it('gives the rows by key text, or nothing once more than the limit came; the connection serves the next read', async () => {
    await db.exec(`CREATE TABLE win_s (id bigint PRIMARY KEY, v text, w int); INSERT INTO win_s SELECT g, 'v' || g, g FROM generate_series(1, 10) g`);
    const conn = await openConnection({ url: `${db.url}${db.url.includes('?') ? '&' : '?'}pool=1` }, { baseDir: dir });
    try {
      const columns = COLS.map((name, i) => ({ name, type: TYPES[i], nullable: i > 0 }));
      const f = { side: sideOf(conn, { name: 'win_s' }, 'win_s'), columns, key: columns[0] };
      const sql = 'SELECT id, v, w FROM win_s WHERE id > 2 LIMIT 9';
      expect(await readRowsByKey(f, sql, 7)).toBeUndefined();
      const rows = await readRowsByKey(f, sql, 8);
      expect([...rows!.keys()]).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
      expect(rows!.get('10')).toEqual([10, 'v10', 10]);
      // Or nothing once the values pass the byte bound (8 rows: 8 * (8 + 2-3 + 8) bytes).
      expect(await readRowsByKey(f, sql, 8, undefined, 100)).toBeUndefined();
      expect(await readRowsByKey(f, sql, 8, undefined, 200)).toBeDefined();
    } finally {
      await conn.close();
    }
  });
});

describe.runIf(pg.ok)('cache of PostgreSQL full diffs', () => {
  it('a second run with nothing changed compares no key and applies nothing; the keys are kept as bitmaps in blocks', async () => {
    await tables('a', 20_000);
    const doc = syncDoc('unchanged', 'a_s', 'a_t');
    const first = await sync(doc);
    expect(first.log).toContain('none recorded yet');
    expect(first.log).not.toContain(CACHED);
    // Keys 1..20,000: ranges 0..312 of 64 keys, on each side, one block each.
    const c1 = cacheInStore('unchanged');
    expect(c1.entries).toBe(2 * 313);
    expect(c1.blocks).toEqual([
      { generation: c1.generation, part: 0, n: 1 },
      { generation: c1.generation, part: 1, n: 1 },
    ]);

    const second = await sync(doc);
    expect(second.log).toContain(CACHED);
    expect(second.log).not.toContain(HASHED);
    expect(second.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0, sourceRows: 20_000, targetRows: 20_000 });
    expect(second.stats).toEqual({ source: { rows: 20_000, changed: 0, deleted: 0, windowRows: 0 }, target: { rows: 20_000, changed: 0, deleted: 0 }, candidates: 0 });
    // A new generation replaced the old one.
    const c2 = cacheInStore('unchanged');
    expect(c2.generation).toBeGreaterThan(c1.generation!);
    expect(c2.blocks.every((b) => b.generation === c2.generation)).toBe(true);
  });

  it('keys of every sign and size: the bitmaps recorded from every key are the ones PostgreSQL sums up', async () => {
    const keys = [`-9223372036854775808`, '-4294967297', '-65', '-64', '-1', '0', '1', '63', '64', '4294967295', '4294967296', '9007199254740993', '4611686018427387904', '9223372036854775807'];
    await db.exec(`CREATE TABLE k_s (id bigint PRIMARY KEY, v text, w int); CREATE TABLE k_t (id bigint PRIMARY KEY, v text, w int);
      INSERT INTO k_s SELECT k, 'v' || k, 1 FROM unnest('{${keys.join(',')}}'::int8[]) k; INSERT INTO k_t SELECT * FROM k_s`);
    const doc = syncDoc('signs', 'k_s', 'k_t');
    await sync(doc);
    // Were a bit placed otherwise here than in PostgreSQL, its key would show as inserted and deleted.
    const same = await sync(doc);
    expect(same.stats).toMatchObject({ candidates: 0, source: { rows: keys.length, changed: 0, deleted: 0 } });
    await db.exec(`DELETE FROM k_s WHERE id IN (-64, 9223372036854775807); UPDATE k_s SET w = 2 WHERE id IN (-9223372036854775808, 4294967296);
      INSERT INTO k_s VALUES (-63, 'new', 1), (9223372036854775806, 'new', 1); DELETE FROM k_t WHERE id = 63`);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync).toMatchObject({ inserts: 3, updates: 2, deletes: 2 });
    await expectSame('k_s', 'k_t');
  });

  it('finds every change on both sides after a run with the cache, across ranges and blocks; an UPDATE to the same values is compared, not applied', async () => {
    await tables('b', 20_000);
    const doc = syncDoc('changes', 'b_s', 'b_t');
    await sync(doc);
    await sync(doc);
    // Source: updates in each block, inserts (also past the end), deletes (a whole range too);
    // target: an edit behind the sync's back, a delete, an insert of a row the source lacks.
    await db.exec(`UPDATE b_s SET w = w + 100 WHERE id IN (5, 8000, 8193, 12000, 16385, 19999);
      INSERT INTO b_s VALUES (20001, 'new', 1), (30000, 'far', 2);
      DELETE FROM b_s WHERE id IN (1, 9000, 17000) OR id BETWEEN 640 AND 703;
      UPDATE b_t SET v = 'edited behind its back' WHERE id IN (100, 10000, 18000);
      DELETE FROM b_t WHERE id IN (200, 15000);
      INSERT INTO b_t VALUES (25000, 'only on the target', 0);
      UPDATE b_s SET v = v WHERE id = 4242`);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync).toMatchObject({ inserts: 4, updates: 9, deletes: 68, applied: 81 });
    await expectSame('b_s', 'b_t');
    expect(r.stats).toMatchObject({ source: { changed: 9, deleted: 67 }, target: { changed: 4, deleted: 2 } });
    // The UPDATE to the same values was a candidate, found equal by its hashes.
    expect(r.stats!.candidates).toBe(9 + 67 + 4 + 2 + 1 - 1);

    // The apply's writes were recorded with the target's keys: not changes to compare again.
    expect(r.log).toMatch(/the apply's writes recorded \(\d+ range\(s\) of the target, 1 transaction\(s\)\)/);
    const next = await sync(doc);
    expect(next.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0 });
    expect(next.stats).toMatchObject({ target: { changed: 0, deleted: 0 }, candidates: 0 });
    // A source change after all that is still found.
    await db.exec(`UPDATE b_s SET v = 'late' WHERE id = 4242; UPDATE b_t SET w = -1 WHERE id = 20001`);
    const late = await sync(doc);
    expect(late.log).toContain(CACHED);
    expect(late.result.sync).toMatchObject({ inserts: 0, updates: 2, deletes: 0 });
    await expectSame('b_s', 'b_t');
  });

  it('a target nobody else wrote is counted, not grouped; a delete, insert or update behind its back is found all the same', async () => {
    const COUNTED = 'the target unchanged since the last run but for its writes';
    await tables('cnt', 5_000);
    const doc = syncDoc('counted', 'cnt_s', 'cnt_t');
    await sync(doc);
    await sync(doc);
    // Only the source changed (the last run's apply wrote the target): the count stands for the target's scan.
    await db.exec(`UPDATE cnt_s SET w = w + 1 WHERE id IN (10, 4000); DELETE FROM cnt_s WHERE id = 20; INSERT INTO cnt_s VALUES (9000, 'n', 1)`);
    const a = await sync(doc);
    expect(a.log).toContain(COUNTED);
    // The rows of the 2 updates and the insert came with the source's summary, not fetched by key.
    expect(a.log).toContain('3 source row(s) in the window read beside its summary');
    expect(a.result.sync).toMatchObject({ inserts: 1, updates: 2, deletes: 1 });
    await expectSame('cnt_s', 'cnt_t');
    expect(queueInStore('counted')).toEqual([{ runs: 1, entries: 4, pending: 0 }]);
    // The apply's own writes do not spoil it.
    const b = await sync(doc);
    expect(b.log).toContain(COUNTED);
    expect(b.result.sync).toMatchObject({ applied: 0 });
    // b applied nothing: its generation, whose target part is a's copied as it was, is read as it stands.
    const b2 = await sync(doc);
    expect(b2.log).toContain(COUNTED);
    expect(b2.log).toContain('0 key(s) compared again');
    // A delete on the target alone: nothing in the window, one row fewer than recorded.
    await db.exec(`DELETE FROM cnt_t WHERE id = 300`);
    const c = await sync(doc);
    expect(c.log).not.toContain(COUNTED);
    expect(c.result.sync).toMatchObject({ inserts: 1, updates: 0, deletes: 0 });
    await expectSame('cnt_s', 'cnt_t');
    // a's 4 confirmed changes were pruned (while the databases scanned): c's 1 is left.
    expect(queueInStore('counted')).toEqual([{ runs: 1, entries: 1, pending: 0 }]);
    // A delete and an insert on the target (the count as recorded; the insert is in the window), then an update.
    await db.exec(`DELETE FROM cnt_t WHERE id = 301; INSERT INTO cnt_t VALUES (7777, 'stray', 0)`);
    const d = await sync(doc);
    expect(d.log).not.toContain(COUNTED);
    expect(d.result.sync).toMatchObject({ inserts: 1, deletes: 1 });
    await expectSame('cnt_s', 'cnt_t');
    await db.exec(`UPDATE cnt_t SET v = 'edited' WHERE id = 302`);
    const e = await sync(doc);
    expect(e.log).not.toContain(COUNTED);
    expect(e.result.sync).toMatchObject({ updates: 1 });
    await expectSame('cnt_s', 'cnt_t');
    expect((await sync(doc)).log).toContain(COUNTED);
  });

  it('random changes on both sides over many runs: the target equals the source after each', async () => {
    await tables('r', 3000);
    const doc = syncDoc('random', 'r_s', 'r_t');
    await sync(doc);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let changes = 0;
    for (let run = 0; run < 10; run++) {
      // Changes on both sides, some in the same ranges or rows, some batched in one transaction.
      const ops: string[] = [];
      for (let i = 0; i < 12; i++) {
        const t = rand(3) === 0 ? 'r_t' : 'r_s';
        const k = rand(3300) - 150;
        const op = rand(3);
        if (op === 0) ops.push(`DELETE FROM ${t} WHERE id BETWEEN ${k} AND ${k + rand(25)}`);
        else if (op === 1) ops.push(`UPDATE ${t} SET w = w + 1 WHERE id % ${2 + rand(9)} = ${rand(2)} AND id BETWEEN ${k} AND ${k + 80}`);
        else ops.push(`INSERT INTO ${t} SELECT g, 'i${run}', ${i} FROM generate_series(${k}, ${k + rand(25)}) g ON CONFLICT (id) DO UPDATE SET v = excluded.v`);
      }
      await db.exec(ops.join(';\n'));
      const r = await sync(doc);
      expect(r.log).toContain(CACHED);
      changes += r.result.sync.applied;
      await expectSame('r_s', 'r_t');
    }
    expect(changes).toBeGreaterThan(500);
  });

  it('deletes: ignore: a source delete is not applied, and the row left on the target is not compared again and again', async () => {
    await tables('i', 2000);
    const doc = syncDoc('ignore', 'i_s', 'i_t', { deletes: 'ignore' });
    await sync(doc);
    await db.exec(`DELETE FROM i_s WHERE id IN (10, 1500); UPDATE i_s SET w = 0 WHERE id = 11`);
    const r = await sync(doc);
    expect(r.result.sync).toMatchObject({ inserts: 0, updates: 1, deletes: 0 });
    expect(r.stats).toMatchObject({ source: { deleted: 2 }, candidates: 3 });
    const again = await sync(doc);
    expect(again.stats).toMatchObject({ candidates: 0 });
    // The target keeps them; a change to one of them there is found (and left, the source has no row).
    await db.exec(`UPDATE i_t SET w = -1 WHERE id = 10; DELETE FROM i_t WHERE id = 12`);
    const late = await sync(doc);
    expect(late.stats).toMatchObject({ target: { changed: 1, deleted: 1 }, candidates: 2 });
    expect(late.result.sync).toMatchObject({ inserts: 1, updates: 0, deletes: 0 });
    const [s, t] = await Promise.all([tableRows(db.url, 'i_s', COLS, TYPES, 'id'), tableRows(db.url, 'i_t', COLS, TYPES, 'id')]);
    expect(t.length).toBe(s.length + 2);
  });

  it('changes committed while a run compares and applies are found by the next run', async () => {
    await tables('w', 5000);
    const doc = syncDoc('concurrent', 'w_s', 'w_t', { batchSize: 100 });
    await sync(doc);
    await db.exec(`UPDATE w_s SET w = w + 1 WHERE id % 20 = 0`);
    // Once the summaries are read: a source row changed and deleted, a target row changed and one
    // deleted, among rows this run is comparing and applying, and elsewhere.
    let during: Promise<void> | undefined;
    const r = await sync(doc, {
      onLine: (m) => {
        if (m.startsWith('full diff: key-range summaries')) during = db.exec(`UPDATE w_s SET v = 'during' WHERE id IN (20, 21); DELETE FROM w_s WHERE id IN (40, 41); UPDATE w_t SET v = 'during' WHERE id IN (60, 61); DELETE FROM w_t WHERE id IN (80, 81)`);
      },
    });
    expect(r.log).toContain(CACHED);
    await during;
    const next = await sync(doc);
    expect(next.log).toContain(CACHED);
    await expectSame('w_s', 'w_t');
  });

  it('TRUNCATE and a reload of the target (another filenode) send the run back to the hashes, which find the changes', async () => {
    await tables('c', 3000);
    const doc = syncDoc('truncate', 'c_s', 'c_t');
    await sync(doc);
    await db.exec(`TRUNCATE c_t; INSERT INTO c_t SELECT * FROM c_s; UPDATE c_t SET w = 99 WHERE id IN (10, 2000)`);
    const r = await sync(doc);
    expect(r.log).toMatch(/row-version cache not used: the table's file \(TRUNCATE, VACUUM FULL, CLUSTER or a rewrite\) of the target changed/);
    expect(r.log).not.toContain(CACHED);
    expect(r.result.sync).toMatchObject({ updates: 2, inserts: 0, deletes: 0 });
    await expectSame('c_s', 'c_t');
    expect((await sync(doc)).log).toContain(CACHED);
  });

  it('many changes send the run to the hashes (the quicker way then), which write the cache afresh', async () => {
    await tables('m', 30_000);
    const doc = syncDoc('many', 'm_s', 'm_t');
    await sync(doc);
    await db.exec(`UPDATE m_s SET w = w + 1 WHERE id % 10 = 0`);
    const r = await sync(doc);
    expect(r.log).toMatch(/row-version cache not used: in source table .*, more than 1875 keys changed, inserted or deleted; every row is hashed/);
    expect(r.result.sync).toMatchObject({ updates: 3000 });
    await expectSame('m_s', 'm_t');
    const next = await sync(doc);
    expect(next.log).toContain(CACHED);
    expect(next.result.sync).toMatchObject({ updates: 0, inserts: 0, deletes: 0 });
  });

  it('a changed column set drops the cache', async () => {
    await tables('d', 500);
    const doc = syncDoc('columns', 'd_s', 'd_t');
    await sync(doc);
    expect((await sync(doc)).log).toContain(CACHED);
    await db.exec(`ALTER TABLE d_s ADD COLUMN x int DEFAULT 7; ALTER TABLE d_t ADD COLUMN x int DEFAULT 7; UPDATE d_s SET x = 8 WHERE id = 3`);
    const r = await sync(doc);
    expect(r.log).toContain('none recorded yet');
    expect(r.result.sync).toMatchObject({ updates: 1, inserts: 0, deletes: 0 });
  });

  it('another server, timeline or transaction-id state in the recorded guards sends the run back to the hashes; so does rehash', async () => {
    await tables('e', 1000);
    const doc = syncDoc('guards', 'e_s', 'e_t');
    await sync(doc);
    const cases: Array<[(g: RowVersionGuards) => void, RegExp]> = [
      [(g) => (g.target.timeline = String(Number(g.target.timeline) + 1)), /the timeline \(a point-in-time recovery or a promotion\) of the target changed/],
      [(g) => (g.source.system = '1'), /the server \(system identifier\) of the source changed/],
      [(g) => (g.source.walTimeline = 'FFFFFFFF'), /the timeline of the WAL .* of the source changed/],
      [(g) => (g.target.snapshotXmax = String(BigInt(g.target.snapshotXmax) + 1_000_000n)), /the transaction ids of the target went back/],
      [(g) => (g.source.snapshotXmin = String(BigInt(g.source.snapshotXmax) - 2n ** 30n)), /the source has used 2\^30 transaction ids or more/],
      [(g) => (g.sourceQuery += ' '), /the synced columns or their types changed/],
    ];
    for (const [edit, why] of cases) {
      // Each hashed run writes a fresh cache, which the next case edits again.
      editGuards('guards', edit);
      await db.exec(`UPDATE e_s SET w = w + 1 WHERE id = 77`);
      const r = await sync(doc);
      expect(r.log).toMatch(why);
      expect(r.log).not.toContain(CACHED);
      expect(r.stats).toBeUndefined();
      expect(r.result.sync).toMatchObject({ updates: 1, inserts: 0, deletes: 0 });
      await expectSame('e_s', 'e_t');
    }
    expect((await sync(doc)).log).toContain(CACHED);
    const re = await sync(doc, { rehash: true });
    expect(re.log).toContain('rehash asked for');
    expect(re.log).not.toContain(CACHED);
    const field = await sync(syncDoc('guards', 'e_s', 'e_t', { rehash: true }));
    expect(field.log).toContain('rehash asked for');
  });

  it('a run cancelled during detection leaves the previous cache current and correct', async () => {
    await tables('f', 300_000);
    const doc = syncDoc('cancel', 'f_s', 'f_t');
    await sync(doc);
    const before = cacheInStore('cancel');
    await db.exec(`UPDATE f_s SET v = 'changed' WHERE id % 1000 = 0; UPDATE f_t SET w = -5 WHERE id % 1000 = 500`);
    const abort = new AbortController();
    const cancelled = await sync(doc, { signal: abort.signal, onProgress: (p) => (p.sync.sourceRows > 0 ? abort.abort() : undefined) });
    expect(cancelled.result.status).toBe('cancelled');
    expect(cancelled.log).toContain(CACHED);
    const after = cacheInStore('cancel');
    expect(after.generation).toBe(before.generation);
    expect(after.entries).toBe(before.entries);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync.updates + r.result.sync.recovered).toBe(600);
    await expectSame('f_s', 'f_t');
    // The cancelled run's partial generation is gone.
    const c = cacheInStore('cancel');
    expect(c.blocks.every((b) => b.generation === c.generation)).toBe(true);
  });

  it('runs with the cache on a pool of one connection (the checks and fetches of candidates queue for it)', async () => {
    await tables('h', 5000);
    const doc = syncDoc('pool1', 'h_s', 'h_t', { connections: { db: { url: `${db.url}&pool=1` } }, batchSize: 100 });
    await sync(doc);
    await db.exec(`UPDATE h_s SET w = w + 1000 WHERE id % 10 = 0; UPDATE h_t SET v = v WHERE id % 7 = 0; DELETE FROM h_s WHERE id % 50 = 1; INSERT INTO h_s VALUES (6000, 'x', 1)`);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync).toMatchObject({ inserts: 1, updates: 500, deletes: 100 });
    await expectSame('h_s', 'h_t');
    const again = await sync(doc);
    expect(again.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0 });
    // Six batches of upserts: their transactions' rows are the sync's own, not compared again.
    expect(again.stats!.candidates).toBe(0);
  });

  it('a run failing during detection leaves the previous cache current; the next run is correct', async () => {
    await db.exec(`CREATE TABLE n_s (id bigint PRIMARY KEY, v text, w int, n numeric); CREATE TABLE n_t (id bigint PRIMARY KEY, v text, w int, n numeric);
      INSERT INTO n_s SELECT g, 'v' || g, g % 13, g FROM generate_series(1, 20000) g; INSERT INTO n_t SELECT * FROM n_s`);
    const doc = syncDoc('failing', 'n_s', 'n_t');
    await sync(doc);
    const before = cacheInStore('failing');
    // Sluice cannot read a numeric NaN: the candidate's fetch fails the run, after the summaries wrote a generation.
    await db.exec(`UPDATE n_s SET w = -1 WHERE id IN (3, 9000); UPDATE n_t SET v = 'edited' WHERE id = 12000; UPDATE n_s SET n = 'NaN' WHERE id = 19000`);
    await expect(sync(doc)).rejects.toThrow(/sync failed/);
    const after = cacheInStore('failing');
    expect(after.generation).toBe(before.generation);
    expect(after.entries).toBe(2 * 313);
    await db.exec(`UPDATE n_s SET n = 19000.5 WHERE id = 19000`);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync).toMatchObject({ inserts: 0, updates: 4, deletes: 0 });
    const cols = ['id', 'v', 'w', 'n'];
    const types = [T.bigint, T.text, T.int, T.decimal(38, 10)];
    const [a, b] = await Promise.all([tableRows(db.url, 'n_s', cols, types, 'id'), tableRows(db.url, 'n_t', cols, types, 'id')]);
    expect(b).toEqual(a);
    const c = cacheInStore('failing');
    expect(c.blocks.every((x) => x.generation === c.generation)).toBe(true);
  });

  it('a reset forgets the cache', async () => {
    await tables('g', 100);
    const doc = syncDoc('reset', 'g_s', 'g_t');
    await sync(doc);
    const store = WorkbenchStore.open(storeFile());
    try {
      expect(store.syncs.reset('reset')).toBe(true);
    } finally {
      store.close();
    }
    expect(cacheInStore('reset')).toMatchObject({ generation: undefined, blocks: [] });
    expect((await sync(doc)).log).toContain('none recorded yet');
  });
});
