/**
 * Measures SQLite write and read speed for a 10-column table (not a test).
 *   npx tsx app/connectors/sqlite/bench.ts [rows]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';
import { benchBatch, benchSchema, cpuSince } from '../sql/bench-data';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-bench-'));
try {
  const conn = await openConnection({ url: `sqlite:${join(dir, 'b.db')}` }, { baseDir: dir });
  const batches: Row[][] = [];
  for (let s = 0; s < n; s += 4096) batches.push(benchBatch(s, Math.min(4096, n - s)));
  let t = performance.now();
  let c = process.cpuUsage();
  const w = await conn.write({ table: 't', schema: { columns: benchSchema.columns }, mode: 'insert', key: ['id'] });
  for (const b of batches) await w.write(b);
  await w.commit();
  const writeMs = performance.now() - t;
  const writeCpu = cpuSince(c);
  batches.length = 0;
  t = performance.now();
  c = process.cpuUsage();
  let count = 0;
  const s = await conn.read({ table: 't' });
  for await (const b of s.batches) count += b.length;
  const readMs = performance.now() - t;
  const readCpu = cpuSince(c);
  console.log(
    JSON.stringify({
      rows: n,
      writeMs: Math.round(writeMs),
      writeCpuMs: Math.round(writeCpu),
      writeRowsPerSec: Math.round((n / writeMs) * 1000),
      readMs: Math.round(readMs),
      readCpuMs: Math.round(readCpu),
      readRowsPerSec: Math.round((count / readMs) * 1000),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await conn.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
