import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type RunRecorder } from '../engine/run';
import type { PipelineDocument } from '../model/document';

/**
 * The node types together through the real engine and the SQLite connector: named ports
 * (validate's rejected, route's routes, dedupe's duplicates), a lookup whose two inputs share
 * an upstream (readsFirst), a union of two outputs of the same node (concurrent reads), a
 * lookup querying a database table, and warnings recorded without removing their rows.
 */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-nodes-pipeline-'));
  const db = new Database(join(dir, 'shop.db'));
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, email TEXT, qty INTEGER, price DECIMAL(10,2));
  `);
  db.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(1, 'Ada', 'CH');
  db.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(2, 'Kenji', 'JP');
  db.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(3, 'Zoë', 'FR');
  const ins = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 3000; i++) ins.run(i, (i % 4) + 1, i % 100 === 0 ? 'not-an-email' : `u${i % 50}@x.org`, i % 7, `${i % 13}.25`);
  })();
  db.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recorder() {
  const rejected: Array<{ nodeId: string; rule: string; severity?: string }> = [];
  const r: RunRecorder = {
    startRun: () => 'run1',
    finishRun: () => {},
    recordNodeStats: () => {},
    addRejectedRows: (_id, rows) => rejected.push(...rows),
  };
  return { r, rejected };
}

describe('nodes in a pipeline', () => {
  it('runs validate, aggregate, lookup (input and table), route, union, dedupe, sort, select, map and cast end to end', async () => {
    const doc: PipelineDocument = {
      version: 1,
      name: 'nodes',
      connections: { shop: { url: 'sqlite:./shop.db' }, out: { url: 'sqlite:./out.db' } },
      nodes: [
        { id: 'orders', type: 'source', config: { connection: 'shop', table: 'orders' } },
        {
          id: 'check',
          type: 'validate',
          config: {
            schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
            rules: [
              { name: 'has_qty', expr: 'qty > 0', message: 'qty must be positive' },
              { name: 'cheap', expr: 'price < 12', severity: 'warning', message: 'expensive' },
            ],
          },
        },
        { id: 'per_customer', type: 'aggregate', config: { groupBy: ['customer_id'], aggregates: [{ name: 'orders', fn: 'count' }, { name: 'spent', fn: 'sum', expr: 'qty * price' }] } },
        { id: 'totals', type: 'lookup', config: { key: ['customer_id'] } },
        { id: 'names', type: 'lookup', config: { on: [{ left: 'customer_id', right: 'id' }], columns: ['name', 'country'], source: { connection: 'shop', table: 'customers' } } },
        { id: 'by_country', type: 'route', config: { routes: [{ name: 'eu', when: "country IN ('CH', 'FR')" }] } },
        { id: 'all', type: 'union', config: {} },
        { id: 'one_per_email', type: 'dedupe', config: { key: ['email'], keep: 'last' } },
        { id: 'ordered', type: 'sort', config: { by: [{ column: 'id', direction: 'desc' }], memoryRows: 100 } },
        { id: 'shape', type: 'map', config: { columns: [{ name: 'order_id', expr: 'id' }, { name: 'email' }, { name: 'customer', expr: 'name' }, { name: 'spent', type: 'decimal(14,2)' }, { name: 'orders', type: 'text' }] } },
        { id: 'slim', type: 'select', config: { columns: ['order_id', 'email', 'customer', 'spent', 'orders'] } },
        { id: 'typed', type: 'cast', config: { columns: { orders: 'int' } } },
        { id: 'load', type: 'sink', config: { connection: 'out', table: 'result' } },
      ],
      edges: [
        { from: 'orders', to: 'check' },
        { from: 'check', to: 'per_customer' },
        { from: 'check', to: 'totals' },
        { from: 'per_customer', to: 'totals.lookup' },
        { from: 'totals', to: 'names' },
        { from: 'names', to: 'by_country' },
        { from: 'by_country.eu', to: 'all' },
        { from: 'by_country.unmatched', to: 'all' },
        { from: 'all', to: 'one_per_email' },
        { from: 'one_per_email', to: 'ordered' },
        { from: 'ordered', to: 'shape' },
        { from: 'shape', to: 'slim' },
        { from: 'slim', to: 'typed' },
        { from: 'typed', to: 'load' },
      ],
    };
    const { r, rejected } = recorder();
    const result = await runPipeline(doc, { baseDir: dir, recorder: r, channelCapacity: 2 });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');

    // qty = 0 for every 7th order; bad emails every 100th (some overlap): all rejected by check.
    const bad = Array.from({ length: 3000 }, (_, k) => k + 1).filter((i) => i % 7 === 0 || i % 100 === 0);
    const checkStats = result.nodes.find((n) => n.nodeId === 'check')!;
    expect(checkStats.rejected).toBe(bad.length);
    expect(rejected.filter((x) => x.nodeId === 'check' && x.severity === 'warning').every((x) => x.rule === 'cheap')).toBe(true);
    expect(rejected.some((x) => x.severity === 'warning')).toBe(true);

    const db = new Database(join(dir, 'out.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM result').all() as Array<Record<string, unknown>>;
    db.close();
    // One row per email, newest order first, customer 4 (no such customer) kept with NULL name.
    // (The orders of one email all take the same route, so keep: last is deterministic here.)
    expect(rows.length).toBe(50);
    const ids = rows.map((x) => Number(x.order_id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(rows.map((x) => x.email)).size).toBe(50);
    expect(rows.find((x) => x.order_id === 2999)).toMatchObject({ email: 'u49@x.org', customer: null });
    expect(rows.find((x) => x.order_id === 2998)).toMatchObject({ email: 'u48@x.org', customer: 'Zoë' });
    expect(typeof rows[0].orders).toBe('number');
  });
});
