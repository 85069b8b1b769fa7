import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../model/types';
import { WorkbenchStore } from '../../store';
import { openRunHistory } from '../history/recorder';
import { parseSyncValue, type SyncDocument } from './definition';
import type { RowVersionGuards, RowVersionStats } from './row-versions';
import { runSync, type SyncResult } from './sync-run';
import { freshDb, reachable, tableRows, type TestDb } from './test-dbs';

/**
 * The row-version cache of PostgreSQL full diffs (row-versions.ts): after a first run that
 * hashes, runs compare (key, xmin) with the cache and fetch only rows whose xmins moved;
 * every change on either side is still found, and each guard sends the run back to the
 * hashes.
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

interface Outcome {
  result: SyncResult;
  log: string;
  /** The cache's counts of the run (undefined when it wrote none). */
  stats?: RowVersionStats & { verified: number };
}

async function sync(doc: SyncDocument, opts: { rehash?: boolean; signal?: AbortSignal; onProgress?: Parameters<typeof runSync>[1]['onProgress'] } = {}): Promise<Outcome> {
  const lines: string[] = [];
  let stats: Outcome['stats'];
  const info = (m: string, d?: Record<string, unknown>) => {
    lines.push(m);
    if (m.startsWith('row-version cache:')) stats = d as Outcome['stats'];
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

const CACHED = 'compared with the row-version cache';
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

describe.runIf(pg.ok)('row-version cache of PostgreSQL full diffs', () => {
  it('a second run with nothing changed hashes nothing and applies nothing; the cache is kept in blocks', async () => {
    await tables('a', 20_000);
    const doc = syncDoc('unchanged', 'a_s', 'a_t');
    const first = await sync(doc);
    expect(first.log).toContain('none recorded yet');
    expect(first.log).not.toContain(CACHED);
    expect(first.stats).toMatchObject({ equalByHash: 20_000, carried: 0, candidates: 0 });
    // 20,000 entries: three blocks of 8192.
    const c1 = cacheInStore('unchanged');
    expect(c1.entries).toBe(20_000);
    expect(c1.blocks).toEqual([{ generation: c1.generation, part: 0, n: 3 }]);

    const second = await sync(doc);
    expect(second.log).toContain(CACHED);
    expect(second.log).not.toContain(HASHED);
    expect(second.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0, sourceRows: 20_000, targetRows: 20_000 });
    expect(second.stats).toMatchObject({ equalByHash: 0, carried: 20_000 - second.stats!.untrusted, candidates: second.stats!.untrusted });
    // A new generation replaced the old one.
    const c2 = cacheInStore('unchanged');
    expect(c2.generation).toBeGreaterThan(c1.generation!);
    expect(c2.blocks.every((b) => b.generation === c2.generation)).toBe(true);
  });

  it('finds every change on both sides after a cached run, across blocks; an UPDATE to the same values is re-verified, not applied', async () => {
    await tables('b', 20_000);
    const doc = syncDoc('changes', 'b_s', 'b_t');
    await sync(doc);
    await sync(doc);
    // Source: updates in each block, inserts (also past the end), deletes; target: an edit
    // behind the sync's back, a delete, an insert of a row the source lacks.
    await db.exec(`UPDATE b_s SET w = w + 100 WHERE id IN (5, 8000, 8193, 12000, 16385, 19999);
      INSERT INTO b_s VALUES (20001, 'new', 1), (30000, 'far', 2);
      DELETE FROM b_s WHERE id IN (1, 9000, 17000);
      UPDATE b_t SET v = 'edited behind its back' WHERE id IN (100, 10000, 18000);
      DELETE FROM b_t WHERE id IN (200, 15000);
      INSERT INTO b_t VALUES (25000, 'only on the target', 0);
      UPDATE b_s SET v = v WHERE id = 4242`);
    const r = await sync(doc);
    expect(r.log).toContain(CACHED);
    expect(r.result.sync).toMatchObject({ inserts: 4, updates: 9, deletes: 4, applied: 17 });
    await expectSame('b_s', 'b_t');
    // The UPDATE to the same values was fetched and found equal: recorded again.
    expect(r.stats!.verified).toBeGreaterThanOrEqual(1);
    expect(r.stats!.candidates).toBeGreaterThanOrEqual(9 + 1);

    // The applied rows have new target xmins: candidates once, verified, then cached.
    const next = await sync(doc);
    expect(next.result.sync).toMatchObject({ inserts: 0, updates: 0, deletes: 0, applied: 0 });
    expect(next.stats!.verified).toBeGreaterThanOrEqual(13);
    // A source change after all that is still found.
    await db.exec(`UPDATE b_s SET v = 'late' WHERE id = 4242; UPDATE b_t SET w = -1 WHERE id = 20001`);
    const late = await sync(doc);
    expect(late.log).toContain(CACHED);
    expect(late.result.sync).toMatchObject({ inserts: 0, updates: 2, deletes: 0 });
    await expectSame('b_s', 'b_t');
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
      expect(r.stats).toMatchObject({ carried: 0 });
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
    // The rows applied, and the target rows updated to the same values, were checked by their keys' hashes.
    expect(again.stats!.rehashedEqual).toBeGreaterThan(0);
  });

  it('a run failing during detection leaves the previous cache current; the next run is correct', async () => {
    await db.exec(`CREATE TABLE n_s (id bigint PRIMARY KEY, v text, w int, n numeric); CREATE TABLE n_t (id bigint PRIMARY KEY, v text, w int, n numeric);
      INSERT INTO n_s SELECT g, 'v' || g, g % 13, g FROM generate_series(1, 20000) g; INSERT INTO n_t SELECT * FROM n_s`);
    const doc = syncDoc('failing', 'n_s', 'n_t');
    await sync(doc);
    const before = cacheInStore('failing');
    // Sluice cannot read a numeric NaN: the candidate's fetch fails the run, after the merge wrote part of a generation.
    await db.exec(`UPDATE n_s SET w = -1 WHERE id IN (3, 9000); UPDATE n_t SET v = 'edited' WHERE id = 12000; UPDATE n_s SET n = 'NaN' WHERE id = 19000`);
    await expect(sync(doc)).rejects.toThrow(/sync failed/);
    const after = cacheInStore('failing');
    expect(after.generation).toBe(before.generation);
    expect(after.entries).toBe(20_000);
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
