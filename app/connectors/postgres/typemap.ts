import type { LogicalType } from '../../model/types';

/**
 * PostgreSQL types <-> Sluice logical types.
 *
 * Native -> logical works on the text `format_type()` prints (what describeTable shows as
 * nativeType, e.g. `numeric(12,2)`, `character varying(20)`, `timestamp(3) with time
 * zone`) and, for query results, on the type OID and typmod the server sends.
 *   smallint, integer           int        bigint, oid            bigint
 *   numeric(p,s) / numeric      decimal(p,s) / decimal
 *   real, double precision      float      boolean                boolean
 *   text, varchar, char, name   text       date / time            date / time
 *   timestamp / timestamptz     timestamp / timestamptz
 *   json, jsonb                 json       bytea                  bytes
 *   uuid                        uuid
 * Everything else (arrays, enums, intervals, inet, money, time with time zone, ranges,
 * user types) is read as its text: nothing is lost, and a type rule can say otherwise.
 *
 * Logical -> native is what Sluice declares when it creates a table. json becomes `json`,
 * which keeps the text as written (jsonb would reorder keys and drop duplicates); a rule
 * such as `* json -> postgres jsonb` picks jsonb.
 */

/** Well-known type OIDs (pg_type.oid, stable across versions). */
export const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** numeric's typmod packs precision and scale: ((p << 16) | s) + 4; -1 when unconstrained. */
export function numericOfTypmod(typmod: number): LogicalType {
  if (typmod < 4) return { kind: 'decimal' };
  const v = typmod - 4;
  const precision = (v >> 16) & 0xffff;
  const scale = v & 0xffff;
  // Negative scales (PostgreSQL 15) come back as 11-bit two's complement; Sluice has none.
  if (precision < 1 || precision > 1000 || scale > precision) return { kind: 'decimal' };
  return { kind: 'decimal', precision, scale };
}

/** The logical type of a result column by its type OID (and typmod for numeric). */
export function logicalTypeOfOid(oid: number, typmod = -1): LogicalType {
  switch (oid) {
    case OID.bool:
      return { kind: 'boolean' };
    case OID.int2:
    case OID.int4:
      return { kind: 'int' };
    case OID.int8:
    case OID.oid:
      return { kind: 'bigint' };
    case OID.numeric:
      return numericOfTypmod(typmod);
    case OID.float4:
    case OID.float8:
      return { kind: 'float' };
    case OID.date:
      return { kind: 'date' };
    case OID.time:
      return { kind: 'time' };
    case OID.timestamp:
      return { kind: 'timestamp' };
    case OID.timestamptz:
      return { kind: 'timestamptz' };
    case OID.json:
    case OID.jsonb:
      return { kind: 'json' };
    case OID.bytea:
      return { kind: 'bytes' };
    case OID.uuid:
      return { kind: 'uuid' };
    default:
      return { kind: 'text' };
  }
}

const NAMES: Record<string, LogicalType['kind']> = {
  smallint: 'int',
  int2: 'int',
  integer: 'int',
  int: 'int',
  int4: 'int',
  smallserial: 'int',
  serial: 'int',
  serial4: 'int',
  serial2: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  bigserial: 'bigint',
  serial8: 'bigint',
  oid: 'bigint',
  real: 'float',
  float4: 'float',
  'double precision': 'float',
  float8: 'float',
  float: 'float',
  boolean: 'boolean',
  bool: 'boolean',
  text: 'text',
  'character varying': 'text',
  varchar: 'text',
  character: 'text',
  char: 'text',
  bpchar: 'text',
  '"char"': 'text',
  name: 'text',
  citext: 'text',
  date: 'date',
  time: 'time',
  'time without time zone': 'time',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytes',
  uuid: 'uuid',
};

/**
 * The logical type of a PostgreSQL type as written or as format_type prints it. Unknown
 * names (enums, domains not resolved, arrays ...) are text.
 */
export function logicalTypeOfNative(native: string): LogicalType {
  const t = native.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t.endsWith('[]')) return { kind: 'text' };
  // numeric(p,s) / decimal(p,s)
  const num = /^(?:numeric|decimal)\s*(?:\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\))?$/.exec(t);
  if (num) {
    if (num[1] === undefined) return { kind: 'decimal' };
    const precision = Number(num[1]);
    const scale = num[2] === undefined ? 0 : Number(num[2]);
    if (precision < 1 || precision > 1000 || scale < 0 || scale > precision) return { kind: 'decimal' };
    return { kind: 'decimal', precision, scale };
  }
  // Drop length / precision modifiers: varchar(20), timestamp(3) with time zone, time(6).
  const base = t.replace(/\s*\(\s*\d+\s*\)/, '').trim();
  const kind = NAMES[base];
  return kind ? { kind } : { kind: 'text' };
}

/** What Sluice declares for a logical type in CREATE TABLE. */
export function nativeTypeOf(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'decimal':
      return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'float':
      return 'double precision';
    case 'text':
      return 'text';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamptz':
      return 'timestamptz';
    case 'json':
      return 'json';
    case 'bytes':
      return 'bytea';
    case 'uuid':
      return 'uuid';
  }
}
