import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAll, writeAll } from '../contract.suite';
import { fileConnection, readWithPolicy } from '../files/json-test-helpers';
import { BadItem } from '../files/row-stream';
import { SourceReadError } from '../types';
import { JsonArraySplitter } from './splitter';

const dir = mkdtempSync(join(tmpdir(), 'sluice-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const js = (content: string | Uint8Array, options?: Record<string, unknown>) => fileConnection(dir, `f${++n}.json`, 'json', content, options);

function split(chunks: string[]) {
  const s = new JsonArraySplitter();
  const out: (string | { line: number; message: string })[] = [];
  const take = () => {
    for (const e of s.take()) out.push(e instanceof BadItem ? { line: e.line, message: e.message } : `${e.line}:${e.text}`);
  };
  for (const c of chunks) {
    s.push(c);
    take();
  }
  s.end();
  take();
  return out;
}

describe('JsonArraySplitter', () => {
  const text = '[\n  {"a": "x, ]}\\" [", "b": [1, {"c": 2}]},\n  {"a": 2}\n  ,\n\n  {"a":\n   3}\n]\n';
  const whole = split([text]);

  it('splits a top-level array into element texts with their start lines', () => {
    expect(whole).toEqual(['2:{"a": "x, ]}\\" [", "b": [1, {"c": 2}]}', '3:{"a": 2}', '6:{"a":\n   3}']);
  });

  it('gives the same elements however the text is cut', () => {
    for (let i = 0; i <= text.length; i++) expect(split([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(split([...text])).toEqual(whole);
  });

  it('reads empty arrays and scalar elements', () => {
    expect(split(['  [ ]  '])).toEqual([]);
    expect(split(['[1, "two", null]'])).toEqual(['1:1', '1:"two"', '1:null']);
  });

  it('reports structure errors where they occur', () => {
    expect(split(['{"a":1}'])[0]).toMatchObject({ line: 1, message: expect.stringMatching(/must start with '\['.*NDJSON/) });
    expect(split(['[{"a":1}\n{"a":2}]'])).toEqual(['1:{"a":1}', { line: 2, message: "expected ',' or ']' after the element that ends at line 1, found '{'" }, '2:{"a":2}']);
    expect(split(['[{"a":1},\n]'])).toEqual(['1:{"a":1}', { line: 2, message: "a comma before ']' (JSON allows no trailing comma)" }]);
    expect(split(['[{"a":[1}, {"b":2}]'])).toEqual([{ line: 1, message: "mismatched '}' at line 1 in the element that starts at line 1" }, '1:{"b":2}']);
    expect(split(['[{"a":1}]\nx'])).toEqual(['1:{"a":1}', { line: 2, message: "unexpected text after the closing ']' of the array" }]);
    expect(split(['[{"a":1},\n{"a":'])).toEqual(['1:{"a":1}', { line: 2, message: "the file ends inside the element that starts at line 2 (a missing '}' or ']'?)" }]);
    expect(split(['[{"a":1}\n'])).toEqual(['1:{"a":1}', { line: 2, message: "the array is not closed: ']' is missing at the end of the file" }]);
  });
});

describe('json reading', () => {
  it('reads an array of objects element by element', async () => {
    const r = await readWithPolicy(await js('[\n{"id": 1, "tags": ["a"], "price": 1.25},\n{"id": 18446744073709551617, "tags": [], "price": 2}\n]\n'));
    expect(r.schema!.columns.map((c) => c.type.kind)).toEqual(['decimal', 'json', 'decimal']);
    expect(r.rows.map((x) => String(x[0]))).toEqual(['1', '18446744073709551617']);
    expect(r.rows.map((x) => x[1])).toEqual(['["a"]', '[]']);
  });

  it('a syntax error inside an element names the element line and the exact place; skip goes on', async () => {
    const text = '[\n{"id": 1},\n{"id": 2,\n "x": tru},\n{"id": 3}\n]';
    const stop = await readWithPolicy(await js(text));
    expect(stop.rows).toEqual([[1]]);
    expect(stop.error).toBeInstanceOf(SourceReadError);
    expect((stop.error as SourceReadError).error).toMatchObject({ line: 3, record: 2 });
    expect((stop.error as SourceReadError).error.message).toMatch(/^invalid JSON at line 4, column 7/);
    const skip = await readWithPolicy(await js(text), 'skip');
    expect(skip.rows).toEqual([[1], [3]]);
    expect(skip.errors).toHaveLength(1);
  });

  it('structure errors are bad records too', async () => {
    const skip = await readWithPolicy(await js('[{"id": 1} {"id": 2}, 5]'), 'skip');
    expect(skip.rows).toEqual([[1], [2]]);
    expect(skip.errors.map((e) => e.message)).toEqual(["expected ',' or ']' after the element that ends at line 1, found '{'", 'expected a JSON object, found a number']);
    const empty = await readWithPolicy(await js(''));
    expect(empty.rows).toEqual([]);
    expect(empty.error).toBeUndefined();
  });
});

describe('json writing', () => {
  const schema = { columns: [{ name: 'id', type: { kind: 'bigint' as const }, nullable: false }] };

  it('writes one element per line and appends inside the array', async () => {
    const path = join(dir, 'w.json');
    const conn = await fileConnection(dir, 'w.json', 'json', '[]\n');
    await writeAll(conn, { table: 'w', schema, mode: 'insert' }, [[1], [2]]);
    expect(readFileSync(path, 'utf8')).toBe('[\n{"id":1},\n{"id":2}\n]\n');
    await writeAll(conn, { table: 'w', schema, mode: 'insert' }, [[3]]);
    expect(readFileSync(path, 'utf8')).toBe('[\n{"id":1},\n{"id":2},\n{"id":3}\n]\n');
    expect((await readAll(conn, { table: 'w' })).rows).toEqual([[1], [2], [3]]);
    await writeAll(conn, { table: 'w', schema, mode: 'truncate-insert' }, []);
    expect(readFileSync(path, 'utf8')).toBe('[]\n');
  });

  it('refuses to append to a file that does not end an array', async () => {
    const conn = await fileConnection(dir, 'bad.json', 'json', '{"id": 1}');
    await expect(conn.write({ table: 'bad', schema, mode: 'insert' })).rejects.toThrow(/does not end with the '\]'/);
  });
});
