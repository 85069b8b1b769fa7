import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG, pgReachable } from '../../connectors/postgres/test-db';
import { whenServer } from '../../connectors/sql/test-servers';
import { WorkbenchStore } from '../../store';
import { compareDatabases, migrate, pgTarget, tempDir, withConnection } from './test-env';
import { prng } from '../../expr/differential.gen';

/**
 * The crash test. The bundled CLI (`sluice migrate`, built from the sources into a cache
 * folder) migrates a generated SQLite database of 200,000 rows into PostgreSQL, and into a
 * new SQLite file, in chunks of 3,000 rows and is killed with SIGKILL at seeded random moments, then resumed with
 * --resume RUN_ID, at least ten times, then resumed to the end. Every row must be there
 * exactly once: counts, the store's per-table counts, no duplicate among keyless rows,
 * the verify checksums, and an independent row-by-row comparison.
 * SLUICE_CRASH_SEED picks another sequence of kill points.
 */

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const SEED = Number(process.env.SLUICE_MIGRATE_CRASH_SEED ?? process.env.SLUICE_CRASH_SEED ?? 20261124);
const KILLS = 10;
const TABLES = { orders: 120_000, lines: 60_000, notes: 15_000, log: 5_000 };

/** Four tables: an integer key, a composite key, a text key (with non-ASCII), and none. */
function generate(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(12,2), placed DATETIME, note TEXT);
    CREATE TABLE lines (order_id INTEGER NOT NULL REFERENCES orders (id), line_no INTEGER NOT NULL, sku TEXT, qty INTEGER, PRIMARY KEY (order_id, line_no));
    CREATE TABLE notes (code TEXT PRIMARY KEY, body TEXT);
    CREATE TABLE log (at DATETIME, message TEXT);`);
  const o = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
  const l = db.prepare('INSERT INTO lines VALUES (?, ?, ?, ?)');
  const n = db.prepare('INSERT INTO notes VALUES (?, ?)');
  const g = db.prepare('INSERT INTO log VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= TABLES.orders; i++) {
      o.run(i, `customer ${i % 977}`, `${i % 10_000}.${String(i % 100).padStart(2, '0')}`, `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:00`, i % 5 === 0 ? null : `note ${i}`);
    }
    for (let i = 0; i < TABLES.lines; i++) l.run((i % TABLES.orders) + 1, Math.floor(i / TABLES.orders) + 1 + (i % 3) * 10, `sku-${i % 501}`, i % 17);
    for (let i = 0; i < TABLES.notes; i++) n.run(`${['k', 'K', 'é', 'Z', '😀'][i % 5]}${String(i).padStart(6, '0')}`, `body ${i}`);
    for (let i = 0; i < TABLES.log; i++) g.run(`2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`, `line ${i}`);
  })();
  db.close();
}

async function bundleCli(outdir: string): Promise<string> {
  // The CLI as shipped (scripts/build.mjs's options), in a folder of its own so that
  // other test files building dist/ at the same time do not get in the way.
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  await build({
    entryPoints: { cli: path.join(ROOT, 'app/cli/entry.ts'), worker: path.join(ROOT, 'app/jobs/worker.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }),
    logLevel: 'warning',
  });
  return path.join(outdir, 'cli.mjs');
}

interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the CLI. With `kill`, watches the store (every few ms, read-only: WAL) and, once
 * the rows it has committed reach `atRows`, kills the process with SIGKILL `jitterMs`
 * later: points spread over the whole migration, landing anywhere in a chunk's work.
 */
function runCli(cli: string, args: string[], kill?: { storeFile: string; atRows: number; jitterMs: number }): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [cli, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let armed = false;
    let db: Database.Database | undefined;
    const poll = kill
      ? setInterval(() => {
          if (armed || !/migration run \S+ (started|resumed)/.test(stderr)) return;
          try {
            db ??= new Database(kill.storeFile, { readonly: true, fileMustExist: true });
            const row = db.prepare('SELECT coalesce(sum(rows_copied), 0) AS n FROM migration_tables WHERE run_seq = (SELECT max(run_seq) FROM migration_runs)').get() as { n: number };
            if (row.n >= kill.atRows) {
              armed = true;
              setTimeout(() => child.kill('SIGKILL'), kill.jitterMs);
            }
          } catch {
            // The store is being created or migrated: the next poll will see it.
          }
        }, 4)
      : undefined;
    child.stdout!.on('data', () => {});
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      db?.close();
      resolve({ code, signal, stderr });
    });
  });
}

/**
 * Kills the migration of `source` into `target` at KILLS random points, resumes it to the
 * end, and checks that every row is there exactly once.
 */
async function killAndResume(cli: string, source: string, target: string, storeFile: string): Promise<void> {
  const random = prng(SEED);
  const base = ['migrate', '--from', `sqlite:${source}`, '--to', target, '--store', storeFile, '--chunk-rows', '3000'];
  const runIdOf = (): string | undefined => {
    const store = WorkbenchStore.open(storeFile);
    try {
      // The latest migration run that got as far as recording its plan.
      return store.listRuns({ kind: 'migration', limit: 10 }).find((r) => store.getMigration(r.id))?.id;
    } finally {
      store.close();
    }
  };
  /** After each kill: rows the store says are committed, and how many tables were caught half loaded. */
  const killed: Array<{ afterMs: number; copied: number; halfLoaded: number }> = [];
  const progress = (runId: string | undefined): { copied: number; halfLoaded: number } => {
    if (!runId) return { copied: 0, halfLoaded: 0 };
    const store = WorkbenchStore.open(storeFile);
    try {
      const tables = store.getMigration(runId)!.tables;
      return { copied: tables.reduce((s, t) => s + t.rowsCopied, 0), halfLoaded: tables.filter((t) => t.state === 'loading').length };
    } finally {
      store.close();
    }
  };
  // Kill points: rows committed (spread over the first 190,000 of 200,000: a point in the
  // last chunks can come after a fast target has finished) plus a few ms of jitter.
  const points = Array.from({ length: KILLS }, () => ({ atRows: Math.floor(random() * 190_000), jitterMs: Math.floor(random() * 40) })).sort((a, b) => a.atRows - b.atRows);
  let finished: Attempt | undefined;
  for (const point of points) {
    const runId = runIdOf();
    const attempt = await runCli(cli, runId ? [...base, '--resume', runId] : base, { storeFile, ...point });
    if (attempt.signal !== 'SIGKILL') {
      finished = attempt;
      break;
    }
    killed.push({ afterMs: point.jitterMs, ...progress(runIdOf()) });
  }
  const runId = runIdOf()!;
  if (process.env.SLUICE_CRASH_VERBOSE) console.log(JSON.stringify(killed));
  if (!finished) {
    // The last kill can land after the run recorded its success (while it closes): nothing is left to resume then.
    const store = WorkbenchStore.open(storeFile);
    const done = store.getMigration(runId)?.status === 'succeeded';
    store.close();
    finished = done ? { code: 0, signal: null, stderr: '' } : await runCli(cli, [...base, '--resume', runId]);
  }
  expect(finished.code, finished.stderr).toBe(0);
  expect(killed.length, `the migration ended after ${killed.length} kills: ${JSON.stringify(killed)}`).toBe(KILLS);
  // The kills landed inside tables, and the work went forward between them.
  expect(killed.filter((x) => x.halfLoaded > 0).length, JSON.stringify(killed)).toBeGreaterThanOrEqual(3);
  expect(killed.at(-1)!.copied).toBeGreaterThan(killed[0].copied);

  // Every row exactly once: per-table counts in the target and in the store's checkpoints.
  const store = WorkbenchStore.open(storeFile);
  const m = store.getMigration(runId)!;
  store.close();
  expect(m.status).toBe('succeeded');
  expect(Object.fromEntries(m.tables.map((t) => [t.name, [t.state, t.rowsCopied, t.rowsRejected]]))).toEqual(
    Object.fromEntries(Object.entries(TABLES).map(([t, n]) => [t, ['loaded', n, 0]])),
  );
  await withConnection(target, async (c) => {
    const s = await c.read({
      query: `SELECT (SELECT count(*) FROM orders), (SELECT count(DISTINCT id) FROM orders), (SELECT count(*) FROM lines), (SELECT count(*) FROM notes), (SELECT count(*) FROM log), (SELECT count(*) FROM (SELECT DISTINCT at, message FROM log) d)`,
    });
    for await (const b of s.batches) expect(b[0].map(Number)).toEqual([120_000, 120_000, 60_000, 15_000, 5_000, 5_000]);
  });
  // The checksums agree (verify-only), and so does an independent row-by-row comparison.
  const v = await migrate(`sqlite:${source}`, target, {}, { verifyOnly: true });
  expect(v.status, v.error).toBe('succeeded');
  expect(v.verify!.map((x) => [x.table, x.ok, x.targetRows]).sort()).toEqual(Object.entries(TABLES).map(([t, n]) => [t, true, n]).sort());
  await withConnection(`sqlite:${source}`, (a) => withConnection(target, async (b) => expect(await compareDatabases(a, b, Object.keys(TABLES))).toEqual([])));
}

const pgServer = await pgReachable();

describe('a migration killed at random points', () => {
  const tmp = tempDir('sluice-migrate-crash-');
  let cli: string;
  const source = path.join(tmp.dir, 'source.db');
  beforeAll(async () => {
    cli = await bundleCli(path.join(ROOT, 'node_modules', '.cache', `sluice-migrate-crash-${process.pid}`));
    generate(source);
  });
  afterAll(() => tmp.remove());

  whenServer(`PostgreSQL at ${PG.host}:${PG.port}`, pgServer, () => {
    let pg: Awaited<ReturnType<typeof pgTarget>>;
    beforeAll(async () => {
      pg = await pgTarget();
    });
    afterAll(async () => {
      await pg?.drop();
    });

    it(`into PostgreSQL: resumes after ${KILLS} SIGKILLs and ends with every row exactly once (seed ${SEED})`, async () => {
      await killAndResume(cli, source, pg.url, path.join(tmp.dir, 'workbench-pg.db'));
    }, 120_000);
  });

  it(`into a new SQLite file (loaded with the rollback journal): resumes after ${KILLS} SIGKILLs and ends with every row exactly once (seed ${SEED})`, async () => {
    const target = path.join(tmp.dir, 'target.db');
    await killAndResume(cli, source, `sqlite:${target}`, path.join(tmp.dir, 'workbench-lite.db'));
    // WAL from the first open after the load (a kill can land before the load's own switch at its close).
    await withConnection(`sqlite:${target}`, (c) => c.listTables());
    const db = new Database(target, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 120_000);
});
