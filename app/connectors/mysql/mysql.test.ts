import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { readAll, writeAll } from '../contract.suite';
import { openConnection } from '../registry';
import { whenServer } from '../sql/test-servers';
import { ConnectorError, SourceReadError, type Connection } from '../types';
import { ensureLocalInfile, freshDatabase, MY, MY_URL, myExec, myReachable } from './test-db';
import { logicalTypeOfNative, nativeTypeOf } from './typemap';
import { encodeInfileRows, infileEncoder, sqlLiteral } from './values';

describe('MySQL type map', () => {
  it('maps COLUMN_TYPE texts to logical types', () => {
    const cases: [string, unknown, object?][] = [
      ['tinyint(1)', { kind: 'boolean' }],
      ['tinyint(4)', { kind: 'int' }],
      ['smallint(6) unsigned', { kind: 'int' }],
      ['int(11)', { kind: 'int' }],
      ['int(10) unsigned', { kind: 'bigint' }],
      ['bigint(20)', { kind: 'bigint' }],
      ['bigint(20) unsigned', { kind: 'decimal', precision: 20, scale: 0 }],
      ['decimal(12,2)', { kind: 'decimal', precision: 12, scale: 2 }],
      ['decimal(65,30)', { kind: 'decimal' }, { comment: 'sluice:decimal' }],
      ['decimal(65,30)', { kind: 'decimal', precision: 65, scale: 30 }],
      ['double', { kind: 'float' }],
      ['float', { kind: 'float' }],
      ['varchar(20)', { kind: 'text' }],
      ['longtext', { kind: 'text' }],
      ["enum('a','b')", { kind: 'text' }],
      ['longtext', { kind: 'json' }, { jsonCheck: true }],
      ['json', { kind: 'json' }],
      ['longtext', { kind: 'decimal', precision: 80, scale: 2 }, { comment: 'sluice:decimal(80,2)' }],
      ['date', { kind: 'date' }],
      ['time(6)', { kind: 'time' }],
      ['datetime(6)', { kind: 'timestamp' }],
      ['datetime(6)', { kind: 'timestamptz' }, { comment: 'sluice:timestamptz' }],
      ['timestamp(6)', { kind: 'timestamptz' }],
      ['year(4)', { kind: 'int' }],
      ['blob', { kind: 'bytes' }],
      ['varbinary(16)', { kind: 'bytes' }],
      ['bit(1)', { kind: 'boolean' }],
      ['bit(8)', { kind: 'bytes' }],
      ['uuid', { kind: 'uuid' }],
      ['char(36)', { kind: 'uuid' }, { comment: 'sluice:uuid' }],
      ['geometry', { kind: 'text' }],
    ];
    for (const [native, logical, ctx] of cases) expect([native, ctx, logicalTypeOfNative(native, ctx)]).toEqual([native, ctx, logical]);
  });

  it('declares types that read back as the same logical type (with their markers)', () => {
    for (const t of [
      { kind: 'boolean' },
      { kind: 'int' },
      { kind: 'bigint' },
      { kind: 'decimal', precision: 38, scale: 10 },
      { kind: 'decimal', precision: 80, scale: 2 },
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
      for (const uuidType of [true, false]) {
        const native = nativeTypeOf(t, { uuidType });
        const comment = /COMMENT '([^']*)'/.exec(native)?.[1];
        expect([t, logicalTypeOfNative(native.replace(/ COMMENT .*$/, ''), { comment })]).toEqual([t, t]);
      }
    }
    expect(nativeTypeOf({ kind: 'text' }, { key: true, keyTextColumns: 2 })).toBe('varchar(384)');
    expect(nativeTypeOf({ kind: 'bytes' }, { key: true })).toBe('varbinary(3072)');
  });

  it('escapes LOAD DATA fields and SQL literals', () => {
    const enc = [infileEncoder({ kind: 'text' }), infileEncoder({ kind: 'bytes' }), infileEncoder({ kind: 'timestamptz' }), infileEncoder({ kind: 'int' })];
    expect(encodeInfileRows([['a\tb\nc\\d\0e\r', new Uint8Array([0, 255]), '2024-01-01 00:00:00.5+00:00', true]], 0, 1, enc)).toBe('a\\tb\\nc\\\\d\\0e\\r\t00ff\t2024-01-01 00:00:00.5\t1\n');
    expect(encodeInfileRows([[null, null, '2024-01-01 02:00:00+02:00', 2n ** 60n]], 0, 1, enc)).toBe('\\N\t\\N\t2024-01-01 00:00:00\t1152921504606846976\n');
    expect(() => encodeInfileRows([[null, null, null, NaN]], 0, 1, enc)).toThrow(/NaN cannot be stored/);
    expect(sqlLiteral("it's a \\ \n")).toBe("'it\\'s a \\\\ \\n'");
    expect(sqlLiteral(new Uint8Array([1, 171]))).toBe("X'01ab'");
    expect(sqlLiteral(Decimal.parse('-1.50')!)).toBe('-1.50');
  });
});

const reachable = await myReachable();
const infile = reachable.ok && (await ensureLocalInfile());
if (reachable.ok && !infile) console.warn('the MariaDB server has local_infile OFF and it cannot be switched on: the LOAD DATA tests are skipped');

whenServer(`MariaDB at ${MY.host}:${MY.port}`, reachable, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  async function fresh(query = ''): Promise<{ conn: Connection; database: string; url: string }> {
    const { database, drop } = await freshDatabase();
    const url = `${MY_URL}/${database}${query}`;
    const conn = await openConnection({ url }, { baseDir: '/' });
    cleanups.push(async () => {
      await conn.close();
      await drop();
    });
    return { conn, database, url };
  }
  const product = async () => ((await myExec('SELECT VERSION() AS v'))[0] as { v: string }[])[0].v.includes('MariaDB');

  describe('MySQL connection', () => {
    it('names the server and the reason: refused, unknown database, wrong password (a user created for the test)', async () => {
      await expect(openConnection({ url: 'mysql://root@127.0.0.1:1/test' }, { baseDir: '/' })).rejects.toThrow('cannot connect to MySQL at 127.0.0.1:1: connection refused');
      await expect(openConnection({ url: 'mariadb://root@127.0.0.1:1/test' }, { baseDir: '/' })).rejects.toThrow('cannot connect to MariaDB at 127.0.0.1:1: connection refused');
      await expect(openConnection({ url: `${MY_URL}/sluice_no_such_db` }, { baseDir: '/' })).rejects.toThrow(
        `cannot connect to MySQL at ${MY.host}:${MY.port}: database 'sluice_no_such_db' does not exist`,
      );
      const user = `sluice_pw_${Date.now().toString(36)}`;
      await myExec([`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-pw'`, `CREATE USER '${user}'@'localhost' IDENTIFIED BY 'right-pw'`, `GRANT ALL ON test.* TO '${user}'@'%'`, `GRANT ALL ON test.* TO '${user}'@'localhost'`]);
      try {
        const ok = await openConnection({ url: `mysql://${user}@${MY.host}:${MY.port}/test`, password: 'right-pw' }, { baseDir: '/' });
        await ok.close();
        const e = await openConnection({ url: `mysql://${user}@${MY.host}:${MY.port}/test`, password: 'wrong-pw' }, { baseDir: '/' }).then(() => new Error('no error'), (x: unknown) => x as Error);
        expect(e).toBeInstanceOf(ConnectorError);
        expect(e.message).toBe(`cannot connect to MySQL at ${MY.host}:${MY.port}: access denied for user '${user}' (wrong password, or the user may not log in from this host)`);
        expect(e.message).not.toContain('wrong-pw');
        // A password inside the URL works too (the engine resolves ${env:...} into URLs).
        const inUrl = await openConnection({ url: `mysql://${user}:right-pw@${MY.host}:${MY.port}/test` }, { baseDir: '/' });
        await inUrl.close();
      } finally {
        await myExec([`DROP USER IF EXISTS '${user}'@'%'`, `DROP USER IF EXISTS '${user}'@'localhost'`]);
      }
    });

    it('sslmode=require fails clearly against a server without TLS', async () => {
      const e = await openConnection({ url: `${MY_URL}/test?sslmode=require` }, { baseDir: '/' }).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (x: unknown) => x as Error,
      );
      if (e) expect(e.message).toMatch(new RegExp(`^cannot connect to MySQL at ${MY.host}:${MY.port}: the server does not support SSL`));
    });

    it('reads through a replica: reads, listings and descriptions go there, writes never', async () => {
      const primary = await fresh();
      const replica = await freshDatabase();
      cleanups.push(replica.drop);
      await myExec([`CREATE TABLE marker (side text)`, `INSERT INTO marker VALUES ('replica')`], replica.database);
      await myExec([`CREATE TABLE marker (side text)`, `INSERT INTO marker VALUES ('primary')`], primary.database);
      const conn = await openConnection({ url: `${primary.url}?replica=${encodeURIComponent(`${MY_URL}/${replica.database}`)}` }, { baseDir: '/' });
      try {
        expect((await readAll(conn, { table: 'marker' })).rows).toEqual([['replica']]);
        expect((await readAll(conn, { query: 'SELECT side FROM marker' })).rows).toEqual([['replica']]);
        const s: Schema = { columns: [{ name: 'side', type: { kind: 'text' }, nullable: true }] };
        await writeAll(conn, { table: 'written', schema: s, mode: 'insert' }, [['primary']]);
        expect((await conn.listTables()).map((t) => t.name)).toEqual(['marker']);
        await expect(conn.describeTable('written')).rejects.toThrow(/no table or view 'written'/);
        expect((await readAll(primary.conn, { table: 'written' })).rows).toEqual([['primary']]);
        await writeAll(conn, { table: 'marker', schema: s, mode: 'insert' }, [['primary again']]);
        expect((await readAll(primary.conn, { table: 'marker', orderBy: ['side'] })).rows).toEqual([['primary'], ['primary again']]);
        expect((await readAll(conn, { table: 'marker' })).rows).toEqual([['replica']]);
      } finally {
        await conn.close();
      }
    });

    it('binds ? and :name parameters as literals, quotes and all', async () => {
      const { conn } = await fresh();
      const r = await readAll(conn, { query: "SELECT ? AS a, '?' AS q, ? AS b, ? AS c, ? AS d", params: ["it's \\ ? \n", 2n ** 60n, Decimal.parse('1.50')!, new Uint8Array([0, 255])] });
      expect(r.rows[0][0]).toBe("it's \\ ? \n");
      expect(r.rows[0][1]).toBe('?');
      expect(r.rows[0][2]).toBe(2n ** 60n);
      expect(r.rows[0][3]).toEqual(Decimal.parse('1.50'));
      expect(r.schema.columns[4].type.kind).toBe('bytes');
      expect([...(r.rows[0][4] as Uint8Array)]).toEqual([0, 255]);
      expect((await readAll(conn, { query: 'SELECT :x + 1 AS n, :x AS m', params: { x: 41 } })).rows).toEqual([[42, 41]]);
      expect((await readAll(conn, { query: 'SELECT @@session.time_zone AS tz' })).rows).toEqual([['+00:00']]);
    });

    it('cancels a query over statementTimeoutMs, but not a table read or write', async () => {
      if (!(await product())) return; // max_statement_time is MariaDB's.
      const { conn } = await fresh('?statement_timeout=200');
      await expect(readAll(conn, { query: 'SELECT SLEEP(2) AS s FROM DUAL WHERE 1 = (SELECT 1)' })).rejects.toThrow(/max_statement_time|interrupted|exceeded/i);
      const s: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
      expect(await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [[1], [2]])).toBe(2);
      expect((await readAll(conn, { table: 't' })).rows).toHaveLength(2);
    });

    it('reads native types exactly: unsigned bigint, tinyint(1), MariaDB JSON, TIMESTAMP as UTC, zero dates', async () => {
      const { conn, database, url } = await fresh();
      await myExec(
        [
          `CREATE TABLE n (id int PRIMARY KEY, u bigint unsigned, b tinyint(1), j json, ts timestamp(6) NULL, d date, dt datetime, y year, e enum('x','y'), bits bit(8), f float)`,
          `SET SESSION time_zone = '+02:00'`,
          `SET SESSION sql_mode = ''`,
          `INSERT INTO n VALUES (1, 18446744073709551615, 1, '{"a": [1, 2]}', '2024-06-01 12:00:00.123456', '1969-07-20', '0001-01-01 00:00:00', 2024, 'y', b'10100101', 1.5)`,
          `INSERT INTO n VALUES (2, 0, 0, NULL, NULL, '0000-00-00', '0000-00-00 00:00:00', NULL, NULL, NULL, NULL)`,
        ],
        database,
      );
      const d = await conn.describeTable('n');
      expect(d.columns.map((c) => c.type)).toEqual([
        { kind: 'int' },
        { kind: 'decimal', precision: 20, scale: 0 },
        { kind: 'boolean' },
        { kind: 'json' },
        { kind: 'timestamptz' },
        { kind: 'date' },
        { kind: 'timestamp' },
        { kind: 'int' },
        { kind: 'text' },
        { kind: 'bytes' },
        { kind: 'float' },
      ]);
      const rows = (await readAll(conn, { table: 'n', orderBy: ['id'] })).rows;
      expect(rows[0].slice(0, 9)).toEqual([1, Decimal.parse('18446744073709551615'), true, '{"a": [1, 2]}', '2024-06-01 10:00:00.123456+00:00', '1969-07-20', '0001-01-01 00:00:00', 2024, 'y']);
      expect([...(rows[0][9] as Uint8Array)]).toEqual([0xa5]);
      expect(rows[1].slice(0, 7)).toEqual([2, Decimal.parse('0'), false, null, null, null, null]);
      const strict = await openConnection({ url: `${url}?zeroDates=error` }, { baseDir: '/' });
      try {
        await expect(readAll(strict, { table: 'n', orderBy: ['id'] })).rejects.toBeInstanceOf(SourceReadError);
      } finally {
        await strict.close();
      }
    });

    it('introspects AUTO_INCREMENT, defaults, foreign key rules and row estimates', async () => {
      const { conn, database } = await fresh();
      await myExec(
        [
          `CREATE TABLE p (id bigint AUTO_INCREMENT PRIMARY KEY, code varchar(10) NOT NULL DEFAULT 'x', at datetime DEFAULT CURRENT_TIMESTAMP, UNIQUE KEY code_uq (code))`,
          `CREATE TABLE c (id int PRIMARY KEY, p bigint, KEY c_p (p), CONSTRAINT c_fk FOREIGN KEY (p) REFERENCES p (id) ON DELETE SET NULL ON UPDATE CASCADE)`,
          `INSERT INTO p (code) VALUES ('a'), ('b'), ('c')`,
        ],
        database,
      );
      const p = await conn.describeTable('p');
      expect(p.columns.map((c) => [c.name, !!c.autoIncrement, c.nullable, c.default])).toEqual([
        ['id', true, false, undefined],
        ['code', false, false, "'x'"],
        ['at', false, true, 'current_timestamp()'],
      ]);
      expect(p.uniques).toEqual([{ name: 'code_uq', columns: ['code'] }]);
      expect(p.rowEstimate).toBe(3);
      const c = await conn.describeTable('c');
      expect(c.foreignKeys).toEqual([{ name: 'c_fk', columns: ['p'], refTable: 'p', refColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' }]);
      expect(c.indexes).toEqual([{ name: 'c_p', columns: ['p'], unique: false }]);
      expect((await conn.listTables()).map((t) => [t.name, t.kind, t.rowEstimate])).toEqual([
        ['c', 'table', 0],
        ['p', 'table', 3],
      ]);
    });

    it('refuses identifiers MySQL cannot hold, and NaN, with clear errors', async () => {
      const { conn } = await fresh();
      const s: Schema = { columns: [{ name: 'duck 🦆', type: { kind: 'int' }, nullable: true }] };
      await expect(conn.write({ table: 't', schema: s, mode: 'insert' })).rejects.toThrow(/column "duck 🦆" has characters outside the Basic Multilingual Plane/);
      await expect(conn.write({ table: 'table 🦆', schema: s, mode: 'insert' })).rejects.toThrow(/table name "table 🦆" has characters outside/);
      const f: Schema = { columns: [{ name: 'f', type: { kind: 'float' }, nullable: true }] };
      await expect(writeAll(conn, { table: 'f', schema: f, mode: 'insert' }, [[1.5], [NaN]])).rejects.toThrow(/NaN cannot be stored in MySQL/);
      expect((await conn.listTables()).map((t) => t.name)).toEqual([]);
    });
  });

  for (const load of ['infile', 'insert'] as const) {
    describe.runIf(load === 'insert' || infile)(`MySQL writes (${load})`, () => {
      const s: Schema = {
        columns: [
          { name: 'id', type: { kind: 'bigint' }, nullable: false },
          { name: 'name', type: { kind: 'text' }, nullable: true },
          { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
        ],
        key: ['id'],
      };
      const row = (id: number, name: string, amount = '1.00'): Row => [id, name, Decimal.parse(amount)!];
      const names = async (conn: Connection, table = 't') => (await readAll(conn, { table, columns: ['id', 'name'], orderBy: ['id'] })).rows;
      const open = () => fresh(`?load=${load}`);

      it('moves every awkward value and back', async () => {
        const { conn } = await open();
        const a: Schema = {
          columns: [
            { name: 'id', type: { kind: 'int' }, nullable: false },
            { name: 't', type: { kind: 'text' }, nullable: true },
            { name: 'b', type: { kind: 'bytes' }, nullable: true },
            { name: 'j', type: { kind: 'json' }, nullable: true },
            { name: 'u', type: { kind: 'uuid' }, nullable: true },
          ],
        };
        const texts = ['a\tb', 'a\nb', 'a\r\nb', 'back\\slash', 'ends with \\', '\\N', 'NULL', '\\\\N', "it's", '"q"', '', ' ', 'trailing  ', '🦆 emoji', '\u0001\u0002\u0003\u007f\u0080 binary-looking', '\u001a ctrl-Z', 'é ü ß ☃'];
        const all = new Uint8Array(256).map((_, i) => i);
        const rows: Row[] = texts.map((t, i) => [i, t, i === 0 ? all : new Uint8Array([i, 92, 9, 10, 13, 0, 255]), JSON.stringify({ t }), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
        rows.push([texts.length, null, new Uint8Array([]), null, null]);
        expect(await writeAll(conn, { table: 'awkward', schema: a, mode: 'insert' }, rows)).toBe(rows.length);
        const back = await readAll(conn, { table: 'awkward', orderBy: ['id'] });
        expect(back.rows.map((r) => r[1])).toEqual([...texts, null]);
        expect(back.rows.map((r) => [...(r[2] as Uint8Array)])).toEqual(rows.map((r) => [...(r[2] as Uint8Array)]));
        expect(back.rows.map((r) => r[3])).toEqual(rows.map((r) => r[3]));
        expect(back.rows.map((r) => r[4])).toEqual(rows.map((r) => r[4]));
      });

      it('fails a write whose rows the server would skip or change, naming the reason, and leaves the table as it was', async () => {
        const { conn, database } = await open();
        await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(1, 'a')]);
        const dup = await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(2, 'b'), row(1, 'again')]).then(() => new Error('no error'), (x: unknown) => x as Error);
        expect(dup).toBeInstanceOf(ConnectorError);
        expect(dup.message).toMatch(load === 'infile' ? /the rows were not stored as given \(1 of 2 refused\): Duplicate entry '1' for key 'PRIMARY'/ : /Duplicate entry '1' for key 'PRIMARY'/);
        expect(await names(conn)).toEqual([[1, 'a']]);
        await myExec('CREATE TABLE strict_t (id int PRIMARY KEY, n int NOT NULL, c varchar(3))', database);
        const ints: Schema = {
          columns: [
            { name: 'id', type: { kind: 'int' }, nullable: false },
            { name: 'n', type: { kind: 'text' }, nullable: true },
            { name: 'c', type: { kind: 'text' }, nullable: true },
          ],
        };
        const bad = await writeAll(conn, { table: 'strict_t', schema: ints, mode: 'insert' }, [
          [1, '5', 'ok'],
          [2, 'x', 'ok'],
        ]).then(() => new Error('no error'), (x: unknown) => x as Error);
        expect(bad.message).toMatch(/Incorrect integer value: 'x' for column .*n.*(\(row 2 of this write\)|at row 2)$/);
        const long = await writeAll(conn, { table: 'strict_t', schema: ints, mode: 'insert' }, [[3, '1', 'toolong']]).then(() => new Error('no error'), (x: unknown) => x as Error);
        expect(long.message).toMatch(/Data too long for column 'c'|Data truncated/);
        const nul = await writeAll(conn, { table: 'strict_t', schema: ints, mode: 'insert' }, [[4, null, 'a']]).then(() => new Error('no error'), (x: unknown) => x as Error);
        expect(nul).toBeInstanceOf(ConnectorError);
        expect((await readAll(conn, { table: 'strict_t' })).rows).toEqual([]);
      });

      it('upserts with the last row of a key winning, across checkpoints', async () => {
        const { conn } = await open();
        await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(1, 'a'), row(2, 'b')]);
        const w = await conn.write({ table: 't', schema: s, mode: 'upsert' });
        await w.write([row(2, 'B'), row(3, 'c'), row(3, 'C')]);
        await w.checkpoint();
        await w.write([row(1, 'A'), row(4, 'd')]);
        expect((await w.commit()).rowsWritten).toBe(5);
        expect(await names(conn)).toEqual([
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
          [4, 'd'],
        ]);
        await expect(conn.write({ table: 't', schema: s, mode: 'upsert', key: ['name'] })).rejects.toThrow(/upsert needs a primary key or unique key on exactly the key columns \(name\)/);
      });

      it('aborts every mode back to what was there (a created table and a replace shadow are dropped)', async () => {
        const { conn } = await open();
        const w0 = await conn.write({ table: 'new_one', schema: s, mode: 'insert' });
        await w0.write([row(1, 'a')]);
        await w0.abort();
        expect((await conn.listTables()).map((t) => t.name)).toEqual([]);
        await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(1, 'a'), row(2, 'b')]);
        for (const mode of ['insert', 'truncate-insert', 'replace', 'upsert'] as const) {
          const w = await conn.write({ table: 't', schema: s, mode });
          await w.write([row(7, 'changed'), row(9, 'z')]);
          await w.abort();
          expect([mode, await names(conn)]).toEqual([
            mode,
            [
              [1, 'a'],
              [2, 'b'],
            ],
          ]);
          expect((await conn.listTables()).map((t) => t.name)).toEqual(['t']);
        }
        // truncate-insert and replace committed.
        await writeAll(conn, { table: 't', schema: s, mode: 'truncate-insert' }, [row(3, 'c')]);
        expect(await names(conn)).toEqual([[3, 'c']]);
        const other: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }, { name: 'extra', type: { kind: 'text' }, nullable: true }], key: ['id'] };
        const w = await conn.write({ table: 't', schema: other, mode: 'replace' });
        await w.write([[5, 'e']]);
        await w.checkpoint();
        await w.write([[6, 'f']]);
        await w.abort();
        expect((await readAll(conn, { table: 't' })).rows).toEqual([[5, 'e']]);
        expect((await conn.describeTable('t')).primaryKey).toEqual(['id']);
        expect((await conn.listTables()).map((t) => t.name)).toEqual(['t']);
      });
    });
  }

  it('MySQL: replace refuses a table other tables reference', async () => {
    const { conn, database } = await fresh();
    await myExec(['CREATE TABLE p (id int PRIMARY KEY)', 'CREATE TABLE c (id int PRIMARY KEY, p int, FOREIGN KEY (p) REFERENCES p (id))'], database);
    await expect(conn.write({ table: 'p', schema: { columns: [{ name: 'id', type: { kind: 'int' }, nullable: false }] }, mode: 'replace' })).rejects.toThrow(
      /cannot be replaced while foreign keys of 'c' reference it/,
    );
  });
});
