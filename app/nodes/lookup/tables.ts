import type { Connection, TableRef } from '../../connectors/types';
import { quoteIdent, quoteTable } from '../../model/sql';
import { formatValue, rowKey, type Row, type Value } from '../../model/values';
import { LruCache } from './lru';

/**
 * Where matches come from. `resolve` gets the distinct keys of one input batch (rowKey ->
 * key values, NULL-free) and returns the brought-in values of each matched key.
 */
export interface LookupTable {
  resolve(keys: Map<string, Value[]>): Promise<Map<string, Row>> | Map<string, Row>;
}

export interface Projection {
  /** Indexes of the key columns in the lookup rows. */
  key: number[];
  /** Indexes of the brought-in columns in the lookup rows. */
  take: number[];
  duplicates: 'first' | 'error';
  /** For messages: the key column names and where the lookup rows come from. */
  keyNames: string[];
  what: string;
}

export function duplicateError(p: Projection, values: Value[]): Error {
  const key = p.keyNames.map((n, i) => `${n} = ${formatValue(values[i])}`).join(', ');
  return new Error(`${p.what} has more than one row with ${key} (duplicates: error); use duplicates: first to take the first one`);
}

function hasNull(row: Row, idx: number[]): boolean {
  for (const i of idx) if (row[i] === null) return true;
  return false;
}

/** The whole lookup input in a Map: memory grows with the number of lookup rows. */
export class MemoryTable implements LookupTable {
  private readonly map = new Map<string, Row>();

  constructor(private readonly p: Projection) {}

  add(rows: Row[]): void {
    const { key, take } = this.p;
    for (const row of rows) {
      // A NULL key matches nothing, as in a SQL join.
      if (hasNull(row, key)) continue;
      const k = rowKey(row, key);
      if (this.map.has(k)) {
        if (this.p.duplicates === 'error') throw duplicateError(this.p, key.map((i) => row[i]));
        continue;
      }
      this.map.set(
        k,
        take.map((i) => row[i]),
      );
    }
  }

  get size(): number {
    return this.map.size;
  }

  resolve(keys: Map<string, Value[]>): Map<string, Row> {
    const found = new Map<string, Row>();
    for (const k of keys.keys()) {
      const r = this.map.get(k);
      if (r) found.set(k, r);
    }
    return found;
  }
}

export interface SqlTableOptions {
  table: TableRef;
  /** Key columns of the table, then the brought-in ones (without repeats). */
  keyColumns: string[];
  takeColumns: string[];
  cacheSize: number;
  /** Bound parameters per query (split over the key columns). */
  maxParams?: number;
  signal?: AbortSignal;
}

/**
 * A database table queried by key: the distinct keys of each batch not yet in the cache are
 * fetched with `WHERE k IN (...)` (bound parameters, quoted names) in chunks; hits and misses
 * are cached in an LRU of `cacheSize` keys. Keys are compared exactly on our side, so a
 * case-insensitive collation on the database cannot make 'a' match 'A'.
 */
export class SqlTable implements LookupTable {
  private readonly cache: LruCache<string, Row | null>;
  readonly stats = { queries: 0, hits: 0, fetched: 0 };
  private readonly select: string;
  private readonly p: Projection;

  constructor(
    private readonly conn: Connection,
    private readonly o: SqlTableOptions,
    duplicates: 'first' | 'error',
    what: string,
  ) {
    this.cache = new LruCache(o.cacheSize);
    const dialect = conn.dialect!;
    const columns = [...o.keyColumns, ...o.takeColumns.filter((c) => !o.keyColumns.includes(c))];
    this.select = `SELECT ${columns.map((c) => quoteIdent(c, dialect)).join(', ')} FROM ${quoteTable(o.table, dialect)} WHERE `;
    this.p = {
      key: o.keyColumns.map((_, i) => i),
      take: o.takeColumns.map((c) => columns.indexOf(c)),
      duplicates,
      keyNames: o.keyColumns,
      what,
    };
  }

  async resolve(keys: Map<string, Value[]>): Promise<Map<string, Row>> {
    const found = new Map<string, Row>();
    const need: Array<[string, Value[]]> = [];
    for (const [k, values] of keys) {
      const hit = this.cache.get(k);
      if (hit === undefined) need.push([k, values]);
      else {
        this.stats.hits++;
        if (hit) found.set(k, hit);
      }
    }
    const width = this.o.keyColumns.length;
    const chunk = Math.max(1, Math.floor((this.o.maxParams ?? 900) / width));
    for (let start = 0; start < need.length; start += chunk) {
      const part = need.slice(start, start + chunk);
      const fetched = await this.query(part.map(([, v]) => v));
      for (const [k] of part) {
        const row = fetched.get(k);
        this.cache.set(k, row ?? null);
        if (row) found.set(k, row);
      }
    }
    return found;
  }

  private async query(keys: Value[][]): Promise<Map<string, Row>> {
    const dialect = this.conn.dialect!;
    const params: Record<string, Value> = {};
    const width = this.o.keyColumns.length;
    let where: string;
    if (width === 1) {
      where = `${quoteIdent(this.o.keyColumns[0], dialect)} IN (${keys.map((v, i) => ((params[`k${i}`] = v[0]), `:k${i}`)).join(', ')})`;
    } else {
      where = keys
        .map((v, i) => `(${this.o.keyColumns.map((c, j) => ((params[`k${i}_${j}`] = v[j]), `${quoteIdent(c, dialect)} = :k${i}_${j}`)).join(' AND ')})`)
        .join(' OR ');
    }
    this.stats.queries++;
    const stream = await this.conn.read({ query: this.select + where, params }, { signal: this.o.signal });
    const out = new Map<string, Row>();
    const { key, take } = this.p;
    for await (const rows of stream.batches) {
      for (const row of rows) {
        if (hasNull(row, key)) continue;
        const k = rowKey(row, key);
        this.stats.fetched++;
        if (out.has(k)) {
          if (this.p.duplicates === 'error') throw duplicateError(this.p, key.map((i) => row[i]));
          continue;
        }
        out.set(
          k,
          take.map((i) => row[i]),
        );
      }
    }
    return out;
  }
}
