import { Decimal } from '../../model/decimal';
import type { LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { decimalConverter, toBigint, toTime, toTimestamp, toTimestamptz, toUuid } from '../files/convert';

/**
 * Values between Sluice and MySQL / MariaDB, three ways:
 *  - LOAD DATA's text format (FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED
 *    BY '\n'): NULL is \N; backslash, tab, newline, carriage return and NUL are escaped.
 *    Bytes travel as hex and are turned back by `SET col = UNHEX(@var)`, so the file is
 *    plain UTF-8 whatever the bytes are;
 *  - SQL literals, for multi-row INSERTs and for query parameters (mysql2's own `?`
 *    substitution does not know about quotes);
 *  - what mysql2 hands back (configured with dateStrings, supportBigNumbers +
 *    bigNumberStrings and jsonStrings: BIGINT and DECIMAL as exact text, temporal values as
 *    the server's text, binary columns as Buffers) -> Sluice values.
 * Sessions use time_zone '+00:00', so timestamptz values travel as UTC wall-clock text
 * without their '+00:00' suffix (MariaDB does not accept offsets in datetime literals).
 */

export class UnstorableValue extends Error {}

/** NaN and ±Infinity: MySQL's DOUBLE has no such values. */
function finite(v: number): string {
  if (!Number.isFinite(v)) throw new UnstorableValue(`${v} cannot be stored in MySQL / MariaDB (no NaN or Infinity in DOUBLE or DECIMAL)`);
  return String(v);
}

/** '…+00:00' (or another offset) -> the UTC wall-clock text a DATETIME / TIMESTAMP takes. */
function utcWallClock(s: string): string {
  const n = s.length;
  if (n >= 25 && s.endsWith('+00:00')) return s.slice(0, -6);
  // A timestamp without a zone (the common case for timestamp columns) goes as it is.
  if (n <= 26 && s.lastIndexOf('-') < 8 && s.indexOf('+') < 0 && s.indexOf('Z') < 0 && s.indexOf('z') < 0) return s;
  const z = toTimestamptz(s);
  return typeof z === 'string' ? z.slice(0, -6) : s;
}

// ---- LOAD DATA text -------------------------------------------------------------------------

const INFILE_ESCAPE = /[\\\t\n\r\0]/;
const INFILE_ESCAPES = /[\\\t\n\r\0]/g;
const INFILE_ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

function infileText(s: string): string {
  return INFILE_ESCAPE.test(s) ? s.replace(INFILE_ESCAPES, (c) => INFILE_ESCAPED[c]) : s;
}

export type InfileEncoder = (v: Value) => string;

function hex(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}

/** The LOAD DATA field encoder for a target column of logical type t (bytes: hex for UNHEX). */
export function infileEncoder(t: LogicalType): InfileEncoder {
  const boolText = t.kind === 'text' || t.kind === 'json' ? ['true', 'false'] : ['1', '0'];
  const temporal = t.kind === 'timestamp' || t.kind === 'timestamptz';
  if (t.kind === 'bytes') {
    return (v) => (v === null ? '\\N' : v instanceof Uint8Array ? hex(v) : Buffer.from(String(v instanceof Decimal ? v.toString() : v), 'utf8').toString('hex'));
  }
  return (v) => {
    if (v === null) return '\\N';
    switch (typeof v) {
      case 'string':
        return infileText(temporal ? utcWallClock(v) : v);
      case 'number':
        return finite(v);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? boolText[0] : boolText[1];
      default:
        return v instanceof Decimal ? v.toString() : infileText(Buffer.from(v).toString('utf8'));
    }
  };
}

export function encodeInfileRows(rows: readonly Row[], from: number, to: number, enc: readonly InfileEncoder[]): string {
  const n = enc.length;
  let out = '';
  for (let r = from; r < to; r++) {
    const row = rows[r];
    let line = n > 0 ? enc[0](row[0]) : '';
    for (let i = 1; i < n; i++) line += '\t' + enc[i](row[i]);
    out += line + '\n';
  }
  return out;
}

// ---- SQL literals -----------------------------------------------------------------------------

const LITERAL_ESCAPE = /[\0\b\t\n\r\x1a"'\\]/g;
const LITERAL_ESCAPED: Record<string, string> = { '\0': '\\0', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z', '"': '\\"', "'": "\\'", '\\': '\\\\' };

export function stringLiteral(s: string): string {
  return "'" + s.replace(LITERAL_ESCAPE, (c) => LITERAL_ESCAPED[c]) + "'";
}

/** A value as a SQL literal (query parameters: no target type known). */
export function sqlLiteral(v: Value): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'string':
      return stringLiteral(v);
    case 'number':
      return finite(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    default:
      return v instanceof Decimal ? v.toString() : `X'${hex(v)}'`;
  }
}

/** A value as a SQL literal for a column of logical type t (multi-row INSERTs). */
export function literalEncoder(t: LogicalType): (v: Value) => string {
  if (t.kind === 'timestamp' || t.kind === 'timestamptz') return (v) => (typeof v === 'string' ? stringLiteral(utcWallClock(v)) : sqlLiteral(v));
  if (t.kind === 'text' || t.kind === 'json') return (v) => (typeof v === 'boolean' ? (v ? "'true'" : "'false'") : sqlLiteral(v));
  if (t.kind === 'bytes') return (v) => (typeof v === 'string' ? `X'${Buffer.from(v, 'utf8').toString('hex')}'` : sqlLiteral(v));
  return sqlLiteral;
}

// ---- reading ----------------------------------------------------------------------------------

/** What mysql2 returns for a field with the connector's settings. */
export type WireValue = null | number | string | Buffer;
export type WireDecoder = (v: WireValue) => Value | undefined;

function asText(v: WireValue): string {
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

function zero(policy: 'null' | 'error'): Value | undefined {
  return policy === 'null' ? null : undefined;
}

export interface DecodeContext {
  zeroDates: 'null' | 'error';
  /** A `sluice:decimal` column (DECIMAL(65,30) holding unconstrained decimals): drop trailing zeros. */
  normalizeDecimal?: boolean;
}

export function wireDecoder(t: LogicalType, ctx: DecodeContext): WireDecoder {
  switch (t.kind) {
    case 'boolean':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'number') return v !== 0;
        if (Buffer.isBuffer(v)) return v.some((b) => b !== 0);
        return v === '1' ? true : v === '0' ? false : undefined;
      };
    case 'int':
      return (v) => (v === null ? null : typeof v === 'number' ? v : Number.isInteger(Number(v)) ? Number(v) : undefined);
    case 'bigint':
      return (v) => (v === null ? null : typeof v === 'number' ? v : toBigint(asText(v)));
    case 'float':
      return (v) => (v === null ? null : typeof v === 'number' ? v : Number.isNaN(Number(v)) ? undefined : Number(v));
    case 'decimal': {
      const conv = decimalConverter(t);
      if (ctx.normalizeDecimal) {
        return (v) => {
          if (v === null) return null;
          const d = conv(asText(v));
          return d instanceof Decimal ? d.normalize() : d;
        };
      }
      return (v) => (v === null ? null : conv(asText(v)));
    }
    case 'text':
    case 'json':
      return (v) => (v === null ? null : asText(v));
    case 'uuid':
      return (v) => (v === null ? null : toUuid(asText(v)));
    case 'bytes':
      return (v) => {
        if (v === null) return null;
        const b = Buffer.isBuffer(v) ? v : Buffer.from(asText(v), 'utf8');
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      };
    case 'date':
      return (v) => {
        if (v === null) return null;
        const s = asText(v);
        if (s.startsWith('0000-') || s.includes('-00')) return zero(ctx.zeroDates);
        return s.length === 10 ? s : undefined;
      };
    case 'time':
      return (v) => {
        if (v === null) return null;
        const s = asText(v);
        // The server's own forms first: 'HH:MM:SS' and 'HH:MM:SS.ffffff' within a day.
        if ((s.length === 8 || s.length === 15) && s.charCodeAt(2) === 58 && s < '24') return s.length === 15 && s.endsWith('.000000') ? s.slice(0, 8) : s;
        return toTime(s);
      };
    case 'timestamp':
    case 'timestamptz': {
      const suffix = t.kind === 'timestamptz' ? '+00:00' : '';
      return (v) => {
        if (v === null) return null;
        const s = asText(v);
        if (s.startsWith('0000-') || s.slice(0, 10).includes('-00')) return zero(ctx.zeroDates);
        // The server prints 'YYYY-MM-DD HH:MM:SS[.ffffff]' (six digits for DATETIME(6)),
        // which is Sluice's form once a zero fraction is dropped.
        if (s.charCodeAt(4) === 45 && s.charCodeAt(10) === 32) {
          if (s.length === 19) return s + suffix;
          if (s.length === 26 && s.charCodeAt(19) === 46) return (s.endsWith('.000000') ? s.slice(0, 19) : s) + suffix;
        }
        const ts = toTimestamp(s);
        return typeof ts === 'string' ? ts + suffix : undefined;
      };
    }
  }
}
