import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { readAll, writeAll } from '../contract.suite';
import { openConnection } from '../registry';
import { whenServer } from '../sql/test-servers';
import { ConnectorError, SourceReadError, type Connection } from '../types';
import { CopyTextDecoder, encodeCopyRows, copyEncoder, fieldDecoder } from './copy-text';
import { freshSchema, PG, PG_URL, pgExec, pgReachable } from './test-db';
import { logicalTypeOfNative, logicalTypeOfOid, nativeTypeOf, numericOfTypmod, OID } from './typemap';

describe('PostgreSQL type map', () => {
  it('maps native types (as format_type prints them) to logical types', () => {
    const cases: [string, unknown][] = [
      ['smallint', { kind: 'int' }],
      ['integer', { kind: 'int' }],
      ['bigint', { kind: 'bigint' }],
      ['numeric(12,2)', { kind: 'decimal', precision: 12, scale: 2 }],
      ['numeric(38, 10)', { kind: 'decimal', precision: 38, scale: 10 }],
      ['numeric', { kind: 'decimal' }],
      ['real', { kind: 'float' }],
      ['double precision', { kind: 'float' }],
      ['boolean', { kind: 'boolean' }],
      ['text', { kind: 'text' }],
      ['character varying(20)', { kind: 'text' }],
      ['character(3)', { kind: 'text' }],
      ['date', { kind: 'date' }],
      ['time without time zone', { kind: 'time' }],
      ['time(3) without time zone', { kind: 'time' }],
      ['timestamp without time zone', { kind: 'timestamp' }],
      ['timestamp(3) with time zone', { kind: 'timestamptz' }],
      ['json', { kind: 'json' }],
      ['jsonb', { kind: 'json' }],
      ['bytea', { kind: 'bytes' }],
      ['uuid', { kind: 'uuid' }],
      ['integer[]', { kind: 'text' }],
      ['interval', { kind: 'text' }],
      ['time with time zone', { kind: 'text' }],
      ['my_enum', { kind: 'text' }],
    ];
    for (const [native, logical] of cases) expect([native, logicalTypeOfNative(native)]).toEqual([native, logical]);
  });

  it('declares types that read back as the same logical type', () => {
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
      expect(logicalTypeOfNative(nativeTypeOf(t))).toEqual(t);
    }
  });

  it('types result columns by OID and typmod', () => {
    expect(logicalTypeOfOid(OID.int8)).toEqual({ kind: 'bigint' });
    expect(logicalTypeOfOid(OID.numeric, ((12 << 16) | 2) + 4)).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(numericOfTypmod(-1)).toEqual({ kind: 'decimal' });
    expect(logicalTypeOfOid(OID.timestamptz)).toEqual({ kind: 'timestamptz' });
    expect(logicalTypeOfOid(99999)).toEqual({ kind: 'text' });
  });
});

describe('COPY text format', () => {
  const types = [{ kind: 'text' }, { kind: 'bytes' }, { kind: 'float' }, { kind: 'bigint' }, { kind: 'timestamptz' }] as const;
  it('encodes and decodes awkward values, across chunk boundaries', () => {
    const rows: Row[] = [
      ['tab\there', new Uint8Array([0, 9, 10, 13, 92, 255]), -0, 2n ** 63n - 1n, '2024-01-01 00:00:00+00:00'],
      ['line\nbreak\r\nand \\ backslash \\N', new Uint8Array([]), NaN, -(2n ** 53n) - 1n, null],
      ['\\N', null, Infinity, 0, null],
      ['', null, -Infinity, null, null],
      [null, null, 5e-324, null, null],
      ['emoji 🦆 and binary-looking \u0001\u0002\u007f', null, 1e308, 42, null],
    ];
    const enc = types.map((t) => copyEncoder(t));
    const text = encodeCopyRows(rows, 0, rows.length, enc);
    expect(text.split('\n')).toHaveLength(rows.length + 1);
    // What the server would print for these (timestamptz as +00, bytea already hex).
    const server = text.replace('2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00');
    const bytes = Buffer.from(server, 'utf8');
    const out: Row[] = [];
    const dec = new CopyTextDecoder(
      types.map((t) => fieldDecoder(t, 'error')),
      () => false,
    );
    // Byte-sized chunks: every possible cut, inside UTF-8 sequences and escapes too.
    for (let i = 0; i < bytes.length; i += 7) expect(dec.push(bytes.subarray(i, i + 7), out)).toBe(true);
    expect(dec.pending).toBe(false);
    expect(out).toHaveLength(rows.length);
    expect(out[0][0]).toBe('tab\there');
    expect([...(out[0][1] as Uint8Array)]).toEqual([0, 9, 10, 13, 92, 255]);
    expect(Object.is(out[0][2], -0)).toBe(true);
    expect(out[0][3]).toBe(2n ** 63n - 1n);
    expect(out[0][4]).toBe('2024-01-01 00:00:00+00:00');
    expect(out[1][0]).toBe('line\nbreak\r\nand \\ backslash \\N');
    expect((out[1][1] as Uint8Array).length).toBe(0);
    expect(Number.isNaN(out[1][2])).toBe(true);
    expect(out[2][0]).toBe('\\N');
    expect(out[2][2]).toBe(Infinity);
    expect(out[3][0]).toBe('');
    expect(out[4][0]).toBe(null);
    expect(out[4][2]).toBe(5e-324);
    expect(out[5][0]).toBe('emoji 🦆 and binary-looking \u0001\u0002\u007f');
  });

  it('applies the infinity policy to dates and timestamps', () => {
    expect(fieldDecoder({ kind: 'date' }, 'error')('infinity')).toBeUndefined();
    expect(fieldDecoder({ kind: 'date' }, 'null')('-infinity')).toBeNull();
    expect(fieldDecoder({ kind: 'date' }, 'clamp')('-infinity')).toBe('0001-01-01');
    expect(fieldDecoder({ kind: 'date' }, 'clamp')('0044-03-15 BC')).toBe('0001-01-01');
    expect(fieldDecoder({ kind: 'timestamp' }, 'clamp')('infinity')).toBe('9999-12-31 23:59:59.999999');
    expect(fieldDecoder({ kind: 'timestamptz' }, 'clamp')('infinity')).toBe('9999-12-31 23:59:59.999999+00:00');
    expect(fieldDecoder({ kind: 'timestamptz' }, 'error')('2024-01-01 10:00:00+05:30')).toBe('2024-01-01 04:30:00+00:00');
    expect(fieldDecoder({ kind: 'decimal' }, 'error')('NaN')).toBeUndefined();
  });
});

/** A fake server that asks for a password and refuses it, as PostgreSQL does (28P01). */
function refusingServer(): Promise<Server> {
  const server = createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => {
      // AuthenticationCleartextPassword, then the refusal after the password arrives.
      sock.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
      sock.once('data', () => {
        const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "ann"\0\0', 'utf8');
        const head = Buffer.alloc(5);
        head.write('E', 0);
        head.writeUInt32BE(fields.length + 4, 1);
        sock.end(Buffer.concat([head, fields]));
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('connection errors', () => {
  it('names the server and the reason for a refused connection', async () => {
    await expect(openConnection({ url: 'postgres://postgres@127.0.0.1:1/test' }, { baseDir: '/' })).rejects.toThrow(
      'cannot connect to PostgreSQL at 127.0.0.1:1: connection refused',
    );
  });

  it('reports a refused password without repeating it, and leaves nothing open', async () => {
    const server = await refusingServer();
    const port = (server.address() as AddressInfo).port;
    try {
      const e = await openConnection({ url: `postgres://ann@127.0.0.1:${port}/shop`, password: 's3cret-pw' }, { baseDir: '/' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConnectorError);
      expect((e as Error).message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}: password authentication failed for user "ann"`);
      expect((e as Error).message).not.toContain('s3cret');
      const open = () => new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
      for (let i = 0; i < 50 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await open()).toBe(0);
    } finally {
      server.close();
    }
  });

  it('refuses unknown options with a hint', async () => {
    await expect(openConnection({ url: 'postgres://u@h/db?sslmod=require' }, { baseDir: '/' })).rejects.toThrow(/unknown option 'sslmod' \(did you mean 'sslmode'\?\)/);
  });
});

whenServer(`PostgreSQL at ${PG.host}:${PG.port}`, await pgReachable(), () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  async function fresh(query = ''): Promise<{ conn: Connection; schema: string; url: string }> {
    const { schema, drop } = await freshSchema();
    const url = `${PG_URL}?schema=${schema}${query}`;
    const conn = await openConnection({ url }, { baseDir: '/' });
    cleanups.push(async () => {
      await conn.close();
      await drop();
    });
    return { conn, schema, url };
  }

  describe('PostgreSQL connection', () => {
    it('says when a database does not exist or a role has none', async () => {
      await expect(openConnection({ url: `postgres://${PG.user}@${PG.host}:${PG.port}/sluice_no_such_db` }, { baseDir: '/' })).rejects.toThrow(
        `cannot connect to PostgreSQL at ${PG.host}:${PG.port}: database "sluice_no_such_db" does not exist`,
      );
      await expect(openConnection({ url: `postgres://sluice_no_such_role@${PG.host}:${PG.port}/test` }, { baseDir: '/' })).rejects.toThrow(/role "sluice_no_such_role" does not exist/);
    });

    it('checks passwords when the server asks for one (a role created for the test)', async () => {
      const role = `sluice_pw_${Date.now().toString(36)}`;
      await pgExec(`CREATE ROLE ${role} LOGIN PASSWORD 'right-pw'`);
      try {
        const ok = await openConnection({ url: `postgres://${role}@${PG.host}:${PG.port}/test`, password: 'right-pw' }, { baseDir: '/' });
        await ok.close();
        const wrong = await openConnection({ url: `postgres://${role}@${PG.host}:${PG.port}/test`, password: 'wrong-pw' }, { baseDir: '/' }).then(
          async (c) => {
            await c.close();
            return undefined;
          },
          (e: unknown) => e as Error,
        );
        // This machine's server trusts 127.0.0.1 (no password check): then there is nothing to refuse.
        if (wrong) {
          expect(wrong.message).toBe(`cannot connect to PostgreSQL at ${PG.host}:${PG.port}: password authentication failed for user "${role}"`);
          expect(wrong.message).not.toContain('wrong-pw');
        }
      } finally {
        await pgExec(`DROP ROLE ${role}`);
      }
    });

    it('sslmode=require fails clearly against a server without TLS', async () => {
      const e = await openConnection({ url: `${PG_URL}?sslmode=require` }, { baseDir: '/' }).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (x: unknown) => x as Error,
      );
      // The server may have TLS on: then the connection simply works.
      if (e) expect(e.message).toMatch(new RegExp(`^cannot connect to PostgreSQL at ${PG.host}:${PG.port}: the server does not support SSL`));
    });

    it('cancels a statement over statementTimeoutMs, but not a table read or write', async () => {
      const { conn } = await fresh('&statement_timeout=200');
      await expect(readAll(conn, { query: 'SELECT pg_sleep(2)' })).rejects.toThrow(/statement timeout/);
      const s: Schema = { columns: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
      const rows: Row[] = Array.from({ length: 10 }, (_, i) => [i]);
      expect(await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, rows)).toBe(10);
      expect((await readAll(conn, { table: 't' })).rows).toHaveLength(10);
    });

    it('lists only its schema, and reads qualified tables of others', async () => {
      const a = await fresh();
      const b = await fresh();
      await pgExec(`CREATE TABLE ${b.schema}.only_in_b (x int); INSERT INTO ${b.schema}.only_in_b VALUES (7)`);
      expect((await a.conn.listTables()).map((t) => t.name)).not.toContain('only_in_b');
      expect((await b.conn.listTables()).map((t) => [t.name, t.schema])).toEqual([['only_in_b', b.schema]]);
      expect((await readAll(a.conn, { table: { name: 'only_in_b', schema: b.schema } })).rows).toEqual([[7]]);
      await expect(a.conn.describeTable('only_in_b')).rejects.toThrow(new RegExp(`no table or view 'only_in_b' in schema '${a.schema}'`));
    });

    it('works in a schema whose name needs quoting (search_path set at connect)', async () => {
      const schema = `Odd Schema "${Date.now().toString(36)}"`;
      const q = `"${schema.replaceAll('"', '""')}"`;
      await pgExec(`CREATE SCHEMA ${q}; CREATE TABLE ${q}.t (id int); INSERT INTO ${q}.t VALUES (1)`);
      const conn = await openConnection({ url: PG_URL, options: { schema } }, { baseDir: '/' });
      try {
        expect((await readAll(conn, { query: 'SELECT id FROM t' })).rows).toEqual([[1]]);
        expect((await conn.listTables()).map((t) => [t.schema, t.name])).toEqual([[schema, 't']]);
        await writeAll(conn, { table: 'u', schema: { columns: [{ name: 'x', type: { kind: 'int' }, nullable: true }] }, mode: 'insert' }, [[2]]);
        expect((await readAll(conn, { query: 'SELECT x FROM u' })).rows).toEqual([[2]]);
      } finally {
        await conn.close();
        await pgExec(`DROP SCHEMA ${q} CASCADE`);
      }
    });

    it('reads and writes through a replica: reads, listings and descriptions go there, writes never', async () => {
      const primary = await fresh();
      const db = `sluice_replica_${Date.now().toString(36)}`;
      await pgExec(`CREATE DATABASE ${db}`);
      cleanups.push(() => pgExec(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
      // The "replica": another database on the same server holding a marker table in the same schema.
      const replicaUrl = `postgres://${PG.user}@${PG.host}:${PG.port}/${db}`;
      await new Promise((r) => setTimeout(r, 10));
      const { Client } = (await import('pg')).default;
      const c = new Client({ ...PG, database: db });
      await c.connect();
      await c.query(`CREATE SCHEMA ${primary.schema}; CREATE TABLE ${primary.schema}.marker (side text); INSERT INTO ${primary.schema}.marker VALUES ('replica')`);
      await c.end();
      await pgExec(`CREATE TABLE ${primary.schema}.marker (side text); INSERT INTO ${primary.schema}.marker VALUES ('primary')`);
      const conn = await openConnection({ url: `${primary.url}&replica=${encodeURIComponent(replicaUrl)}` }, { baseDir: '/' });
      try {
        expect((await readAll(conn, { table: 'marker' })).rows).toEqual([['replica']]);
        expect((await readAll(conn, { query: 'SELECT side FROM marker' })).rows).toEqual([['replica']]);
        const s: Schema = { columns: [{ name: 'side', type: { kind: 'text' }, nullable: true }] };
        await writeAll(conn, { table: 'written', schema: s, mode: 'insert' }, [['primary']]);
        // The write went to the primary: the replica (where listings look) does not have it.
        expect((await conn.listTables()).map((t) => t.name)).toEqual(['marker']);
        expect((await readAll(primary.conn, { table: 'written' })).rows).toEqual([['primary']]);
        await expect(conn.describeTable('written')).rejects.toThrow(/no table or view 'written'/);
        await writeAll(conn, { table: 'marker', schema: s, mode: 'insert' }, [['primary again']]);
        expect((await readAll(primary.conn, { table: 'marker', orderBy: ['side'] })).rows).toEqual([['primary'], ['primary again']]);
        expect((await readAll(conn, { table: 'marker' })).rows).toEqual([['replica']]);
      } finally {
        await conn.close();
      }
    });

    it('binds ? and :name parameters, and leaves $n queries alone', async () => {
      const { conn } = await fresh();
      expect((await readAll(conn, { query: "SELECT ?::int + 1 AS a, '?' AS q, ?::text AS b", params: [41, 'x'] })).rows).toEqual([[42, '?', 'x']]);
      expect((await readAll(conn, { query: 'SELECT :n::bigint * 2 AS a, :n::text AS b', params: { n: 2n ** 60n } })).rows).toEqual([[2n ** 61n, String(2n ** 60n)]]);
      expect((await readAll(conn, { query: 'SELECT $1::numeric(10,2) AS d', params: [Decimal.parse('1.5')!] })).rows[0][0]).toEqual(Decimal.parse('1.50'));
      const show = await readAll(conn, { query: 'SHOW TimeZone' });
      expect(show.rows).toEqual([['UTC']]);
    });

    it('moves every awkward value through COPY and back (COPY and cursor reads)', async () => {
      const { conn, url } = await fresh();
      const s: Schema = {
        columns: [
          { name: 'id', type: { kind: 'int' }, nullable: false },
          { name: 't', type: { kind: 'text' }, nullable: true },
          { name: 'b', type: { kind: 'bytes' }, nullable: true },
          { name: 'j', type: { kind: 'json' }, nullable: true },
        ],
      };
      const texts = ['a\tb', 'a\nb', 'a\r\nb', 'back\\slash', 'ends with \\', '\\N', 'NULL', '\\\\N', '\\.', '.', '', ' ', '🦆 emoji', '\u0001\u0002\u0003\u007f\u0080 binary-looking', 'é ü ß ☃'];
      const rows: Row[] = texts.map((t, i) => [i, t, new Uint8Array([i, 92, 9, 10, 13, 0, 255]), JSON.stringify({ t })]);
      rows.push([texts.length, null, null, null]);
      await writeAll(conn, { table: 'awkward', schema: s, mode: 'insert' }, rows);
      const viaCopy = await readAll(conn, { table: 'awkward', orderBy: ['id'] });
      expect(viaCopy.rows.map((r) => r[1])).toEqual([...texts, null]);
      expect(viaCopy.rows.map((r) => (r[2] === null ? null : [...(r[2] as Uint8Array)]))).toEqual(rows.map((r) => (r[2] === null ? null : [...(r[2] as Uint8Array)])));
      expect(viaCopy.rows.map((r) => r[3])).toEqual(rows.map((r) => r[3]));
      const cursor = await openConnection({ url: `${url}&readWith=cursor` }, { baseDir: '/' });
      try {
        expect((await readAll(cursor, { table: 'awkward', orderBy: ['id'] })).rows).toEqual(viaCopy.rows);
      } finally {
        await cursor.close();
      }
    });

    it('reads ±infinity and BC dates by the infinity option', async () => {
      const { conn, url, schema } = await fresh();
      await pgExec(`CREATE TABLE ${schema}.odd (id int, d date, ts timestamptz); INSERT INTO ${schema}.odd VALUES (1, 'infinity', '-infinity'), (2, '0044-03-15 BC', '2000-01-01 00:00:00+02')`);
      const e = await readAll(conn, { table: 'odd', orderBy: ['id'] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SourceReadError);
      expect((e as Error).message).toMatch(/record 1|column 'd': "infinity" is not a valid date/);
      const clamp = await openConnection({ url: `${url}&infinity=clamp` }, { baseDir: '/' });
      const asNull = await openConnection({ url: `${url}&infinity=null` }, { baseDir: '/' });
      try {
        expect((await readAll(clamp, { table: 'odd', orderBy: ['id'] })).rows).toEqual([
          [1, '9999-12-31', '0001-01-01 00:00:00+00:00'],
          [2, '0001-01-01', '1999-12-31 22:00:00+00:00'],
        ]);
        expect((await readAll(asNull, { table: 'odd', orderBy: ['id'] })).rows).toEqual([
          [1, null, null],
          [2, null, '1999-12-31 22:00:00+00:00'],
        ]);
        const skipped: string[] = [];
        const s = await conn.read({ table: 'odd', orderBy: ['id'] }, { onError: 'skip', onErrorRecord: (x) => skipped.push(x.message) });
        const got: Row[] = [];
        for await (const b of s.batches) got.push(...b);
        expect(got).toEqual([]);
        expect(skipped).toHaveLength(2);
      } finally {
        await clamp.close();
        await asNull.close();
      }
    });
  });

  describe('PostgreSQL writes', () => {
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

    it('names the row a COPY refused, and the writer leaves nothing behind', async () => {
      const { conn } = await fresh();
      await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(1, 'a')]);
      const w = await conn.write({ table: 't', schema: s, mode: 'insert' });
      await w.write([row(2, 'b'), row(3, 'c')]);
      const e = await (async () => {
        await w.write([row(4, 'd'), row(1, 'duplicate')]);
        await w.commit();
      })().then(() => new Error('no error'), (x: unknown) => x as Error);
      expect(e).toBeInstanceOf(ConnectorError);
      expect(e!.message).toMatch(/^table 't': row 4 of this write: duplicate key value violates unique constraint/);
      await w.abort();
      expect(await names(conn)).toEqual([[1, 'a']]);
      const bad = await writeAll(conn, { table: 't', schema: { columns: [{ name: 'id', type: { kind: 'text' }, nullable: false }] }, mode: 'insert' }, [['5'], ['x']]).then(() => new Error('no error'), (x: unknown) => x as Error);
      expect(bad!.message).toMatch(/^table 't': row 2 of this write: invalid input syntax for type bigint: "x"/);
    });

    it('upserts with the last row of a key winning, across checkpoints, and needs a matching unique key', async () => {
      const { conn, schema } = await fresh();
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
      await pgExec(`CREATE TABLE ${schema}.nokey (id bigint, name text, amount numeric(10,2))`);
      const unkeyed: Schema = { columns: s.columns };
      await expect(conn.write({ table: 'nokey', schema: unkeyed, mode: 'upsert' })).rejects.toThrow(/upsert needs key columns, and the table has no primary key/);
      const w2 = await conn.write({ table: 'nokey', schema: unkeyed, mode: 'upsert', key: ['name'] });
      await w2.write([row(1, 'x')]);
      await expect(w2.commit()).rejects.toThrow(/upsert needs a primary key or unique constraint on exactly the key columns \(name\)/);
    });

    it('aborts every mode back to what was there, also after DDL (replace drops and creates in the transaction)', async () => {
      const { conn } = await fresh();
      // A table that did not exist is gone again after abort.
      const w0 = await conn.write({ table: 'new_one', schema: s, mode: 'insert' });
      await w0.write([row(1, 'a')]);
      await w0.abort();
      expect((await conn.listTables()).map((t) => t.name)).toEqual([]);
      await writeAll(conn, { table: 't', schema: s, mode: 'insert' }, [row(1, 'a'), row(2, 'b')]);
      for (const mode of ['truncate-insert', 'replace', 'upsert'] as const) {
        const w = await conn.write({ table: 't', schema: s, mode });
        await w.write([row(1, 'changed'), row(9, 'z')]);
        await w.abort();
        expect([mode, await names(conn)]).toEqual([
          mode,
          [
            [1, 'a'],
            [2, 'b'],
          ],
        ]);
      }
      // replace with a checkpoint: the new table is in place from the checkpoint on.
      const w = await conn.write({ table: 't', schema: s, mode: 'replace' });
      await w.write([row(5, 'e')]);
      await w.checkpoint();
      await w.write([row(6, 'f')]);
      await w.abort();
      expect(await names(conn)).toEqual([[5, 'e']]);
    });

    it('writes into an existing table by column name, in any order and case, with its own types', async () => {
      const { conn, schema } = await fresh();
      await pgExec(`CREATE TABLE ${schema}.existing ("Name" varchar(10), id int PRIMARY KEY, flag boolean DEFAULT true, n numeric)`);
      const incoming: Schema = {
        columns: [
          { name: 'id', type: { kind: 'int' }, nullable: false },
          { name: 'name', type: { kind: 'text' }, nullable: true },
          { name: 'n', type: { kind: 'float' }, nullable: true },
        ],
      };
      await writeAll(conn, { table: 'existing', schema: incoming, mode: 'insert' }, [[1, 'x', 0.1]]);
      expect((await readAll(conn, { table: 'existing' })).rows).toEqual([['x', 1, true, Decimal.parse('0.1')]]);
      await expect(conn.write({ table: 'existing', schema: { columns: [{ name: 'nope', type: { kind: 'int' }, nullable: true }] }, mode: 'insert' })).rejects.toThrow(
        /has no column 'nope' \(its columns: Name, id, flag, n\); use mode replace/,
      );
    });

    it('introspects identity and serial columns, and row estimates of large tables', async () => {
      const { conn, schema } = await fresh();
      await pgExec(`CREATE TABLE ${schema}.auto (a serial PRIMARY KEY, b bigint GENERATED ALWAYS AS IDENTITY, c text); INSERT INTO ${schema}.auto (c) SELECT 'x' FROM generate_series(1, 50000)`);
      const d = await conn.describeTable('auto');
      expect(d.columns.map((c) => [c.name, c.type.kind, !!c.autoIncrement])).toEqual([
        ['a', 'int', true],
        ['b', 'bigint', true],
        ['c', 'text', false],
      ]);
      expect(d.rowEstimate).toBe(50000);
      await pgExec(`ANALYZE ${schema}.auto`);
      expect((await conn.listTables())[0].rowEstimate).toBeGreaterThan(45000);
    });
  });
});

beforeAll(() => {
  // Messages in these tests quote PostgreSQL's English texts.
  process.env.LC_MESSAGES = 'C';
});
