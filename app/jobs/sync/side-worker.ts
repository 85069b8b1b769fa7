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
import { rowHasher } from './canonical';
import { orderedRows, sideOf } from './tables';

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
      /** The rows asked for, in the order asked. */
      rows: Uint8Array;
      /** Start of each row in `rows`. */
      offsets: Uint32Array;
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
  // Per batch: its rows, until the merge has compared it.
  const kept = new Map<number, Row[]>();
  const rowEnc = new RowEncoder(1 << 16);
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
  port.on('message', (m: SideCredit) => {
    if (m.type === 'credit') credits += m.n;
    else if (m.type === 'rows') {
      const rows = kept.get(m.id) ?? [];
      if (m.release) kept.delete(m.id);
      send(m.id, m.indexes.map((i) => rows[i]));
    } else stopped = true;
    wake?.();
  });
  const connections = new RunConnections(d.connections, { baseDir: d.baseDir, env: d.env ? { ...process.env, ...d.env } : undefined });
  try {
    const conn = await connections.open(d.connection);
    const side = sideOf(conn, d.table, d.connection);
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

void main();
