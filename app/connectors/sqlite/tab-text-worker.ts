// Tab text pages of one table, encoded by SQLite in a worker thread of their own
// (tab-text-thread.ts starts it): while the caller sends one page to the target, the next
// ones are being encoded here, on the other core. The worker reads ahead along the key,
// a few pages at most, from where it was last asked to read.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { Value } from '../../model/values';
import { PageReader, type PageStatement } from './tab-text';

export interface PageWorkerData {
  path: string;
  plan: PageStatement;
  width: number;
  busyTimeoutMs: number;
}

/** Reader -> worker. A read starts a new run of pages (epoch); each page taken is acknowledged. */
export type PageRequest = { type: 'read'; epoch: number; after: Value | undefined; limit: number } | { type: 'ack'; epoch: number } | { type: 'close' };

/** Worker -> reader. */
export type PageMessage =
  | { type: 'page'; epoch: number; rows: number; firstKey: Value; lastKey: Value; clean: boolean; bytes?: Uint8Array }
  | { type: 'end'; epoch: number }
  | { type: 'error'; message: string; code?: string };

/** Pages encoded and not yet taken: enough to keep the reader busy, few enough to keep memory flat. */
const AHEAD = 3;

const port = parentPort!;
const data = workerData as PageWorkerData;
let db: Database.Database | undefined;
let reader: PageReader | undefined;
let epoch = -1;
let after: Value | undefined;
let limit = 0;
let inFlight = 0;
let done = true;
let scheduled = false;

function fail(e: unknown): void {
  done = true;
  port.postMessage({ type: 'error', message: (e as Error).message, code: (e as { code?: string }).code } satisfies PageMessage);
}

/** The bytes as a transferable Uint8Array of their own (a Buffer may share its memory). */
function ownBytes(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
}

function pump(): void {
  scheduled = false;
  if (done || inFlight >= AHEAD) return;
  try {
    reader ??= new PageReader((db = new Database(data.path, { readonly: true, fileMustExist: true, timeout: data.busyTimeoutMs })), data.plan, data.width);
    const page = reader.read(after, limit);
    if (!page) {
      done = true;
      port.postMessage({ type: 'end', epoch } satisfies PageMessage);
      return;
    }
    const bytes = page.bytes ? ownBytes(page.bytes) : undefined;
    const m: PageMessage = { type: 'page', epoch, rows: page.rows, firstKey: page.firstKey, lastKey: page.lastKey, clean: page.clean, ...(bytes ? { bytes } : {}) };
    port.postMessage(m, bytes ? [bytes.buffer as ArrayBuffer] : []);
    inFlight++;
    after = page.lastKey;
    schedule();
  } catch (e) {
    fail(e);
  }
}

/** One page per turn, so requests that arrive meanwhile are seen between pages. */
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(pump);
}

port.on('message', (m: PageRequest) => {
  switch (m.type) {
    case 'read':
      ({ epoch, after, limit } = m);
      inFlight = 0;
      done = false;
      schedule();
      break;
    case 'ack':
      if (m.epoch !== epoch) break;
      inFlight--;
      schedule();
      break;
    case 'close':
      done = true;
      try {
        reader?.end();
        db?.close();
      } catch (e) {
        fail(e);
      }
      port.close();
      break;
  }
});
