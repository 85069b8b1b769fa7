import { describe, expect, it } from 'vitest';
import { openConnection } from '../registry';
import type { Connection, CopyOutOptions } from '../types';
import { PG_URL, pgReachable } from './test-db';

/**
 * copyOut (reader.ts copyOutMessages): binary COPY handed over as whole CopyData messages,
 * on a pool of one connection, so a connection left in a bad state would fail the next
 * statement: errors before and in the middle of the data, leaving early, settings local
 * to the statement.
 */

const pg = await pgReachable();
if (!pg.ok) {
  if (process.env.CI) describe('postgres server', () => it('answers (required under CI)', () => expect.fail(`PostgreSQL is not reachable: ${pg.why}`)));
  else console.warn(`skipping the PostgreSQL copyOut tests: ${pg.why}`);
}

interface CopyOut {
  copyOut(sql: string, options?: CopyOutOptions): AsyncIterable<Buffer>;
}

/** The payloads of the CopyData messages, after checking that each Buffer holds whole messages. */
async function payloads(stream: AsyncIterable<Buffer>, stopAfter = Infinity): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of stream) {
    let p = 0;
    while (p < chunk.length) {
      const end = p + 1 + chunk.readUInt32BE(p + 1);
      if (chunk[p] !== 0x64 || end > chunk.length) throw new Error(`not a whole CopyData message at ${p} of ${chunk.length} bytes`);
      out.push(chunk.subarray(p + 5, end));
      p = end;
    }
    if (out.length >= stopAfter) break;
  }
  return out;
}

/** int4 values of a one-column binary COPY (header in the first payload, the trailer last). */
function ints(messages: Buffer[]): number[] {
  return messages.flatMap((m, i) => {
    const q = i === 0 ? 19 : 0;
    if (m.readInt16BE(q) === -1) return [];
    if (m.readInt32BE(q + 2) !== 4) throw new Error('not an int4');
    return [m.readInt32BE(q + 6)];
  });
}

async function withConnection(f: (c: Connection & CopyOut) => Promise<void>): Promise<void> {
  const conn = await openConnection({ url: `${PG_URL}?pool=1` }, { baseDir: process.cwd() });
  try {
    await f(conn as Connection & CopyOut);
  } finally {
    await conn.close();
  }
}

async function one(c: Connection, sql: string): Promise<unknown> {
  const s = await c.read({ query: sql });
  for await (const rows of s.batches) return rows[0]?.[0];
  return undefined;
}

describe.runIf(pg.ok)('PostgreSQL copyOut', () => {
  it('hands over every row as whole messages, however the reads fall', async () => {
    await withConnection(async (c) => {
      // 300,000 rows: megabytes, many socket reads.
      const got = ints(await payloads(c.copyOut('SELECT g::int4 FROM generate_series(1, 300000) g')));
      expect(got.length).toBe(300_000);
      expect(got.every((v, i) => v === i + 1)).toBe(true);
      expect(ints(await payloads(c.copyOut('SELECT 1::int4 WHERE false')))).toEqual([]);
    });
  });

  it('fails with the server error, before the data or in its middle, and the connection serves the next statement', async () => {
    await withConnection(async (c) => {
      await expect(payloads(c.copyOut('SELECT nope FROM nowhere'))).rejects.toThrow(/nowhere/);
      expect(await one(c, 'SELECT 41 + 1')).toBe(42);
      // Division by zero at row 200,000: after much data was sent.
      await expect(payloads(c.copyOut('SELECT (1 / (g - 200000))::int4 FROM generate_series(1, 300000) g'))).rejects.toThrow(/division by zero/);
      expect(await one(c, 'SELECT 43')).toBe(43);
    });
  });

  it('can be left early (the connection is discarded) and applies settings to its statement only', async () => {
    await withConnection(async (c) => {
      const some = await payloads(c.copyOut('SELECT g::int4 FROM generate_series(1, 2000000) g'), 1);
      expect(some.length).toBeGreaterThan(0);
      expect(await one(c, 'SELECT 44')).toBe(44);
      const before = await one(c, "SELECT current_setting('max_parallel_workers_per_gather')");
      const inside = await payloads(c.copyOut("SELECT length(current_setting('max_parallel_workers_per_gather'))::int4 * 0 + current_setting('max_parallel_workers_per_gather')::int4", { settings: { max_parallel_workers_per_gather: '0' } }));
      expect(ints(inside)).toEqual([0]);
      expect(before).not.toBe('0');
      expect(await one(c, "SELECT current_setting('max_parallel_workers_per_gather')")).toBe(before);
    });
  });

  it('onSnapshot: called once the snapshot is taken, before the COPY, which reads as of then', async () => {
    const other = await openConnection({ url: PG_URL }, { baseDir: process.cwd() });
    try {
      await withConnection(async (c) => {
        await other.execute!('DROP TABLE IF EXISTS copy_out_snapshot');
        await other.execute!('CREATE TABLE copy_out_snapshot (v int4)');
        await other.execute!('INSERT INTO copy_out_snapshot VALUES (1), (2)');
        let calls = 0;
        // A row committed after the snapshot, before the COPY starts: not seen (under read committed it would be).
        const onSnapshot = async () => {
          calls++;
          await other.execute!('INSERT INTO copy_out_snapshot VALUES (3)');
        };
        expect(ints(await payloads(c.copyOut('SELECT v FROM copy_out_snapshot ORDER BY v', { onSnapshot, settings: { work_mem: '8MB' } })))).toEqual([1, 2]);
        expect(calls).toBe(1);
        // Without settings too; and the next COPY (a new snapshot) sees every row.
        expect(ints(await payloads(c.copyOut('SELECT v FROM copy_out_snapshot ORDER BY v', { onSnapshot: () => other.execute!('DELETE FROM copy_out_snapshot WHERE v = 1').then(() => {}) })))).toEqual([1, 2, 3]);
        expect(ints(await payloads(c.copyOut('SELECT v FROM copy_out_snapshot ORDER BY v')))).toEqual([2, 3]);
        await other.execute!('DROP TABLE copy_out_snapshot');
      });
    } finally {
      await other.close();
    }
  });
});

/**
 * Table and query reads as COPY text (reader.ts copyStream): the rows' payloads moved
 * together in each socket read, so the framing between them, rows wider than a read, and
 * messages the server slips in between rows (a NOTICE) must not reach the rows.
 */
describe.runIf(pg.ok)('PostgreSQL reads as COPY text', () => {
  async function rowsOf(c: Connection, request: Parameters<Connection['read']>[0]): Promise<unknown[][]> {
    const s = await c.read(request);
    const out: unknown[][] = [];
    for await (const b of s.batches) for (const r of b) out.push(r);
    return out;
  }

  it('reads every row exactly, with rows wider than a socket read and notices between rows', async () => {
    await withConnection(async (c) => {
      await c.execute!(`CREATE OR REPLACE FUNCTION pg_temp.noisy(i int) RETURNS int LANGUAGE plpgsql AS $$
        BEGIN IF i % 1000 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$`);
      const schema = { columns: [{ name: 'i', type: { kind: 'int' as const }, nullable: false }, { name: 's', type: { kind: 'text' as const }, nullable: true }] };
      // 20,000 rows; every 997th is 200 KB wide (wider than a read); tabs, newlines and backslashes escaped in some.
      const query = `SELECT pg_temp.noisy(g) AS i, CASE WHEN g % 997 = 0 THEN repeat('w', 200000) WHEN g % 7 = 0 THEN E'a\\tb\\nc\\\\d' WHEN g % 5 = 0 THEN NULL ELSE 'r' || g END AS s FROM generate_series(1, 20000) g`;
      const rows = await rowsOf(c, { query, schema });
      expect(rows.length).toBe(20_000);
      for (let g = 1; g <= 20_000; g++) {
        const want = g % 997 === 0 ? 'w'.repeat(200_000) : g % 7 === 0 ? 'a\tb\nc\\d' : g % 5 === 0 ? null : `r${g}`;
        if (rows[g - 1][0] !== g || rows[g - 1][1] !== want) throw new Error(`row ${g}: ${JSON.stringify(rows[g - 1]).slice(0, 80)}`);
      }
      // The connection (the only one) is fine afterwards.
      expect(await one(c, 'SELECT 45')).toBe(45);
    });
  });

  it('fails in the middle of the data with the server error, and can be left early', async () => {
    await withConnection(async (c) => {
      const schema = { columns: [{ name: 'i', type: { kind: 'int' as const }, nullable: false }] };
      const bad = 'SELECT (1 / (g - 150000))::int4 AS i FROM generate_series(1, 300000) g';
      await expect(rowsOf(c, { query: bad, schema })).rejects.toThrow(/division by zero/);
      expect(await one(c, 'SELECT 46')).toBe(46);
      const s = await c.read({ query: 'SELECT g::int4 AS i FROM generate_series(1, 2000000) g', schema });
      for await (const b of s.batches) {
        expect(b[0]).toEqual([1]);
        break;
      }
      expect(await one(c, 'SELECT 47')).toBe(47);
    });
  });
});
