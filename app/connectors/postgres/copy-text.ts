import { Decimal } from '../../model/decimal';
import type { LogicalType } from '../../model/types';
import { normalizeInt, type Row, type Value } from '../../model/values';
import { decimalConverter, toTimestamptz } from '../files/convert';

/**
 * COPY's text format, both ways (https://www.postgresql.org/docs/current/sql-copy.html):
 * one line per row, fields separated by a tab, NULL as \N, and backslash escapes for
 * backslash, tab, newline and carriage return inside values (PostgreSQL also writes \b,
 * \f, \v). The session settings the connector fixes (DateStyle ISO, TimeZone UTC,
 * bytea_output hex, extra_float_digits 1) make every value's text predictable, so the
 * decoder can mostly pass text through: dates and timestamps are already Sluice's
 * canonical form once their fraction is completed to six digits (PostgreSQL drops trailing
 * zeros), and a timestamptz only lacks ':00' after '+00'.
 *
 * Both directions work on whole chunks: the encoder builds one string per batch of rows
 * (a single Buffer write per batch), the decoder splits a decoded chunk with indexOf and
 * only unescapes fields that contain a backslash.
 */

// ---- encoding ------------------------------------------------------------------------------

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function escapeCopyText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPES, (c) => ESCAPED[c]) : s;
}

export type CopyEncoder = (v: Value) => string;

function bytea(v: Uint8Array): string {
  // bytea's hex input form '\x0a0b', with the backslash itself escaped for COPY.
  return '\\\\x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}

function encodeGeneric(v: Value, booleanText: readonly [string, string]): string {
  if (v === null) return '\\N';
  switch (typeof v) {
    case 'string':
      return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPES, (c) => ESCAPED[c]) : v;
    case 'number':
      // String() gives NaN, Infinity, -Infinity and exponent forms that float8 and
      // numeric accept; -0 needs saying (String(-0) is '0').
      return v === 0 && 1 / v < 0 ? '-0' : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? booleanText[0] : booleanText[1];
    default:
      return v instanceof Decimal ? v.toString() : bytea(v);
  }
}

const BOOL_WORDS = ['t', 'f'] as const;
const BOOL_DIGITS = ['1', '0'] as const;
const BOOL_TEXT = ['true', 'false'] as const;

/** The encoder for a target column of logical type t (booleans are written as that column reads them). */
export function copyEncoder(t: LogicalType): CopyEncoder {
  switch (t.kind) {
    case 'int':
    case 'bigint':
    case 'decimal':
    case 'float':
      return (v) => encodeGeneric(v, BOOL_DIGITS);
    case 'text':
    case 'json':
      return (v) => encodeGeneric(v, BOOL_TEXT);
    default:
      return (v) => encodeGeneric(v, BOOL_WORDS);
  }
}

/** Rows -> COPY text, one string for the whole batch. */
export function encodeCopyRows(rows: readonly Row[], from: number, to: number, enc: readonly CopyEncoder[]): string {
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

// ---- decoding ------------------------------------------------------------------------------

/** Field text -> value; undefined when the text is not a value Sluice can hold. */
export type FieldDecoder = (text: string) => Value | undefined;

export type InfinityPolicy = 'error' | 'null' | 'clamp';

/** Zeros that complete a fraction to six digits, by how many are missing. */
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];

function unescapeCopy(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('\\'); i >= 0 && i < s.length; i = s.indexOf('\\', last)) {
    out += s.slice(last, i);
    const c = s[i + 1];
    let rep: string;
    let len = 2;
    switch (c) {
      case 'n':
        rep = '\n';
        break;
      case 't':
        rep = '\t';
        break;
      case 'r':
        rep = '\r';
        break;
      case 'b':
        rep = '\b';
        break;
      case 'f':
        rep = '\f';
        break;
      case 'v':
        rep = '\v';
        break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2, i + 4));
        rep = m ? String.fromCharCode(parseInt(m[0], 16)) : 'x';
        len = 2 + (m ? m[0].length : 0);
        break;
      }
      default:
        if (c !== undefined && c >= '0' && c <= '7') {
          const m = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))!;
          rep = String.fromCharCode(parseInt(m[0], 8));
          len = 1 + m[0].length;
        } else rep = c ?? '';
    }
    out += rep;
    last = i + len;
  }
  return out + s.slice(last);
}

function special(policy: InfinityPolicy, low: string, high: string): (s: string) => Value | undefined {
  return (s) => {
    if (policy === 'error') return undefined;
    if (policy === 'null') return null;
    return s.startsWith('-') || s.endsWith(' BC') ? low : high;
  };
}

/** The decoder for a column read as logical type t. */
export function fieldDecoder(t: LogicalType, policy: InfinityPolicy): FieldDecoder {
  switch (t.kind) {
    case 'text':
    case 'json':
    case 'uuid':
      return (s) => s;
    case 'boolean':
      return (s) => (s === 't' ? true : s === 'f' ? false : undefined);
    case 'int':
      return (s) => {
        const n = +s;
        return Number.isInteger(n) ? n : undefined;
      };
    case 'bigint':
      return (s) => {
        if (s.length < 16) {
          const n = +s;
          return Number.isInteger(n) ? n : undefined;
        }
        try {
          return normalizeInt(BigInt(s));
        } catch {
          return undefined;
        }
      };
    case 'float':
      return (s) => {
        const n = +s;
        return Number.isNaN(n) && s !== 'NaN' ? undefined : n;
      };
    case 'decimal': {
      const conv = decimalConverter(t);
      return (s) => (s === 'NaN' || s.endsWith('Infinity') ? undefined : conv(s));
    }
    case 'date': {
      const odd = special(policy, '0001-01-01', '9999-12-31');
      return (s) => (s.length === 10 && s.charCodeAt(4) === 45 ? s : odd(s));
    }
    case 'time':
      // PostgreSQL drops trailing zeros of the fraction; Sluice keeps six digits.
      return (s) => (s.length === 8 || s.length === 15 ? s : s.length > 9 && s.length < 15 && s.charCodeAt(8) === 46 ? s + ZEROS[15 - s.length] : undefined);
    case 'timestamp': {
      const odd = special(policy, '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999');
      return (s) => {
        const n = s.length;
        if (s.charCodeAt(4) !== 45 || s.charCodeAt(n - 1) === 67) return odd(s);
        if (n === 19 || n === 26) return s;
        return n > 20 && n < 26 && s.charCodeAt(19) === 46 ? s + ZEROS[26 - n] : undefined;
      };
    }
    case 'timestamptz': {
      const odd = special(policy, '0001-01-01 00:00:00+00:00', '9999-12-31 23:59:59.999999+00:00');
      return (s) => {
        const n = s.length;
        if (n >= 22 && s.charCodeAt(4) === 45) {
          // '+00' at the end: the session is UTC, which is all Sluice needs.
          if (s.charCodeAt(n - 3) === 43 && s.charCodeAt(n - 2) === 48 && s.charCodeAt(n - 1) === 48) {
            if (n === 22 || n === 29) return s + ':00';
            if (n > 23 && n < 29 && s.charCodeAt(19) === 46) return s.slice(0, n - 3) + ZEROS[29 - n] + '+00:00';
            return undefined;
          }
          if (s.charCodeAt(n - 1) !== 67) return toTimestamptz(s);
        }
        return odd(s);
      };
    }
    case 'bytes':
      return (s) => {
        if (s.charCodeAt(0) !== 92 || s.charCodeAt(1) !== 120) return undefined;
        const b = Buffer.from(s.slice(2), 'hex');
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      };
  }
}

export interface BadField {
  /** 1-based record number of the stream. */
  record: number;
  column: number;
  /** The field's text (unescaped). */
  text: string;
  /** The whole line, for reports. */
  line: string;
}

/**
 * Splits COPY text chunks into rows of values. Chunks may end anywhere: the bytes after
 * the last newline wait for the next chunk (a newline byte never occurs inside a UTF-8
 * multi-byte sequence, so cutting there never splits a character).
 */
export class CopyTextDecoder {
  private tail: Buffer | undefined;
  private record = 0;

  constructor(
    private readonly decoders: readonly FieldDecoder[],
    /** A field that does not decode: return true to skip the row and go on, false to stop. */
    private readonly onBad: (bad: BadField) => boolean,
  ) {}

  /** Decodes the complete lines of a chunk into out; false when onBad asked to stop. */
  push(chunk: Buffer, out: Row[]): boolean {
    let buf = chunk;
    if (this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = undefined;
    }
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      this.tail = buf;
      return true;
    }
    if (last < buf.length - 1) this.tail = Buffer.from(buf.subarray(last + 1));
    return this.lines(buf.toString('utf8', 0, last + 1), out);
  }

  /** True when bytes of an unfinished line remain (the stream ended mid-row). */
  get pending(): boolean {
    return this.tail !== undefined && this.tail.length > 0;
  }

  private lines(text: string, out: Row[]): boolean {
    const dec = this.decoders;
    const width = dec.length;
    const n = text.length;
    let pos = 0;
    let bs = text.indexOf('\\');
    if (bs < 0) bs = n;
    while (pos < n) {
      const start = pos;
      this.record++;
      if (width === 0) {
        pos = text.indexOf('\n', pos) + 1;
        out.push([]);
        continue;
      }
      const row: Value[] = new Array<Value>(width);
      let badAt = -1;
      let badText = '';
      for (let i = 0; i < width; i++) {
        let end = text.indexOf(i === width - 1 ? '\n' : '\t', pos);
        if (end < 0) end = n;
        let v: Value | undefined;
        let field: string;
        if (bs < end) {
          if (end - pos === 2 && text.charCodeAt(pos + 1) === 78) {
            field = '';
            v = null;
          } else {
            field = unescapeCopy(text.slice(pos, end));
            v = dec[i](field);
          }
          bs = text.indexOf('\\', end);
          if (bs < 0) bs = n;
        } else {
          field = text.slice(pos, end);
          v = dec[i](field);
        }
        if (v === undefined && badAt < 0) {
          badAt = i;
          badText = field;
        }
        row[i] = v as Value;
        pos = end + 1;
      }
      if (badAt < 0) out.push(row);
      else {
        const line = text.slice(start, pos - 1);
        if (!this.onBad({ record: this.record, column: badAt, text: badText, line })) return false;
      }
    }
    return true;
  }
}
