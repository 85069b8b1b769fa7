/**
 * Sluice's one logical type set. Every connector maps its native types to these and back
 * (see connectors/<name>/typemap.ts); expressions are type-checked against them.
 */
export const TYPE_KINDS = [
  'boolean',
  'int',
  'bigint',
  'decimal',
  'float',
  'text',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'json',
  'bytes',
  'uuid',
] as const;

export type TypeKind = (typeof TYPE_KINDS)[number];

export interface LogicalType {
  kind: TypeKind;
  /** decimal only: total digits (1..1000). Absent = unconstrained numeric. */
  precision?: number;
  /** decimal only: digits after the point. */
  scale?: number;
}

export const T = {
  boolean: { kind: 'boolean' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  float: { kind: 'float' },
  text: { kind: 'text' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  json: { kind: 'json' },
  bytes: { kind: 'bytes' },
  uuid: { kind: 'uuid' },
  decimal: (precision?: number, scale?: number): LogicalType =>
    precision === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision, scale: scale ?? 0 },
} as const satisfies Record<string, LogicalType | ((...a: never[]) => LogicalType)>;

const ALIASES: Record<string, TypeKind> = {
  bool: 'boolean',
  boolean: 'boolean',
  int: 'int',
  integer: 'int',
  int4: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  long: 'bigint',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  float8: 'float',
  text: 'text',
  string: 'text',
  varchar: 'text',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  datetime: 'timestamp',
  timestamptz: 'timestamptz',
  json: 'json',
  bytes: 'bytes',
  blob: 'bytes',
  uuid: 'uuid',
};

/** Parses `int`, `decimal(12,2)`, `numeric`, `varchar` ... into a logical type; undefined if unknown. */
export function parseType(text: string): LogicalType | undefined {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9 ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/.exec(text);
  if (!m) return undefined;
  const name = m[1].toLowerCase().replace(/\s+/g, ' ');
  const kind = name === 'double precision' ? 'float' : name === 'timestamp with time zone' ? 'timestamptz' : ALIASES[name];
  if (!kind) return undefined;
  if (kind === 'decimal') {
    if (m[2] === undefined) return { kind };
    const precision = Number(m[2]);
    const scale = m[3] === undefined ? 0 : Number(m[3]);
    if (precision < 1 || precision > 1000 || scale > precision) return undefined;
    return { kind, precision, scale };
  }
  // varchar(20) and the like: the length is a constraint of the target, not of the logical type.
  if (m[2] !== undefined && kind !== 'text') return undefined;
  return { kind };
}

export function formatType(t: LogicalType): string {
  if (t.kind === 'decimal' && t.precision !== undefined) return `decimal(${t.precision},${t.scale ?? 0})`;
  return t.kind;
}

export function sameType(a: LogicalType, b: LogicalType): boolean {
  return a.kind === b.kind && a.precision === b.precision && (a.scale ?? 0) === (b.scale ?? 0);
}

export function isNumericKind(k: TypeKind): boolean {
  return k === 'int' || k === 'bigint' || k === 'decimal' || k === 'float';
}

export function isTemporalKind(k: TypeKind): boolean {
  return k === 'date' || k === 'time' || k === 'timestamp' || k === 'timestamptz';
}
