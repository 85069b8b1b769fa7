import { z } from 'zod';

export const sqliteOptions = z.strictObject({
  readonly: z.boolean().default(false).describe('Open the database read-only (it must exist); writes are refused.'),
  wal: z
    .boolean()
    .default(true)
    .describe('Switch the database to WAL journaling on open, so reads and the one writer do not block each other (stored in the file).'),
  busyTimeoutMs: z.number().int().min(0).default(5000).describe('How long to wait for a lock held by another process before failing.'),
  foreignKeys: z.boolean().default(false).describe('Enforce foreign keys (PRAGMA foreign_keys = ON); SQLite leaves them off by default.'),
  inferRows: z.number().int().min(1).max(100_000).default(100).describe('Rows looked at to type result columns SQLite has no declared type for (expressions, untyped columns).'),
  onError: z
    .enum(['stop', 'skip'])
    .default('stop')
    .describe('A stored value that does not fit its column type (SQLite does not enforce types): stop, or skip the row and report it.'),
});

export type SqliteOptions = z.output<typeof sqliteOptions>;
