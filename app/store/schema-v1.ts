/**
 * Migration 1: the first workbench schema. Conventions every later migration follows:
 * - timestamps are ISO-8601 UTC text ('2026-11-24T04:21:23.456Z'): they sort as text and
 *   read well in the sqlite3 shell;
 * - JSON documents (options, params, row payloads) are TEXT holding JSON;
 * - enumerations that will grow (run kinds, statuses) are checked in TypeScript, not with
 *   CHECK constraints, because changing a CHECK in SQLite means rebuilding the table.
 */
export const SCHEMA_V1 = `
CREATE TABLE connections (
  name              TEXT PRIMARY KEY,
  url               TEXT NOT NULL,
  options           TEXT NOT NULL DEFAULT '{}',
  secret_ref        TEXT,
  encrypted_secret  BLOB,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  CHECK (secret_ref IS NULL OR encrypted_secret IS NULL)
);

CREATE TABLE pipelines (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  path        TEXT,
  format      TEXT NOT NULL CHECK (format IN ('yaml', 'json')),
  text        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

-- Runs have two keys. \`id\` is the public one: a ULID, so ORDER BY id is the order runs
-- started in. \`seq\` is a small integer that high-volume child tables reference, so
-- their rows and indexes stay narrow (a 26-character text key in every rejected row
-- halved insert speed when measured). Later tables (checkpoints, queue, job logs)
-- should reference runs (seq) too.
CREATE TABLE runs (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL,
  name           TEXT NOT NULL,
  status         TEXT NOT NULL,
  params         TEXT,
  pipeline_path  TEXT,
  started_at     TEXT NOT NULL,
  finished_at    TEXT,
  duration_ms    INTEGER,
  error          TEXT,
  rows_in        INTEGER,
  rows_out       INTEGER,
  rejected       INTEGER
);
CREATE INDEX runs_kind ON runs (kind, id);
CREATE INDEX runs_status ON runs (status, id);

CREATE TABLE node_stats (
  run_seq      INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  node_id      TEXT NOT NULL,
  rows_in      INTEGER NOT NULL,
  rows_out     INTEGER NOT NULL,
  rejected     INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (run_seq, node_id)
);

-- Rejected rows are normalised in two tables. A group is one (run, node, rule, column):
-- the unit the Problems panel summarises and filters by. Each row then carries a single
-- integer group id, and the only index on the big table is on that integer, which keeps
-- batch inserts fast and makes "the rows of one group, in order" an index range.
-- A rule that concerns no single column has column_name '' (the API says null): NULLs
-- are distinct in a UNIQUE key, and a plain key lets SQLite walk groups, then their rows,
-- in index order with no sort.
CREATE TABLE rejected_groups (
  id           INTEGER PRIMARY KEY,
  run_seq      INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  node_id      TEXT NOT NULL,
  rule         TEXT NOT NULL,
  column_name  TEXT NOT NULL,
  UNIQUE (run_seq, node_id, rule, column_name)
);

CREATE TABLE rejected_rows (
  id           INTEGER PRIMARY KEY,
  group_id     INTEGER NOT NULL REFERENCES rejected_groups (id) ON DELETE CASCADE,
  value        TEXT,
  message      TEXT NOT NULL,
  row_key      TEXT,
  row          TEXT NOT NULL,
  severity     TEXT NOT NULL,
  replayed_at  TEXT
);
CREATE INDEX rejected_rows_group ON rejected_rows (group_id);
`;
