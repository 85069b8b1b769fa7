import { qualified } from './sql';
import type { TableSide } from './tables';

/**
 * The facts about the server and the table that say whether the transaction ids a run
 * recorded still mean what they did (the guards of the cache, row-versions.ts).
 */

/**
 * Facts about one side under which its xmins were recorded. xmin is a transaction id of
 * 32 bits: it names the same row version only on the same server (system identifier), on
 * the same timeline (a point-in-time recovery re-uses ids), in the same database and
 * physical table (TRUNCATE, VACUUM FULL, CLUSTER, drop and create all change the
 * filenode), and while the id counter has not gone round (the snapshot's xmin and xmax,
 * 64-bit, say how far it went).
 */
export interface SideState {
  system: string;
  timeline: string;
  /** The timeline of the WAL being written now (a checkpoint's timeline lags a promotion). */
  walTimeline: string;
  database: string;
  relation: string;
  filenode: string;
  relkind: string;
  /** pg_snapshot_xmin/xmax of a snapshot taken before the scan, as decimal xid8. */
  snapshotXmin: string;
  snapshotXmax: string;
}

const STATE_SQL = `SELECT s.system_identifier::text, k.timeline_id::text, substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8),
  d.oid::text, c.oid::text, pg_relation_filenode(c.oid)::text, c.relkind::text,
  pg_snapshot_xmin(pg_current_snapshot())::text, pg_snapshot_xmax(pg_current_snapshot())::text
  FROM pg_control_system() s, pg_control_checkpoint() k, pg_database d, pg_class c
  WHERE d.datname = current_database() AND c.oid = to_regclass(?)`;

/** The side's state, or why it cannot be read (a function not allowed, a server in recovery, no such table). */
export async function readSideState(side: TableSide): Promise<SideState | { reason: string }> {
  try {
    const stream = await side.conn.read({ query: STATE_SQL, params: [qualified(side.table, 'postgres')] });
    let row: unknown[] | undefined;
    for await (const rows of stream.batches) if (!row && rows.length > 0) row = rows[0];
    if (!row) return { reason: `${side.label} was not found in pg_class` };
    const [system, timeline, walTimeline, database, relation, filenode, relkind, snapshotXmin, snapshotXmax] = row.map((v) => (v === null ? '' : String(v)));
    return { system, timeline, walTimeline, database, relation, filenode, relkind, snapshotXmin, snapshotXmax };
  } catch (e) {
    return { reason: `the server state of ${side.label} could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}
