import { Worker } from 'node:worker_threads';
import { workerBeside } from '../../jobs/worker-entry';
import type { Value } from '../../model/values';
import { ConnectorError, type TabTextPage, type TabTextPages } from '../types';
import type { PageMessage, PageRequest, PageWorkerData } from './tab-text-worker';

/**
 * Tab text pages encoded in a worker thread (tab-text-worker.ts). Encoding is most of a
 * SQLite -> PostgreSQL or MariaDB copy's work on this side; done in this thread, it waits
 * while the page goes out and the next one cannot start until it has. The worker reads
 * ahead along the key from where it was last asked; a request it did not foresee (another
 * start key, another limit: the end of a chunk, a page copied the ordinary way, a redone
 * chunk) starts it again there, and the pages it had read ahead are dropped.
 */

/** The worker's script: beside the running bundle (dist/sqlite-pages-worker.mjs), or the source bundled on the fly. */
export function pageWorkerFile(): string | undefined {
  return workerBeside(import.meta.url, ['./sqlite-pages-worker.mjs', './sqlite-pages-worker.js', './tab-text-worker.ts'])?.filename as string | undefined;
}

const sameKey = (a: Value | undefined, b: Value | undefined): boolean => a === b || (a != null && b != null && String(a) === String(b));

export function threadTabTextPages(file: string, data: PageWorkerData): TabTextPages {
  const worker = new Worker(file, { workerData: data });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let epoch = 0;
  /** What the next page of the current run answers: the key after which it starts and its limit. */
  let expect: { after: Value | undefined; limit: number } | undefined;
  let ended = false;
  const queue: TabTextPage[] = [];
  let waiter: { resolve: (p: TabTextPage | undefined) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  let closed = false;

  const fail = (e: Error) => {
    failure ??= new ConnectorError(`${data.path}: reading pages: ${e.message}`, { connector: 'sqlite', file: data.path, cause: e });
    waiter?.reject(failure);
    waiter = undefined;
  };
  const deliver = () => {
    if (!waiter) return;
    const w = waiter;
    if (queue.length > 0) {
      waiter = undefined;
      const page = queue.shift()!;
      worker.postMessage({ type: 'ack', epoch } satisfies PageRequest);
      expect = { after: page.lastKey, limit: expect!.limit };
      w.resolve(page);
    } else if (ended) {
      waiter = undefined;
      w.resolve(undefined);
    }
  };
  worker.on('message', (m: PageMessage) => {
    if (m.type === 'error') return fail(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
    if (m.epoch !== epoch) return; // read ahead for a run given up
    if (m.type === 'end') ended = true;
    else {
      const { rows, firstKey, lastKey, clean, bytes } = m;
      queue.push({ rows, firstKey, lastKey, clean, ...(bytes ? { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) } : {}) });
    }
    deliver();
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => {
    if (!closed) fail(new Error(`the page worker stopped (exit code ${code})`));
  });

  return {
    next(after, limit) {
      if (failure) return Promise.reject(failure);
      if (closed) return Promise.reject(new ConnectorError(`${data.path}: the pages are closed`, { connector: 'sqlite' }));
      if (waiter) return Promise.reject(new Error('one page at a time'));
      if (!expect || !sameKey(expect.after, after) || expect.limit !== limit) {
        epoch++;
        queue.length = 0;
        ended = false;
        expect = { after, limit };
        worker.postMessage({ type: 'read', epoch, after, limit } satisfies PageRequest);
      }
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
        deliver();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      worker.postMessage({ type: 'close' } satisfies PageRequest);
      // The worker ends once it has committed its read and closed the file.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      // A failure was reported by next(); the read transaction's end cannot lose anything.
      clearTimeout(timer);
    },
  };
}
