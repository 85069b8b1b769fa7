/**
 * Measures PostgreSQL write and read speed for the 10-column bench table (not a test),
 * beside psql's \copy of the same rows (the practical limit).
 *   npx tsx app/connectors/postgres/bench.ts [rows]
 * Needs the local server (postgres://postgres@127.0.0.1:5432/test) and psql.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';
import { benchBatch, benchSchema, cpuSince } from '../sql/bench-data';
import { freshSchema, PG, PG_URL } from './test-db';

const n = Number(process.argv[2] ?? 1_000_000);
const { schema, drop } = await freshSchema();
const dir = mkdtempSync(join(tmpdir(), 'sluice-pg-bench-'));
const psql = (cmd: string) => {
  const t = performance.now();
  execFileSync('psql', ['-q', '-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', PG.database, '-c', cmd], { stdio: 'pipe' });
  return Math.round(performance.now() - t);
};
try {
  const conn = await openConnection({ url: `${PG_URL}?schema=${schema}` }, { baseDir: dir });
  const batches: Row[][] = [];
  for (let s = 0; s < n; s += 4096) batches.push(benchBatch(s, Math.min(4096, n - s)));
  let t = performance.now();
  let c = process.cpuUsage();
  const w = await conn.write({ table: 't', schema: benchSchema, mode: 'insert', key: ['id'] });
  for (const b of batches) await w.write(b);
  await w.commit();
  const writeMs = Math.round(performance.now() - t);
  const writeCpuMs = cpuSince(c);
  batches.length = 0;
  const reads: Record<string, { ms: number; cpuMs: number; rowsPerSec: number }> = {};
  for (const readWith of ['copy', 'cursor', 'copy']) {
    const rc = readWith === 'copy' ? conn : await openConnection({ url: `${PG_URL}?schema=${schema}&readWith=${readWith}` }, { baseDir: dir });
    t = performance.now();
    c = process.cpuUsage();
    let count = 0;
    const s = await rc.read({ table: 't' });
    for await (const b of s.batches) count += b.length;
    const ms = Math.round(performance.now() - t);
    reads[readWith] = { ms, cpuMs: cpuSince(c), rowsPerSec: Math.round((count / ms) * 1000) };
    if (rc !== conn) await rc.close();
  }
  await conn.close();
  // The reference: psql \copy of the same rows out to a CSV file and back into a like table.
  const csv = join(dir, 't.csv');
  const copyOutMs = psql(`\\copy ${schema}.t to '${csv}' csv`);
  psql(`create table ${schema}.t2 (like ${schema}.t including all)`);
  const copyInMs = psql(`\\copy ${schema}.t2 from '${csv}' csv`);
  console.log(
    JSON.stringify({
      rows: n,
      write: { ms: writeMs, cpuMs: writeCpuMs, rowsPerSec: Math.round((n / writeMs) * 1000), vsPsqlCopyIn: +(writeMs / copyInMs).toFixed(2) },
      read: reads,
      psql: { copyInMs, copyOutMs },
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
