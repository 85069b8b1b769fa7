import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchStore } from '../../store';
import { JobRunner, type JobRecord } from '../runner';
import { workerLaunchFor } from '../worker-entry';
import { JobHistory } from './job-history';
import { readRunLog, resolveLogPath, RunLog } from './run-log';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-history-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('run logs', () => {
  it('writes NDJSON lines with levels and data, and reads them back filtered and paged', () => {
    const file = path.join(dir, 'logs', 'one.ndjson');
    const log = RunLog.open(file);
    log.info('started', { rows: 3 });
    log.warn('slow');
    log.error('failed', { node: 'load' });
    log.close();
    log.info('after close is ignored');
    const all = readRunLog(file);
    expect(all.total).toBe(3);
    expect(all.lines.map((l) => [l.level, l.msg, l.data])).toEqual([
      ['info', 'started', { rows: 3 }],
      ['warn', 'slow', undefined],
      ['error', 'failed', { node: 'load' }],
    ]);
    expect(all.lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(readRunLog(file, { level: 'warn' }).lines.map((l) => l.msg)).toEqual(['slow', 'failed']);
    expect(readRunLog(file, { offset: 1, limit: 1 }).lines.map((l) => l.msg)).toEqual(['slow']);
    // A line cut short by a crash shows up as unreadable, not as a failure to read the log.
    writeFileSync(file, '{"level":"info","time":"t","msg":"ok"}\n{"level":"in', { flag: 'a' });
    expect(readRunLog(file).lines.at(-1)?.msg).toMatch(/unreadable log line/);
  });
});

describe('the job history', () => {
  it('records every job when it is accepted; a job queued behind the limit says so in its status and log', async () => {
    const store = WorkbenchStore.open(path.join(dir, 'queue', 'workbench.db'));
    const history = new JobHistory(store, { kinds: { spin: 'pipeline', fail: 'pipeline' } });
    const runner = new JobRunner({ launch: workerLaunchFor(new URL('../fixtures/test-worker.ts', import.meta.url)), concurrency: 1, history });
    const detach = history.attach(runner);
    const statuses: JobRecord[] = [];
    runner.subscribe((e) => {
      if (e.type === 'status') statuses.push(e.job);
    });
    try {
      const a = runner.start({ kind: 'spin', title: 'first', params: { ms: 300, slices: 3 }, record: { name: 'first', params: { n: 1 } } });
      const b = runner.start({ kind: 'spin', title: 'second', params: { ms: 50, slices: 1 } });
      const c = runner.start({ kind: 'fail', title: 'third', params: {} });
      // Waiting behind the limit is visible at once: in the job and in the store.
      expect(runner.get(b)).toMatchObject({ status: 'queued', queue: { position: 1, running: 1, limit: 1 } });
      expect(runner.get(c)).toMatchObject({ status: 'queued', queue: { position: 2, running: 1, limit: 1 } });
      const runB = runner.get(b)!.runId!;
      expect(store.getRun(runB)).toMatchObject({ status: 'queued', name: 'second', jobId: b });
      expect(store.getRun(runB)?.queuedAt).toBeDefined();

      const [ja, jb, jc] = await Promise.all([a, b, c].map((id) => runner.waitFor(id)));
      expect([ja.status, jb.status, jc.status]).toEqual(['succeeded', 'succeeded', 'failed']);
      // The third moved up the queue when the first finished, and said so.
      expect(statuses.filter((s) => s.id === c && s.queue).map((s) => s.queue!.position)).toEqual([2, 1]);

      const runs = [ja, jb, jc].map((j) => store.getRun(j.runId!)!);
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'failed']);
      expect(runs[0]).toMatchObject({ name: 'first', params: { n: 1 }, kind: 'pipeline' });
      expect(runs[2].error).toBe('the job failed on purpose');
      expect(Date.parse(runs[1].startedAt)).toBeGreaterThan(Date.parse(runs[1].queuedAt!));

      const log = (r: (typeof runs)[number]) => readRunLog(resolveLogPath(store.path, r.logPath!)).lines.map((l) => l.msg);
      expect(log(runs[0])).toEqual([expect.stringMatching(/accepted/), 'started', 'first slice done', 'finished: succeeded']);
      expect(log(runs[1])).toEqual([
        expect.stringMatching(/accepted/),
        'queued: waiting for a free job slot (1 of 1 running; position 1 in the queue)',
        'started',
        'first slice done',
        'finished: succeeded',
      ]);
      expect(log(runs[2])).toEqual([
        expect.stringMatching(/accepted/),
        'queued: waiting for a free job slot (1 of 1 running; position 2 in the queue)',
        'queued: waiting for a free job slot (1 of 1 running; position 1 in the queue)',
        'started',
        'finished: failed: the job failed on purpose',
      ]);
    } finally {
      await runner.close(1000);
      detach();
      history.close();
      store.close();
    }
  });

  it('records a job cancelled in the queue as cancelled, never started', async () => {
    const store = WorkbenchStore.openInMemory();
    const history = new JobHistory(store, { kinds: { spin: 'pipeline', echo: 'pipeline' } });
    const runner = new JobRunner({ launch: workerLaunchFor(new URL('../fixtures/test-worker.ts', import.meta.url)), concurrency: 1, history });
    const detach = history.attach(runner);
    try {
      const a = runner.start({ kind: 'spin', title: 'a', params: { ms: 200, slices: 2 } });
      const b = runner.start({ kind: 'echo', title: 'b', params: {} });
      runner.cancel(b);
      await runner.waitFor(a);
      const run = store.getRun(runner.get(b)!.runId!)!;
      expect(run).toMatchObject({ status: 'cancelled', durationMs: 0, error: 'cancelled before it started' });
    } finally {
      await runner.close(1000);
      detach();
      history.close();
      store.close();
    }
  });

  it('a CLI run is in `sluice runs`, and its log is readable with `sluice logs` after the process has ended', () => {
    const build = spawnSync('node', ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const home = path.join(dir, 'cli-home');
    writeFileSync(path.join(dir, 'in.csv'), 'id,amount\n1,10\n2,-5\n3,7\n');
    writeFileSync(
      path.join(dir, 'p.yaml'),
      `version: 1
name: history-demo
nodes:
  - { id: src, type: source, config: { connection: "csv:./in.csv" } }
  - { id: check, type: validate, config: { rules: [{ name: positive, expr: "amount > 0", message: "amount must be positive" }] } }
  - { id: out, type: sink, config: { connection: "csv:./out.csv", mode: truncate-insert } }
edges:
  - { from: src, to: check }
  - { from: check, to: out }
`,
    );
    const env = { ...process.env, SLUICE_HOME: home };
    const sluice = (...args: string[]) => spawnSync('node', [path.join(ROOT, 'bin', 'sluice.mjs'), ...args], { cwd: dir, env, encoding: 'utf8' });
    const run = sluice('run', '--quiet', 'p.yaml');
    expect(run.status, run.stderr).toBe(3);
    const runs = sluice('runs', '--json');
    expect(runs.status, runs.stderr).toBe(0);
    const [last] = JSON.parse(runs.stdout) as Array<{ id: string; name: string; status: string; rowsIn: number; rejected: number; hasLog: boolean }>;
    expect(last).toMatchObject({ name: 'history-demo', status: 'succeeded', rowsIn: 3, rejected: 1, hasLog: true });
    const logs = sluice('logs', last.id.slice(0, 20));
    expect(logs.status, logs.stderr).toBe(0);
    expect(logs.stdout).toContain("pipeline 'history-demo' started");
    expect(logs.stdout).toMatch(/INFO\s+pipeline succeeded/);
    const warn = sluice('logs', '--level', 'warn', '--json', last.id);
    expect(warn.stdout.trim()).toBe('');
    const table = sluice('runs');
    expect(table.stdout).toMatch(/history-demo\s+succeeded/);
  });
});
