// One side of a full diff, read in a worker thread of its own (side-reader.ts starts it):
// the table in key order, each row typed and hashed here, so the two tables are read,
// decoded and hashed on two cores at once. Batches go to the merge as transferable bytes:
// the hashes and the keys. The rows stay here until the merge has compared the batch, and
// only the rows it asks for (the changes) cross, in the row codec: encoding every row to
// send it was measured to cost more than reading it.
import { parentPort, workerData } from 'node:worker_threads';
import { RunConnections } from '../../engine/connections';
import type { ConnectionDoc } from '../../model/document';
import type { Column } from '../../model/schema';
import type { Row } from '../../model/values';
import { RowEncoder } from '../../nodes/sort/row-codec';
import type { TableName } from './sql';
import { coercer, rowHasher } from './canonical';
import { hashQueryColumns, keysQuery, rangeQuery } from './pushdown';
import { orderedRows, sideOf, type TableSide } from './tables';

export interface SideWorkerData {
  connections: Record<string, ConnectionDoc>;
  connection: string;
  table: TableName;
  baseDir: string;
  env?: Record<string, string>;
  columns: Column[];
  key: Column[];
  /** Positions of the key columns in `columns`. */
  keyIdx: number[];
  batchSize: number;
  /**
   * Hashes computed in the database (pushdown.ts): this query's rows are (key, hash); the
   * rows themselves are fetched by key when the merge asks for them.
   */
  hashQuery?: string;
}

/** Worker -> reader. */
export type SideMessage =
  | {
      type: 'batch';
      id: number;
      n: number;
      hashes: Float64Array;
      /** Key values when the key is one column of safe integers; otherwise keyRows. */
      keyNums?: Float64Array;
      keyRows?: Uint8Array;
    }
  | {
      type: 'rows';
      id: number;
      /** The rows asked for, in the order asked; with a hash query, a row gone since reads as an empty row. */
      rows: Uint8Array;
      /** Start of each row in `rows`. */
      offsets: Uint32Array;
      /** The rows could not be fetched. */
      error?: string;
    }
  | { type: 'end'; count: number }
  /** The connections are closed: the worker can be ended. */
  | { type: 'closed' }
  | { type: 'error'; message: string };

/**
 * Reader -> worker: room for more batches; the rows of a batch at these indexes (and, with
 * release, the batch may be dropped); stop.
 */
export type SideCredit = { type: 'credit'; n: number } | { type: 'rows'; id: number; indexes: number[]; release: boolean } | { type: 'stop' };

async function main(): Promise<void> {
  const port = parentPort!;
  const d = workerData as SideWorkerData;
  let credits = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  // Per batch: its rows, or with a hash query only its keys (the rows are fetched when asked).
  const kept = new Map<number, Row[] | Float64Array>();
  const rowEnc = new RowEncoder(1 << 16);
  let side: TableSide | undefined;
  const send = (id: number, rows: ReadonlyArray<Row | undefined>) => {
    const offsets = new Uint32Array(rows.length + 1);
    rows.forEach((r, k) => {
      offsets[k] = rowEnc.length;
      rowEnc.write(r ?? []);
    });
    offsets[rows.length] = rowEnc.length;
    const bytes = new Uint8Array(rowEnc.take());
    port.postMessage({ type: 'rows', id, rows: bytes, offsets } satisfies SideMessage, [bytes.buffer, offsets.buffer]);
  };
  // Answers go out in the order asked (the reader matches them so). With a hash query, the
  // requests that arrive while a fetch runs are served together by the next one: the merge
  // asks batch by batch, a few changed rows each, and a statement per batch would cost more
  // than the rows.
  let answering: Promise<void> = Promise.resolve();
  const asked: FetchRequest[] = [];
  // Serves every request queued so far (a later call in the chain finds the queue empty).
  const drain = async () => {
    const group = asked.splice(0);
    if (group.length === 0) return;
    try {
      const rows = await fetchByKeys(side!, d, group);
      group.forEach((r, k) => send(r.id, rows[k]));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      for (const r of group) port.postMessage({ type: 'rows', id: r.id, rows: new Uint8Array(0), offsets: new Uint32Array(0), error } satisfies SideMessage);
    }
  };
  port.on('message', (m: SideCredit) => {
    if (m.type === 'credit') credits += m.n;
    else if (m.type === 'rows') {
      const held = kept.get(m.id);
      if (m.release) kept.delete(m.id);
      if (held instanceof Float64Array) {
        asked.push({ id: m.id, keys: m.indexes.map((i) => held[i]), batchRows: held.length });
        answering = answering.then(drain);
      } else {
        const rows = held ?? [];
        answering = answering.then(() => send(m.id, m.indexes.map((i) => rows[i])));
      }
    } else stopped = true;
    wake?.();
  });
  const connections = new RunConnections(d.connections, { baseDir: d.baseDir, env: d.env ? { ...process.env, ...d.env } : undefined });
  try {
    const conn = await connections.open(d.connection);
    side = sideOf(conn, d.table, d.connection);
    if (d.hashQuery) {
      // Batches of (key, hash) from the database; the rows are fetched by key when asked.
      const stream = await conn.read({ query: d.hashQuery, schema: { columns: hashQueryColumns(d.key[0]) } }, { batchSize: d.batchSize });
      let id = 0;
      let count = 0;
      for await (const batch of stream.batches) {
        while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
        if (stopped) break;
        credits--;
        const n = batch.length;
        const hashes = new Float64Array(n);
        const keyNums = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const k = batch[i][0];
          if (typeof k !== 'number') throw new Error(`key ${String(k)} of ${d.table.name} is beyond 2^53 (it appeared during the sync): run it again`);
          keyNums[i] = k;
          hashes[i] = Number(batch[i][1]);
        }
        count += n;
        kept.set(id, keyNums.slice());
        port.postMessage({ type: 'batch', id: id++, n, hashes, keyNums } satisfies SideMessage, [hashes.buffer, keyNums.buffer]);
      }
      port.postMessage({ type: 'end', count } satisfies SideMessage);
      // The merge may still ask for rows: the connection stays open until the reader stops.
      while (!stopped) await new Promise<void>((r) => (wake = r));
      await answering;
      return;
    }
    const rows = await orderedRows(side, d.columns, d.key, { batchSize: d.batchSize });
    const hash = rowHasher(d.columns.map((c) => c.type));
    const keyEnc = new RowEncoder(1 << 16);
    let id = 0;
    const numericKey = d.key.length === 1 && (d.key[0].type.kind === 'int' || d.key[0].type.kind === 'bigint');
    let count = 0;
    for await (const batch of rows) {
      while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
      if (stopped) break;
      credits--;
      const n = batch.length;
      const hashes = new Float64Array(n);
      let keyNums: Float64Array | undefined = numericKey ? new Float64Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const r = batch[i];
        hashes[i] = hash(r);
        if (keyNums) {
          const k = r[d.keyIdx[0]];
          if (typeof k === 'number') keyNums[i] = k;
          else keyNums = undefined;
        }
      }
      let keyRows: Uint8Array | undefined;
      if (!keyNums) {
        for (const r of batch) keyEnc.write(d.keyIdx.map((k) => r[k]) as Row);
        keyRows = new Uint8Array(keyEnc.take());
      }
      count += n;
      kept.set(id, batch);
      const m: SideMessage = { type: 'batch', id: id++, n, hashes, keyNums, keyRows };
      const transfer = [hashes.buffer, ...(keyNums ? [keyNums.buffer] : []), ...(keyRows ? [keyRows.buffer] : [])];
      port.postMessage(m, transfer as ArrayBuffer[]);
    }
    port.postMessage({ type: 'end', count } satisfies SideMessage);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies SideMessage);
  } finally {
    await connections.closeAll();
    port.postMessage({ type: 'closed' } satisfies SideMessage);
  }
}

interface FetchRequest {
  id: number;
  /** Integer keys, in key order. */
  keys: number[];
  /** Rows in the batch the keys come from. */
  batchRows: number;
}

/** Keys per statement (inlined as literals: they are safe integers the database gave). */
const KEYS_PER_FETCH = 5000;

/**
 * The rows of each request's keys, in the order asked; a key whose row is gone since gives
 * undefined. A request for a quarter of its batch or more reads the batch's key range; the
 * others are looked up together, a few thousand keys a statement. The statements have no
 * parameters, so PostgreSQL streams them with COPY (one round trip, no cursor).
 */
async function fetchByKeys(side: TableSide, d: SideWorkerData, group: readonly FetchRequest[]): Promise<Array<Array<Row | undefined>>> {
  const k = d.keyIdx[0];
  const found = new Map<number, Row>();
  const schema = { columns: d.columns };
  const coerce = coercer(d.columns.map((c) => c.type));
  const read = async (sql: string) => {
    const stream = await side.conn.read({ query: sql, schema });
    for await (const rows of stream.batches) for (const r of rows) found.set(Number(r[k]), coerce(r));
  };
  const few: number[] = [];
  for (const r of group) {
    if (r.keys.length === 0) continue;
    if (r.keys.length * 4 >= r.batchRows) await read(rangeQuery(side, d.columns, d.key[0], r.keys[0], r.keys[r.keys.length - 1]));
    else few.push(...r.keys);
  }
  for (let i = 0; i < few.length; i += KEYS_PER_FETCH) await read(keysQuery(side, d.columns, d.key[0], few.slice(i, i + KEYS_PER_FETCH)));
  return group.map((r) => r.keys.map((x) => found.get(x)));
}

void main();
