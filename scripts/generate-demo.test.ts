import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_CHECKS, FILE_COUNTS, generateDemo, PLAN } from './generate-demo';

const here = path.dirname(fileURLToPath(import.meta.url));
let root: string;
let a: Awaited<ReturnType<typeof generateDemo>>;
let b: Awaited<ReturnType<typeof generateDemo>>;
let elapsedMs: number;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-'));
  const t0 = performance.now();
  a = await generateDemo(path.join(root, 'a'));
  elapsedMs = performance.now() - t0;
  b = await generateDemo(path.join(root, 'b'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const file = (dir: 'a' | 'b', name: string) => path.join(root, dir, name);

function tableRows(dbFile: string): Record<string, unknown[]> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const out: Record<string, unknown[]> = { schema: db.prepare(`SELECT type, name, sql FROM sqlite_schema ORDER BY name`).all() };
    for (const t of ['customers', 'products', 'orders']) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY id`).raw().all();
    return out;
  } finally {
    db.close();
  }
}

type CsvRow = Record<string, string>;
const readCsv = (): CsvRow[] => parse(fs.readFileSync(file('a', 'orders_export.csv')), { columns: true }) as CsvRow[];
const readNdjson = (): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file('a', 'customers.ndjson'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('generate-demo', () => {
  it('writes the four files quickly', () => {
    expect(a.files.map((f) => path.basename(f))).toEqual(['shop.db', 'orders_export.csv', 'customers.ndjson', 'README.md']);
    for (const f of a.files) expect(fs.statSync(f).size).toBeGreaterThan(1000);
    console.log(`generateDemo took ${elapsedMs.toFixed(0)} ms`);
    expect(elapsedMs).toBeLessThan(10_000); // target < 2 s; generous for shared CI machines
  });

  it('is deterministic: same bytes for CSV, NDJSON and README, same rows in the database', () => {
    for (const name of ['orders_export.csv', 'customers.ndjson', 'README.md']) {
      expect(fs.readFileSync(file('a', name)).equals(fs.readFileSync(file('b', name))), name).toBe(true);
    }
    expect(tableRows(file('a', 'shop.db'))).toEqual(tableRows(file('b', 'shop.db')));
    expect(a.counts).toEqual(b.counts);
  });

  it('the committed resources/demo/README.md is the generated one', () => {
    const committed = path.join(here, '..', 'resources', 'demo', 'README.md');
    expect(fs.readFileSync(committed, 'utf8')).toBe(fs.readFileSync(file('a', 'README.md'), 'utf8'));
  });

  it('shop.db declares primary keys and a unique sku, and no foreign keys', () => {
    const db = new Database(file('a', 'shop.db'), { readonly: true });
    for (const t of ['customers', 'products', 'orders']) {
      const pk = (db.pragma(`table_info(${t})`) as Array<{ name: string; pk: number }>).filter((c) => c.pk > 0).map((c) => c.name);
      expect(pk, t).toEqual(['id']);
      expect(db.pragma(`foreign_key_list(${t})`), t).toEqual([]);
    }
    const uniques = (db.pragma('index_list(products)') as Array<{ name: string; unique: number }>).filter((i) => i.unique);
    expect(uniques.flatMap((i) => (db.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map((c) => c.name))).toContain('sku');
    expect(db.prepare(`SELECT DISTINCT status FROM orders ORDER BY 1`).pluck().all()).toEqual(['', 'cancelled', 'paid', 'pending', 'refunded']);
    expect(db.prepare(`SELECT count(*) FROM order_lines`).pluck().get()).toBe(PLAN.orders);
    db.close();
  });

  it('every count the README advertises for shop.db is what its query finds', () => {
    const db = new Database(file('a', 'shop.db'), { readonly: true });
    const readme = fs.readFileSync(file('a', 'README.md'), 'utf8');
    for (const check of DB_CHECKS) {
      const found = db.prepare(check.sql).pluck().get();
      expect(found, check.key).toBe(a.counts[check.key]);
      expect(readme, check.key).toContain(`| \`${check.key}\` | ${a.counts[check.key].toLocaleString('en-US')} |`);
    }
    db.close();
    // The planned amounts of dirt, independent of the script's own recount.
    expect(a.counts).toMatchObject({
      customers: 2000,
      products: 300,
      orders: 20_000,
      'customers.duplicate_email': 40,
      'customers.email_missing_at': 24,
      'customers.email_inner_space': 18,
      'customers.email_upper_case': 30,
      'customers.email_empty': 12,
      'orders.quantity_zero': 40,
      'orders.quantity_negative': 60,
      'orders.missing_customer': 50,
      'orders.missing_product': 35,
    });
    expect(a.counts['customers.birth_date_before_1970']).toBeGreaterThanOrEqual(PLAN.birthBefore1970);
  });

  it('duplicates differ from their original only in e-mail case or surrounding spaces', () => {
    const db = new Database(file('a', 'shop.db'), { readonly: true });
    const pairs = db
      .prepare(
        `SELECT c.email AS dup, o.email AS original FROM customers c JOIN customers o
         ON o.id = (SELECT min(e.id) FROM customers e WHERE lower(trim(e.email)) = lower(trim(c.email))) AND o.id < c.id
         WHERE trim(c.email) <> ''`,
      )
      .all() as Array<{ dup: string; original: string }>;
    db.close();
    expect(pairs).toHaveLength(40);
    for (const p of pairs) {
      expect(p.dup).not.toBe(p.original);
      expect(p.dup.trim().toLowerCase()).toBe(p.original);
    }
  });

  it('the CSV parses as RFC 4180 and its advertised counts are true', () => {
    const rows = readCsv();
    expect(rows).toHaveLength(a.counts['csv.rows']);
    const db = new Database(file('a', 'shop.db'), { readonly: true });
    const lastId = db.prepare('SELECT max(id) FROM orders').pluck().get() as number;
    const statusOf = db.prepare('SELECT status FROM orders WHERE id = ?').pluck();
    const newOrders = rows.filter((r) => Number(r.order_id) > lastId);
    const changed = rows.filter((r) => Number(r.order_id) <= lastId && statusOf.get(Number(r.order_id)) !== r.status);
    db.close();
    expect(newOrders).toHaveLength(a.counts['csv.new_orders']);
    expect(changed).toHaveLength(a.counts['csv.status_changed']);
    expect(changed.length).toBe(PLAN.csvPendingToPaid + PLAN.csvPaidToRefunded);
    const some = (f: (v: string) => boolean) => rows.filter((r) => Object.values(r).some(f)).length;
    expect(some((v) => v.includes(','))).toBe(a.counts['csv.rows_with_comma']);
    expect(some((v) => v.includes('\n'))).toBe(a.counts['csv.rows_with_line_break']);
    expect(some((v) => v.includes('"'))).toBe(a.counts['csv.rows_with_quote']);
    expect(a.counts['csv.rows_with_line_break']).toBeGreaterThan(0);
    // Totals are exact to the cent.
    for (const r of rows.slice(0, 500)) {
      const cents = Math.round(Number(r.unit_price) * 100) * Number(r.quantity);
      expect(Math.round(Number(r.total) * 100)).toBe(cents);
    }
  });

  it('the NDJSON advertised counts are true', () => {
    const recs = readNdjson();
    expect(recs).toHaveLength(a.counts['ndjson.rows']);
    const db = new Database(file('a', 'shop.db'), { readonly: true });
    const byEmail = new Map((db.prepare(`SELECT lower(trim(email)) AS k, email, city FROM customers WHERE trim(email) <> ''`).all() as Array<{ k: string; email: string; city: string }>).map((r) => [r.k, r]));
    db.close();
    const emailOf = (r: Record<string, unknown>) => (typeof r.email === 'string' ? r.email : undefined);
    const existing = recs.filter((r) => emailOf(r) !== undefined && byEmail.has(emailOf(r)!.trim().toLowerCase()));
    expect(existing).toHaveLength(a.counts['ndjson.existing']);
    expect(recs.length - existing.length).toBe(a.counts['ndjson.new']);
    const shop = (r: Record<string, unknown>) => byEmail.get(emailOf(r)!.trim().toLowerCase())!;
    expect(existing.filter((r) => emailOf(r) !== shop(r).email)).toHaveLength(a.counts['ndjson.email_case_differs']);
    expect(existing.filter((r) => (r.address as { city: string }).city !== shop(r).city)).toHaveLength(a.counts['ndjson.city_changed']);
    expect(recs.filter((r) => !('email' in r))).toHaveLength(a.counts['ndjson.email_key_missing']);
    expect(recs.filter((r) => 'email' in r && r.email === null)).toHaveLength(a.counts['ndjson.email_null']);
    expect(recs.filter((r) => typeof r.email === 'string' && !r.email.includes('@'))).toHaveLength(a.counts['ndjson.email_invalid']);
    expect(recs.filter((r) => typeof r.lifetime_value === 'string')).toHaveLength(a.counts['ndjson.lifetime_value_as_string']);
    expect(new Set(recs.map((r) => r.crm_id)).size).toBe(recs.length);
    for (const key of Object.keys(FILE_COUNTS)) expect(a.counts[key], key).toBeTypeOf('number');
  });
});
