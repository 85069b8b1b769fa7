import type { LogicalType } from '../../model/types';

/**
 * SQLite declared types <-> Sluice logical types.
 *
 * SQLite stores values by storage class and only leans on the declared type through its
 * affinity (https://sqlite.org/datatype3.html#determination_of_column_affinity):
 * INT -> INTEGER; CHAR, CLOB, TEXT -> TEXT; BLOB or none -> BLOB; REAL, FLOA, DOUB ->
 * REAL; anything else -> NUMERIC. Well-known names are mapped first (DECIMAL(p,s),
 * BOOLEAN, DATE, DATETIME, JSON, UUID ...); the rest follows the affinity.
 *
 * Exactness when Sluice creates tables: NUMERIC affinity turns the text '1.10' into the
 * REAL 1.1 and keeps only 15 significant digits, so decimals would lose digits and their
 * scale. Sluice therefore declares decimal(p,s) as `DECIMAL TEXT(p,s)` and json as
 * `JSON TEXT`: the names still read as decimal and json, the word TEXT gives them TEXT
 * affinity, and values are stored as their exact text. Dates, times and timestamps are
 * stored as canonical ISO text (their NUMERIC affinity leaves such text alone), booleans
 * as 0/1, bytes as BLOB, bigint as 64-bit INTEGER.
 */

export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

export function affinityOf(declared: string | null | undefined): Affinity {
  const t = (declared ?? '').toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const SMALL_INTS = new Set(['INT', 'INT2', 'INT4', 'SMALLINT', 'TINYINT', 'MEDIUMINT']);

/** The logical type of a declared type; undefined when none is declared (then values decide). */
export function logicalTypeOf(declared: string | null | undefined): LogicalType | undefined {
  if (declared === null || declared === undefined || declared.trim() === '') return undefined;
  const m = /^\s*(.*?)\s*(?:\(\s*([+-]?\d+)\s*(?:,\s*([+-]?\d+)\s*)?\))?\s*$/.exec(declared.toUpperCase());
  const name = (m ? m[1] : declared.toUpperCase()).replace(/\s+/g, ' ').trim();
  const p = m?.[2] === undefined ? undefined : Number(m[2]);
  const s = m?.[3] === undefined ? undefined : Number(m[3]);
  const words = new Set(name.split(/[^A-Z0-9]+/));
  if (words.has('DECIMAL') || words.has('NUMERIC') || words.has('NUMBER') || words.has('MONEY')) {
    if (p !== undefined && p >= 1 && p <= 1000 && (s ?? 0) >= 0 && (s ?? 0) <= p) return { kind: 'decimal', precision: p, scale: s ?? 0 };
    return { kind: 'decimal' };
  }
  if (name.includes('BOOL')) return { kind: 'boolean' };
  if (name === 'DATE') return { kind: 'date' };
  if (name === 'DATETIME' || name === 'TIMESTAMP' || name === 'TIMESTAMP WITHOUT TIME ZONE' || name === 'SMALLDATETIME' || name === 'DATETIME2') {
    return { kind: 'timestamp' };
  }
  if (name === 'TIMESTAMPTZ' || name === 'TIMESTAMP WITH TIME ZONE' || name === 'DATETIMEOFFSET') return { kind: 'timestamptz' };
  if (name === 'TIME' || name === 'TIME WITHOUT TIME ZONE') return { kind: 'time' };
  if (words.has('JSON') || words.has('JSONB')) return { kind: 'json' };
  if (name === 'UUID' || name === 'GUID' || name === 'UNIQUEIDENTIFIER') return { kind: 'uuid' };
  if (name === 'STRING') return { kind: 'text' };
  if (name.includes('BINARY') || name === 'BYTEA') return { kind: 'bytes' };
  switch (affinityOf(name)) {
    case 'INTEGER':
      return SMALL_INTS.has(name) ? { kind: 'int' } : { kind: 'bigint' };
    case 'TEXT':
      return { kind: 'text' };
    case 'BLOB':
      return { kind: 'bytes' };
    case 'REAL':
      return { kind: 'float' };
    default:
      return { kind: 'decimal' };
  }
}

/** The declared type Sluice uses for a logical type in CREATE TABLE (see the module comment). */
export function declaredTypeOf(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INT';
    case 'bigint':
      return 'INTEGER';
    case 'decimal':
      return t.precision === undefined ? 'DECIMAL TEXT' : `DECIMAL TEXT(${t.precision},${t.scale ?? 0})`;
    case 'float':
      return 'REAL';
    case 'text':
      return 'TEXT';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'json':
      return 'JSON TEXT';
    case 'bytes':
      return 'BLOB';
    case 'uuid':
      return 'UUID';
  }
}
