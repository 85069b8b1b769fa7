/**
 * Measures SQLite write and read speed for a 10-column table (not a test).
 *   npx tsx app/connectors/sqlite/bench.ts [rows]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';

const n = Number(process.argv[2] ?? 1_000_000);
const schema: Schema = {
  columns: [
    { name: 'id', type: { kind: 'bigint' }, nullable: false },
    { name: 'name', type: { kind: 'text' }, nullable: true },
    { name: 'email', type: { kind: 'text' }, nullable: true },
    { name: 'city', type: { kind: 'text' }, nullable: true },
    { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
    { name: 'qty', type: { kind: 'int' }, nullable: true },
    { name: 'created', type: { kind: 'date' }, nullable: true },
    { name: 'updated_at', type: { kind: 'timestamp' }, nullable: true },
    { name: 'active', type: { kind: 'boolean' }, nullable: true },
    { name: 'note', type: { kind: 'text' }, nullable: true },
  ],
};
function batch(start: number, size: number): Row[] {
  const rows: Row[] = [];
  for (let i = start; i < start + size; i++) {
    rows.push([i + 1, 'Ada Lovelace', `ada${i}@example.com`, 'Paris', Decimal.of(BigInt(i * 7 + 1234), 2), i % 1000, '2024-03-01', '2024-03-01 12:34:56', i % 2 === 0, i % 5 === 0 ? null : 'ok']);
  }
  return rows;
}
function cpuSince(c: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}
const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-bench-'));
try {
  const conn = await openConnection({ url: `sqlite:${join(dir, 'b.db')}` }, { baseDir: dir });
  const batches: Row[][] = [];
  for (let s = 0; s < n; s += 4096) batches.push(batch(s, Math.min(4096, n - s)));
  let t = performance.now();
  let c = process.cpuUsage();
  const w = await conn.write({ table: 't', schema, mode: 'insert', key: ['id'] });
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
