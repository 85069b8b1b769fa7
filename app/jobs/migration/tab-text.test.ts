import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { myReachable, MY } from '../../connectors/mysql/test-db';
import { PG, pgReachable } from '../../connectors/postgres/test-db';
import { SqliteConnection } from '../../connectors/sqlite/connection';
import { whenServer } from '../../connectors/sql/test-servers';
import type { TabTextPages, TabTextRequest } from '../../connectors/types';
import { WorkbenchStore } from '../../store';
import { compareDatabases, migrate, myTarget, pgTarget, tempDir, withConnection } from './test-env';

/**
 * SQLite sources are copied to PostgreSQL and MariaDB as tab text pages SQLite encodes
 * itself (copy.ts, connectors/sqlite/tab-text.ts). What lands in the target, and what is
 * rejected and why, must be exactly what the ordinary path (values, converter, encoder)
 * gives: the same source is migrated both ways and the targets are compared row by row.
 * The source holds every value the pages must not carry (escapes, out-of-range numbers,
 * extra decimals, wrong storage classes, non-canonical dates, over-long text), values
 * they carry (big integers, round-trip floats, unicode), and a date only the target
 * refuses (the chunk is copied again the ordinary way).
 */

const tmp = tempDir('sluice-migrate-tabtext-');
afterAll(() => tmp.remove());
afterEach(() => vi.restoreAllMocks());

const ROWS = 400;

function source(): string {
  const file = path.join(tmp.dir, `src-${Math.random().toString(36).slice(2)}.db`);
  const db = new Database(file);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, i INT, b BIGINT, f REAL, d DECIMAL(8,2), flag BOOLEAN, day DATE,
    at DATETIME, s TEXT, v VARCHAR(5), "n$&n ""q""" TEXT NOT NULL, w DECIMAL(30,20))`);
  const add = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // Odd values, each in one row of its own, spread over the table (a few per chunk).
  const odd: Record<number, Partial<Record<string, unknown>>> = {
    11: { s: 'tab\there' },
    23: { s: 'line\nbreak' },
    37: { s: 'carriage\rreturn' },
    41: { s: 'back\\slash' },
    53: { s: '\\N' },
    67: { i: 3_000_000_000 },
    79: { i: 'not a number' },
    83: { b: 9007199254740993n },
    97: { b: -9223372036854775808n },
    101: { f: 1e300 },
    113: { f: 5e-324 },
    127: { f: 1e21 },
    131: { f: Number.POSITIVE_INFINITY },
    149: { d: 12.345 },
    151: { d: 1e-5 },
    163: { d: 1_000_000 },
    173: { d: 'twelve' },
    181: { flag: 2 },
    191: { flag: 'yes' },
    197: { day: '2020-1-5' },
    211: { day: 20200101 },
    223: { day: '2021-02-30' },
    233: { at: '2020-01-01T10:00:00' },
    241: { at: '2020-01-01 10:00:00.125' },
    251: { v: 'abcdef' },
    257: { v: 'üüüüü' },
    263: { s: Buffer.from([0xff, 0x00, 0x41]) },
    271: { s: 42 },
    277: { s: '' },
    281: { s: 'emoji 🎉 and 中文' },
    // In the last chunk: the refusal shows at its commit.
    397: { day: '2019-02-29' },
  };
  db.transaction(() => {
    for (let id = 1; id <= ROWS; id++) {
      const r: Record<string, unknown> = {
        i: id % 7 === 0 ? null : -id * 1000,
        b: BigInt(id) * 1_000_000_007n,
        f: id % 5 === 0 ? null : id / 8 + 0.1,
        d: id % 9 === 0 ? null : Math.round(id * 137.31) / 100,
        flag: id % 11 === 0 ? null : id % 2,
        day: id % 13 === 0 ? null : `20${String(10 + (id % 15)).padStart(2, '0')}-0${1 + (id % 9)}-1${id % 10}`,
        at: id % 17 === 0 ? null : `2024-03-0${1 + (id % 9)} 1${id % 10}:0${id % 10}:5${id % 10}`,
        s: id % 4 === 0 ? null : `row ${id} Zürich`,
        v: id % 6 === 0 ? null : `v${id % 1000}`.slice(0, 5),
        ...odd[id],
      };
      add.run(id, r.i, r.b, r.f, r.d, r.flag, r.day, r.at, r.s, r.v, `nn ${id}`, id % 97 === 0 ? WIDE[(id / 97) % WIDE.length] : id % 8 === 0 ? null : id / 4);
    }
  })();
  // Text that is not UTF-8 (SQLite stores what it is given): the ordinary path reads U+FFFD.
  db.exec(`UPDATE t SET s = CAST(X'61FF62' AS TEXT) WHERE id = 287`);
  db.close();
  return `sqlite:${file}`;
}

/** Doubles whose shortest text has 16 digits, where SQLite writes 17: a decimal(30,20) must get JavaScript's digits. */
const WIDE = [-48.42507504193747, -495.5129665397924, 4591983483.236133, 434945.9485242277];

interface PageCount {
  clean: number;
  unclean: number;
}

/** The pages of these small tables encoded in this thread, or (as for a large table) in a worker thread. */
const MODES = [
  ['in this thread', 0],
  ['in a worker thread', 1e9],
] as const;

/** Counts the pages the source hands out (the ordinary read is left alone). */
function countPages(rows: number): PageCount {
  const count = { clean: 0, unclean: 0 };
  const original = SqliteConnection.prototype.readTabText;
  vi.spyOn(SqliteConnection.prototype, 'readTabText').mockImplementation(function (this: SqliteConnection, req: TabTextRequest): TabTextPages | undefined {
    const pages = original.call(this, { ...req, rows });
    if (!pages) return undefined;
    return {
      next: async (after, limit) => {
        const p = await pages.next(after, limit);
        if (p) count[p.clean ? 'clean' : 'unclean']++;
        return p;
      },
      close: () => pages.close(),
    };
  });
  return count;
}

const servers = await Promise.all([pgReachable(), myReachable()]);

for (const [label, reachable, target] of [
  [`PostgreSQL at ${PG.host}:${PG.port}`, servers[0], pgTarget],
  [`MariaDB at ${MY.host}:${MY.port}`, servers[1], myTarget],
] as const) {
  whenServer(label, reachable, () => {
    describe.each(MODES)(`SQLite -> ${label.split(' ')[0]} as tab text pages encoded %s`, (_mode, rowsHint) => {
      it('loads and rejects exactly what the ordinary path does, row by row', async () => {
        const src = source();
        const [fast, plain] = [await target(), await target()];
        try {
          const options = { onError: 'reject' as const, chunkRows: 40, verify: true };
          const pages = countPages(rowsHint);
          const fastStore = WorkbenchStore.openInMemory();
          const a = await migrate(src, fast.url, options, { store: fastStore });
          vi.restoreAllMocks();
          vi.spyOn(SqliteConnection.prototype, 'readTabText').mockReturnValue(undefined);
          const plainStore = WorkbenchStore.openInMemory();
          const b = await migrate(src, plain.url, options, { store: plainStore });

          // MariaDB cannot hold Infinity: the database refuses that row on both paths, and verify says so.
          expect(a.status).toBe(b.status);
          expect(a.verify).toEqual(b.verify);

          // Pages were used, and the odd rows' pages were read the ordinary way.
          expect(pages.clean).toBeGreaterThan(10);
          expect(pages.unclean).toBeGreaterThan(10);
          expect([a.rowsCopied, a.rejected]).toEqual([b.rowsCopied, b.rejected]);
          expect(a.rejected).toBeGreaterThan(5);
          const rejects = (store: WorkbenchStore, runId: string) =>
            store
              .listRejectedRows(runId)
              .map((x) => JSON.stringify([x.rowKey, x.rule, x.column, x.value, x.rule === 'database' ? '' : x.message]))
              .sort();
          expect(rejects(fastStore, a.runId!)).toEqual(rejects(plainStore, b.runId!));
          const diffs = await withConnection(fast.url, (x) => withConnection(plain.url, (y) => compareDatabases(x, y, ['t'])));
          expect(diffs).toEqual([]);
          fastStore.close();
          plainStore.close();
        } finally {
          await fast.drop();
          await plain.drop();
        }
      });

      it('a migration cancelled between pages resumes after the last chunk it recorded: the same rows as one uninterrupted run', async () => {
        const src = source();
        const [resumed, plain] = [await target(), await target()];
        try {
          const store = WorkbenchStore.openInMemory();
          const controller = new AbortController();
          let pagesSeen = 0;
          const original = SqliteConnection.prototype.readTabText;
          vi.spyOn(SqliteConnection.prototype, 'readTabText').mockImplementation(function (this: SqliteConnection, req: TabTextRequest) {
            const pages = original.call(this, { ...req, rows: rowsHint });
            if (!pages) return undefined;
            return {
              next: (after, limit) => {
                // Cancel in the middle of the fourth chunk.
                if (++pagesSeen === 14) controller.abort();
                return pages.next(after, limit);
              },
              close: () => pages.close(),
            };
          });
          const options = { onError: 'reject' as const, chunkRows: 40 };
          const first = await migrate(src, resumed.url, options, { store, signal: controller.signal });
          expect(first.status).toBe('cancelled');
          // Three chunks of 40 rows were recorded (a few of their rows rejected).
          expect(store.getMigration(first.runId!)!.tables[0]).toMatchObject({ state: 'loading', chunks: 3 });
          vi.restoreAllMocks();
          const second = await migrate(src, resumed.url, options, { store, resume: first.runId });
          expect(second.status, second.error).toBe('succeeded');
          const whole = await migrate(src, plain.url, options);
          expect([second.rowsCopied, second.rejected]).toEqual([whole.rowsCopied, whole.rejected]);
          const diffs = await withConnection(resumed.url, (x) => withConnection(plain.url, (y) => compareDatabases(x, y, ['t'])));
          expect(diffs).toEqual([]);
          store.close();
        } finally {
          await resumed.drop();
          await plain.drop();
        }
      });
    });
  });
}
