import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage, MethodName, MigrationPlanSchema } from '../contract';
import type { MigrationJobResult } from '../jobs/migration/migration-job';
import type { z } from 'zod';
import { callDirect } from './dispatch';
import { startTestHost, type TestHost } from './test-host';

/** migration/* through the host: the same job as `sluice migrate`, in a worker, named connections included. */
describe('migration methods', () => {
  let t: TestHost;
  let shop: string;
  beforeAll(async () => {
    t = await startTestHost();
    shop = path.join(t.host.workspace.root, 'data', 'shop.db');
    const db = new Database(shop);
    db.exec(`CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, since DATE);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer (id), amount NUMERIC(10,2), note TEXT);
      CREATE INDEX orders_customer ON orders (customer_id);`);
    const addCustomer = db.prepare('INSERT INTO customer VALUES (?, ?, ?)');
    const addOrder = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 50; i++) addCustomer.run(i, `customer ${i}`, `2024-01-${String((i % 28) + 1).padStart(2, '0')}`);
      for (let i = 1; i <= 60_000; i++) addOrder.run(i, (i % 50) + 1, `${i % 1000}.${String(i % 100).padStart(2, '0')}`, i % 5 === 0 ? null : `order ${i}`);
    })();
    db.close();
    await callDirect(t.host.handlers, 'connections/save', { name: 'shop', url: 'sqlite:./data/shop.db' });
  });
  afterAll(() => t.close());
  const call = <M extends MethodName>(method: M, input: unknown) => callDirect(t.host.handlers, method, input);
  const finished = async (jobId: string) => {
    const job = await t.host.jobs.waitFor(jobId);
    return { job, result: job.result as MigrationJobResult };
  };

  it('migration/plan answers the dry run for a saved connection: load order, DDL, steps, changing nothing', async () => {
    const { plan } = (await call('migration/plan', { from: 'shop', to: 'sqlite:./data/plan-only.db', typeRules: ['sqlite TEXT in orders.note -> sqlite VARCHAR(5)'] })) as { plan: z.infer<typeof MigrationPlanSchema> };
    expect(plan.problems).toEqual([]);
    expect(plan.tables.map((x) => [x.name, x.rows, x.action])).toEqual([
      ['customer', 50, 'create'],
      ['orders', 60_000, 'create'],
    ]);
    expect(plan.tables[1].create).toContain('FOREIGN KEY ("customer_id") REFERENCES "customer" ("id")');
    expect(plan.steps.map((s) => s.id)).toEqual(['index:orders:orders_customer']);
    expect(plan.warnings).toEqual([expect.stringMatching(/column 'orders.note': TEXT -> VARCHAR\(5\): text longer than 5 characters cannot be stored/)]);
    expect(await call('files/list', { extensions: ['db'] })).toMatchObject({ files: [expect.objectContaining({ path: 'data/shop.db' })] });
  });

  it('migration/plan says why a connection cannot be opened', async () => {
    await expect(call('migration/plan', { from: 'shop', to: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'connection-failed', message: expect.stringMatching(/127\.0\.0\.1:1/) });
  });

  it('migration/start runs the job with progress events; a cancelled run resumes to every row exactly once; migration/get shows the checkpoints', async () => {
    const events: EventMessage[] = [];
    const off = t.host.events.subscribe((e) => events.push(e));
    const { jobId } = (await call('migration/start', { from: 'shop', to: 'sqlite:./data/copy.db', chunkRows: 2000 })) as { jobId: string };
    // Cancel as the orders table starts loading (the copy is fast: this is the moment to catch).
    await new Promise<void>((resolve) => {
      const stop = t.host.events.subscribe((e) => {
        if (e.name !== 'job/progress' || e.payload.jobId !== jobId) return;
        const p = e.payload.progress?.migration;
        if (p?.phase === 'load' && p.current === 'orders') {
          stop();
          void call('jobs/cancel', { id: jobId });
          resolve();
        }
      });
    });
    const first = await finished(jobId);
    expect(first.job.status).toBe('cancelled');
    const runId = first.result.runId!;
    const state = (await call('migration/get', { runId })) as { resumable: boolean; tables: Array<{ name: string; state: string; rowsCopied: number; chunks: number }> };
    expect(state.resumable).toBe(true);
    expect(state.tables[0]).toMatchObject({ name: 'customer', state: 'loaded', rowsCopied: 50 });
    expect(state.tables[1].rowsCopied).toBeLessThan(60_000);
    expect(state.tables[1].rowsCopied % 2000).toBe(0);

    const { jobId: again } = (await call('migration/resume', { runId })) as { jobId: string };
    const second = await finished(again);
    off();
    expect(second.job.status).toBe('succeeded');
    expect(second.result).toMatchObject({ runId, status: 'succeeded', rowsWritten: 60_050, migration: { tables: [{ copied: 50 }, { copied: 60_000 }] } });
    // The job as the API shows it: the contract's schemas take the migration's progress and report.
    expect(await call('jobs/get', { id: again })).toMatchObject({ kind: 'migration', status: 'succeeded', result: { migration: { status: 'succeeded', rowsCopied: 60_050 } }, progress: { migration: { phase: 'finish' } } });
    expect(await call('jobs/get', { id: jobId })).toMatchObject({ status: 'cancelled', result: { migration: { status: 'cancelled', resumable: true } } });
    const progress = events.filter((e) => e.name === 'job/progress' && e.payload.progress?.migration).map((e) => (e.name === 'job/progress' ? e.payload.progress!.migration! : undefined));
    expect(progress.some((p) => p?.phase === 'load' && p.tables.some((x) => x.rowsPerSecond > 0))).toBe(true);
    const db = new Database(path.join(t.host.workspace.root, 'data', 'copy.db'), { readonly: true });
    const counts = db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d, sum(id) AS s FROM orders').get();
    const fks = db.prepare("SELECT count(*) AS n FROM pragma_foreign_key_list('orders')").get();
    db.close();
    expect(counts).toEqual({ n: 60_000, d: 60_000, s: (60_000 * 60_001) / 2 });
    expect(fks).toEqual({ n: 1 });
    expect(await call('migration/get', { runId })).toMatchObject({ status: 'succeeded', resumable: false, steps: expect.arrayContaining(['create:orders', 'index:orders:orders_customer']) });

    // Verify: the same data; then a row changed in the target is found by its key range.
    const ok = await finished(((await call('migration/verify', { runId })) as { jobId: string }).jobId);
    expect(ok.result.migration.verify?.map((v) => [v.table, v.ok])).toEqual([
      ['customer', true],
      ['orders', true],
    ]);
    const w = new Database(path.join(t.host.workspace.root, 'data', 'copy.db'));
    w.prepare("UPDATE orders SET note = 'changed' WHERE id = 31337").run();
    w.prepare('DELETE FROM orders WHERE id = 42').run();
    w.close();
    const bad = await finished(((await call('migration/verify', { from: 'shop', to: 'sqlite:./data/copy.db' })) as { jobId: string }).jobId);
    expect(bad.job.status).toBe('failed');
    const orders = bad.result.migration.verify!.find((v) => v.table === 'orders')!;
    expect(orders).toMatchObject({ ok: false, sourceRows: 60_000, targetRows: 59_999 });
    expect(orders.mismatches.flatMap((m) => m.changed)).toEqual([[31337]]);
    expect(orders.mismatches.flatMap((m) => m.missing)).toEqual([[42]]);
  });
});
