/**
 * Migration 4: the row-version cache of PostgreSQL full-diff syncs.
 *
 * For each sync, the pairs (key, source xmin, target xmin) of rows the sync last found
 * equal on both sides: a row whose two xmins are still those has not changed, so a later
 * run reads (key, xmin) from each side instead of hashing every row (app/jobs/sync/
 * row-versions.ts says why that is exact and which guards hold it).
 *
 * - `sync_row_version_blocks`: the entries, packed (app/jobs/sync decides the format),
 *   8192 to a block, in key order within each of a generation's two sorted parts (0: the
 *   base, entries carried over or found equal by the scan; 1: entries verified after a
 *   fetch). A run writes a whole new generation; rows, not one BLOB, so that neither
 *   writing nor reading holds the cache whole in memory.
 * - `sync_row_versions`: the current generation of a sync and the guards it was recorded
 *   under (JSON, made by app/jobs/sync). A generation without a row here is one a run was
 *   still writing (or that failed): never read, deleted by the next run.
 */
export const SCHEMA_V4 = `
CREATE TABLE sync_row_versions (
  sync_seq    INTEGER PRIMARY KEY REFERENCES syncs (seq) ON DELETE CASCADE,
  generation  INTEGER NOT NULL,
  guards      TEXT NOT NULL,
  entries     INTEGER NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE sync_row_version_blocks (
  sync_seq    INTEGER NOT NULL REFERENCES syncs (seq) ON DELETE CASCADE,
  generation  INTEGER NOT NULL,
  part        INTEGER NOT NULL,
  block       INTEGER NOT NULL,
  entries     BLOB NOT NULL,
  PRIMARY KEY (sync_seq, generation, part, block)
);
`;
