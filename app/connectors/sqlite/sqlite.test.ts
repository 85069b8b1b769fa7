import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import { readAll, writeAll } from '../contract.suite';
import { openConnection } from '../registry';
import { ConnectorError, SourceReadError, type Connection, type SourceError } from '../types';
import { affinityOf, declaredTypeOf, logicalTypeOf } from './typemap';

const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function fresh(): Promise<{ conn: Connection; path: string; raw: Database.Database }> {
  const path = join(dir, `t${++n}.db`);
  const conn = await openConnection({ url: `sqlite:${path}` }, { baseDir: dir });
  return { conn, path, raw: new Database(path) };
}

describe('type map', () => {
  it('maps declared types to logical types, by name and then by affinity', () => {
    const cases: [string, unknown][] = [
      ['INTEGER', { kind: 'bigint' }],
      ['BIGINT', { kind: 'bigint' }],
      ['INT', { kind: 'int' }],
      ['smallint', { kind: 'int' }],
      ['NVARCHAR(70)', { kind: 'text' }],
      ['TEXT', { kind: 'text' }],
      ['CLOB', { kind: 'text' }],
      ['REAL', { kind: 'float' }],
      ['DOUBLE PRECISION', { kind: 'float' }],
      ['FLOAT', { kind: 'float' }],
      ['NUMERIC(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
      ['DECIMAL(38, 10)', { kind: 'decimal', precision: 38, scale: 10 }],
      ['DECIMAL TEXT(38,10)', { kind: 'decimal', precision: 38, scale: 10 }],
      ['NUMERIC', { kind: 'decimal' }],
      ['BOOLEAN', { kind: 'boolean' }],
      ['DATE', { kind: 'date' }],
      ['DATETIME', { kind: 'timestamp' }],
      ['TIMESTAMP', { kind: 'timestamp' }],
      ['TIMESTAMPTZ', { kind: 'timestamptz' }],
      ['TIME', { kind: 'time' }],
      ['BLOB', { kind: 'bytes' }],
      ['VARBINARY(16)', { kind: 'bytes' }],
      ['JSON', { kind: 'json' }],
      ['JSON TEXT', { kind: 'json' }],
      ['UUID', { kind: 'uuid' }],
      ['STRING', { kind: 'text' }],
      ['MONEY', { kind: 'decimal' }],
      ['WHATEVER', { kind: 'decimal' }],
    ];
    for (const [declared, logical] of cases) expect([declared, logicalTypeOf(declared)]).toEqual([declared, logical]);
    expect(logicalTypeOf('')).toBeUndefined();
    expect(logicalTypeOf(null)).toBeUndefined();
  });

  it('declares types that read back as the same logical type, with exact storage', () => {
    for (const t of [
      { kind: 'boolean' },
      { kind: 'int' },
      { kind: 'bigint' },
      { kind: 'decimal', precision: 38, scale: 10 },
      { kind: 'decimal' },
      { kind: 'float' },
      { kind: 'text' },
      { kind: 'date' },
      { kind: 'time' },
      { kind: 'timestamp' },
      { kind: 'timestamptz' },
      { kind: 'json' },
      { kind: 'bytes' },
      { kind: 'uuid' },
    ] as const) {
      expect(logicalTypeOf(declaredTypeOf(t))).toEqual(t);
    }
    expect(affinityOf(declaredTypeOf({ kind: 'decimal', precision: 38, scale: 10 }))).toBe('TEXT');
    expect(affinityOf(declaredTypeOf({ kind: 'json' }))).toBe('TEXT');
  });
});

describe('storage', () => {
  it('stores decimals as exact text, booleans as 0/1, bytes as BLOB, big integers as INTEGER', async () => {
    const { conn, raw } = await fresh();
    const schema: Schema = {
      columns: [
        { name: 'd', type: { kind: 'decimal', precision: 38, scale: 10 }, nullable: true },
        { name: 'b', type: { kind: 'boolean' }, nullable: true },
        { name: 'x', type: { kind: 'bytes' }, nullable: true },
        { name: 'i', type: { kind: 'bigint' }, nullable: true },
        { name: 't', type: { kind: 'text' }, nullable: true },
      ],
    };
    const d = Decimal.parse('1234567890123456789012345678.0123456789')!;
    await writeAll(conn, { table: 'v', schema, mode: 'insert' }, [[d, true, new Uint8Array([0, 255]), 2n ** 62n, 'x']]);
    expect(raw.prepare('SELECT typeof(d) AS d, d AS dv, typeof(b) AS b, b AS bv, typeof(x) AS x, typeof(i) AS i FROM v').get()).toEqual({
      d: 'text',
      dv: '1234567890123456789012345678.0123456789',
      b: 'integer',
      bv: 1,
      x: 'blob',
      i: 'integer',
    });
    expect((await readAll(conn, { table: 'v' })).rows[0]).toEqual([d, true, new Uint8Array([0, 255]), 2n ** 62n, 'x']);
    raw.close();
  });

  it('writes numbers into TEXT columns as their text, not as 5.0', async () => {
    const { conn, raw } = await fresh();
    raw.exec('CREATE TABLE t (a TEXT, b TEXT)');
    await writeAll(conn, { table: 't', schema: { columns: [{ name: 'a', type: { kind: 'int' }, nullable: true }, { name: 'b', type: { kind: 'decimal' }, nullable: true }] }, mode: 'insert' }, [[5, Decimal.parse('1.50')!]]);
    expect(raw.prepare('SELECT a, b FROM t').get()).toEqual({ a: '5', b: '1.50' });
    raw.close();
  });
});

describe('reading', () => {
  it('types untyped columns and expressions from their values', async () => {
    const { conn, raw } = await fresh();
    raw.exec("CREATE TABLE u (a, b, c); INSERT INTO u VALUES (1, 'x', 1.5), (9007199254740993, 'y', 2)");
    const t = await readAll(conn, { table: 'u' });
    expect(t.schema.columns.map((c) => c.type.kind)).toEqual(['bigint', 'text', 'float']);
    expect(t.rows).toEqual([
      [1, 'x', 1.5],
      [9007199254740993n, 'y', 2],
    ]);
    expect((await conn.describeTable('u')).columns.map((c) => c.type.kind)).toEqual(['bigint', 'text', 'float']);
    const q = await readAll(conn, { query: 'SELECT a * 2 AS twice, upper(b) AS up, :p AS p FROM u ORDER BY a', params: { p: 'param' } });
    expect(q.schema.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ['twice', 'bigint'],
      ['up', 'text'],
      ['p', 'text'],
    ]);
    expect(q.rows[1]).toEqual([18014398509481986n, 'Y', 'param']);
    raw.close();
  });

  it('orders, limits and names duplicate query columns apart', async () => {
    const { conn, raw } = await fresh();
    raw.exec("CREATE TABLE o (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO o VALUES (1, 'b'), (2, 'a'), (3, 'c')");
    expect((await readAll(conn, { table: 'o', orderBy: ['v desc'], limit: 2 })).rows).toEqual([
      [3, 'c'],
      [1, 'b'],
    ]);
    const q = await readAll(conn, { query: 'SELECT o.id, p.id FROM o JOIN o AS p ON p.id = o.id WHERE o.id = 1' });
    expect(q.schema.columns.map((c) => c.name)).toEqual(['id', 'id_2']);
    const withKey = await conn.read({ table: 'o' });
    expect(withKey.schema.key).toEqual(['id']);
    await withKey.batches[Symbol.asyncIterator]().return?.();
    raw.close();
  });

  it('reports stored values that do not fit the declared type: stop or skip', async () => {
    const { conn, raw } = await fresh();
    raw.exec("CREATE TABLE s (id INTEGER, d DATE); INSERT INTO s VALUES (1, '2024-01-01'), ('abc', '2024-01-02'), (3, 'not a date'), (4, '2024-01-04')");
    await expect(readAll(conn, { table: 's' })).rejects.toThrow(SourceReadError);
    const errors: SourceError[] = [];
    const s = await conn.read({ table: 's' }, { onError: 'skip', onErrorRecord: (e) => errors.push(e) });
    const rows = [];
    for await (const b of s.batches) rows.push(...b);
    expect(rows).toEqual([
      [1, '2024-01-01'],
      [4, '2024-01-04'],
    ]);
    expect(errors.map((e) => [e.record, e.message])).toEqual([
      [2, `column 'id': "abc" is not a valid bigint`],
      [3, `column 'd': "not a date" is not a valid date`],
    ]);
    raw.close();
  });

  it('reads and writes the same file at once, and reads queries read-only', async () => {
    const { conn, raw } = await fresh();
    raw.exec('CREATE TABLE a (id INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) INSERT INTO a SELECT x FROM c');
    const s = await conn.read({ table: 'a' }, { batchSize: 100 });
    const it = s.batches[Symbol.asyncIterator]();
    await it.next();
    await writeAll(conn, { table: 'b', schema: { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: true }] }, mode: 'insert' }, [[1]]);
    let count = 100;
    for (let r = await it.next(); !r.done; r = await it.next()) count += r.value.length;
    expect(count).toBe(10000);
    await expect(readAll(conn, { query: 'DELETE FROM a RETURNING id' })).rejects.toThrow(/readonly/);
    raw.close();
  }, 30_000);

  it('rejects statements that return no rows, bad SQL, unknown tables and columns', async () => {
    const { conn } = await fresh();
    await expect(conn.read({ query: 'CREATE TABLE x (a)' })).rejects.toThrow(/returns no rows/);
    await expect(conn.read({ query: 'SELEC 1' })).rejects.toThrow(ConnectorError);
    await expect(conn.read({ table: 'nope' })).rejects.toThrow(/no table or view 'nope'/);
  });
});

describe('writing', () => {
  it('refuses an upsert without a key, and names the failing row', async () => {
    const { conn, raw } = await fresh();
    raw.exec('CREATE TABLE k (id INTEGER, v TEXT)');
    const schema: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: true }, { name: 'v', type: { kind: 'text' }, nullable: true }] };
    await expect(conn.write({ table: 'k', schema, mode: 'upsert' })).rejects.toThrow(/upsert needs key columns/);
    await expect(conn.write({ table: 'k', schema, mode: 'upsert', key: ['id'] })).rejects.toThrow(/primary key or unique constraint/);
    raw.exec('CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const rows = Array.from({ length: 120 }, (_, i) => [i + 1, i === 77 ? null : 'v']);
    await expect(writeAll(conn, { table: 'p', schema, mode: 'insert' }, rows)).rejects.toThrow(/row 78 of this write: NOT NULL constraint failed: p.v/);
    expect(raw.prepare('SELECT count(*) AS n FROM p').get()).toEqual({ n: 0 });
    await expect(conn.write({ table: 'p', schema: { columns: [{ name: 'nope', type: { kind: 'text' }, nullable: true }] }, mode: 'insert' })).rejects.toThrow(/has no column 'nope'/);
    raw.close();
  });

  it('allows one writer at a time and says so', async () => {
    const { conn } = await fresh();
    const schema: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: true }] };
    const other = await openConnection({ url: `sqlite:${join(dir, `t${n}.db`)}`, options: { busyTimeoutMs: 50 } }, { baseDir: dir });
    const w = await conn.write({ table: 'w', schema, mode: 'insert' });
    await expect(other.write({ table: 'w2', schema, mode: 'insert' })).rejects.toThrow(/locked/);
    await w.abort();
    await other.close();
  });

  it('creates a missing database file on the first write, not on open', async () => {
    const path = join(dir, 'later.db');
    const conn = await openConnection({ url: `sqlite:${path}` }, { baseDir: dir });
    await conn.test();
    expect(existsSync(path)).toBe(false);
    expect(await conn.listTables()).toEqual([]);
    await expect(conn.read({ table: 'x' })).rejects.toThrow(/does not exist \(a write creates it\)/);
    await writeAll(conn, { table: 'x', schema: { columns: [{ name: 'a', type: { kind: 'text' }, nullable: true }] }, mode: 'insert' }, [['v']]);
    expect(existsSync(path)).toBe(true);
    expect((await readAll(conn, { table: 'x' })).rows).toEqual([['v']]);
    await conn.close();
    const missingFolder = await openConnection({ url: `sqlite:${join(dir, 'no', 'such', 'x.db')}` }, { baseDir: dir });
    await expect(missingFolder.test()).rejects.toThrow(/folder is not writable/);
  });

  it('works in memory (sqlite::memory:)', async () => {
    const conn = await openConnection({ url: 'sqlite::memory:' }, { baseDir: dir });
    const schema: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: true }] };
    await writeAll(conn, { table: 'm', schema, mode: 'insert' }, [[1], [2]]);
    expect((await readAll(conn, { table: 'm' })).rows).toEqual([[1], [2]]);
    expect((await conn.listTables()).map((t) => t.name)).toEqual(['m']);
    await conn.close();
  });
});

describe('Chinook', () => {
  const copy = join(dir, 'chinook.sqlite');
  copyFileSync('/work/shared/datasets/chinook/Chinook_Sqlite.sqlite', copy);

  it('introspects tables, keys, foreign keys, indexes and types', async () => {
    const conn = await openConnection({ url: 'sqlite:./chinook.sqlite' }, { baseDir: dir });
    const tables = await conn.listTables();
    expect(tables.map((t) => t.name)).toEqual(['Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'InvoiceLine', 'MediaType', 'Playlist', 'PlaylistTrack', 'Track']);
    expect(tables.find((t) => t.name === 'Track')!.rowEstimate).toBe(3503);
    const track = await conn.describeTable('Track');
    expect(track.primaryKey).toEqual(['TrackId']);
    expect(track.columns.map((c) => [c.name, c.nativeType, c.type.kind, c.nullable])).toEqual([
      ['TrackId', 'INTEGER', 'bigint', false],
      ['Name', 'NVARCHAR(200)', 'text', false],
      ['AlbumId', 'INTEGER', 'bigint', true],
      ['MediaTypeId', 'INTEGER', 'bigint', false],
      ['GenreId', 'INTEGER', 'bigint', true],
      ['Composer', 'NVARCHAR(220)', 'text', true],
      ['Milliseconds', 'INTEGER', 'bigint', false],
      ['Bytes', 'INTEGER', 'bigint', true],
      ['UnitPrice', 'NUMERIC(10,2)', 'decimal', false],
    ]);
    expect(track.columns[0].autoIncrement).toBe(true);
    expect(track.columns.at(-1)!.type).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(track.foreignKeys).toEqual([
      { columns: ['AlbumId'], refTable: 'Album', refColumns: ['AlbumId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
      { columns: ['GenreId'], refTable: 'Genre', refColumns: ['GenreId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
      { columns: ['MediaTypeId'], refTable: 'MediaType', refColumns: ['MediaTypeId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
    ]);
    expect(track.indexes.map((i) => i.name).sort()).toEqual(['IFK_TrackAlbumId', 'IFK_TrackGenreId', 'IFK_TrackMediaTypeId']);
    const pt = await conn.describeTable('PlaylistTrack');
    expect(pt.primaryKey).toEqual(['PlaylistId', 'TrackId']);
    expect(pt.foreignKeys.map((f) => f.refTable).sort()).toEqual(['Playlist', 'Track']);
    const employee = await conn.describeTable('Employee');
    expect(employee.foreignKeys).toEqual([{ columns: ['ReportsTo'], refTable: 'Employee', refColumns: ['EmployeeId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }]);
    await conn.close();
  });

  it('reads NUMERIC(10,2) prices as exact decimals and DATETIME as canonical timestamps', async () => {
    const conn = await openConnection({ url: `sqlite:${copy}` }, { baseDir: dir });
    const tracks = await readAll(conn, { table: 'Track', columns: ['TrackId', 'UnitPrice'], orderBy: ['TrackId'], limit: 3 });
    expect(tracks.rows.map((r) => [r[0], (r[1] as Decimal).toString()])).toEqual([
      [1, '0.99'],
      [2, '0.99'],
      [3, '0.99'],
    ]);
    const total = await readAll(conn, { query: 'SELECT sum(Total) AS s FROM Invoice' });
    expect(total.schema.columns[0].type.kind).toBe('float');
    const invoices = await readAll(conn, { table: 'Invoice', columns: ['InvoiceDate', 'Total'], orderBy: ['InvoiceId'] });
    expect(invoices.rows[0]).toEqual(['2021-01-01 00:00:00', Decimal.parse('1.98')]);
    let sum = Decimal.of(0n);
    for (const r of invoices.rows) sum = sum.add(r[1] as Decimal);
    expect(sum.toString()).toBe('2328.60');
    await conn.close();
  });
});
