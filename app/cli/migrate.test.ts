import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbenchStore } from '../store';
import { main } from './main';

/** `sluice migrate` end to end between SQLite files (the server directions are tested in app/jobs/migration). */

let dir: string;
let src: string;
let store: string;

async function sluice(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-migrate-'));
  src = join(dir, 'shop.db');
  store = join(dir, 'workbench.db');
  const db = new Database(src);
  db.exec(`CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer (id), amount NUMERIC(10,2), qty TEXT);
    CREATE INDEX orders_customer ON orders (customer_id);
    INSERT INTO customer VALUES (1, 'Ada'), (2, 'Cy');
    INSERT INTO orders VALUES (10, 1, 12.5, '3'), (11, 2, 3, 'three'), (12, 1, NULL, '1');`);
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice migrate', () => {
  it('--dry-run prints the plan (DDL, type changes with warnings, row counts, steps) and touches nothing', async () => {
    const target = join(dir, 'dry.db');
    const r = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--dry-run', '--type-rule', 'sqlite NUMERIC(*) -> sqlite DECIMAL TEXT(4,1)');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Migration plan: sqlite:');
    expect(r.out).toMatch(/customer\s+create\s+2\s+id/);
    expect(r.out).toMatch(/orders\s+create\s+3\s+id/);
    expect(r.out).toContain('CREATE TABLE "orders" (');
    expect(r.out).toMatch(/amount\s+NUMERIC\(10,2\)\s+DECIMAL TEXT\(4,1\)\s+rule: sqlite NUMERIC\(\*\) -> sqlite DECIMAL TEXT\(4,1\); LOSSY: decimal\(10,2\) -> decimal\(4,1\)/);
    expect(r.out).toContain('CREATE INDEX "orders_customer" ON "orders" ("customer_id");');
    expect(r.out).toContain("! column 'orders.amount': decimal(10,2) -> decimal(4,1)");
    expect(await import('node:fs').then((fs) => fs.existsSync(target))).toBe(false);
  });

  it('--dry-run with problems lists them and exits 2; bad options are usage errors', async () => {
    const r = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${join(dir, 'x.db')}`, '--dry-run', '--tables', 'orders,ordres', '--type-rule', 'NUMERIC to text');
    expect(r.code).toBe(2);
    expect(r.out).toContain("x the source has no table 'ordres' (did you mean 'orders'?)");
    expect(r.out).toContain('x type rule "NUMERIC to text": it needs exactly one ->');
    expect((await sluice('migrate', '--from', `sqlite:${src}`, '--to', 'sqlite:y.db', '--if-exists', 'merge')).err).toContain('--if-exists takes fail, truncate, append, upsert');
    expect((await sluice('migrate', '--to', 'sqlite:y.db')).err).toContain('give --from URL and --to URL (or --resume RUN_ID)');
  });

  it('migrates with a report, rejects what the target cannot hold (exit 3), and refuses an existing target by default', async () => {
    const target = join(dir, 'copy.db');
    const r = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--store', store, '--type-rule', 'sqlite TEXT in orders.qty -> sqlite INTEGER', '--on-error', 'reject', '--verify');
    expect(r.code, r.err).toBe(3);
    expect(r.out).toMatch(/customer\s+create\s+2\s+2\s+0\s.*ok/);
    expect(r.out).toMatch(/orders\s+create\s+3\s+2\s+1\s.*ok \(1 unstorable\)/);
    expect(r.out).toMatch(/succeeded in .*: 4 rows copied, 1 rejected \(run [0-9A-Z]{26}\)/);
    const s = WorkbenchStore.open(store);
    const [run] = s.listRuns({ kind: 'migration', limit: 1 });
    expect(s.listRejectedRows(run.id)).toMatchObject([{ nodeId: 'orders', column: 'qty', rowKey: 'id=11', value: '"three"' }]);
    s.close();
    const again = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--store', store);
    expect(again.code).toBe(2);
    expect(again.err).toContain('target tables exist: customer, orders; choose what to do with them: --if-exists truncate, append or upsert');
    // Truncate: the existing file is backed up first, and the report says where.
    const truncate = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--store', store, '--if-exists', 'truncate', '--tables', 'customer', '--json');
    expect(truncate.code, truncate.err).toBe(0);
    const report = JSON.parse(truncate.out) as { status: string; backupPath: string; tables: Array<{ name: string; copied: number }> };
    expect(report).toMatchObject({ status: 'succeeded', tables: [{ name: 'customer', copied: 2 }] });
    expect(report.backupPath).toMatch(/copy\.before-[0-9A-Z]{26}\.db$/);
  });

  it('a run stopped by a row the target cannot hold says how to resume it (exit 1)', async () => {
    const target = join(dir, 'stopped.db');
    const r = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--store', join(dir, 'stopped-store.db'), '--type-rule', 'sqlite TEXT in orders.qty -> sqlite INTEGER', '--tables', 'orders');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: table 'orders', row id=11: column 'qty': .*three.* \(continue with sluice migrate --resume [0-9A-Z]{26} once the cause is fixed\)$/m);
  });

  it('--if-exists upsert updates the rows with the same key and inserts the others; --views copies a view as a table', async () => {
    const target = join(dir, 'upsert.db');
    const t = new Database(target);
    t.exec(`CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO customer VALUES (1, 'old name'), (7, 'kept')`);
    t.close();
    const s = new Database(src);
    s.exec(`CREATE VIEW IF NOT EXISTS big_orders AS SELECT id, amount FROM orders WHERE amount > 5`);
    s.close();
    const r = await sluice('migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${target}`, '--no-store', '--if-exists', 'upsert', '--tables', 'customer,big_orders', '--views', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { tables: Array<{ name: string; action: string; copied: number }>; warnings: string[] };
    expect(report.tables.map((x) => [x.name, x.action, x.copied])).toEqual([
      ['customer', 'upsert', 2],
      ['big_orders', 'create', 1],
    ]);
    expect(report.warnings).toContain("table 'big_orders' has no primary key: it is loaded in one transaction, and a resumed migration empties it and loads it again");
    const db = new Database(target, { readonly: true });
    expect(db.prepare('SELECT id, name FROM customer ORDER BY id').all()).toEqual([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Cy' },
      { id: 7, name: 'kept' },
    ]);
    expect(db.prepare('SELECT id, amount FROM big_orders').all()).toEqual([{ id: 10, amount: '12.50' }]);
    db.close();
  });

  it('--resume of an unknown run, and of a finished one, says so', async () => {
    expect((await sluice('migrate', '--resume', 'NOPE', '--store', store)).err).toContain('no migration run NOPE in the workbench store');
    const s = WorkbenchStore.open(store);
    const [run] = s.listRuns({ kind: 'migration', limit: 1 });
    s.close();
    const r = await sluice('migrate', '--resume', run.id, '--store', store);
    expect(r.code).toBe(1);
    expect(r.err).toContain('has already finished successfully: there is nothing to resume');
  });
});
