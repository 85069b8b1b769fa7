import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { SqliteConnection } from '../../connectors/sqlite/connection';
import type { Connection } from '../../connectors/types';

/**
 * Before a migration changes a SQLite target that exists, it copies it with SQLite's
 * online backup API (better-sqlite3's db.backup): a consistent copy even while other
 * connections read it, WAL content included, which copying the file would not give. The
 * copy sits beside the database, named after the run, and its path is reported.
 */

/** The file a SQLite connection works on; undefined for other connectors and :memory:. */
export function sqliteFile(conn: Connection): string | undefined {
  return conn instanceof SqliteConnection && conn.path !== ':memory:' ? conn.path : undefined;
}

/** A SQLite target file that does not exist yet is created for a bulk load (SqliteConnection.createForBulkLoad). */
export function createSqliteTargetForLoad(target: Connection): boolean {
  return target instanceof SqliteConnection && target.createForBulkLoad();
}

export function backupPathFor(file: string, runId: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.before-${runId}${ext || '.db'}`);
}

/** Backs the target up when it is a SQLite file that exists (and is not empty); returns the copy's path. */
export async function backupSqliteTarget(target: Connection, runId: string): Promise<string | undefined> {
  const file = sqliteFile(target);
  if (!file || !existsSync(file) || statSync(file).size === 0) return undefined;
  const dest = backupPathFor(file, runId);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  return dest;
}
