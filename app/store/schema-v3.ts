/**
 * Migration 3: job history and logs, and the state of sync jobs.
 *
 * Runs become the job history: a job gets its run record when it is queued (status
 * 'queued', `queued_at`), so a job waiting behind the concurrency limit is visible and a
 * job that never started still has its parameters and outcome. `log_path` names the run's
 * structured log, an NDJSON file beside the store (see app/jobs/history/run-log.ts for why
 * a file and not a table); `details` holds the counts particular to a kind of job (a
 * sync's inserts, updates, deletes and conflicts; a batch's chunks) as JSON.
 *
 * Sync state, per sync definition (`syncs.id` is its name):
 * - `high_water`: the incremental cursor value confirmed so far, with `sync_boundary` the
 *   keys (and row hashes) already synced at exactly that value, so rows sharing it are
 *   neither missed nor applied twice; `pending_high_water` and the boundary rows with
 *   pending = 1 belong to changes still in the queue, promoted once they are confirmed.
 * - `sync_queue`: every change found, durably, before it touches the target: pending
 *   (confirmed_at NULL) until the target has committed it. `row` is the row in Sluice's
 *   binary row codec (exact for every value); `key` the canonical key text.
 * - `sync_base`: the hash of each row as the sync last wrote it, for the conflict
 *   policies that must tell "the target changed since" from "the source changed".
 * - `lease_*`: one run of a sync at a time, across processes (the app, its workers, CLI).
 */
export const SCHEMA_V3 = `
ALTER TABLE runs ADD COLUMN queued_at TEXT;
ALTER TABLE runs ADD COLUMN job_id TEXT;
ALTER TABLE runs ADD COLUMN log_path TEXT;
ALTER TABLE runs ADD COLUMN details TEXT;

CREATE TABLE syncs (
  seq                 INTEGER PRIMARY KEY,
  id                  TEXT NOT NULL UNIQUE,
  fingerprint         TEXT NOT NULL,
  mode                TEXT NOT NULL,
  high_water          TEXT,
  pending_high_water  TEXT,
  lease_owner         TEXT,
  lease_until         TEXT,
  last_run_id         TEXT,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);

CREATE TABLE sync_boundary (
  sync_seq  INTEGER NOT NULL REFERENCES syncs (seq) ON DELETE CASCADE,
  pending   INTEGER NOT NULL,
  key       TEXT NOT NULL,
  hash      TEXT NOT NULL,
  PRIMARY KEY (sync_seq, pending, key)
) WITHOUT ROWID;

CREATE TABLE sync_queue (
  id            INTEGER PRIMARY KEY,
  sync_seq      INTEGER NOT NULL REFERENCES syncs (seq) ON DELETE CASCADE,
  run_seq       INTEGER REFERENCES runs (seq) ON DELETE SET NULL,
  op            TEXT NOT NULL,
  key           TEXT NOT NULL,
  row           BLOB,
  hash          TEXT,
  confirmed_at  TEXT
);
CREATE INDEX sync_queue_pending ON sync_queue (sync_seq, id) WHERE confirmed_at IS NULL;
CREATE INDEX sync_queue_run ON sync_queue (run_seq);

CREATE TABLE sync_base (
  sync_seq  INTEGER NOT NULL REFERENCES syncs (seq) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  hash      TEXT NOT NULL,
  PRIMARY KEY (sync_seq, key)
) WITHOUT ROWID;
`;
