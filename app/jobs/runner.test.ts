import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { JobRunner, type JobEvent } from './runner';
import { workerLaunchFor } from './worker-entry';

const launch = workerLaunchFor(new URL('./fixtures/test-worker.ts', import.meta.url));
let runner: JobRunner | undefined;

function newRunner(opts: { concurrency?: number; cancelGraceMs?: number } = {}): JobRunner {
  runner = new JobRunner({ launch, ...opts });
  return runner;
}

afterEach(async () => {
  await runner?.close(1000);
  runner = undefined;
});

describe('JobRunner', () => {
  it('runs a job in a worker thread and reports its result', async () => {
    const r = newRunner();
    const id = r.start({ kind: 'echo', title: 'echo', params: { a: 1, big: 10n } });
    const job = await r.waitFor(id);
    expect(job).toMatchObject({ id, kind: 'echo', status: 'succeeded', result: { echoed: { a: 1, big: 10n } } });
    expect(job.startedAt).toBeDefined();
    expect(job.finishedAt).toBeDefined();
  });

  it('streams progress and logs, then finishes; the result decides the status', async () => {
    const r = newRunner();
    const events: JobEvent[] = [];
    r.subscribe((e) => events.push(e));
    const id = r.start({ kind: 'spin', title: 'spin', params: { ms: 200, slices: 5 } });
    const job = await r.waitFor(id);
    expect(job.status).toBe('succeeded');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBe(5);
    expect(progress.at(-1)).toMatchObject({ job: { progress: { done: 5, of: 5 } } });
    expect(events.find((e) => e.type === 'log')).toMatchObject({ jobId: id, level: 'info', message: 'first slice done' });
    expect(events.map((e) => e.type)).toEqual(['status', 'status', ...Array(5).fill('progress').flatMap((p, i) => (i === 0 ? [p, 'log'] : [p])), 'finished']);
  });

  it('keeps the host event loop responsive while a CPU-heavy job runs', async () => {
    const r = newRunner();
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const id = r.start({ kind: 'spin', title: 'cpu', params: { ms: 1500, slices: 30 } });
    // Meanwhile, the host keeps answering: timers fire on time.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const job = await r.waitFor(id);
    clearInterval(timer);
    histogram.disable();
    expect(job.status).toBe('succeeded');
    const maxDelayMs = histogram.max / 1e6;
    // Run in this thread, the same work would have blocked the loop for 1.5 s.
    expect(maxDelayMs).toBeLessThan(250);
    expect(ticks).toBeGreaterThan(20);
  });

  it('runs at most `concurrency` jobs at once; the others wait as queued', async () => {
    const r = newRunner({ concurrency: 2 });
    const ids = [1, 2, 3].map((i) => r.start({ kind: 'spin', title: `s${i}`, params: { ms: 300, slices: 3 } }));
    expect(ids.map((id) => r.get(id)!.status)).toEqual(['running', 'running', 'queued']);
    const jobs = await Promise.all(ids.map((id) => r.waitFor(id)));
    expect(jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The third started only when one of the first two had finished.
    const firstEnd = Math.min(...jobs.slice(0, 2).map((j) => Date.parse(j.finishedAt!)));
    expect(Date.parse(jobs[2].startedAt!)).toBeGreaterThanOrEqual(firstEnd);
    expect(r.list().map((j) => j.id)).toEqual([...ids].reverse());
  });

  it('cancels a running job: the worker is asked, stops, and the job ends cancelled', async () => {
    const r = newRunner();
    const id = r.start({ kind: 'spin', title: 'long', params: { ms: 20_000, slices: 400 } });
    await new Promise<void>((resolve) => {
      const off = r.subscribe((e) => {
        if (e.type === 'progress' && e.job.id === id) {
          off();
          resolve();
        }
      });
    });
    const started = performance.now();
    r.cancel(id);
    const job = await r.waitFor(id);
    expect(job.status).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('cancels a queued job at once', async () => {
    const r = newRunner({ concurrency: 1 });
    const first = r.start({ kind: 'spin', title: 'a', params: { ms: 300, slices: 3 } });
    const second = r.start({ kind: 'echo', title: 'b', params: {} });
    expect(r.cancel(second)).toMatchObject({ status: 'cancelled' });
    expect((await r.waitFor(first)).status).toBe('succeeded');
    expect(r.get(second)!.status).toBe('cancelled');
    expect(r.get(second)!.startedAt).toBeUndefined();
  });

  it('terminates a job that ignores cancel after the grace period', async () => {
    const r = newRunner({ cancelGraceMs: 300 });
    const id = r.start({ kind: 'stubborn', title: 'stuck', params: {} });
    await new Promise((resolve) => setTimeout(resolve, 200));
    r.cancel(id);
    const job = await r.waitFor(id);
    expect(job.status).toBe('cancelled');
    expect(job.error).toMatch(/terminated/);
  });

  it('reports a failing job and a crashing worker as failed, with the reason', async () => {
    const r = newRunner();
    const failed = await r.waitFor(r.start({ kind: 'fail', title: 'f', params: {} }));
    expect(failed).toMatchObject({ status: 'failed', error: 'the job failed on purpose' });
    const crashed = await r.waitFor(r.start({ kind: 'crash', title: 'c', params: {} }));
    expect(crashed).toMatchObject({ status: 'failed', error: expect.stringMatching(/exit code 7/) });
    const unknown = await r.waitFor(r.start({ kind: 'nope', title: 'n', params: {} }));
    expect(unknown).toMatchObject({ status: 'failed', error: expect.stringMatching(/no job kind 'nope'/) });
  });

  it('does not keep params (they may hold secrets) in what it reports', async () => {
    const r = newRunner();
    const id = r.start({ kind: 'echo', title: 'e', params: { password: 'hunter2' }, labels: { pipelineId: 'p.yaml' } });
    expect(JSON.stringify(r.get(id))).not.toContain('hunter2');
    expect(r.get(id)!.labels).toEqual({ pipelineId: 'p.yaml' });
    await r.waitFor(id);
  });
});
