import { parseType, type LogicalType } from '../../model/types';

/**
 * MySQL / MariaDB types <-> Sluice logical types.
 *
 * Native -> logical works on information_schema.COLUMNS.COLUMN_TYPE (`tinyint(1)`,
 * `bigint(20) unsigned`, `decimal(12,2)`, `datetime(6)` ...):
 *   tinyint(1), bool, bit(1)        boolean
 *   tinyint, smallint, mediumint, int, year           int (int unsigned: bigint)
 *   bigint                          bigint (bigint unsigned: decimal(20,0), it exceeds int64)
 *   decimal(p,s)                    decimal(p,s)
 *   float, double                   float
 *   char, varchar, *text, enum, set text
 *   json (MySQL), longtext with a json_valid() check (MariaDB's JSON)   json
 *   date / time / datetime          date / time / timestamp
 *   timestamp                       timestamptz (MySQL stores TIMESTAMP as UTC; Sluice
 *                                   sessions use time_zone '+00:00', so it reads as UTC)
 *   binary, varbinary, *blob, bit(n) bytes
 *   uuid (MariaDB 10.7+)            uuid
 *
 * Logical -> native (CREATE TABLE). Where no native type holds a logical type exactly,
 * Sluice picks one that holds the values and marks the column with a comment
 * `sluice:<type>`, which introspection reads back (so a table Sluice wrote describes
 * with the types it was given):
 *   timestamptz  DATETIME(6) COMMENT 'sluice:timestamptz' — TIMESTAMP only covers
 *                1970..2038, so the UTC value is stored in a DATETIME;
 *   decimal      DECIMAL(65,30) COMMENT 'sluice:decimal' when unconstrained (65 digits,
 *                30 after the point: more fractional digits are rounded); decimal(p,s)
 *                beyond MySQL's DECIMAL(65,30) limits becomes LONGTEXT with its exact text;
 *   uuid         UUID on MariaDB 10.7+ (which refuses values whose version/variant bits
 *                are not RFC 4122's: a type rule `* uuid -> mysql char(36)` takes any),
 *                else CHAR(36) COMMENT 'sluice:uuid'.
 * text is LONGTEXT and bytes LONGBLOB, except in keys, which must be indexable:
 * VARCHAR / VARBINARY of at most 3072 bytes in all (InnoDB's key limit), shared among the
 * text key columns. Text columns use utf8mb4 with the binary collation (utf8mb4_bin), so
 * 'a' and 'A' (and 'a ' and 'a') are different keys, as in the other engines.
 */

export interface MysqlTypeContext {
  /** The column comment (a `sluice:<type>` marker). */
  comment?: string | null;
  /** A json_valid() check constraint exists on the column (MariaDB's JSON). */
  jsonCheck?: boolean;
}

const INT_NAMES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer']);
const TEXT_NAMES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'nchar', 'nvarchar', 'long varchar', 'long']);
const BYTES_NAMES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'long varbinary']);

/** The marker comment Sluice puts on columns whose native type does not say their logical type. */
export function markerOf(comment: string | null | undefined): LogicalType | undefined {
  const m = /^sluice:([a-z]+(?:\(\d+,\d+\))?)/.exec(comment ?? '');
  return m ? parseType(m[1]) : undefined;
}

export function logicalTypeOfNative(columnType: string, ctx: MysqlTypeContext = {}): LogicalType {
  const t = columnType.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^([a-z ]+?)\s*(?:\(([^)]*)\))?\s*(unsigned)?\s*(zerofill)?$/.exec(t);
  const name = m ? m[1].trim() : t;
  const args = m?.[2]?.split(',').map((s) => s.trim()) ?? [];
  const unsigned = m?.[3] !== undefined;
  const marker = markerOf(ctx.comment);
  if (name === 'tinyint' && args[0] === '1') return { kind: 'boolean' };
  if (name === 'bool' || name === 'boolean') return { kind: 'boolean' };
  if (name === 'bit') return args[0] === undefined || args[0] === '1' ? { kind: 'boolean' } : { kind: 'bytes' };
  if (INT_NAMES.has(name)) return unsigned && (name === 'int' || name === 'integer') ? { kind: 'bigint' } : { kind: 'int' };
  if (name === 'year') return { kind: 'int' };
  if (name === 'bigint') return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'bigint' };
  if (name === 'decimal' || name === 'numeric' || name === 'dec' || name === 'fixed') {
    if (marker?.kind === 'decimal') return marker;
    const p = args[0] === undefined ? 10 : Number(args[0]);
    const s = args[1] === undefined ? 0 : Number(args[1]);
    return { kind: 'decimal', precision: p, scale: s };
  }
  if (name === 'float' || name === 'double' || name === 'double precision' || name === 'real') return { kind: 'float' };
  if (name === 'date') return { kind: 'date' };
  if (name === 'time') return { kind: 'time' };
  if (name === 'datetime') return marker?.kind === 'timestamptz' ? marker : { kind: 'timestamp' };
  if (name === 'timestamp') return { kind: 'timestamptz' };
  if (name === 'json') return { kind: 'json' };
  if (name === 'uuid') return { kind: 'uuid' };
  if (TEXT_NAMES.has(name)) {
    if (ctx.jsonCheck || marker?.kind === 'json') return { kind: 'json' };
    if (marker && (marker.kind === 'uuid' || marker.kind === 'decimal')) return marker;
    return { kind: 'text' };
  }
  if (BYTES_NAMES.has(name)) return { kind: 'bytes' };
  return { kind: 'text' };
}

export interface DeclareOptions {
  /** The column is part of a key or unique constraint (it must be indexable). */
  key?: boolean;
  /** How many text / bytes columns share the key (they share InnoDB's 3072-byte limit). */
  keyTextColumns?: number;
  /** The server has the UUID type (MariaDB 10.7+). */
  uuidType?: boolean;
}

/** InnoDB's largest index key, in bytes (DYNAMIC / COMPRESSED row formats). */
const MAX_KEY_BYTES = 3072;

/** What Sluice declares for a logical type in CREATE TABLE (type and, where needed, a marker comment). */
export function nativeTypeOf(t: LogicalType, o: DeclareOptions = {}): string {
  const keyChars = (bytesPerChar: number) => Math.max(1, Math.floor(MAX_KEY_BYTES / bytesPerChar / Math.max(1, o.keyTextColumns ?? 1)));
  switch (t.kind) {
    case 'boolean':
      return 'tinyint(1)';
    case 'int':
      return 'int';
    case 'bigint':
      return 'bigint';
    case 'decimal':
      if (t.precision === undefined) return "decimal(65,30) COMMENT 'sluice:decimal'";
      if (t.precision <= 65 && (t.scale ?? 0) <= 30) return `decimal(${t.precision},${t.scale ?? 0})`;
      return `longtext COMMENT 'sluice:decimal(${t.precision},${t.scale ?? 0})'`;
    case 'float':
      return 'double';
    case 'text':
      return o.key ? `varchar(${keyChars(4)})` : 'longtext';
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'timestamp':
      return 'datetime(6)';
    case 'timestamptz':
      return "datetime(6) COMMENT 'sluice:timestamptz'";
    case 'json':
      return 'json';
    case 'bytes':
      return o.key ? `varbinary(${keyChars(1)})` : 'longblob';
    case 'uuid':
      return o.uuidType ? 'uuid' : "char(36) COMMENT 'sluice:uuid'";
  }
}
