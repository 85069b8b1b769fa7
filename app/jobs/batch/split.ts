import type { CsvOptions } from '../../connectors/csv/options';
import { FileConnection } from '../../connectors/files/file-connection';
import type { Connection } from '../../connectors/types';
import { quoteIdent, quoteTable } from '../../model/sql';
import type { Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';
import { orderTerm } from '../sync/sql';
import { canSplitCsv, csvByteRanges, IrregularQuotes } from './csv-range';
import type { BatchPlan } from './plan';

/**
 * Splitting the input into chunks:
 *  - a table with a one-column integer key: equal key ranges between its least and
 *    greatest key (cheap: one MIN/MAX query; each chunk reads its range by the key's index);
 *  - a table with another key: pages of rows in key order (LIMIT/OFFSET);
 *  - a CSV file: byte ranges cut at record boundaries (csv-range.ts);
 *  - anything else (other files, queries): row ranges of the source read as usual, counted
 *    by one reading pass first.
 * Row chunks are read in key order (tables) or file order (files); a single-threaded run
 * reads a table in the database's own order, which for SQLite integer keys is key order.
 */

export type ChunkSpec =
  | { kind: 'keyRange'; key: string; lo: string; hi: string; last: boolean }
  | { kind: 'page'; orderBy: string; offset: number; limit: number }
  | { kind: 'bytes'; start: number; end: number; names: string[]; header: boolean }
  | { kind: 'rows'; skip: number; take: number };

export interface Chunk {
  index: number;
  /** The part of the input, for people: `id 1 .. 250000`, `bytes 0-31457280`, `rows 0-99999`. */
  range: string;
  spec: ChunkSpec;
}

async function queryRows(conn: Connection, sql: string): Promise<Row[]> {
  const s = await conn.read({ query: sql });
  const out: Row[] = [];
  for await (const rows of s.batches) out.push(...rows);
  return out;
}

function asBigInt(v: Value): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

export async function splitSource(plan: BatchPlan, conn: Connection, schema: Schema, want: number, workers = want): Promise<Chunk[]> {
  const src = plan.source;
  if (want <= 1) return [{ index: 0, range: 'all', spec: { kind: 'rows', skip: 0, take: Number.MAX_SAFE_INTEGER } }];
  if (src.table && conn.dialect) {
    const d = conn.dialect;
    const t = quoteTable({ name: src.table }, d);
    const key = schema.key ?? [];
    const keyCol = key.length === 1 ? schema.columns.find((c) => c.name === key[0]) : undefined;
    if (keyCol && (keyCol.type.kind === 'int' || keyCol.type.kind === 'bigint')) {
      const k = quoteIdent(keyCol.name, d);
      const [[minV, maxV]] = await queryRows(conn, `SELECT MIN(${k}), MAX(${k}) FROM ${t}`);
      const lo = asBigInt(minV);
      const hi = asBigInt(maxV);
      if (lo === undefined || hi === undefined) return [{ index: 0, range: 'empty', spec: { kind: 'keyRange', key: keyCol.name, lo: '0', hi: '0', last: true } }];
      const span = hi - lo + 1n;
      const n = BigInt(want) > span ? span : BigInt(want);
      const chunks: Chunk[] = [];
      for (let i = 0n; i < n; i++) {
        const a = lo + (span * i) / n;
        const last = i === n - 1n;
        const b = last ? hi : lo + (span * (i + 1n)) / n;
        chunks.push({ index: Number(i), range: `${keyCol.name} ${a} .. ${last ? `${b}` : `< ${b}`}`, spec: { kind: 'keyRange', key: keyCol.name, lo: a.toString(), hi: b.toString(), last } });
      }
      return chunks;
    }
    if (key.length > 0) {
      const [[count]] = await queryRows(conn, `SELECT COUNT(*) FROM ${t}`);
      const orderBy = key.map((name) => orderTerm(schema.columns.find((c) => c.name === name)!, d)).join(', ');
      // Each page skips to its OFFSET by reading past the rows before it: few pages, not many.
      return rowRanges(Number(count), Math.min(want, workers * 4)).map(({ skip, take }, i) => ({ index: i, range: `rows ${skip}-${skip + take - 1} by ${key.join(', ')}`, spec: { kind: 'page', orderBy, offset: skip, limit: take } }));
    }
  }
  if (conn instanceof FileConnection && conn.connectorId === 'csv' && canSplitCsv(conn.options as CsvOptions)) {
    try {
      const o = conn.options as CsvOptions;
      const ranges = await csvByteRanges(conn.path, o, want);
      // The file's columns in file order: the planned schema's, unless the source reads only some.
      let names = schema.columns.map((c) => c.name);
      if (src.columns) {
        const all = await conn.read({ table: conn.table, limit: 0 });
        await all.batches[Symbol.asyncIterator]().return?.();
        names = all.schema.columns.map((c) => c.name);
      }
      return ranges.map((r, i) => ({ index: i, range: `bytes ${r.start}-${r.end}`, spec: { kind: 'bytes', start: r.start, end: r.end, names, header: o.header } }));
    } catch (e) {
      if (!(e instanceof IrregularQuotes)) throw e;
      // Quote parity says nothing about this file: split it by rows below.
    }
  }
  // Row ranges: count the rows once, then each chunk skips to its own.
  const s = await conn.read(src.query ? { query: src.query } : { table: src.table ?? (conn instanceof FileConnection ? conn.table : ''), columns: src.columns }, { onError: 'skip' });
  let total = 0;
  for await (const rows of s.batches) total += rows.length;
  return rowRanges(total, want).map(({ skip, take }, i) => ({ index: i, range: `rows ${skip}-${skip + take - 1}`, spec: { kind: 'rows', skip, take } }));
}

/** `want` equal row ranges of `total` rows (at least one row each; one range when empty). */
function rowRanges(total: number, want: number): Array<{ skip: number; take: number }> {
  if (total <= 0) return [{ skip: 0, take: 1 }];
  const n = Math.min(want, total);
  const at = (i: number) => Math.round((i * total) / n);
  return Array.from({ length: n }, (_, i) => ({ skip: at(i), take: at(i + 1) - at(i) }));
}

