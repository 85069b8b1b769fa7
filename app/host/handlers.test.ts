import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage, MethodName } from '../contract';
import { openHost } from './bootstrap';
import { secretVariable, workbenchConnections } from './connections';
import { callDirect } from './dispatch';
import { fakeSecrets, startTestHost, type TestHost } from './test-host';

describe('host handlers', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost({ secrets: fakeSecrets });
  });
  afterAll(() => t.close());
  const call = <M extends MethodName>(method: M, input: unknown) => callDirect(t.host.handlers, method, input);

  describe('secrets', () => {
    it('encrypts a password with the host secret box and never writes it in plain text', async () => {
      await call('connections/save', { name: 'wh', url: 'postgres://analyst@db.example/wh', secret: { kind: 'password', password: 'hunter2-very-secret' } });
      expect(await call('connections/get', { name: 'wh' })).toMatchObject({ secret: 'encrypted' });
      t.host.store.close();
      const home = path.dirname(t.host.store.path);
      for (const f of readdirSync(home).filter((f) => f.startsWith('workbench.db'))) {
        expect(readFileSync(path.join(home, f)).includes('hunter2-very-secret'), f).toBe(false);
      }
    });

    it('keeps the stored secret when a connection is saved again without one', async () => {
      const fresh = await startTestHost({ secrets: fakeSecrets });
      try {
        const h = fresh.host.handlers;
        await callDirect(h, 'connections/save', { name: 'wh', url: 'postgres://a@h/db', secret: { kind: 'password', password: 'pw' } });
        await callDirect(h, 'connections/save', { name: 'wh', url: 'postgres://a@h/db2' });
        expect(await callDirect(h, 'connections/get', { name: 'wh' })).toMatchObject({ url: 'postgres://a@h/db2', secret: 'encrypted' });
        // A run sees the decrypted password through a private variable, never the document.
        const resolved = workbenchConnections({ store: fresh.host.store, secrets: fakeSecrets } as never);
        expect(resolved.named.wh.password).toBe(`\${env:${secretVariable('wh')}}`);
        expect(resolved.secrets[secretVariable('wh')]).toBe('pw');
        await callDirect(h, 'connections/save', { name: 'wh', url: 'postgres://a@h/db2', secret: { kind: 'none' } });
        expect(await callDirect(h, 'connections/get', { name: 'wh' })).toMatchObject({ secret: 'none' });
      } finally {
        await fresh.close();
      }
    });

    it('a host without secret storage (browser, CLI) refuses passwords and takes ${env:…} references', async () => {
      const browser = await startTestHost({ hostKind: 'browser' });
      try {
        const h = browser.host.handlers;
        await expect(callDirect(h, 'connections/save', { name: 'wh', url: 'postgres://a@h/db', secret: { kind: 'password', password: 'pw' } })).rejects.toMatchObject({
          code: 'secrets-unavailable',
          message: expect.stringContaining('${env:'),
        });
        expect(await callDirect(h, 'connections/list', {})).toEqual({ connections: [] });
        await expect(callDirect(h, 'connections/save', { name: 'wh', url: 'postgres://a@h/db', secret: { kind: 'env', ref: '${env:WH_PW}' } })).resolves.toMatchObject({
          secret: 'env',
          secretRef: '${env:WH_PW}',
        });
      } finally {
        await browser.close();
      }
    });

    it('refuses a URL that embeds a password', async () => {
      const other = await startTestHost({ secrets: fakeSecrets });
      try {
        await expect(callDirect(other.host.handlers, 'connections/save', { name: 'x', url: 'postgres://u:secret@h/db' })).rejects.toMatchObject({ code: 'forbidden' });
      } finally {
        await other.close();
      }
    });
  });
});

describe('workspace files', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  it('refuses a symbolic link that leads out of the workspace', async () => {
    const outside = path.join(t.dir, 'outside.txt');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, path.join(t.host.workspace.root, 'link.txt'));
    symlinkSync(t.dir, path.join(t.host.workspace.root, 'up'));
    await expect(callDirect(t.host.handlers, 'files/read', { path: 'link.txt' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(callDirect(t.host.handlers, 'files/read', { path: 'up/outside.txt' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(callDirect(t.host.handlers, 'files/write', { path: 'up/new.txt', text: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(existsSync(path.join(t.dir, 'new.txt'))).toBe(false);
  });

  it('writes only into existing folders unless asked to create them', async () => {
    await expect(callDirect(t.host.handlers, 'files/write', { path: 'a/b/c.txt', text: 'x' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(callDirect(t.host.handlers, 'files/write', { path: 'a/b/c.txt', text: 'x', createFolders: true })).resolves.toEqual({ path: 'a/b/c.txt', size: 1 });
    expect(await callDirect(t.host.handlers, 'files/read', { path: 'a/b/c.txt', encoding: 'base64' })).toMatchObject({ text: 'eA==' });
  });

  it('saves pipelines canonically, refuses to overwrite with createOnly, imports under a free name', async () => {
    const h = t.host.handlers;
    const doc = { name: 'N', version: 1, nodes: [], edges: [] };
    await callDirect(h, 'pipelines/save', { id: 'n.yaml', document: doc });
    expect(readFileSync(path.join(t.host.workspace.root, 'n.yaml'), 'utf8')).toBe('version: 1\nname: N\nnodes: []\nedges: []\n');
    await expect(callDirect(h, 'pipelines/save', { id: 'n.yaml', document: doc, createOnly: true })).rejects.toMatchObject({ code: 'conflict' });
    await expect(callDirect(h, 'pipelines/save', { id: 'n.yaml', document: { name: 'no version' } })).rejects.toMatchObject({
      code: 'invalid-document',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'version' })]),
    });
    // Text is kept as written, even while it does not load.
    await expect(callDirect(h, 'pipelines/save', { id: 'draft.yaml', text: 'version: 1\nname: [' })).resolves.toMatchObject({ loads: false });
    await expect(callDirect(h, 'pipelines/import', { fileName: 'C:\\Users\\me\\n.yaml', text: 'version: 1\nname: M\nnodes: []\n' })).resolves.toMatchObject({ id: 'n-2.yaml' });
    await expect(callDirect(h, 'pipelines/import', { fileName: 'bad.yaml', text: 'nodes: 3' })).rejects.toMatchObject({ code: 'invalid-document' });
  });

  it('previews in a worker: the first rows of a node, or the problems of an invalid pipeline', async () => {
    const preview = await callDirect(t.host.handlers, 'pipeline/preview', { id: 'paid-orders.yaml', node: 'orders', limit: 3 });
    expect(preview).toMatchObject({ sampled: false, rows: [[1, 'ada@example.com', 'paid', '12.50'], [2, 'bob@example.com', 'pending', '8.00'], [3, 'cy@example.com', 'paid', '99.99']] });
    await expect(callDirect(t.host.handlers, 'pipeline/preview', { id: 'broken.yaml', node: 'a' })).rejects.toMatchObject({
      code: 'invalid-document',
      issues: [expect.objectContaining({ path: 'nodes[0].type' })],
    });
    await expect(callDirect(t.host.handlers, 'pipeline/preview', { id: 'paid-orders.yaml', node: 'nope' })).rejects.toMatchObject({ code: 'invalid-document' });
    expect(t.host.jobs.list().filter((j) => j.kind === 'preview')).toEqual([]);
  });

  it('a run of a pipeline that does not validate fails with its problems', async () => {
    const { jobId } = await callDirect(t.host.handlers, 'pipeline/run', { id: 'broken.yaml' });
    await t.host.jobs.waitFor(jobId);
    const job = await callDirect(t.host.handlers, 'jobs/get', { id: jobId });
    expect(job.status).toBe('failed');
    expect(job.problems?.[0]).toMatchObject({ path: 'nodes[0].type', message: expect.stringContaining('sourse') });
  });
});

describe('pipeline runs', () => {
  let t: TestHost;
  const events: EventMessage[] = [];
  beforeAll(async () => {
    t = await startTestHost();
    t.host.events.subscribe((e) => events.push(e));
    // Big enough to run for a while (a few seconds), so it can be cancelled half-way.
    const rows = ['id,customer,status,amount'];
    for (let i = 0; i < 400_000; i++) rows.push(`${i},c${i}@example.com,${i % 3 ? 'paid' : 'pending'},${(i % 1000) / 10}`);
    writeFileSync(path.join(t.host.workspace.root, 'data', 'big.csv'), rows.join('\n') + '\n');
    const big = readFileSync(path.join(t.host.workspace.root, 'paid-orders.yaml'), 'utf8').replace('orders.csv', 'big.csv').replace('paid.csv', 'big-paid.csv');
    writeFileSync(path.join(t.host.workspace.root, 'big.yaml'), big);
  });
  afterAll(() => t.close());

  it('runs in a worker, pushes progress and the end as events, and records the run', async () => {
    events.length = 0;
    const { jobId } = await callDirect(t.host.handlers, 'pipeline/run', { id: 'paid-orders.yaml' });
    const job = await t.host.jobs.waitFor(jobId);
    expect(job.status).toBe('succeeded');
    const mine = events.filter((e) => 'jobId' in e.payload && e.payload.jobId === jobId);
    expect(mine.map((e) => e.name)).toContain('job/progress');
    expect(mine.at(-1)).toMatchObject({ name: 'job/finished', payload: { job: { status: 'succeeded', result: { rowsWritten: 3 } } } });
    const runId = (job.result as { runId: string }).runId;
    expect(await callDirect(t.host.handlers, 'runs/get', { id: runId })).toMatchObject({ run: { status: 'succeeded', rowsOut: 3 } });
    expect(readFileSync(path.join(t.host.workspace.root, 'data', 'paid.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('keeps rejected rows with their reasons: paged, counted and grouped', async () => {
    const { jobId } = await callDirect(t.host.handlers, 'pipeline/run', { id: 'checked-orders.yaml' });
    const job = await t.host.jobs.waitFor(jobId);
    expect(job).toMatchObject({ status: 'succeeded', result: { rejected: 3, rowsWritten: 3 } });
    const runId = (job.result as { runId: string }).runId;
    expect(await callDirect(t.host.handlers, 'runs/rejectedSummary', { runId })).toEqual({
      groups: [{ nodeId: 'check', rule: 'big_enough', column: null, count: 3, sampleMessage: expect.stringContaining('more than 10') }],
    });
    const first = await callDirect(t.host.handlers, 'runs/rejected', { runId, limit: 2 });
    expect(first.total).toBe(3);
    expect(first.rows.map((r) => r.row.customer)).toEqual(['bob@example.com', 'eve@example.com']);
    const rest = await callDirect(t.host.handlers, 'runs/rejected', { runId, limit: 2, offset: 2 });
    expect(rest.rows.map((r) => r.row.customer)).toEqual(['fay@example.com']);
    expect(await callDirect(t.host.handlers, 'runs/rejected', { runId, nodeId: 'nope' })).toEqual({ rows: [], total: 0 });
    await expect(callDirect(t.host.handlers, 'runs/rejected', { runId: 'no-such-run' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('cancels a running pipeline: the run ends cancelled and the sink commits nothing', async () => {
    const { jobId } = await callDirect(t.host.handlers, 'pipeline/run', { id: 'big.yaml' });
    await new Promise<void>((resolve) => {
      const off = t.host.events.subscribe((e) => {
        if (e.name === 'job/progress' && e.payload.jobId === jobId && (e.payload.progress?.rowsRead ?? 0) > 0) {
          off();
          resolve();
        }
      });
    });
    await callDirect(t.host.handlers, 'jobs/cancel', { id: jobId });
    const job = await t.host.jobs.waitFor(jobId);
    expect(job.status).toBe('cancelled');
    const runId = (job.result as { runId: string }).runId;
    expect(await callDirect(t.host.handlers, 'runs/get', { id: runId })).toMatchObject({ run: { status: 'cancelled' } });
    expect(existsSync(path.join(t.host.workspace.root, 'data', 'big-paid.csv'))).toBe(false);
  });
});

describe('first start', () => {
  it('copies the demo workspace into the user folder once, and leaves the demo pristine', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-first-'));
    const demo = path.join(dir, 'demo');
    const home = path.join(dir, 'home');
    try {
      const { cpSync } = await import('node:fs');
      cpSync(path.join(import.meta.dirname, 'fixtures', 'workspace'), demo, { recursive: true });
      const first = await openHost({ hostKind: 'browser', home, demoDir: demo });
      expect(first.workspace.root).toBe(path.join(home, 'workspace'));
      await callDirect(first.handlers, 'pipelines/delete', { id: 'broken.yaml' });
      await first.close();
      const second = await openHost({ hostKind: 'browser', home, demoDir: demo });
      const list = await callDirect(second.handlers, 'pipelines/list', {});
      expect(list.pipelines.map((p) => p.id)).toEqual(['checked-orders.yaml', 'paid-orders.yaml']);
      expect(existsSync(path.join(demo, 'broken.yaml'))).toBe(true);
      expect(existsSync(path.join(home, 'workbench.db'))).toBe(true);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
