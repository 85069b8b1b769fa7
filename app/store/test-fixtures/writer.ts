/**
 * A second process for concurrency.test.ts. Protocol on stdout, one line each:
 *   stream <file>: "RUN <id>", then writes 40 batches of 250 rejected rows, "DONE".
 *   hold <file>:   writes 100 rejected rows, opens a write transaction that adds pipeline
 *                  "held", prints "HOLDING <runId>"; on the stdin line "commit" prints "ACK",
 *                  waits 400 ms, commits, prints "COMMITTED".
 */
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { WorkbenchStore } from '../store';

const [mode, file] = process.argv.slice(2);
const store = WorkbenchStore.open(file);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rows = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => ({ nodeId: 'validate', rule: 'email', column: 'email', message: 'bad email', rowKey: String(from + i), row: { id: from + i } }));

async function main(): Promise<void> {
  if (mode === 'stream') {
    const run = store.startRun({ kind: 'pipeline', name: 'writer' });
    console.log(`RUN ${run}`);
    for (let b = 0; b < 40; b++) {
      store.addRejectedRows(run, rows(250, b * 250));
      await sleep(10);
    }
    store.finishRun(run, { status: 'succeeded', rejected: 10_000 });
    console.log('DONE');
  } else {
    const run = store.startRun({ kind: 'pipeline', name: 'holder' });
    store.addRejectedRows(run, rows(100, 0));
    const raw = new Database(file);
    raw.exec('BEGIN IMMEDIATE');
    raw.prepare(`INSERT INTO pipelines (id, name, format, text, created_at, updated_at) VALUES ('held', 'Held', 'yaml', 'x', 'now', 'now')`).run();
    console.log(`HOLDING ${run}`);
    const lines = readline.createInterface({ input: process.stdin });
    for await (const line of lines) {
      if (line !== 'commit') continue;
      console.log('ACK');
      await sleep(400);
      raw.exec('COMMIT');
      raw.close();
      console.log('COMMITTED');
      break;
    }
    lines.close();
  }
  store.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
