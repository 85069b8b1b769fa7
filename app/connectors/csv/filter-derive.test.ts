import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../engine/run';
import type { PipelineDocument } from '../../model/document';

/**
 * The benchmark's pipeline shape (CSV -> filter -> derive -> CSV) on values whose text
 * the typed path changes or keeps: the bytes written are pinned here. They are what the
 * reader, the nodes and the writer produced before the speed work (checked against that
 * build), so a faster path that hands text through must give them too: quoting ("a, b",
 * a doubled quote, a line break), "" (empty text) against an empty field (NULL), integers
 * with leading zeros or signs (007, +12, -0), decimals that are (1.50, 0.05) or are not
 * (+1.25, -0.00, .5, 5., 007.50) in the form toString gives, and timestamps that are or
 * are not canonical.
 */
const INPUT =
  'id,code,amt,qty,status,note,at,flag\n' +
  '1,007,1.50,2,paid,"a, b",2025-01-02 03:04:05,\n' +
  '2,010,2.25,0,paid,"",2025-01-02 03:04:05,x\n' +
  '3,7,0.05,3,paid,plain,2025-01-02T03:04:05,y\n' +
  '4,1,-0.50,1,pending,"q""uote",2025-01-02 03:04:05,\n' +
  '5,02,10,4,paid,,2025-01-02 03:04:05.500,z\n' +
  '6,3,+1.25,5,paid,"line\r\nbreak",2025-01-02 03:04:05,""\n' +
  '7,4,-0.00,6,paid," sp ",2025-01-02 03:04:05,w\n' +
  '8,0,.5,7,paid,"""",2025-01-02 03:04:05,v\n' +
  '9,-0,5.,8,paid,x;y,2025-01-02 03:04:05,\n' +
  '10,+12,007.50,9,paid,é€,2025-01-02 03:04:05,u\n';

const EXPECTED =
  'id,code,amt,qty,status,note,at,flag,total\n' +
  '1,7,1.50,2,paid,"a, b",2025-01-02 03:04:05,,3.00\n' +
  '3,7,0.05,3,paid,plain,2025-01-02 03:04:05,y,0.15\n' +
  '5,2,10,4,paid,,2025-01-02 03:04:05.500000,z,40\n' +
  '6,3,1.25,5,paid,"line\r\nbreak",2025-01-02 03:04:05,"",6.25\n' +
  '7,4,0.00,6,paid, sp ,2025-01-02 03:04:05,w,0.00\n' +
  '8,0,0.5,7,paid,"""",2025-01-02 03:04:05,v,3.5\n' +
  '9,0,5,8,paid,x;y,2025-01-02 03:04:05,,40\n' +
  '10,12,7.50,9,paid,é€,2025-01-02 03:04:05,u,67.50\n';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-csv-filter-derive-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pipeline(input: string): PipelineDocument {
  return {
    version: 1,
    name: 'filter-derive',
    nodes: [
      { id: 'src', type: 'source', config: { connection: `csv:./${input}?types=code:bigint;amt:decimal` } },
      { id: 'paid', type: 'filter', config: { where: "status = 'paid' AND qty > 0" } },
      { id: 'calc', type: 'derive', config: { columns: [{ name: 'total', expr: 'qty * amt' }] } },
      { id: 'dst', type: 'sink', config: { connection: 'csv:./out.csv', mode: 'truncate-insert' } },
    ],
    edges: [
      { from: 'src', to: 'paid' },
      { from: 'paid', to: 'calc' },
      { from: 'calc', to: 'dst' },
    ],
  };
}

describe('CSV -> filter -> derive -> CSV', () => {
  it('writes exactly the bytes the typed path always wrote', async () => {
    await writeFile(join(dir, 'in.csv'), INPUT);
    const r = await runPipeline(pipeline('in.csv'), { baseDir: dir });
    expect(r.status).toBe('succeeded');
    expect(r.rowsRead).toBe(10);
    expect(r.rowsWritten).toBe(8);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe(EXPECTED);
  });

  it('gives the same bytes when the rows span many read chunks', async () => {
    // ~6,000 copies: well over one read chunk, so records and characters fall on chunk edges.
    const body = INPUT.slice(INPUT.indexOf('\n') + 1);
    const header = INPUT.slice(0, INPUT.indexOf('\n') + 1);
    const copies = 6000;
    await writeFile(join(dir, 'big.csv'), header + body.repeat(copies));
    const r = await runPipeline(pipeline('big.csv'), { baseDir: dir });
    expect(r.status).toBe('succeeded');
    const expectedBody = EXPECTED.slice(EXPECTED.indexOf('\n') + 1);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe(header.replace('\n', ',total\n') + expectedBody.repeat(copies));
  });

  it('still stops at a bad value in a column the pipeline only passes along, with file and line', async () => {
    // Typing every column on read is what reports this: a pass-through must not skip it.
    await writeFile(join(dir, 'bad.csv'), INPUT + '11,oops,1.00,1,paid,n,2025-01-02 03:04:05,\n');
    const r = await runPipeline(pipeline('bad.csv'), { baseDir: dir });
    expect(r.status).toBe('failed');
    // Line 13: the header, ten records, and the line break inside record 6's quotes.
    expect(r.error).toMatch(/bad\.csv:13: column 'code': "oops" is not a valid bigint/);
  });
});
