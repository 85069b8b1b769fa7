import { createHash } from 'node:crypto';
import { Decimal } from '../model/decimal';
import { formatType } from '../model/types';
import { floatToInt, textTo } from './cast';
import { CastError } from './errors';
import { parseFormat, parseWithFormat } from './functions/date';
import { roundFloat } from './functions/number';
import { lpadImpl, rpadImpl, splitPartImpl } from './functions/string';
import { parseTypeName } from './parser';
import { like, regExp, toCount } from './runtime';
import { lowerText, reverseCodePoints, upperText } from './text';

/**
 * The Sluice function pack for SQLite: what rendered SQL needs where SQLite has no exact
 * built-in (Unicode case mapping, REGEXP, validated casts, rounding floats by their digits).
 * Sluice's SQLite connector registers it on every connection it opens; SQL rendered for
 * SQLite does not run on a connection without it.
 */

/** The subset of better-sqlite3's Database this needs (kept structural: no import here). */
export interface SqliteFunctionHost {
  function(name: string, options: { deterministic?: boolean; varargs?: boolean; safeIntegers?: boolean }, fn: (...args: never[]) => unknown): unknown;
}

type SqlValue = null | number | bigint | string | Uint8Array;

function num(v: SqlValue): number {
  return typeof v === 'bigint' ? toCount(v) : Number(v);
}

function str(v: SqlValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/**
 * A Sluice value as SQLite stores it: booleans 0/1, decimals as REAL. Integers go back as
 * bigint: better-sqlite3 turns every JS number into a REAL (42 would print as 42.0).
 */
function out(v: unknown, integer = false): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (integer && typeof v === 'number') return BigInt(v);
  if (v instanceof Decimal) return v.toNumber();
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || v instanceof Uint8Array) return v;
  return String(v);
}

function castWith(spec: string, x: SqlValue, tryCast: boolean): SqlValue {
  const t = parseTypeName(spec);
  if (!t) throw new Error(`sluice_cast: unknown type ${spec}`);
  try {
    return out(textTo(str(x), t), t.kind === 'int' || t.kind === 'bigint');
  } catch (e) {
    if (e instanceof CastError) {
      if (tryCast) return null;
      throw new Error(`CAST to ${formatType(t)}: ${e.message}`);
    }
    throw e;
  }
}

function floatToIntWith(x: number, kind: string, tryCast: boolean): SqlValue {
  try {
    return BigInt(floatToInt(x, kind === 'int' ? 'int' : 'bigint'));
  } catch (e) {
    if (e instanceof CastError) {
      if (tryCast) return null;
      throw new Error(`CAST to ${kind}: ${e.message}`);
    }
    throw e;
  }
}

const strict =
  <A extends SqlValue[]>(fn: (...a: A) => SqlValue) =>
  (...a: A): SqlValue =>
    a.some((x) => x === null) ? null : fn(...a);

const FUNCTIONS: Record<string, (...a: SqlValue[]) => SqlValue> = {
  sluice_lower: strict((s) => lowerText(str(s))),
  sluice_upper: strict((s) => upperText(str(s))),
  sluice_reverse: strict((s) => reverseCodePoints(str(s))),
  sluice_lpad: strict((s, n, f) => lpadImpl(str(s), num(n), str(f))),
  sluice_rpad: strict((s, n, f) => rpadImpl(str(s), num(n), str(f))),
  sluice_split_part: strict((s, d, n) => splitPartImpl(str(s), str(d), num(n))),
  // SQLite turns `x REGEXP p` into regexp(p, x).
  regexp: strict((p, s) => (regExp(str(p)).test(str(s)) ? 1n : 0n)),
  sluice_like: strict((s, p, e) => (like(str(s), str(p), str(e)) ? 1n : 0n)),
  sluice_error: (m) => {
    throw new Error(`sluice: ${str(m ?? 'error')}`);
  },
  sluice_cast: (x, spec) => (x === null ? null : castWith(str(spec), x, false)),
  sluice_try_cast: (x, spec) => (x === null ? null : castWith(str(spec), x, true)),
  sluice_float_to_int: (x, kind) => (x === null ? null : floatToIntWith(Number(x), str(kind), false)),
  sluice_try_float_to_int: (x, kind) => (x === null ? null : floatToIntWith(Number(x), str(kind), true)),
  sluice_round: strict((x, d) => roundFloat(Number(x), num(d), false)),
  sluice_trunc: strict((x, d) => roundFloat(Number(x), num(d), true)),
  sluice_to_date: strict((x, f) => parseWithFormat(str(x), parseFormat(str(f)) as never, str(f), false)),
  sluice_to_timestamp: strict((x, f) => parseWithFormat(str(x), parseFormat(str(f)) as never, str(f), true)),
  sluice_md5: strict((s) => createHash('md5').update(str(s), 'utf8').digest('hex')),
  sluice_sha256: strict((s) => createHash('sha256').update(str(s), 'utf8').digest('hex')),
};

const ARITY: Record<string, number> = {
  sluice_lpad: 3,
  sluice_rpad: 3,
  sluice_split_part: 3,
  regexp: 2,
  sluice_like: 3,
  sluice_cast: 2,
  sluice_try_cast: 2,
  sluice_round: 2,
  sluice_float_to_int: 2,
  sluice_try_float_to_int: 2,
  sluice_trunc: 2,
  sluice_to_date: 2,
  sluice_to_timestamp: 2,
};

export const SQLITE_FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

/** Registers the function pack on a better-sqlite3 connection. */
export function registerSqliteFunctions(db: SqliteFunctionHost): void {
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    const arity = ARITY[name] ?? 1;
    // better-sqlite3 takes the arity from fn.length: give each a wrapper of the right length.
    const wrapped =
      arity === 1
        ? (a: SqlValue) => fn(a)
        : arity === 2
          ? (a: SqlValue, b: SqlValue) => fn(a, b)
          : (a: SqlValue, b: SqlValue, c: SqlValue) => fn(a, b, c);
    db.function(name, { deterministic: name !== 'sluice_error' }, wrapped as (...args: never[]) => unknown);
  }
}
