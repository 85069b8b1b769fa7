import { quoteIdent } from '../../model/sql';
import { qualified } from './sql';
import type { TableSide } from './tables';

/**
 * What the row-version cache (row-versions.ts) reads from PostgreSQL: each side's
 * (key, xmin) or (key, xmin, hash) rows as binary COPY, decoded into typed arrays (no
 * object per row), and the facts about the server and the table that say whether xmins
 * recorded earlier still mean the same row versions (the guards).
 */

/** One side's rows, a batch: the key as signed high and unsigned low words, xmin (32 bits) and, from a hash query, the hash. */
export interface VersionBatch {
  n: number;
  keyHi: Int32Array;
  keyLo: Uint32Array;
  /** The row version's xmin, its 32 bits as an int32. */
  xmin: Int32Array;
  hashHi?: Int32Array;
  hashLo?: Int32Array;
}

function newBatch(rows: number, withHash: boolean): VersionBatch {
  const b: VersionBatch = { n: 0, keyHi: new Int32Array(rows), keyLo: new Uint32Array(rows), xmin: new Int32Array(rows) };
  if (withHash) {
    b.hashHi = new Int32Array(rows);
    b.hashLo = new Int32Array(rows);
  }
  return b;
}

/** PGCOPY\n\377\r\n\0: the first bytes of binary COPY data. */
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/**
 * Decodes the CopyData messages of `COPY (SELECT key, xmin[, hash]) TO STDOUT (FORMAT
 * binary)` (connection copyOut: whole messages, one row each) into batches of `batchRows`.
 */
export async function* versionBatches(chunks: AsyncIterable<Buffer>, batchRows: number, label: string, withHash: boolean): AsyncGenerator<VersionBatch> {
  let b = newBatch(batchRows, withHash);
  let header = true;
  let trailer = false;
  const want = withHash ? 3 : 2;
  const bad = (why: string) => new Error(`${label}: unexpected binary COPY data (${why})`);
  for await (const chunk of chunks) {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      const end = p + 1 + ((chunk[p + 1] << 24) | (chunk[p + 2] << 16) | (chunk[p + 3] << 8) | chunk[p + 4]);
      let q = p + 5;
      p = end;
      if (header) {
        for (let i = 0; i < SIGNATURE.length; i++) if (chunk[q + i] !== SIGNATURE[i]) throw bad('no PGCOPY signature');
        const ext = (chunk[q + 15] << 24) | (chunk[q + 16] << 16) | (chunk[q + 17] << 8) | chunk[q + 18];
        q += 19 + ext;
        header = false;
        if (q === end) continue;
      }
      const fields = (chunk[q] << 8) | chunk[q + 1];
      if (fields === 0xffff) {
        trailer = true;
        continue;
      }
      if (trailer || fields !== want) throw bad(`a row of ${fields} fields`);
      if (chunk[q + 2] === 0xff) throw new Error(`${label} has a row whose key is NULL: a sync needs a key in every row`);
      const kw = chunk[q + 5];
      // xmin: length 4, then its 4 bytes.
      const x = q + 6 + kw;
      if ((kw !== 8 && kw !== 4 && kw !== 2) || chunk[x] !== 0 || chunk[x + 3] !== 4) throw bad(`a row of ${end - q} bytes`);
      // The hash, when asked for: length 8 at x + 8, its bytes at x + 12.
      const h = x + 12;
      if (withHash ? end - h !== 8 || chunk[h - 1] !== 8 : end !== x + 8) throw bad(`a row of ${end - q} bytes`);
      const i = b.n++;
      if (kw === 8) {
        b.keyHi[i] = (chunk[q + 6] << 24) | (chunk[q + 7] << 16) | (chunk[q + 8] << 8) | chunk[q + 9];
        b.keyLo[i] = ((chunk[q + 10] << 24) | (chunk[q + 11] << 16) | (chunk[q + 12] << 8) | chunk[q + 13]) >>> 0;
      } else {
        const v = kw === 4 ? (chunk[q + 6] << 24) | (chunk[q + 7] << 16) | (chunk[q + 8] << 8) | chunk[q + 9] : ((chunk[q + 6] << 24) | (chunk[q + 7] << 16)) >> 16;
        b.keyHi[i] = v < 0 ? -1 : 0;
        b.keyLo[i] = v >>> 0;
      }
      b.xmin[i] = (chunk[x + 4] << 24) | (chunk[x + 5] << 16) | (chunk[x + 6] << 8) | chunk[x + 7];
      if (withHash) {
        b.hashHi![i] = (chunk[h] << 24) | (chunk[h + 1] << 16) | (chunk[h + 2] << 8) | chunk[h + 3];
        b.hashLo![i] = (chunk[h + 4] << 24) | (chunk[h + 5] << 16) | (chunk[h + 6] << 8) | chunk[h + 7];
      }
      if (b.n === batchRows) {
        yield b;
        b = newBatch(batchRows, withHash);
      }
    }
  }
  if (!trailer) throw bad('it ended without its trailer');
  if (b.n > 0) yield b;
}

/** (key, xmin) of every row in key order: what a run with a usable cache reads of each side. */
export function versionScanQuery(side: TableSide, key: string): string {
  const k = quoteIdent(key, 'postgres');
  return `SELECT ${k}, xmin FROM ${qualified(side.table, 'postgres')} ORDER BY ${k}`;
}

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

/** The current snapshot's xmax (decimal xid8): read after a scan has begun, it bounds every xmin the scan can see. */
export async function snapshotXmax(side: TableSide): Promise<bigint> {
  const stream = await side.conn.read({ query: `SELECT pg_snapshot_xmax(pg_current_snapshot())::text` });
  let v: string | undefined;
  for await (const rows of stream.batches) if (v === undefined && rows.length > 0) v = String(rows[0][0]);
  if (v === undefined) throw new Error(`${side.label}: no snapshot xmax`);
  return BigInt(v);
}
