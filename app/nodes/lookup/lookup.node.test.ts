import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { provider, RowsTestConnection, SqliteTestConnection } from '../common/test-connections';
import { runNode } from '../testing';
import { lookupNode } from './lookup.node';
import { LruCache } from './lru';
import { SqlTable } from './tables';

const big = 2n ** 60n + 1n;
const orders: Schema = { columns: [col('order_id', T.int, false), col('customer_id', T.bigint), col('city', T.text)], key: ['order_id'] };
const orderRows: Row[] = [
  [1, 10, 'Zürich'],
  [2, big, '東京'],
  [3, null, 'Paris'],
  [4, 99, 'Oslo'],
  [5, 10, 'Zürich'],
];
const customers: Schema = { columns: [col('id', T.decimal(20, 0), false), col('name', T.text), col('country', T.text)] };
const customerRows: Row[] = [
  [Decimal.parse('10')!, 'Ada', 'CH'],
  [Decimal.fromBigInt(big), 'Kenji', 'JP'],
  [Decimal.parse('7')!, null, 'FR'],
];
const inputs = { in: { schema: orders, rows: orderRows }, lookup: { schema: customers, rows: customerRows } };

describe('lookup from the lookup input', () => {
  it('adds the chosen columns by key (left join): exact numeric keys across types, NULL keys never match', async () => {
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], columns: ['name', { name: 'country', as: 'customer_country' }] }, inputs, {
      batchSize: 2,
    });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [...orders.columns, col('name', T.text), col('customer_country', T.text)],
      key: ['order_id'],
    });
    expect(r.outputs.out).toEqual([
      [1, 10, 'Zürich', 'Ada', 'CH'],
      [2, big, '東京', 'Kenji', 'JP'],
      [3, null, 'Paris', null, null],
      [4, 99, 'Oslo', null, null],
      [5, 10, 'Zürich', 'Ada', 'CH'],
    ]);
  });

  it('takes every non-key column by default; inner join drops misses', async () => {
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], join: 'inner' }, inputs);
    expect(r.schemas.out!.columns.map((c) => [c.name, c.nullable])).toEqual([
      ['order_id', false],
      ['customer_id', true],
      ['city', true],
      ['name', true],
      ['country', true],
    ]);
    expect(r.outputs.out.map((x) => x[0])).toEqual([1, 2, 5]);
  });

  it('rejects misses with the reason (onMiss: reject) or fails the run (onMiss: fail)', async () => {
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], columns: ['name'], onMiss: 'reject' }, inputs);
    expect(r.outputs.out.map((x) => x[0])).toEqual([1, 2, 5]);
    expect(r.rejected).toEqual([
      { row: orderRows[2], reasons: [{ rule: 'lookup', column: 'customer_id', value: null, message: 'customer_id = NULL: a NULL key matches nothing' }] },
      { row: orderRows[3], reasons: [{ rule: 'lookup', column: 'customer_id', value: 99, message: 'no row in the lookup input for customer_id = 99' }] },
    ]);
    await expect(runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], onMiss: 'fail' }, inputs)).rejects.toThrow(
      'customer_id = NULL: a NULL key matches nothing (onMiss: fail)',
    );
  });

  it('drops misses with onMiss: drop even in a left join', async () => {
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], join: 'left', onMiss: 'drop' }, inputs);
    expect(r.outputs.out.map((x) => x[0])).toEqual([1, 2, 5]);
    expect(r.schemas.out!.columns[3].nullable).toBe(true);
  });

  it('fails on duplicate lookup keys by default, or takes the first', async () => {
    const dup = { ...inputs, lookup: { schema: customers, rows: [...customerRows, [Decimal.parse('10.0')!, 'Other', 'DE']] } };
    await expect(runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }] }, dup)).rejects.toThrow(
      'the lookup input has more than one row with id = 10.0 (duplicates: error); use duplicates: first to take the first one',
    );
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }], duplicates: 'first', columns: ['name'] }, dup);
    expect(r.outputs.out[0]).toEqual([1, 10, 'Zürich', 'Ada']);
  });

  it('matches on several columns named alike (key:), and text keys exactly', async () => {
    const a: Schema = { columns: [col('k1', T.text), col('k2', T.int), col('v', T.int)] };
    const b: Schema = { columns: [col('k1', T.text), col('k2', T.bigint), col('w', T.text)] };
    const r = await runNode(
      lookupNode,
      { key: ['k1', 'k2'] },
      {
        in: { schema: a, rows: [['é', 1, 0], ['E', 1, 1], ['é', 2, 2], ['é', null, 3]] },
        lookup: { schema: b, rows: [['é', 1, 'x'], ['e', 1, 'y'], ['é', 2, 'z'], ['é', null, 'n']] },
      },
    );
    expect(r.outputs.out).toEqual([
      ['é', 1, 0, 'x'],
      ['E', 1, 1, null],
      ['é', 2, 2, 'z'],
      ['é', null, 3, null],
    ]);
  });

  it('handles empty inputs and stops when the output is done', async () => {
    const r = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }] }, { in: { schema: orders, rows: [] }, lookup: { schema: customers, rows: [] } });
    expect(r.outputs.out).toEqual([]);
    const d = await runNode(lookupNode, { on: [{ left: 'customer_id', right: 'id' }] }, inputs, { batchSize: 1, doneAfter: { out: 2 } });
    expect(d.outputs.out).toHaveLength(2);
  });

  it('reports configuration problems with paths and suggestions', async () => {
    const p = async (config: unknown, ins: Parameters<typeof runNode>[2] = inputs) => (await runNode(lookupNode, config, ins)).problems.map((x) => [x.path, x.message]);
    expect(await p({})).toEqual([['on', 'name the key: on: [{ left, right }] or key: [column, ...]']]);
    expect(await p({ on: [{ left: 'a', right: 'b' }], key: ['a'] })).toEqual([['key', 'give either on or key, not both']]);
    expect(await p({ on: [{ left: 'customer', right: 'idd' }] })).toEqual([
      ['on[0].left', "no column 'customer' in the input (did you mean 'customer_id'?)"],
      ['on[0].right', "no column 'idd' in the lookup table (did you mean 'id'?)"],
    ]);
    expect(await p({ on: [{ left: 'city', right: 'id' }], columns: ['nam'] })).toEqual([
      ['on[0]', "key 'city' is text but lookup column 'id' is decimal(20,0): they never match; cast one of them first"],
      ['columns[0]', "no column 'nam' in the lookup table (did you mean 'name'?)"],
    ]);
    const clash = { in: { schema: { columns: [...orders.columns, col('name', T.text)] }, rows: [] }, lookup: inputs.lookup };
    expect(await p({ on: [{ left: 'customer_id', right: 'id' }], columns: ['name'] }, clash)).toEqual([
      ['columns[0]', "lookup column 'name' would collide with a column of the same name; rename it with { name: name, as: ... }"],
    ]);
    expect(await p({ on: [{ left: 'customer_id', right: 'id' }] }, clash)).toEqual([
      ['columns', "lookup column 'name' would collide with a column of the same name; rename it with { name: name, as: ... } (list the columns to add)"],
    ]);
    expect(await p({ on: [{ left: 'customer_id', right: 'id' }] }, { in: inputs.in })).toEqual([
      ['source', 'nothing to look up in: connect the lookup input, or give source: { connection, table }'],
    ]);
    expect(await p({ on: [{ left: 'customer_id', right: 'id' }], source: { connection: 'db', table: 't' } })).toEqual([
      ['source', 'the lookup input is connected and source is given: use one of them'],
    ]);
  });
});

describe('lookup from a source table', () => {
  const setup = () =>
    SqliteTestConnection.create(`
      CREATE TABLE "customer ""list""" (id INTEGER PRIMARY KEY, name TEXT, country TEXT);
      INSERT INTO "customer ""list""" VALUES (10, 'Ada', 'CH'), (${big}, 'Kenji', 'JP'), (7, NULL, 'FR');
    `);

  it('queries a database by the keys of each batch, with quoted names and bound keys, caching hits and misses', async () => {
    const conn = setup();
    const rows: Row[] = [];
    for (let i = 0; i < 12; i++) rows.push([i, [10, big, 99, null][i % 4], 'x']);
    const r = await runNode(
      lookupNode,
      { on: [{ left: 'customer_id', right: 'id' }], columns: ['name'], source: { connection: 'db', table: 'customer "list"' } },
      { in: { schema: orders, rows } },
      { connections: provider({ db: conn }), batchSize: 4 },
    );
    expect(r.problems).toEqual([]);
    expect(r.outputs.out.slice(0, 4)).toEqual([
      [0, 10, 'x', 'Ada'],
      [1, big, 'x', 'Kenji'],
      [2, 99, 'x', null],
      [3, null, 'x', null],
    ]);
    expect(r.outputs.out.map((x) => x[3])).toEqual(Array(3).fill(['Ada', 'Kenji', null, null]).flat());
    // One query for the first batch's three distinct keys; later batches hit the cache (the miss 99 included).
    expect(conn.queries).toEqual(['SELECT "id", "name" FROM "customer ""list""" WHERE "id" IN (:k0, :k1, :k2)']);
  });

  it('evicts least recently used keys beyond cacheSize', async () => {
    const conn = setup();
    const rows: Row[] = [[1, 10, 'a'], [2, big, 'b'], [3, 10, 'c'], [4, big, 'd']];
    await runNode(
      lookupNode,
      { on: [{ left: 'customer_id', right: 'id' }], source: { connection: 'db', table: 'customer "list"' }, cacheSize: 1 },
      { in: { schema: orders, rows } },
      { connections: provider({ db: conn }), batchSize: 1 },
    );
    expect(conn.queries).toHaveLength(4);
  });

  it('matches several key columns with OR-ed conditions, in chunks of bound parameters', async () => {
    const conn = SqliteTestConnection.create(`
      CREATE TABLE prices (sku TEXT, region TEXT, price TEXT);
      INSERT INTO prices VALUES ('a', 'eu', '1.10'), ('a', 'us', '1.20'), ('b', 'eu', '2.10'), ('c', 'eu', '3.10'), ('c', 'eu', '3.11');
    `);
    const table = new SqlTable(conn, { table: { name: 'prices' }, keyColumns: ['sku', 'region'], takeColumns: ['price'], cacheSize: 10, maxParams: 4 }, 'first', 'prices');
    const keys = new Map([
      ['a|eu', ['a', 'eu']],
      ['a|us', ['a', 'us']],
      ['b|us', ['b', 'us']],
      ['c|eu', ['c', 'eu']],
      ['b|eu', ['b', 'eu']],
    ] as Array<[string, Row]>);
    // resolve() looks keys up by rowKey: build the map with the real keys.
    const { rowKey } = await import('../../model/values');
    const byKey = new Map([...keys.values()].map((v) => [rowKey(v, [0, 1]), v]));
    const found = await table.resolve(byKey);
    expect([...found.entries()].map(([k, v]) => [byKey.get(k), v])).toEqual([
      [['a', 'eu'], ['1.10']],
      [['a', 'us'], ['1.20']],
      [['c', 'eu'], ['3.10']],
      [['b', 'eu'], ['2.10']],
    ]);
    expect(conn.queries).toEqual([
      'SELECT "sku", "region", "price" FROM "prices" WHERE ("sku" = :k0_0 AND "region" = :k0_1) OR ("sku" = :k1_0 AND "region" = :k1_1)',
      'SELECT "sku", "region", "price" FROM "prices" WHERE ("sku" = :k0_0 AND "region" = :k0_1) OR ("sku" = :k1_0 AND "region" = :k1_1)',
      'SELECT "sku", "region", "price" FROM "prices" WHERE ("sku" = :k0_0 AND "region" = :k0_1)',
    ]);
    const strict = new SqlTable(conn, { table: { name: 'prices' }, keyColumns: ['sku', 'region'], takeColumns: ['price'], cacheSize: 10 }, 'error', "lookup table 'prices'");
    await expect(strict.resolve(new Map([[rowKey(['c', 'eu'], [0, 1]), ['c', 'eu']]]))).rejects.toThrow(
      "lookup table 'prices' has more than one row with sku = \"c\", region = \"eu\" (duplicates: error)",
    );
  });

  it('reads a file source whole once', async () => {
    const file = new RowsTestConnection('customers', customers, customerRows);
    const r = await runNode(
      lookupNode,
      { on: [{ left: 'customer_id', right: 'id' }], columns: ['country'], source: { connection: 'f', table: 'customers' } },
      { in: { schema: orders, rows: orderRows } },
      { connections: provider({ f: file }) },
    );
    expect(r.outputs.out.map((x) => x[3])).toEqual(['CH', 'JP', null, null, 'CH']);
    expect(file.reads).toBe(1);
  });

  it('reports a table it cannot read', async () => {
    const r = await runNode(
      lookupNode,
      { key: ['id'], source: { connection: 'db', table: 'nope' } },
      { in: { schema: orders, rows: [] } },
      { connections: provider({ db: setup() }) },
    );
    expect(r.problems).toMatchObject([{ path: 'source.table', message: "cannot read table 'nope' of test:db: no table 'nope'" }]);
  });
});

describe('LruCache', () => {
  it('keeps the most recently used entries', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.size).toBe(2);
  });
});
