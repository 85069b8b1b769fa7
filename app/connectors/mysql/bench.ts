/**
 * Measures MySQL / MariaDB write and read speed for the 10-column bench table (not a
 * test): LOAD DATA from a stream and multi-row INSERTs, beside the mariadb client's
 * LOAD DATA LOCAL INFILE of the same rows (the practical limit).
 *   npx tsx app/connectors/mysql/bench.ts [rows]
 * Needs the local server (mysql://root@127.0.0.1:3306) and the mariadb client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';
import { benchBatch, benchSchema, cpuSince } from '../sql/bench-data';
import { freshDatabase, MY, MY_URL } from './test-db';

const n = Number(process.argv[2] ?? 1_000_000);
const modes = (process.argv[3] ?? 'infile,insert').split(',');
const { database, drop } = await freshDatabase();
const dir = mkdtempSync(join(tmpdir(), 'sluice-my-bench-'));
const client = (sql: string) => {
  const t = performance.now();
  execFileSync('mariadb', ['--local-infile=1', '-h', MY.host, '-P', String(MY.port), '-u', MY.user, database, '-e', sql], { stdio: 'pipe' });
  return Math.round(performance.now() - t);
};
try {
  const batches: Row[][] = [];
  for (let s = 0; s < n; s += 4096) batches.push(benchBatch(s, Math.min(4096, n - s)));
  const writes: Record<string, { ms: number; cpuMs: number; rowsPerSec: number }> = {};
  for (const load of modes) {
    const conn = await openConnection({ url: `${MY_URL}/${database}?load=${load}` }, { baseDir: dir });
    const t = performance.now();
    const c = process.cpuUsage();
    const w = await conn.write({ table: `t_${load}`, schema: benchSchema, mode: 'insert', key: ['id'] });
    for (const b of batches) await w.write(b);
    await w.commit();
    const ms = Math.round(performance.now() - t);
    writes[load] = { ms, cpuMs: cpuSince(c), rowsPerSec: Math.round((n / ms) * 1000) };
    await conn.close();
  }
  batches.length = 0;
  const conn = await openConnection({ url: `${MY_URL}/${database}` }, { baseDir: dir });
  const t = performance.now();
  const c = process.cpuUsage();
  let count = 0;
  const s = await conn.read({ table: `t_${modes[0]}` });
  for await (const b of s.batches) count += b.length;
  const readMs = Math.round(performance.now() - t);
  const read = { ms: readMs, cpuMs: cpuSince(c), rowsPerSec: Math.round((count / readMs) * 1000) };
  await conn.close();
  // The reference: the mariadb client's LOAD DATA LOCAL INFILE of the same rows.
  const tsv = join(dir, 't.tsv');
  client(`SELECT * INTO OUTFILE '/tmp/sluice-my-bench-${database}.tsv' FROM t_${modes[0]}`);
  execFileSync('mv', [`/tmp/sluice-my-bench-${database}.tsv`, tsv]);
  client(`CREATE TABLE t_ref LIKE t_${modes[0]}`);
  const refMs = client(`LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE t_ref`);
  console.log(JSON.stringify({ rows: n, writes, read, referenceLoadDataMs: refMs, ratios: Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, +(v.ms / refMs).toFixed(2)])), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
} finally {
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
