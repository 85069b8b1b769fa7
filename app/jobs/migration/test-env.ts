import { copyFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabase, MY, MY_URL } from '../../connectors/mysql/test-db';
import { freshSchema, PG_URL } from '../../connectors/postgres/test-db';
import { openConnection } from '../../connectors/registry';
import type { Connection, TableDescription } from '../../connectors/types';
import { RunConnections } from '../../engine/connections';
import { compareValues, valuesEqual, type Row } from '../../model/values';
import { WorkbenchStore } from '../../store';
import { compareKeys } from './keys';
import { runMigration, type MigrationRequest } from './migrate';
import { defaultOptions, type MigrationOptions, type MigrationReport } from './types';

/** Test helpers for the migration job against real databases (each test file its own schema / database). */

export const CHINOOK = path.resolve(import.meta.dirname, '../../../../shared/datasets/chinook/Chinook_Sqlite.sqlite');

export function tempDir(prefix = 'sluice-migrate-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A writable copy of the Chinook SQLite database (the shared one is never written). */
export function chinookCopy(dir: string): string {
  const file = path.join(dir, 'chinook.db');
  copyFileSync(CHINOOK, file);
  chmodSync(file, 0o644);
  return file;
}

export async function pgTarget(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const { schema, drop } = await freshSchema();
  return { url: `${PG_URL}?schema=${schema}`, schema, drop };
}

export async function myTarget(): Promise<{ url: string; database: string; drop: () => Promise<void> }> {
  const { database, drop } = await freshDatabase();
  return { url: `${MY_URL}/${database}`, database, drop };
}

export { MY };

export async function migrate(
  from: string,
  to: string,
  options: Partial<MigrationOptions> = {},
  extra: Partial<MigrationRequest> & { store?: WorkbenchStore; baseDir?: string; signal?: AbortSignal } = {},
): Promise<MigrationReport> {
  const store = extra.store ?? WorkbenchStore.openInMemory();
  try {
    const connections = new RunConnections({}, { baseDir: extra.baseDir ?? tmpdir() });
    return await runMigration({ from, to, options: defaultOptions(options), dryRun: extra.dryRun, resume: extra.resume, verifyOnly: extra.verifyOnly }, { connections, store, signal: extra.signal });
  } finally {
    if (!extra.store) store.close();
  }
}

export async function withConnection<T>(url: string, f: (c: Connection) => Promise<T>): Promise<T> {
  const c = await openConnection({ url }, { baseDir: tmpdir() });
  try {
    return await f(c);
  } finally {
    await c.close();
  }
}

/** Every row of a table, sorted by its primary key (or by all columns), read through the connector. */
export async function tableRows(c: Connection, d: TableDescription): Promise<Row[]> {
  const s = await c.read({ table: d.name });
  const rows: Row[] = [];
  for await (const b of s.batches) rows.push(...b);
  const names = s.schema.columns.map((x) => x.name);
  const idx = (d.primaryKey ?? names).map((k) => names.indexOf(k));
  rows.sort((a, b) => compareKeys(idx.map((i) => a[i]), idx.map((i) => b[i])) || compareKeys(a, b));
  return rows;
}

/**
 * Compares two databases table by table, row by row, value by value (numbers exactly
 * across number / bigint / Decimal, text exactly): independent of the verify checksums.
 * Returns the differences found (empty when equal).
 */
export async function compareDatabases(a: Connection, b: Connection, tables: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const da = await a.describeTable(t);
    const db = await b.describeTable(t);
    const ra = await tableRows(a, da);
    const rb = await tableRows(b, db);
    if (ra.length !== rb.length) out.push(`${t}: ${ra.length} rows vs ${rb.length}`);
    const n = Math.min(ra.length, rb.length);
    for (let i = 0; i < n && out.length < 20; i++) {
      for (let j = 0; j < ra[i].length; j++) {
        if (!valuesEqual(ra[i][j], rb[i][j]) || (ra[i][j] === null) !== (rb[i][j] === null)) {
          out.push(`${t} row ${i} column ${da.columns[j].name}: ${String(ra[i][j])} vs ${String(rb[i][j])}`);
        }
      }
    }
  }
  return out;
}

export { compareValues };
