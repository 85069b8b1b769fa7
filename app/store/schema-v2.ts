/**
 * Migration 2: checkpoints of database migrations (`sluice migrate`), so a migration that
 * was cancelled or whose process died resumes where its last committed chunk ended.
 *
 * - migration_runs: one row per migration run (a `runs` row of kind 'migration'): the
 *   source and target (URLs without passwords), the plan it follows as JSON (a resume
 *   continues the same plan, not a new one), the SQLite backup made before it started,
 *   and which process works on it now (owner 'host:pid' + heartbeat), so two processes
 *   never resume the same run at once.
 * - migration_tables: per table, its state (pending -> loading -> loaded), rows copied and
 *   rejected, and the key of the last row of the last committed chunk (JSON, typed).
 * - migration_chunks: one row per committed chunk (its key range and counts). It is
 *   written in the same store transaction as the table's new last key and the chunk's
 *   rejected rows, and only after the target committed the chunk.
 * - migration_steps: DDL steps done (create a table, an index, a foreign key, a sequence
 *   position), by a stable step id, so a resume does not repeat them.
 */
export const SCHEMA_V2 = `
CREATE TABLE migration_runs (
  run_seq       INTEGER PRIMARY KEY REFERENCES runs (seq) ON DELETE CASCADE,
  source        TEXT NOT NULL,
  target        TEXT NOT NULL,
  plan          TEXT NOT NULL,
  backup_path   TEXT,
  owner         TEXT,
  heartbeat_at  TEXT,
  updated_at    TEXT NOT NULL
);

CREATE TABLE migration_tables (
  run_seq        INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  table_name     TEXT NOT NULL,
  position       INTEGER NOT NULL,
  state          TEXT NOT NULL,
  rows_total     INTEGER,
  rows_copied    INTEGER NOT NULL DEFAULT 0,
  rows_rejected  INTEGER NOT NULL DEFAULT 0,
  chunks         INTEGER NOT NULL DEFAULT 0,
  last_key       TEXT,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (run_seq, table_name)
) WITHOUT ROWID;

CREATE TABLE migration_chunks (
  run_seq       INTEGER NOT NULL,
  table_name    TEXT NOT NULL,
  chunk         INTEGER NOT NULL,
  first_key     TEXT,
  last_key      TEXT,
  rows          INTEGER NOT NULL,
  rejected      INTEGER NOT NULL,
  committed_at  TEXT NOT NULL,
  PRIMARY KEY (run_seq, table_name, chunk),
  FOREIGN KEY (run_seq, table_name) REFERENCES migration_tables (run_seq, table_name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE migration_steps (
  run_seq  INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  step     TEXT NOT NULL,
  done_at  TEXT NOT NULL,
  PRIMARY KEY (run_seq, step)
) WITHOUT ROWID;
`;
