import type Database from 'better-sqlite3';
import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { formatValue, type Row, type Value } from '../../model/values';
import { uniqueNames } from '../names';
import { ConnectorError, SourceReadError, type ReadOptions, type RowStream, type SourceError } from '../types';
import { logicalTypeOf } from './typemap';
import { fromStored, typeOfStored, type StoredValue } from './values';

/**
 * Streams the rows of one statement with statement.iterate(): rows are pulled one at a
 * time from SQLite and handed on in batches, so a table of any size never becomes an
 * array. Integers are read as bigint (safeIntegers) and normalised, so values beyond 2^53
 * stay exact. Breaking out of the loop ends the iteration, which resets the statement,
 * and releases the database handle.
 */
export interface StatementRead {
  db: Database.Database;
  /** Called once when the stream ends or is abandoned (closes a dedicated handle). */
  release: () => void;
  sql: string;
  params?: unknown[] | Record<string, unknown>;
  /** Known types per result column (a table's declared types); otherwise from the statement. */
  types?: (LogicalType | undefined)[];
  nullable?: boolean[];
  key?: string[];
  /** Stop after this many rows (queries; a table read puts LIMIT in its SQL). */
  limit?: number;
  /** Rows looked at to type columns SQLite knows no type for (expressions, untyped columns). */
  inferRows: number;
  onErrorDefault: 'stop' | 'skip';
  /** For messages: the database file and table or 'query'. */
  label: string;
}

const INFER_MIN = 1;

export function readStatement(a: StatementRead, read: ReadOptions): RowStream {
  let stmt: Database.Statement;
  try {
    stmt = a.db.prepare(a.sql);
  } catch (e) {
    a.release();
    throw new ConnectorError(`${a.label}: ${(e as Error).message}`, { connector: 'sqlite', cause: e });
  }
  if (!stmt.reader) {
    a.release();
    throw new ConnectorError(`${a.label}: the statement returns no rows (only queries can be read)`, { connector: 'sqlite' });
  }
  stmt.raw(true).safeIntegers(true);
  const cols = stmt.columns();
  const names = uniqueNames(cols.map((c) => c.name));
  let iter: IterableIterator<StoredValue[]>;
  try {
    iter = (a.params === undefined ? stmt.iterate() : stmt.iterate(a.params)) as IterableIterator<StoredValue[]>;
  } catch (e) {
    a.release();
    throw new ConnectorError(`${a.label}: ${(e as Error).message}`, { connector: 'sqlite', cause: e });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      iter.return?.();
    } finally {
      a.release();
    }
  };
  const types: (LogicalType | undefined)[] = cols.map((c, i) => a.types?.[i] ?? logicalTypeOf(c.type));
  // Columns without a type: look at the first rows (they are delivered afterwards).
  const head: StoredValue[][] = [];
  if (types.some((t) => t === undefined)) {
    try {
      for (let r = iter.next(); !r.done; r = iter.next()) {
        head.push(r.value);
        if (head.length >= Math.max(a.inferRows, INFER_MIN)) break;
      }
    } catch (e) {
      release();
      throw new ConnectorError(`${a.label}: ${(e as Error).message}`, { connector: 'sqlite', cause: e });
    }
  }
  const resolved: LogicalType[] = types.map((t, i) => t ?? typeOfStored(head.map((r) => r[i])));
  const columns: Column[] = names.map((name, i) => ({ name, type: resolved[i], nullable: a.nullable?.[i] ?? true }));
  const schema: Schema = a.key ? { columns, key: a.key } : { columns };
  const conv = resolved.map(fromStored);
  const width = conv.length;
  const limit = a.limit ?? Infinity;
  const batchSize = read.batchSize ?? 4096;
  const onError = read.onError ?? a.onErrorDefault;

  if (limit <= 0) release();

  async function* rows(): AsyncGenerator<Row[]> {
    if (limit <= 0) return;
    let record = 0;
    let delivered = 0;
    let batch: Row[] = [];
    let h = 0;
    try {
      for (;;) {
        let stored: StoredValue[];
        if (h < head.length) stored = head[h++];
        else {
          const r = iter.next();
          if (r.done) break;
          stored = r.value;
        }
        record++;
        const row = stored as Value[];
        let bad = -1;
        for (let i = 0; i < width; i++) {
          const v = conv[i](stored[i]);
          if (v === undefined) {
            bad = i;
            break;
          }
          row[i] = v;
        }
        if (bad < 0) {
          batch.push(row);
          if (++delivered >= limit) break;
          if (batch.length >= batchSize) {
            read.signal?.throwIfAborted();
            yield batch;
            batch = [];
          }
          continue;
        }
        const err: SourceError = {
          file: a.label,
          record,
          message: `column '${names[bad]}': ${formatValue(stored[bad] as Value)} is not a valid ${resolved[bad].kind}`,
          raw: stored.map((v) => formatValue(v as Value, 40)).join(', '),
        };
        if (onError === 'stop') {
          if (batch.length > 0) yield batch;
          batch = [];
          throw new SourceReadError(err);
        }
        read.onErrorRecord?.(err);
      }
      if (batch.length > 0) yield batch;
    } catch (e) {
      if (e instanceof ConnectorError || (e as Error).name === 'AbortError') throw e;
      throw new ConnectorError(`${a.label}: ${(e as Error).message}`, { connector: 'sqlite', cause: e });
    } finally {
      release();
    }
  }

  const gen = rows();
  const batches: AsyncIterable<Row[]> = {
    [Symbol.asyncIterator]: () => ({
      next: () => gen.next(),
      return: async () => {
        await gen.return(undefined);
        release();
        return { done: true, value: undefined };
      },
    }),
  };
  return { schema, batches };
}
