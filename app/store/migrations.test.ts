import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS, StoreError, StoreVersionError, WorkbenchStore, type Migration } from './index';
import { APPLICATION_ID } from './migrations';
import { useTempDirs } from './test-helpers';

const tempDir = useTempDirs();

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'));
  } finally {
    db.close();
  }
}

function pragma(file: string, name: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe('store migrations', () => {
  it('creates folders, the file and the whole schema from nothing', () => {
    const file = path.join(tempDir(), 'deep', 'er', 'workbench.db');
    const store = WorkbenchStore.open(file);
    expect(store.path).toBe(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    expect(fs.existsSync(file)).toBe(true);
    expect(tables(file)).toEqual(expect.arrayContaining(['connections', 'migration_chunks', 'migration_runs', 'migration_steps', 'migration_tables', 'node_stats', 'pipelines', 'rejected_groups', 'rejected_rows', 'runs', 'schema_migrations']));
    expect(pragma(file, 'user_version')).toBe(LATEST_VERSION);
    expect(pragma(file, 'application_id')).toBe(APPLICATION_ID);
    expect(pragma(file, 'journal_mode')).toBe('wal');
  });

  it('versions are contiguous from 1', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('reopening is idempotent and keeps the data', () => {
    const file = path.join(tempDir(), 'workbench.db');
    const a = WorkbenchStore.open(file);
    a.savePipeline({ id: 'p1', name: 'One', format: 'yaml', text: 'version: 1\n' });
    a.close();
    for (let i = 0; i < 3; i++) {
      const b = WorkbenchStore.open(file);
      expect(b.schemaVersion).toBe(LATEST_VERSION);
      expect(b.listPipelines().map((p) => p.id)).toEqual(['p1']);
      b.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it('refuses a store written by a newer version, clearly, and leaves it untouched', () => {
    const file = path.join(tempDir(), 'workbench.db');
    WorkbenchStore.open(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = fs.readFileSync(file);

    let error: unknown;
    try {
      WorkbenchStore.open(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreVersionError);
    const message = (error as Error).message;
    expect(message).toContain('newer version of Sluice');
    expect(message).toContain(`store schema version ${LATEST_VERSION + 5}`);
    expect(message).toContain(`understands up to ${LATEST_VERSION}`);
    expect(message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses to migrate a database that is not a Sluice store', () => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    expect(() => WorkbenchStore.open(file)).toThrow(/not a Sluice workbench store/);
    expect(tables(file)).toEqual(['customers']);
  });

  it('refuses a file that is not SQLite at all', () => {
    const file = path.join(tempDir(), 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database'.repeat(200));
    expect(() => WorkbenchStore.open(file)).toThrow(StoreError);
  });

  it('applies only the new migration when one is added, and records it', () => {
    const file = path.join(tempDir(), 'workbench.db');
    WorkbenchStore.open(file).close();
    const next: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_VERSION + 1, name: 'checkpoints', up: `CREATE TABLE checkpoints (run_seq INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE, tbl TEXT NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (run_seq, tbl, chunk))` },
      {
        version: LATEST_VERSION + 2,
        name: 'data step',
        up: (db) => {
          db.prepare(`INSERT INTO pipelines (id, name, format, text, created_at, updated_at) VALUES ('seeded', 'Seeded', 'json', '{}', 'x', 'x')`).run();
        },
      },
    ];
    const store = WorkbenchStore.open(file, { migrations: next });
    expect(store.schemaVersion).toBe(LATEST_VERSION + 2);
    expect(store.getPipeline('seeded')?.name).toBe('Seeded');
    store.close();
    expect(tables(file)).toContain('checkpoints');
    // The same file is now "from the future" for a build that only knows MIGRATIONS.
    expect(() => WorkbenchStore.open(file)).toThrow(StoreVersionError);
  });

  it('a failing migration rolls back completely and names the step', () => {
    const file = path.join(tempDir(), 'workbench.db');
    WorkbenchStore.open(file).close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_VERSION + 1, name: 'good step', up: 'CREATE TABLE queue (id INTEGER PRIMARY KEY)' },
      { version: LATEST_VERSION + 2, name: 'bad step', up: 'ALTER TABLE no_such_table ADD COLUMN x' },
    ];
    expect(() => WorkbenchStore.open(file, { migrations: broken })).toThrow(new RegExp(`step ${LATEST_VERSION + 2} \\(bad step\\) failed.*no such table`));
    expect(tables(file)).not.toContain('queue');
    expect(pragma(file, 'user_version')).toBe(LATEST_VERSION);
    WorkbenchStore.open(file).close();
  });

  it('rejects a migration list with gaps', () => {
    const gap: Migration[] = [...MIGRATIONS, { version: LATEST_VERSION + 2, name: 'skips one', up: 'SELECT 1' }];
    expect(() => WorkbenchStore.openInMemory({ migrations: gap })).toThrow(/without gaps/);
  });

  it('opens in memory with the same schema', () => {
    const store = WorkbenchStore.openInMemory();
    expect(store.path).toBe(':memory:');
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    store.close();
    expect(() => store.listRuns()).toThrow(/closed/);
  });
});
