import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';

/**
 * The 10-column table the connectors' benchmarks move (sqlite/bench.ts and the server
 * connectors' transfer benches): mixed types, ~20% NULLs in `note`.
 */
export const benchSchema: Schema = {
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
  key: ['id'],
};

export function benchBatch(start: number, size: number): Row[] {
  const rows: Row[] = [];
  for (let i = start; i < start + size; i++) {
    rows.push([i + 1, 'Ada Lovelace', `ada${i}@example.com`, 'Paris', Decimal.of(BigInt(i * 7 + 1234), 2), i % 1000, '2024-03-01', '2024-03-01 12:34:56', i % 2 === 0, i % 5 === 0 ? null : 'ok']);
  }
  return rows;
}

export function cpuSince(c: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c);
  return Math.round((d.user + d.system) / 1000);
}
