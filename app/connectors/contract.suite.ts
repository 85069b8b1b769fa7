import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import type { Schema } from '../model/schema';
import { quoteIdent } from '../model/sql';
import { formatType, type LogicalType } from '../model/types';
import type { Row, Value } from '../model/values';
import { ConnectorError, type Connection, type ReadRequest, type TableDescription, type WriteRequest } from './types';

/**
 * The behaviour every connector shares, as one vitest suite. A connector's test file
 * calls runConnectorContract with a harness that makes fresh targets (a new database or
 * a new file) and says what the engine can do. SQL databases run all of it (SQLite here;
 * PostgreSQL and MariaDB run the same suite); file connectors switch off what files lack.
 */

export interface ContractCapabilities {
  /** Several tables, views, queries and DDL (through ContractTarget.exec). */
  sql: boolean;
  /** Primary keys, unique constraints, foreign keys, indexes, upsert. */
  keys: boolean;
  /** The catalog keeps declared types (decimal(38,10) reads back as decimal(38,10)). */
  typedStorage: boolean;
  nan: boolean;
  infinity: boolean;
  negativeZero: boolean;
  /**
   * Identifiers may hold characters outside the Basic Multilingual Plane, such as emoji
   * (default true). MySQL / MariaDB identifiers cannot (utf8mb3): the identifier test then
   * uses a BMP symbol instead; values keep their emoji either way.
   */
  astralIdentifiers?: boolean;
  /** Rows in the large streaming read (memory must stay flat). */
  bigRows: number;
}

export interface ContractTarget {
  conn: Connection;
  /** The table to use for a name: a database takes it as is; a file target has one table. */
  table: string;
  /** The same target opened again, with options (file readers take declared types). */
  reopen(options?: Record<string, unknown>): Promise<Connection>;
  /** Runs SQL (SQL connectors only): DDL for the introspection fixtures. */
  exec?(sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface ContractHarness {
  name: string;
  caps: ContractCapabilities;
  /** A fresh, empty target; `table` names the table to create (a file target names its file after it). */
  fresh(table: string): Promise<ContractTarget>;
}

// ---- helpers ---------------------------------------------------------------------------

const T = (kind: LogicalType['kind'], precision?: number, scale?: number): LogicalType =>
  precision === undefined ? { kind } : { kind, precision, scale: scale ?? 0 };

function schemaOf(cols: [string, LogicalType, boolean?][], key?: string[]): Schema {
  return { columns: cols.map(([name, type, nullable]) => ({ name, type, nullable: nullable ?? true })), ...(key ? { key } : {}) };
}

export async function writeAll(conn: Connection, req: WriteRequest, rows: Row[]): Promise<number> {
  const w = await conn.write(req);
  try {
    await w.write(rows);
  } catch (e) {
    await w.abort();
    throw e;
  }
  return (await w.commit()).rowsWritten;
}

export async function readAll(conn: Connection, req: ReadRequest): Promise<{ schema: Schema; rows: Row[] }> {
  const s = await conn.read(req);
  const rows: Row[] = [];
  for await (const b of s.batches) rows.push(...b);
  return { schema: s.schema, rows };
}

function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

/** Equality as "what goes in comes out": exact numbers, bytes by content, JSON by value. */
function sameValue(a: Value, b: Value, t: LogicalType, caps: ContractCapabilities): boolean {
  if (a === null || b === null) return a === b;
  switch (t.kind) {
    case 'decimal':
      if (!(a instanceof Decimal) || !(b instanceof Decimal)) return false;
      return caps.typedStorage || t.precision === undefined ? a.toString() === b.toString() || (t.precision === undefined && a.equals(b)) : a.equals(b);
    case 'float':
      return Object.is(a, b);
    case 'bytes':
      return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
    case 'json':
      return typeof a === 'string' && typeof b === 'string' && JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
    default:
      return a === b;
  }
}

function show(v: Value): string {
  if (v instanceof Uint8Array) return `bytes[${[...v].join(',')}]`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Decimal) return `Decimal(${v.toString()})`;
  return Object.is(v, -0) ? '-0' : JSON.stringify(v) ?? String(v);
}

function expectRows(actual: Row[], expected: Row[], schema: Schema, caps: ContractCapabilities): void {
  expect(actual.length).toBe(expected.length);
  const problems: string[] = [];
  expected.forEach((row, r) =>
    row.forEach((v, i) => {
      const col = schema.columns[i];
      if (!sameValue(actual[r][i], v, col.type, caps)) problems.push(`row ${r} column ${col.name}: wrote ${show(v)}, read ${show(actual[r][i])}`);
    }),
  );
  expect(problems).toEqual([]);
}

// ---- the suite ---------------------------------------------------------------------------

export function runConnectorContract(h: ContractHarness): void {
  const { caps } = h;
  const targets: ContractTarget[] = [];
  const fresh = async (table: string) => {
    const t = await h.fresh(table);
    targets.push(t);
    return t;
  };
  const orderBy = (col: string): { orderBy?: string[] } => (caps.sql ? { orderBy: [col] } : {});

  afterEach(async () => {
    for (const t of targets.splice(0)) {
      await t.conn.close();
      await t.cleanup();
    }
  });

  describe(`connector contract: ${h.name}`, () => {
    const people = schemaOf(
      [
        ['id', T('bigint'), false],
        ['name', T('text')],
        ['price', T('decimal', 10, 2)],
        ['day', T('date')],
        ['at', T('timestamp')],
        ['ok', T('boolean')],
      ],
      ['id'],
    );
    const peopleRows = (): Row[] => [
      [1, 'Ada', Decimal.parse('12.50')!, '1815-12-10', '2024-01-02 03:04:05', true],
      [2, 'Grace', Decimal.parse('7.00')!, '1906-12-09', '2024-01-02 03:04:05.250000', false],
      [3, null, null, null, null, null],
    ];

    it('tests the connection and lists nothing in a fresh target', async () => {
      const t = await fresh('people');
      await expect(t.conn.test()).resolves.toBeUndefined();
      expect((await t.conn.listTables()).filter((x) => x.name === t.table)).toEqual([]);
    });

    it('creates a table on write, lists it with a row estimate and describes its columns', async () => {
      const t = await fresh('people');
      expect(await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert', key: ['id'] }, peopleRows())).toBe(3);
      const listed = (await t.conn.listTables()).find((x) => x.name === t.table);
      expect(listed).toBeDefined();
      expect(listed!.kind).toBe(caps.sql ? 'table' : 'file');
      expect(listed!.rowEstimate).toBeGreaterThanOrEqual(3);
      const d = await t.conn.describeTable(t.table);
      expect(d.columns.map((c) => c.name)).toEqual(people.columns.map((c) => c.name));
      if (caps.typedStorage) {
        expect(d.columns.map((c) => c.type)).toEqual(people.columns.map((c) => c.type));
        expect(d.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
        expect(d.columns.find((c) => c.name === 'name')!.nullable).toBe(true);
      } else {
        // Files keep no types: they are inferred from the values.
        expect(d.columns.map((c) => c.type.kind)).toEqual(['bigint', 'text', 'decimal', 'date', 'timestamp', 'boolean']);
      }
      if (caps.keys) expect(d.primaryKey).toEqual(['id']);
      else expect(d.primaryKey).toBeUndefined();
      for (const c of d.columns) expect(typeof c.nativeType).toBe('string');
    });

    it('reads back what it wrote: all columns, a subset, a limit', async () => {
      const t = await fresh('people');
      await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, peopleRows());
      const all = await readAll(t.conn, { table: t.table, ...orderBy('id') });
      expectRows(all.rows, peopleRows(), people, caps);
      const some = await readAll(t.conn, { table: t.table, columns: ['name', 'id'], ...orderBy('id') });
      expect(some.schema.columns.map((c) => c.name)).toEqual(['name', 'id']);
      expect(some.rows).toEqual([
        ['Ada', 1],
        ['Grace', 2],
        [null, 3],
      ]);
      const two = await readAll(t.conn, { table: t.table, limit: 2, ...orderBy('id') });
      expect(two.rows.map((r) => r[0])).toEqual([1, 2]);
      const none = await readAll(t.conn, { table: t.table, limit: 0 });
      expect(none.rows).toEqual([]);
      expect(none.schema.columns.length).toBe(6);
    });

    it('rejects a table that does not exist and a column that does not exist', async () => {
      const t = await fresh('people');
      await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, peopleRows());
      await expect(t.conn.read({ table: 'no_such_table' })).rejects.toBeInstanceOf(ConnectorError);
      await expect(readAll(t.conn, { table: t.table, columns: ['no_such_column'] })).rejects.toBeInstanceOf(ConnectorError);
    });

    describe('write modes', () => {
      const ids = async (t: ContractTarget) => (await readAll(t.conn, { table: t.table, ...orderBy('id') })).rows.map((r) => r[0]);
      const row = (id: number, name: string): Row => [id, name, Decimal.parse('1.00')!, '2000-01-01', '2000-01-01 00:00:00', true];

      it('insert appends', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, [row(1, 'a'), row(2, 'b')]);
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, [row(3, 'c')]);
        expect(await ids(t)).toEqual([1, 2, 3]);
      });

      it('truncate-insert replaces the rows and keeps the table', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert', key: ['id'] }, [row(1, 'a'), row(2, 'b')]);
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'truncate-insert' }, [row(7, 'x')]);
        expect(await ids(t)).toEqual([7]);
        if (caps.keys) expect((await t.conn.describeTable(t.table)).primaryKey).toEqual(['id']);
      });

      it('replace re-creates the table from the incoming schema', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, [row(1, 'a')]);
        const other = schemaOf([
          ['id', T('bigint')],
          ['extra', T('text')],
        ]);
        await writeAll(t.conn, { table: t.table, schema: other, mode: 'replace' }, [[5, 'e']]);
        const back = await readAll(t.conn, { table: t.table });
        expect(back.schema.columns.map((c) => c.name)).toEqual(['id', 'extra']);
        expect(back.rows).toEqual([[5, 'e']]);
      });

      it.runIf(caps.keys)('upsert inserts new keys and updates existing ones', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert', key: ['id'] }, [row(1, 'a'), row(2, 'b')]);
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'upsert' }, [row(2, 'B'), row(3, 'c')]);
        const back = await readAll(t.conn, { table: t.table, columns: ['id', 'name'], orderBy: ['id'] });
        expect(back.rows).toEqual([
          [1, 'a'],
          [2, 'B'],
          [3, 'c'],
        ]);
      });

      it.runIf(caps.keys)('upsert into a table it creates uses the given key', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'upsert', key: ['id'] }, [row(1, 'a'), row(1, 'again')]);
        expect((await readAll(t.conn, { table: t.table, columns: ['id', 'name'] })).rows).toEqual([[1, 'again']]);
      });

      it.runIf(!caps.keys)('upsert is refused with a clear error', async () => {
        const t = await fresh('people');
        await expect(t.conn.write({ table: t.table, schema: people, mode: 'upsert', key: ['id'] })).rejects.toThrow(/upsert/);
      });

      it('abort leaves the previous content, also for replace', async () => {
        const t = await fresh('people');
        await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, [row(1, 'a')]);
        for (const mode of ['insert', 'truncate-insert', 'replace'] as const) {
          const w = await t.conn.write({ table: t.table, schema: people, mode });
          await w.write([row(9, 'z')]);
          await w.abort();
          expect(await ids(t)).toEqual([1]);
        }
      });

      it('checkpoint commits what was written so far', async () => {
        const t = await fresh('people');
        const w = await t.conn.write({ table: t.table, schema: people, mode: 'insert' });
        await w.write([row(1, 'a'), row(2, 'b')]);
        await w.checkpoint();
        await w.write([row(3, 'c')]);
        await w.abort();
        expect(await ids(t)).toEqual([1, 2]);
        const w2 = await t.conn.write({ table: t.table, schema: people, mode: 'insert' });
        await w2.write([row(3, 'c')]);
        await w2.checkpoint();
        await w2.write([row(4, 'd')]);
        expect((await w2.commit()).rowsWritten).toBe(2);
        expect(await ids(t)).toEqual([1, 2, 3, 4]);
      });

      it('does not create a missing table when create is false', async () => {
        const t = await fresh('people');
        await expect(t.conn.write({ table: t.table, schema: people, mode: 'insert', create: false })).rejects.toBeInstanceOf(ConnectorError);
      });
    });

    it('keeps identifiers that need quoting', async () => {
      const symbol = caps.astralIdentifiers === false ? '☃' : '🦆';
      const names = ['with space', 'dq"uote', 'back`tick', 'select', 'order', 'MixedCase', `ünïcödé ${symbol}`];
      const t = await fresh(`Odd "table" \`name\` select ${symbol}`);
      const schema = schemaOf(names.map((n, i) => [n, i === 0 ? T('bigint') : T('text')]));
      const row: Row = names.map((n, i) => (i === 0 ? 1 : `value of ${n}`));
      await writeAll(t.conn, { table: t.table, schema, mode: 'insert' }, [row]);
      expect((await t.conn.listTables()).map((x) => x.name)).toContain(t.table);
      expect((await t.conn.describeTable(t.table)).columns.map((c) => c.name)).toEqual(names);
      expect((await readAll(t.conn, { table: t.table })).rows).toEqual([row]);
      expect((await readAll(t.conn, { table: t.table, columns: [names[6], 'dq"uote'] })).rows).toEqual([[row[6], row[1]]]);
      if (caps.sql) {
        const d = t.conn.dialect!;
        const q = `SELECT ${quoteIdent('select', d)}, ${quoteIdent('back`tick', d)} FROM ${quoteIdent(t.table, d)} WHERE ${quoteIdent('MixedCase', d)} = ?`;
        const r = await readAll(t.conn, { query: q, params: ['value of MixedCase'] });
        expect(r.schema.columns.map((c) => c.name)).toEqual(['select', 'back`tick']);
        expect(r.rows).toEqual([['value of select', 'value of back`tick']]);
      }
    });

    describe('value fidelity', () => {
      const all = schemaOf([
        ['k', T('int')],
        ['b', T('boolean')],
        ['i', T('int')],
        ['bi', T('bigint')],
        ['d', T('decimal', 38, 10)],
        ['f', T('float')],
        ['t', T('text')],
        ['dt', T('date')],
        ['tm', T('time')],
        ['ts', T('timestamp')],
        ['tz', T('timestamptz')],
        ['j', T('json')],
        ['by', T('bytes')],
        ['u', T('uuid')],
      ]);
      const D = (s: string) => Decimal.parse(s)!.rescale(10);
      const rows = (): Row[] => [
        [
          1,
          true,
          2147483647,
          2n ** 53n + 1n,
          D('1234567890123456789012345678.0123456789'),
          1e308,
          'emoji 🦆 café, "quoted", comma',
          '1969-07-20',
          '23:59:59.999999',
          '1901-12-13 20:45:52.500000',
          '2024-02-29 12:00:00+00:00',
          '{"a":[1,2,{"b":null}],"s":"x"}',
          new Uint8Array([0, 1, 2, 255]),
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        ],
        [
          2,
          false,
          -2147483648,
          2n ** 63n - 1n,
          D('-0.0000000001'),
          5e-324,
          '',
          '0001-01-01',
          '00:00:00',
          '1969-12-31 23:59:59',
          '1970-01-01 00:00:00.000001+00:00',
          '[]',
          new Uint8Array([]),
          '00000000-0000-0000-0000-000000000000',
        ],
        [3, null, 0, -(2n ** 63n), D('0'), -1.5, '  padded  \t', '2038-01-19', '12:00:00', '2262-04-11 23:47:16.854775', '1900-01-01 00:00:00+00:00', '"a string"', new Uint8Array([10, 13, 34, 44]), null],
        [4, null, null, null, null, null, 'line one\nline two\r\nthree', null, null, null, null, null, null, null],
        [5, null, -1, -(2n ** 53n) - 1n, D('99999999999999999999999999.9999999999'), 0.1, 'binary-looking \u0001\u0002\u007f text', null, null, null, null, '{"n":12345678901234567890}', null, null],
        [6, null, null, null, null, null, null, null, null, null, null, null, null, null],
      ];
      const floatRows = (): Row[] => {
        const extra: number[] = [];
        if (caps.negativeZero) extra.push(-0);
        if (caps.infinity) extra.push(Infinity, -Infinity);
        if (caps.nan) extra.push(NaN);
        return extra.map((f, i) => [10 + i, null, null, null, null, f, null, null, null, null, null, null, null, null]);
      };

      it('what goes in comes out, for every type', async () => {
        const t = await fresh('fidelity');
        const input = [...rows(), ...floatRows()];
        await writeAll(t.conn, { table: t.table, schema: all, mode: 'insert' }, input);
        // Files keep no types: they are read back with the types declared.
        const conn = caps.typedStorage ? t.conn : await t.reopen({ types: Object.fromEntries(all.columns.map((c) => [c.name, formatType(c.type)])) });
        try {
          const back = await readAll(conn, { table: t.table, ...orderBy('k') });
          expect(back.schema.columns.map((c) => c.type)).toEqual(all.columns.map((c) => c.type));
          expectRows(back.rows, input, all, caps);
        } finally {
          if (conn !== t.conn) await conn.close();
        }
      });

      it('empty string and NULL stay apart', async () => {
        const t = await fresh('empties');
        const s = schemaOf([
          ['id', T('bigint')],
          ['a', T('text')],
          ['b', T('text')],
        ]);
        await writeAll(t.conn, { table: t.table, schema: s, mode: 'insert' }, [
          [1, '', null],
          [2, null, ''],
        ]);
        expect((await readAll(t.conn, { table: t.table, ...orderBy('id') })).rows).toEqual([
          [1, '', null],
          [2, null, ''],
        ]);
      });
    });

    it(`streams ${caps.bigRows} rows with flat memory, and stops early cleanly`, { timeout: 120_000 }, async () => {
      const t = await fresh('big');
      const s = schemaOf([
        ['id', T('bigint')],
        ['name', T('text')],
        ['amount', T('decimal', 12, 2)],
        ['qty', T('int')],
        ['at', T('timestamp')],
      ]);
      const w = await t.conn.write({ table: t.table, schema: s, mode: 'insert' });
      const chunk = 10_000;
      for (let start = 0; start < caps.bigRows; start += chunk) {
        const rows: Row[] = [];
        for (let i = start; i < Math.min(start + chunk, caps.bigRows); i++) {
          rows.push([i + 1, `name ${i}`, Decimal.of(BigInt(i * 7 + 5), 2), i % 1000, '2024-05-06 07:08:09']);
        }
        await w.write(rows);
      }
      expect((await w.commit()).rowsWritten).toBe(caps.bigRows);

      const gc = gcFunction();
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = 0;
      let count = 0;
      let last: Value = null;
      let batches = 0;
      const stream = await t.conn.read({ table: t.table });
      for await (const b of stream.batches) {
        count += b.length;
        last = b[b.length - 1][0];
        if (++batches % 25 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        }
      }
      expect(count).toBe(caps.bigRows);
      expect(last).toBe(caps.bigRows);
      expect(peak).toBeLessThan(64 * 1024 * 1024);

      // Stopping after the first batch releases the source: the table can be written at once.
      const again = await t.conn.read({ table: t.table });
      for await (const b of again.batches) {
        expect(b.length).toBeGreaterThan(0);
        break;
      }
      await writeAll(t.conn, { table: t.table, schema: s, mode: 'insert' }, [[caps.bigRows + 1, 'one more', null, null, null]]);
      const planOnly = await t.conn.read({ table: t.table, limit: 0 });
      await planOnly.batches[Symbol.asyncIterator]().return?.();
      if (caps.sql) {
        const d = t.conn.dialect!;
        const q = await readAll(t.conn, { query: `SELECT count(*) AS n FROM ${quoteIdent(t.table, d)} WHERE ${quoteIdent('qty', d)} < ?`, params: [10] });
        expect(q.rows).toEqual([[(caps.bigRows / 1000) * 10]]);
      }
    });

    describe.runIf(caps.sql)('SQL introspection', () => {
      async function fixture(t: ContractTarget): Promise<(name: string) => Promise<TableDescription>> {
        const d = t.conn.dialect!;
        const q = (n: string) => quoteIdent(n, d);
        await t.exec!(`CREATE TABLE ${q('parent')} (${q('id')} BIGINT NOT NULL PRIMARY KEY, ${q('code')} VARCHAR(20) NOT NULL UNIQUE, ${q('note')} VARCHAR(50) DEFAULT 'n/a')`);
        await t.exec!(
          `CREATE TABLE ${q('child')} (${q('id')} BIGINT NOT NULL, ${q('parent_id')} BIGINT, ${q('qty')} INTEGER DEFAULT 1, ${q('amount')} DECIMAL(12,2), ` +
            `PRIMARY KEY (${q('id')}), FOREIGN KEY (${q('parent_id')}) REFERENCES ${q('parent')} (${q('id')}) ON DELETE CASCADE)`,
        );
        await t.exec!(`CREATE INDEX ${q('child_parent_idx')} ON ${q('child')} (${q('parent_id')})`);
        await t.exec!(`CREATE VIEW ${q('child_view')} AS SELECT ${q('id')}, ${q('qty')} FROM ${q('child')}`);
        await t.exec!(`INSERT INTO ${q('parent')} (${q('id')}, ${q('code')}) VALUES (1, 'p1'), (2, 'p2')`);
        await t.exec!(`INSERT INTO ${q('child')} (${q('id')}, ${q('parent_id')}, ${q('amount')}) VALUES (10, 1, 2.50), (11, 2, 0.99)`);
        return (name) => t.conn.describeTable(name);
      }

      it('lists tables and views', async () => {
        const t = await fresh('parent');
        await fixture(t);
        const tables = await t.conn.listTables();
        const kinds = Object.fromEntries(tables.map((x) => [x.name, x.kind]));
        expect(kinds).toMatchObject({ parent: 'table', child: 'table', child_view: 'view' });
        for (const x of tables.filter((y) => y.kind === 'table')) expect(typeof x.rowEstimate).toBe('number');
      });

      it('describes columns, types, nullability, defaults, keys, uniques, foreign keys and indexes', async () => {
        const t = await fresh('parent');
        const describe_ = await fixture(t);
        const parent = await describe_('parent');
        expect(parent.kind).toBe('table');
        expect(parent.primaryKey).toEqual(['id']);
        expect(parent.columns.map((c) => [c.name, c.type.kind, c.nullable])).toEqual([
          ['id', 'bigint', false],
          ['code', 'text', false],
          ['note', 'text', true],
        ]);
        expect(parent.columns[2].default).toContain('n/a');
        expect(parent.uniques.map((u) => u.columns)).toContainEqual(['code']);

        const child = await describe_('child');
        expect(child.primaryKey).toEqual(['id']);
        expect(['int', 'bigint']).toContain(child.columns.find((c) => c.name === 'qty')!.type.kind);
        expect(child.columns.find((c) => c.name === 'qty')!.default).toContain('1');
        expect(child.columns.find((c) => c.name === 'amount')!.type).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
        expect(child.foreignKeys).toHaveLength(1);
        expect(child.foreignKeys[0]).toMatchObject({ columns: ['parent_id'], refTable: 'parent', refColumns: ['id'] });
        expect(child.foreignKeys[0].onDelete?.toUpperCase()).toBe('CASCADE');
        expect(child.indexes.find((i) => i.name === 'child_parent_idx')).toMatchObject({ columns: ['parent_id'], unique: false });
        expect(child.rowEstimate).toBeGreaterThanOrEqual(0);

        const view = await describe_('child_view');
        expect(view.kind).toBe('view');
        expect(view.columns.map((c) => c.name)).toEqual(['id', 'qty']);
      });

      it('reads queries with parameters, typing expression columns from their values', async () => {
        const t = await fresh('parent');
        await fixture(t);
        const d = t.conn.dialect!;
        const q = (n: string) => quoteIdent(n, d);
        const r = await readAll(t.conn, {
          query: `SELECT ${q('parent_id')}, count(*) AS n, sum(${q('amount')}) AS total FROM ${q('child')} WHERE ${q('id')} >= ? GROUP BY ${q('parent_id')} ORDER BY ${q('parent_id')}`,
          params: [10],
        });
        expect(r.schema.columns.map((c) => c.name)).toEqual(['parent_id', 'n', 'total']);
        expect(r.schema.columns[1].type.kind).toMatch(/int|bigint|decimal/);
        expect(r.rows.map((x) => [x[0], Number(x[1])])).toEqual([
          [1, 1],
          [2, 1],
        ]);
        await expect(t.conn.read({ query: 'SELEC nonsense' })).rejects.toBeInstanceOf(ConnectorError);
      });
    });

    it.runIf(!caps.sql)('refuses SQL queries and ordering', async () => {
      const t = await fresh('people');
      await writeAll(t.conn, { table: t.table, schema: people, mode: 'insert' }, peopleRows());
      await expect(t.conn.read({ query: 'select 1' })).rejects.toBeInstanceOf(ConnectorError);
      await expect(t.conn.read({ table: t.table, orderBy: ['id'] })).rejects.toBeInstanceOf(ConnectorError);
    });
  });
}
