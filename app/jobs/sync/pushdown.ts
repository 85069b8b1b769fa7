import type { Column } from '../../model/schema';
import { quoteIdent } from '../../model/sql';
import { qualified } from './sql';
import type { TableSide } from './tables';

/**
 * Full diff with the row hashes computed inside PostgreSQL, when both sides are PostgreSQL
 * tables whose synced columns have the same native types and the key is one integer
 * column. Equal values hash equal on both servers (each term below agrees with its type's
 * equality), so only (key, hash) pairs travel, as binary COPY decoded into typed arrays
 * (pg-diff.ts); the rows of the changes are fetched by key afterwards and compared
 * canonically (canonical.ts) before anything is queued, so a hash that differs for equal
 * data (another server version or byte order) costs time, never a wrong change.
 *
 * The row hash is 64 bits: the XOR of one seeded 64-bit hash per column (the seed is the
 * column's position, so a value moving to another column changes the hash; NULL is a
 * constant of its own per column). PostgreSQL's own hash functions are not all usable as
 * they are: hashint8extended folds the two halves of a bigint into 32 bits (1 and 2^32
 * hash alike), which timestamp_hash_extended and time_hash_extended inherit, and
 * hash_numeric_extended ignores the sign (1.5 and -1.5 hash alike). Each term is built so
 * that different values of its type give different hash inputs (the reasoning is beside
 * each); then two rows that differ go unnoticed only if their 64-bit hashes collide: about
 * 2^-64 per changed row, against 2^-128 for md5 — for a billion changed rows a year, one
 * miss in some 10^10 years.
 *
 * Only types whose PostgreSQL equality is Sluice's equality take part: a column of any
 * other type (json, interval, arrays, a nondeterministic collation…) keeps the ordinary
 * path, as does a key that is not one integer column.
 */

/** Per native type: a 64-bit hash of column `c` seeded with `seed` (an int8), or undefined when the type cannot take part. */
export function hashTerm(typname: string, c: string, seed: bigint): string | undefined {
  const s = int8(seed);
  // A second seed for types hashed in two parts.
  const s2 = int8(mix64(seed));
  switch (typname) {
    case 'int2':
    case 'int4':
      // 32-bit input: no folding.
      return `hashint4extended(${c}::int4, ${s})`;
    case 'int8':
      // The fold keeps lo ^ hi; the seed gets hi, so (lo ^ hi, hi) — the whole value — goes in.
      return `hashint8extended(${c}, ${s} # (${c} >> 32))`;
    case 'numeric':
      // The sign picks the seed (hash_numeric_extended hashes digits and weight only).
      // NaN and Infinity hash alike, but Sluice cannot read either (copy-text.ts fails the row).
      return `hash_numeric_extended(${c}, CASE WHEN ${c} < 0 THEN ${s2} ELSE ${s} END)`;
    case 'float4':
    case 'float8':
      // All 8 bytes of the float8 (float4 widens exactly); -0 = 0 and NaNs are one, as in Sluice.
      return `hashfloat8extended(${c}::float8, ${s})`;
    case 'text':
    case 'varchar':
      return `hashtextextended(${c}::text, ${s})`;
    case 'bpchar':
      return `hashbpcharextended(${c}, ${s})`;
    case 'bool':
      return `CASE WHEN ${c} THEN ${s} WHEN NOT ${c} THEN ${s2} END`;
    case 'date':
      // Days since 2000 (int4) for finite dates; the two infinities are constants of their own.
      return `CASE WHEN isfinite(${c}) THEN hashint4extended(${c} - DATE '2000-01-01', ${s}) WHEN ${c} > DATE '2000-01-01' THEN ${int8(mix64(seed ^ 1n))} ELSE ${int8(mix64(seed ^ 2n))} END`;
    case 'time':
      // Seconds since midnight as a float8: exact to the microsecond (below 2^37 µs).
      return `hashfloat8extended(date_part('epoch', ${c}), ${s})`;
    case 'timestamp':
    case 'timestamptz':
      return timestampTerm(typname === 'timestamptz' ? `(${c} AT TIME ZONE 'UTC')` : c, s, s2);
    case 'uuid':
      return `uuid_hash_extended(${c}, ${s})`;
    case 'bytea':
      return `hashtextextended(encode(${c}, 'hex'), ${s})`;
    default:
      return undefined;
  }
}

/**
 * A timestamp is microseconds in an int8, which timestamp_hash_extended folds to lo ^ hi;
 * its epoch as a float8 is hashed too, and the two inputs together tell any two timestamps
 * apart. The float8 epoch differs for timestamps more than 4 ms apart (its precision is
 * 2 ms or better up to 294276 AD, the last timestamp). Two closer ones have the same hi
 * word — then a different lo, so a different fold — or adjacent ones, straddling a
 * multiple of 2^32 µs; their folds are then equal only if lo ^ lo' (which has bits 12-31
 * set) equals hi ^ (hi + 1), which needs hi = 2^31 - 1: past the last timestamp.
 * Infinity hashes as an infinite float, no error. timestamptz is taken in UTC, so the
 * session's time zone plays no part.
 */
function timestampTerm(c: string, s: string, s2: string): string {
  return `(timestamp_hash_extended(${c}, ${s}) # hashfloat8extended(date_part('epoch', ${c}), ${s2}))`;
}

/** An int8 constant as SQL (a quoted literal: -2^63 has no unquoted form). */
function int8(x: bigint): string {
  return `'${x}'::int8`;
}

/** splitmix64's finaliser: well-spread int8 constants (seeds, NULL markers) from small numbers. */
export function mix64(x: bigint): bigint {
  let z = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return BigInt.asIntN(64, z ^ (z >> 31n));
}

export interface NativeColumn {
  name: string;
  /** format_type(): the type with its modifiers, e.g. numeric(10,2). */
  type: string;
  typname: string;
  /** False for a column with a nondeterministic collation (equal text that differs in bytes). */
  deterministic: boolean;
}

/**
 * The hash query of one side (its column terms built once), or why the columns cannot be
 * hashed in the database. Run it without parallel workers (HASH_SETTINGS).
 */
export function hashQuery(side: TableSide, columns: readonly Column[], key: Column, native: ReadonlyMap<string, NativeColumn>): { sql: string } | { reason: string } {
  const terms: string[] = [];
  for (const [i, col] of columns.entries()) {
    // The key is not hashed: the merge compares rows of equal keys only.
    if (col.name === key.name) continue;
    const n = native.get(col.name);
    if (!n) return { reason: `column ${col.name} not found in ${side.label}` };
    if (!n.deterministic) return { reason: `column ${col.name} has a nondeterministic collation` };
    const q = quoteIdent(col.name, 'postgres');
    const seed = mix64(BigInt(2 * i + 1));
    const term = hashTerm(n.typname, q, seed);
    if (!term) return { reason: `column ${col.name} is of type ${n.type}` };
    // NULL gets a constant of its own per column, so NULL and a value whose hash is 0 differ.
    terms.push(`coalesce(${term}, ${int8(mix64(BigInt(2 * i + 2)))})`);
  }
  const k = quoteIdent(key.name, 'postgres');
  // A table of the key alone: every row hashes alike (a constant), only keys can differ.
  const hash = terms.length > 0 ? terms.join(' # ') : int8(mix64(0n));
  const from = qualified(side.table, 'postgres');
  return {
    sql: `SELECT ${k}, ${hash} FROM ${from} ORDER BY ${k}`,
  };
}

/**
 * For the hash queries' sessions. With its many function calls the query looks costly
 * enough to the planner that it picks a parallel scan and a sort over the key index; but
 * the two sides run at once, each already on a core of its own, and the workers only add
 * a merge of their rows (measured on 1M rows: more CPU for the same time). Without them
 * the key index is read in order. No JIT either: it does not make the hashing faster
 * (measured: the same CPU time), and a fresh session pays ~25 ms to load it.
 */
export const HASH_SETTINGS: Readonly<Record<string, string>> = { max_parallel_workers_per_gather: '0', jit: 'off' };

const NATIVE_SQL = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, coalesce(c.collisdeterministic, true)
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation c ON c.oid = a.attcollation
  WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped`;

/** The native types of a PostgreSQL table's columns (empty when the table is not found). */
export async function nativeColumns(side: TableSide): Promise<Map<string, NativeColumn>> {
  const out = new Map<string, NativeColumn>();
  const stream = await side.conn.read({ query: NATIVE_SQL, params: [qualified(side.table, 'postgres')] });
  for await (const rows of stream.batches) {
    for (const r of rows) out.set(String(r[0]), { name: String(r[0]), type: String(r[1]), typname: String(r[2]), deterministic: r[3] === true });
  }
  return out;
}

/**
 * The two sides' hash queries when the diff can run on hashes computed in PostgreSQL, or
 * the reason it cannot (for the run's log).
 */
export async function pushdownPlan(
  source: TableSide,
  target: TableSide,
  input: readonly Column[],
  output: readonly Column[],
  key: readonly string[],
): Promise<PushdownPlan | { reason: string }> {
  if (source.dialect !== 'postgres' || target.dialect !== 'postgres') return { reason: 'not PostgreSQL on both sides' };
  if (!source.conn.copyOut || !target.conn.copyOut) return { reason: 'a connection cannot stream binary COPY' };
  if (key.length !== 1) return { reason: 'the key has several columns' };
  const sk = input.find((c) => c.name === key[0]);
  const tk = output.find((c) => c.name === key[0]);
  const intKey = (c: Column | undefined) => c !== undefined && (c.type.kind === 'int' || c.type.kind === 'bigint');
  if (!intKey(sk) || !intKey(tk)) return { reason: 'the key is not an integer column' };
  if (input.length !== output.length || input.some((c, i) => c.name !== output[i].name)) return { reason: 'the sides have other columns' };
  let sn: Map<string, NativeColumn>;
  let tn: Map<string, NativeColumn>;
  try {
    [sn, tn] = await Promise.all([nativeColumns(source), nativeColumns(target)]);
  } catch (e) {
    return { reason: `the column types could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  for (const c of input) {
    const a = sn.get(c.name);
    const b = tn.get(c.name);
    if (a && b && a.type !== b.type) return { reason: `column ${c.name} is ${a.type} in the source and ${b.type} in the target` };
  }
  for (const [n, k] of [[sn, sk!], [tn, tk!]] as const) {
    const t = n.get(k.name)?.typname;
    if (t !== 'int2' && t !== 'int4' && t !== 'int8') return { reason: `the key is of type ${n.get(k.name)?.type ?? 'unknown'}` };
  }
  const s = hashQuery(source, input, sk!, sn);
  if ('reason' in s) return s;
  const t = hashQuery(target, output, tk!, tn);
  if ('reason' in t) return t;
  return {
    source: s.sql,
    target: t.sql,
  };
}

/** The two sides' hash queries: (key, hash) of every row, in key order. */
export interface PushdownPlan {
  source: string;
  target: string;
}

/** An integer key as an SQL literal: only digits and a sign, so safe to inline. */
function keyLiteral(k: string): string {
  if (!/^-?\d+$/.test(k)) throw new Error(`key ${k} is not an integer`);
  return k;
}

export function selectRows(side: TableSide, columns: readonly Column[]): string {
  return `SELECT ${columns.map((c) => quoteIdent(c.name, 'postgres')).join(', ')} FROM ${qualified(side.table, 'postgres')}`;
}

/** Rows of a key range (both ends included), for a stretch most of whose rows are wanted. */
export function rangeQuery(side: TableSide, columns: readonly Column[], key: Column, from: string, to: string): string {
  const k = quoteIdent(key.name, 'postgres');
  return `${selectRows(side, columns)} WHERE ${k} BETWEEN ${keyLiteral(from)} AND ${keyLiteral(to)}`;
}

/**
 * Rows of these keys (decimal integers, inlined as literals: the statement then has no
 * parameters, and PostgreSQL streams it with COPY — one round trip, no cursor).
 */
export function keysQuery(side: TableSide, columns: readonly Column[], key: Column, keys: readonly string[]): string {
  return `${selectRows(side, columns)} WHERE ${quoteIdent(key.name, 'postgres')} = ANY('{${keys.map(keyLiteral).join(',')}}'::int8[])`;
}
