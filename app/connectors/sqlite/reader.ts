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
  /**
   * Read the rows a page at a time: `first` and `next` select the columns of `sql` plus the
   * rowid last; `next` takes the last rowid seen. Used for table reads in rowid order.
   */
  pages?: { first: string; next: string; size: number };
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

/** Rows a page at a time (see StatementRead.pages), in one read transaction. */
function pagedRows(db: Database.Database, pages: { first: string; next: string; size: number }, width: number): { nextRow: () => StoredValue[] | undefined; finish: () => void } {
  const first = db.prepare(pages.first).raw(true).safeIntegers(true);
  const next = db.prepare(pages.next).raw(true).safeIntegers(true);
  db.exec('BEGIN');
  let page = first.all() as StoredValue[][];
  let at = 0;
  let more = page.length === pages.size;
  let last: StoredValue = null;
  return {
    nextRow: () => {
      if (at >= page.length) {
        if (!more) return undefined;
        page = next.all(last) as StoredValue[][];
        at = 0;
        more = page.length === pages.size;
        if (page.length === 0) return undefined;
      }
      const row = page[at++];
      last = row[width];
      row.length = width;
      return row;
    },
    finish: () => {
      if (db.inTransaction) db.exec('COMMIT');
    },
  };
}

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
  let nextRow: () => StoredValue[] | undefined;
  let finish: () => void;
  try {
    if (a.pages) {
      ({ nextRow, finish } = pagedRows(a.db, a.pages, cols.length));
    } else {
      const iter = (a.params === undefined ? stmt.iterate() : stmt.iterate(a.params)) as IterableIterator<StoredValue[]>;
      nextRow = () => {
        const r = iter.next();
        return r.done ? undefined : r.value;
      };
      finish = () => void iter.return?.();
    }
  } catch (e) {
    a.release();
    throw new ConnectorError(`${a.label}: ${(e as Error).message}`, { connector: 'sqlite', cause: e });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      finish();
    } finally {
      a.release();
    }
  };
  const types: (LogicalType | undefined)[] = cols.map((c, i) => a.types?.[i] ?? logicalTypeOf(c.type));
  // Columns without a type: look at the first rows (they are delivered afterwards).
  const head: StoredValue[][] = [];
  if (types.some((t) => t === undefined)) {
    try {
      for (let r = nextRow(); r !== undefined; r = nextRow()) {
        head.push(r);
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
          const r = nextRow();
          if (r === undefined) break;
          stored = r;
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
