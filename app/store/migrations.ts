import type { Database } from 'better-sqlite3';
import { StoreError, StoreVersionError } from './errors';
import { SCHEMA_V1 } from './schema-v1';
import { SCHEMA_V2 } from './schema-v2';
import { SCHEMA_V3 } from './schema-v3';
import { SCHEMA_V4 } from './schema-v4';

/**
 * One step of the store's schema. Versions are 1, 2, 3 ... with no gaps; a released
 * migration is never edited, only followed by a new one. `up` is SQL text or a function
 * for steps that must move data.
 */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'connections, pipelines, runs, node stats, rejected rows', up: SCHEMA_V1 },
  { version: 2, name: 'migration checkpoints per run, table and chunk', up: SCHEMA_V2 },
  { version: 3, name: 'job history and logs; sync state: high-water marks, change queue, base hashes', up: SCHEMA_V3 },
  { version: 4, name: 'sync row-version cache (PostgreSQL full diffs)', up: SCHEMA_V4 },
];

/** Newest schema version this build of Sluice knows. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Marks the file as a Sluice store (SQLite's application_id header field, 'SLCE'), so
 * we refuse to migrate some other application's database that was opened by mistake.
 */
export const APPLICATION_ID = 0x534c4345;

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

export function validateMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError(`Store migration #${i} has version ${m.version}; versions must be 1, 2, 3 ... without gaps`);
  });
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Refuses files that are not Sluice stores or that a newer Sluice wrote. Runs before any
 * write (even before switching to WAL), so a refused file is left untouched.
 */
export function checkStoreFile(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.length;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = schemaVersion(db);
  if (appId === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get() as { n: number };
    if (tables.n > 0 || version !== 0) throw new StoreError(`${path} is an SQLite database but not a Sluice workbench store; refusing to change it.`);
  } else if (appId !== APPLICATION_ID) {
    throw new StoreError(`${path} is not a Sluice workbench store (application id ${appId}); refusing to change it.`);
  }
  if (version > latest) throw new StoreVersionError(path, version, latest);
}

/**
 * Brings the schema up to date. All pending steps run in one IMMEDIATE transaction: it
 * takes the write lock first, so two processes opening a fresh store at once cannot both
 * migrate (the second waits, then re-reads the version and finds nothing to do), and a
 * failing step leaves the file exactly at its previous version.
 *
 * Foreign keys are switched off around the transaction (SQLite ignores that pragma inside
 * one) so a step may rebuild a table the documented way (create new, copy, drop, rename);
 * `foreign_key_check` then verifies nothing was broken before committing.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  validateMigrations(migrations);
  const latest = migrations.length;
  if (schemaVersion(db) === latest) return { from: latest, to: latest, applied: [] };

  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    const run = db.transaction((): MigrationResult => {
      const from = schemaVersion(db);
      if (from > latest) throw new StoreVersionError(path, from, latest);
      const applied: string[] = [];
      const now = new Date().toISOString();
      for (const m of migrations.slice(from)) {
        try {
          if (typeof m.up === 'string') db.exec(m.up);
          else m.up(db);
        } catch (e) {
          throw new StoreError(`Could not upgrade the workbench store ${path}: step ${m.version} (${m.name}) failed: ${(e as Error).message}; nothing was changed.`, { cause: e });
        }
        if (m.version === 1) {
          // The migration log itself; kept for diagnostics. user_version stays the authority.
          db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
        }
        db.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`).run(m.version, m.name, now);
        applied.push(`${m.version} ${m.name}`);
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new StoreError(`Store migration to version ${latest} broke ${broken.length} foreign key reference(s); rolled back.`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${latest}`);
      return { from, to: latest, applied };
    });
    return run.immediate();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`Could not upgrade the workbench store ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
}
