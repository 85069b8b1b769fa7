import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { readAll, writeAll } from '../contract.suite';
import { fileConnection, readWithPolicy } from '../files/json-test-helpers';
import { SourceReadError } from '../types';

const dir = mkdtempSync(join(tmpdir(), 'sluice-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const nd = (content: string | Uint8Array, options?: Record<string, unknown>) => fileConnection(dir, `f${++n}.ndjson`, 'ndjson', content, options);

describe('ndjson reading', () => {
  it('reads one object per line, CRLF too, skipping blank lines; keys become columns in first-seen order', async () => {
    const r = await readWithPolicy(await nd('{"id":1,"name":"Ada"}\r\n\n  \n{"name":"Grace","id":2,"extra":true}\n{"id":3}'));
    expect(r.schema!.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ['id', 'bigint'],
      ['name', 'text'],
      ['extra', 'boolean'],
    ]);
    expect(r.rows).toEqual([
      [1, 'Ada', null],
      [2, 'Grace', true],
      [3, null, null],
    ]);
  });

  it('keeps big integers and long decimals exact, and nested values as JSON', async () => {
    const r = await readWithPolicy(await nd('{"big":9007199254740993,"d":12345678901234567890.123,"nested":{"a":[1,{"b":null}]},"when":"1969-07-20"}\n{"big":1,"d":0.5,"nested":[],"when":"2024-01-01"}\n'));
    expect(r.schema!.columns.map((c) => c.type.kind)).toEqual(['bigint', 'decimal', 'json', 'date']);
    expect(r.rows[0]).toEqual([9007199254740993n, Decimal.parse('12345678901234567890.123'), '{"a":[1,{"b":null}]}', '1969-07-20']);
    expect(r.rows[1]).toEqual([1, Decimal.parse('0.5'), '[]', '2024-01-01']);
  });

  it('a syntax error is a bad record at its line: stop delivers the rows before it, skip goes on', async () => {
    const text = '{"id":1}\n{"id":2}\n\n{"id":3,}\n{"id":4}\n';
    const stop = await readWithPolicy(await nd(text));
    expect(stop.rows).toEqual([[1], [2]]);
    expect(stop.error).toBeInstanceOf(SourceReadError);
    expect((stop.error as SourceReadError).error).toMatchObject({ line: 4, record: 3, raw: '{"id":3,}' });
    expect((stop.error as SourceReadError).error.message).toMatch(/invalid JSON at column 9/);
    const skip = await readWithPolicy(await nd(text), 'skip');
    expect(skip.rows).toEqual([[1], [2], [4]]);
    expect(skip.errors.map((e) => [e.line, e.record])).toEqual([[4, 3]]);
  });

  it('reports lines that are not objects, keys outside the sampled columns, values of the wrong type and bad UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id":1}\n[1,2]\n"text"\n{"id":2,"surprise":1}\n{"id":"x"}\n{"id":'),
      Buffer.from([0xff]),
      Buffer.from('}\n{"id":3}\n'),
    ]);
    const skip = await readWithPolicy(await nd(bytes, { inferRows: 1 }), 'skip');
    expect(skip.rows).toEqual([[1], [3]]);
    expect(skip.errors.map((e) => [e.line, e.record, e.message.replace(/:.*/, '')])).toEqual([
      [2, 2, 'expected a JSON object, found an array'],
      [3, 3, 'expected a JSON object, found a string'],
      [4, 4, "key 'surprise' is not among the columns (id) found in the first 1 records; raise inferRows or name it in types"],
      [5, 5, "key 'id'"],
      [6, 6, 'invalid UTF-8'],
    ]);
  });

  it('uses declared types', async () => {
    const r = await readWithPolicy(await nd('{"p":"12.5","at":"2024-01-01T10:00:00+02:00","n":7}\n', { types: { p: 'decimal(10,2)', at: 'timestamptz', n: 'text' } }));
    expect(r.rows).toEqual([[Decimal.parse('12.50'), '2024-01-01 08:00:00+00:00', '7']]);
    expect((r.rows[0][0] as Decimal).toString()).toBe('12.50');
  });
});

describe('ndjson writing', () => {
  it('writes one object per line with exact numbers, and appends', async () => {
    const path = join(dir, 'out.ndjson');
    const conn = await fileConnection(dir, 'out.ndjson', 'ndjson', '{"id":0,"v":null,"j":null}');
    const schema = {
      columns: [
        { name: 'id', type: { kind: 'bigint' as const }, nullable: false },
        { name: 'v', type: { kind: 'decimal' as const }, nullable: true },
        { name: 'j', type: { kind: 'json' as const }, nullable: true },
      ],
    };
    await writeAll(conn, { table: 'out', schema, mode: 'insert' }, [[2n ** 63n - 1n, Decimal.parse('0.10')!, '{"x": [1, 2]}']]);
    expect(readFileSync(path, 'utf8')).toBe('{"id":0,"v":null,"j":null}\n{"id":9223372036854775807,"v":0.10,"j":{"x": [1, 2]}}\n');
    expect((await readAll(conn, { table: 'out' })).rows[1]).toEqual([2n ** 63n - 1n, Decimal.parse('0.1'), '{"x":[1,2]}']);
    await expect(writeAll(conn, { table: 'out', schema, mode: 'insert' }, [[1, null, 'not json']])).rejects.toThrow(/column 'j' is json but holds text that is not JSON/);
  });

  it('checkpoints an empty file and goes on without a blank line', async () => {
    const path = join(dir, 'cp.ndjson');
    const conn = await fileConnection(dir, 'cp.ndjson', 'ndjson', '');
    const schema = { columns: [{ name: 'id', type: { kind: 'bigint' as const }, nullable: false }] };
    const w = await conn.write({ table: 'cp', schema, mode: 'insert' });
    await w.checkpoint();
    await w.write([[1]]);
    await w.checkpoint();
    await w.write([[2]]);
    await w.commit();
    expect(readFileSync(path, 'utf8')).toBe('{"id":1}\n{"id":2}\n');
  });
});
