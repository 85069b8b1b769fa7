import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage } from '../contract';
import { callDirect } from './dispatch';
import { startTestHost, type TestHost } from './test-host';

/**
 * The jobs of issue 4 through the API: a pipeline run as a batch job, a sync run as a job
 * with its log in the history, and a job queued behind the concurrency limit saying so.
 */

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('jobs through the API', () => {
  it('pipeline/run with workers runs a batch job: chunks in its progress and result, the run in the history', async () => {
    t = await startTestHost();
    const h = t.host.handlers;
    const events: EventMessage[] = [];
    t.host.events.subscribe((e) => events.push(e));
    const { jobId } = await callDirect(h, 'pipeline/run', { id: 'paid-orders.yaml', workers: 2, chunks: 2 });
    const job = await t.host.jobs.waitFor(jobId);
    expect(job).toMatchObject({ kind: 'batch', status: 'succeeded' });
    const info = await callDirect(h, 'jobs/get', { id: jobId });
    expect(info.result).toMatchObject({ status: 'succeeded', rowsRead: 6, rowsWritten: 3 });
    expect(info.result?.chunks?.length).toBeGreaterThanOrEqual(1);
    const run = await callDirect(h, 'runs/get', { id: info.runId! });
    expect(run.run).toMatchObject({ kind: 'batch', status: 'succeeded', rowsIn: 6, rowsOut: 3, hasLog: true });
    const logs = await callDirect(h, 'runs/logs', { runId: info.runId! });
    expect(logs.lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^batch: \d+ chunk\(s\)/), 'finished: succeeded']));
    expect(events.some((e) => e.name === 'job/finished' && e.payload.jobId === jobId)).toBe(true);
  });

  it('syncs/run runs a sync job; its run and log are in the history; a second run applies nothing', async () => {
    t = await startTestHost();
    const h = t.host.handlers;
    const db = new Database(path.join(t.host.workspace.root, 'data', 'shop.db'));
    db.exec(`CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customer VALUES (1, 'Ada'), (2, 'Cy'), (3, 'Bo');`);
    db.close();
    await callDirect(h, 'syncs/save', {
      id: 'customers.sync.yaml',
      document: { version: 1, kind: 'sync', name: 'customers', source: { connection: 'sqlite:./data/shop.db', table: 'customer' }, target: { connection: 'sqlite:./data/copy.db', table: 'customer' } },
    });
    const first = await t.host.jobs.waitFor((await callDirect(h, 'syncs/run', { id: 'customers.sync.yaml' })).jobId);
    expect(first).toMatchObject({ kind: 'sync', status: 'succeeded', result: { sync: { inserts: 3, applied: 3 } } });
    const second = await t.host.jobs.waitFor((await callDirect(h, 'syncs/run', { id: 'customers.sync.yaml' })).jobId);
    expect(second).toMatchObject({ status: 'succeeded', result: { sync: { inserts: 0, updates: 0, deletes: 0, applied: 0 } } });
    const list = await callDirect(h, 'syncs/list', {});
    expect(list.syncs).toEqual([expect.objectContaining({ id: 'customers.sync.yaml', loads: true, state: expect.objectContaining({ pending: 0, lastRunId: second.runId }) })]);
    const logs = await callDirect(h, 'runs/logs', { runId: first.runId! });
    expect(logs.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['started', expect.stringMatching(/^found 3 insert/), 'finished: succeeded']));
    const runs = await callDirect(h, 'runs/list', { kind: 'sync' });
    expect(runs.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // The history tells a run started on demand from a scheduled one.
    expect(runs.runs[0].params).toMatchObject({ trigger: 'on demand', mode: 'full' });

    // A schedule saved is taken up at once: the list says when the host runs the sync next.
    const doc = (await callDirect(h, 'syncs/get', { id: 'customers.sync.yaml' })).document as Record<string, unknown>;
    const before = Date.now();
    const saved = await callDirect(h, 'syncs/save', { id: 'customers.sync.yaml', document: { ...doc, schedule: { every: '1h' } } });
    expect(Date.parse(saved.nextRunAt!)).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(Date.parse(saved.nextRunAt!)).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const listed = await callDirect(h, 'syncs/list', {});
    expect(listed.syncs[0].nextRunAt).toBe(saved.nextRunAt);
    const unscheduled = await callDirect(h, 'syncs/save', { id: 'customers.sync.yaml', document: doc });
    expect(unscheduled.nextRunAt).toBeUndefined();
  });

  it('a job queued behind the concurrency limit says so: in jobs/get, in job/progress events and in its log', async () => {
    t = await startTestHost({ concurrency: 1 });
    const h = t.host.handlers;
    const events: EventMessage[] = [];
    t.host.events.subscribe((e) => events.push(e));
    const a = (await callDirect(h, 'pipeline/run', { id: 'paid-orders.yaml' })).jobId;
    const b = (await callDirect(h, 'pipeline/run', { id: 'paid-orders.yaml' })).jobId;
    const queued = await callDirect(h, 'jobs/get', { id: b });
    expect(queued).toMatchObject({ status: 'queued', queue: { position: 1, running: 1, limit: 1 } });
    const runQueued = await callDirect(h, 'runs/get', { id: queued.runId! });
    expect(runQueued.run.status).toBe('queued');
    await Promise.all([t.host.jobs.waitFor(a), t.host.jobs.waitFor(b)]);
    expect(events.some((e) => e.name === 'job/progress' && e.payload.jobId === b && e.payload.status === 'queued' && e.payload.queue?.position === 1)).toBe(true);
    const logs = await callDirect(h, 'runs/logs', { runId: queued.runId! });
    expect(logs.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['queued: waiting for a free job slot (1 of 1 running; position 1 in the queue)', 'started']));
  });
});
