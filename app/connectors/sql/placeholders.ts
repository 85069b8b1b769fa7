import type { Value } from '../../model/values';
import { ConnectorError } from '../types';

/**
 * Query parameters for server databases. Pipelines write `?` (positional, an array of
 * values) or `:name` (a record), as SQLite takes them; PostgreSQL wants `$1, $2 ...` and
 * mysql2's own `?` substitution is not aware of quotes (a `?` inside a string literal
 * would be replaced). So the SQL text is scanned once, skipping string literals, quoted
 * identifiers and comments with each dialect's rules, and every placeholder found is
 * handed to `render` (PostgreSQL: `$n`; MySQL: an escaped literal).
 *
 * PostgreSQL also uses `?` as a jsonb operator: a query that already has `$1`-style
 * parameters is left as it is, and `?` is only a placeholder when the parameters are an
 * array and the text has no `$n`. `:name` is only replaced for names present in the
 * record, so `::int` casts and array slices stay untouched.
 */
export type PlaceholderDialect = 'postgres' | 'mysql';

export interface BoundQuery {
  sql: string;
  /** Values in the order their placeholders were rendered (PostgreSQL's $1..$n). */
  values: Value[];
}

const ID_START = /[A-Za-z_\u0080-\uffff]/;
const ID_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Where each literal, quoted identifier or comment ends, for the scanner. */
function skip(sql: string, i: number, dialect: PlaceholderDialect): number {
  const c = sql[i];
  const n = sql.length;
  if (c === "'" || (dialect === 'mysql' && c === '"')) {
    // PostgreSQL: '' doubles a quote; backslash escapes only in E'...' strings.
    // MySQL: backslash escapes (unless NO_BACKSLASH_ESCAPES, which Sluice sessions do not set).
    const backslash = dialect === 'mysql' || (i > 0 && /[eE]/.test(sql[i - 1]) && (i < 2 || !ID_PART.test(sql[i - 2])));
    let k = i + 1;
    while (k < n) {
      const d = sql[k];
      if (backslash && d === '\\') k += 2;
      else if (d === c) {
        if (sql[k + 1] === c) k += 2;
        else return k + 1;
      } else k++;
    }
    return n;
  }
  if ((c === '"' && dialect === 'postgres') || (c === '`' && dialect === 'mysql')) {
    let k = i + 1;
    while (k < n) {
      if (sql[k] === c) {
        if (sql[k + 1] === c) k += 2;
        else return k + 1;
      } else k++;
    }
    return n;
  }
  if (c === '-' && sql[i + 1] === '-' && (dialect === 'postgres' || /\s/.test(sql[i + 2] ?? ' '))) {
    const e = sql.indexOf('\n', i);
    return e < 0 ? n : e + 1;
  }
  if (c === '#' && dialect === 'mysql') {
    const e = sql.indexOf('\n', i);
    return e < 0 ? n : e + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    // PostgreSQL block comments nest; MySQL's do not.
    let depth = 1;
    let k = i + 2;
    while (k < n && depth > 0) {
      if (sql[k] === '*' && sql[k + 1] === '/') {
        depth--;
        k += 2;
      } else if (dialect === 'postgres' && sql[k] === '/' && sql[k + 1] === '*') {
        depth++;
        k += 2;
      } else k++;
    }
    return k;
  }
  if (c === '$' && dialect === 'postgres') {
    // Dollar quoting: $tag$ ... $tag$ (a tag never starts with a digit, so $1 is not one).
    const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
    if (m && !(i > 0 && ID_PART.test(sql[i - 1]))) {
      const e = sql.indexOf(m[0], i + m[0].length);
      return e < 0 ? n : e + m[0].length;
    }
  }
  return i;
}

/** True when the text has PostgreSQL-style `$1` parameters outside literals. */
function hasDollarParams(sql: string): boolean {
  let i = 0;
  while (i < sql.length) {
    const e = skip(sql, i, 'postgres');
    if (e !== i) {
      i = e;
      continue;
    }
    if (sql[i] === '$' && /[0-9]/.test(sql[i + 1] ?? '') && !(i > 0 && ID_PART.test(sql[i - 1]))) return true;
    i++;
  }
  return false;
}

/**
 * Replaces placeholders. `render(index, value)` gives the text for the index-th value
 * (0-based, in the order of `values` returned); named parameters used twice share one
 * index.
 */
export function bindPlaceholders(
  sql: string,
  params: readonly Value[] | Readonly<Record<string, Value>> | undefined,
  dialect: PlaceholderDialect,
  render: (index: number, value: Value) => string,
): BoundQuery {
  if (params === undefined) return { sql, values: [] };
  if (Array.isArray(params)) {
    const list = params as readonly Value[];
    if (dialect === 'postgres' && hasDollarParams(sql)) return { sql, values: [...list] };
    let out = '';
    let last = 0;
    let used = 0;
    let i = 0;
    while (i < sql.length) {
      const e = skip(sql, i, dialect);
      if (e !== i) {
        i = e;
        continue;
      }
      if (sql[i] === '?') {
        if (used >= list.length) throw new ConnectorError(`the query has more ? placeholders than the ${list.length} parameter(s) given`);
        out += sql.slice(last, i) + render(used, list[used]);
        used++;
        last = i + 1;
      }
      i++;
    }
    if (used !== list.length) throw new ConnectorError(`the query has ${used} ? placeholder(s) but ${list.length} parameter(s) were given`);
    return { sql: out + sql.slice(last), values: list.slice(0, used) };
  }
  const record = params as Readonly<Record<string, Value>>;
  const byName = new Map<string, Value>();
  for (const [k, v] of Object.entries(record)) byName.set(k.replace(/^[:@$]/, ''), v);
  const index = new Map<string, number>();
  const values: Value[] = [];
  let out = '';
  let last = 0;
  let i = 0;
  while (i < sql.length) {
    const e = skip(sql, i, dialect);
    if (e !== i) {
      i = e;
      continue;
    }
    if (sql[i] === ':' && sql[i + 1] !== ':' && (i === 0 || sql[i - 1] !== ':') && ID_START.test(sql[i + 1] ?? '')) {
      let k = i + 1;
      while (k < sql.length && ID_PART.test(sql[k])) k++;
      const name = sql.slice(i + 1, k);
      if (byName.has(name)) {
        let at = index.get(name);
        if (at === undefined) {
          at = values.length;
          index.set(name, at);
          values.push(byName.get(name)!);
        }
        out += sql.slice(last, i) + render(at, values[at]);
        last = k;
      }
      i = k;
      continue;
    }
    i++;
  }
  return { sql: out + sql.slice(last), values };
}
