import fs from 'node:fs';
import nodePath from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors';
import { checkStoreFile, migrate, MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** How long a write waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
  /** For tests of the migration mechanism; the app always uses MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating when needed) and migrates a store file. Order matters: the version check
 * runs before anything is written, so a store from a newer Sluice is left untouched.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  const memory = path === ':memory:';
  if (!memory) fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    throw new StoreError(`Cannot open the workbench store ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // Several processes share the file (the app, its job worker, the CLI): wait for a lock
    // rather than failing at once.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    checkStoreFile(db, path, opts.migrations ?? MIGRATIONS);
    // WAL: readers never block the writer and the writer never blocks readers, so the UI can
    // show a run's rejected rows while the engine is still writing them.
    if (!memory) db.pragma('journal_mode = WAL');
    // NORMAL is safe in WAL mode (no corruption on power loss, at worst the last commits
    // are lost) and much faster than FULL for the many small commits a run makes.
    db.pragma('synchronous = NORMAL');
    // After a checkpoint, shrink a WAL that a long run (or a reader holding an old snapshot)
    // let grow, instead of keeping the file at its largest size forever.
    db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    migrate(db, path, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`Cannot open the workbench store ${path}: ${(e as Error).message}`, { cause: e });
  }
}
