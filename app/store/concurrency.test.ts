import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkbenchStore } from './index';
import { useTempDirs } from './test-helpers';

const tempDir = useTempDirs();
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-fixtures', 'writer.ts');

/** Starts the writer in its own Node process (tsx compiles the TypeScript on the fly). */
function startWriter(mode: 'stream' | 'hold', file: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, mode, file], { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  const seen: string[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const i = waiting.findIndex((w) => line.startsWith(w.prefix));
    if (i >= 0) waiting.splice(i, 1)[0].resolve(line);
    else seen.push(line);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    exited,
    stderr: () => stderr,
    line(prefix: string): Promise<string> {
      const j = seen.findIndex((l) => l.startsWith(prefix));
      if (j >= 0) return Promise.resolve(seen.splice(j, 1)[0]);
      return new Promise((resolve, reject) => {
        waiting.push({ prefix, resolve });
        void exited.then((code) => reject(new Error(`writer exited (${code}) before "${prefix}": ${stderr}`)));
      });
    },
  };
}

describe('two processes on one store (WAL)', () => {
  it('a second process reads while the first writes batches; it never sees half a batch', async () => {
    const file = path.join(tempDir(), 'workbench.db');
    WorkbenchStore.open(file).close();
    const writer = startWriter('stream', file);
    const runId = (await writer.line('RUN ')).slice(4);
    const reader = WorkbenchStore.open(file);
    const counts: number[] = [];
    let done = false;
    void writer.line('DONE').then(() => (done = true));
    while (!done) {
      const n = reader.summarizeRejected(runId).reduce((s, g) => s + g.count, 0);
      counts.push(n);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await writer.exited).toBe(0);
    const final = reader.summarizeRejected(runId);
    expect(final).toEqual([{ nodeId: 'validate', rule: 'email', column: 'email', count: 10_000, sampleMessage: 'bad email' }]);
    expect(reader.getRun(runId)?.status).toBe('succeeded');
    reader.close();
    // The reader saw the rows grow while they were written, only ever in whole batches.
    expect(counts.filter((n) => n > 0 && n < 10_000).length).toBeGreaterThan(0);
    expect(counts.every((n) => n % 250 === 0)).toBe(true);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
  });

  it('reads go on while another process holds the write lock; a write waits for it (busy timeout)', async () => {
    const file = path.join(tempDir(), 'workbench.db');
    WorkbenchStore.open(file).close();
    const writer = startWriter('hold', file);
    const runId = (await writer.line('HOLDING ')).slice(8);

    const t0 = performance.now();
    const reader = WorkbenchStore.open(file);
    expect(reader.listRejectedRows(runId, { limit: 1000 })).toHaveLength(100);
    expect(reader.getRun(runId)?.name).toBe('holder');
    expect(reader.getPipeline('held')).toBeUndefined(); // not committed yet
    expect(performance.now() - t0).toBeLessThan(1000); // readers are not blocked

    writer.child.stdin.write('commit\n');
    await writer.line('ACK');
    const t1 = performance.now();
    reader.savePipeline({ id: 'mine', name: 'Mine', format: 'json', text: '{}' }); // blocks until the writer commits
    const waited = performance.now() - t1;
    expect(waited).toBeGreaterThan(200);
    expect(reader.getPipeline('held')?.name).toBe('Held');
    expect(reader.getPipeline('mine')?.name).toBe('Mine');
    await writer.line('COMMITTED');
    expect(await writer.exited).toBe(0);
    reader.close();
  });

  it('two processes opening a fresh store at once both succeed (one migrates, the other waits)', async () => {
    const file = path.join(tempDir(), 'fresh', 'workbench.db');
    const a = startWriter('stream', file);
    const b = startWriter('stream', file);
    expect(await a.exited, a.stderr()).toBe(0);
    expect(await b.exited, b.stderr()).toBe(0);
    const store = WorkbenchStore.open(file);
    expect(store.listRuns().map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    store.close();
  });
});
