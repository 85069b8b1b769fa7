import { formatType, type LogicalType } from '../../model/types';
import * as mysql from '../mysql/typemap';
import * as postgres from '../postgres/typemap';
import * as sqlite from '../sqlite/typemap';
import { ConnectorError, type Dialect } from '../types';

/**
 * Type mapping between databases, with rules a user can override.
 *
 * The default path for a column is: source native type -> logical type (the source
 * connector's describeTable already did this) -> the target dialect's native type for
 * that logical type (`defaultNativeType`). A TypeRule replaces the second step for the
 * columns it matches:
 *
 *   sqlite NUMERIC -> postgres numeric(12,2)       every SQLite column declared NUMERIC
 *   sqlite NUMERIC(*) -> postgres numeric(12,2)    ... also NUMERIC(10,2) and the like
 *   * json -> postgres jsonb                       any source whose column type is json
 *   postgres timestamp* -> mysql datetime(3)       a glob over the native type text
 *   sqlite TEXT in orders.code -> postgres varchar(20)   one column (globs allowed: *.code)
 *   uuid -> mysql char(36)                         `from` without a dialect: any source
 *
 * Matching is case-insensitive and ignores spacing. A `from` type without parentheses
 * matches the type name alone or with any arguments (`NUMERIC` matches `NUMERIC(10,2)`);
 * with parentheses it must be that exact type; `*` is a glob. The source side may also
 * be a logical type name (`decimal`, `json` ...), matched against the column's logical
 * type when no native type matches. The target side must name a dialect and is taken as
 * the native type text for CREATE TABLE; its logical type (for conversions and warnings)
 * comes from the target dialect's type map. Rules are tried in order; the first match wins.
 *
 * The migration job calls `mapColumnType` per column, and `parseTypeRule` on each
 * `--type-rule` argument.
 */

export interface TypeRule {
  from: {
    /** A dialect or connector id ('sqlite', 'postgres', 'mysql', 'csv' ...); absent = any source. */
    dialect?: string;
    /** Native (or logical) type pattern, e.g. `NUMERIC`, `numeric(10,2)`, `varchar*`, `*`. */
    type: string;
    /** `table.column` pattern (globs allowed) restricting the rule to some columns. */
    column?: string;
  };
  to: {
    dialect: Dialect;
    /** Native type text used as is in CREATE TABLE, e.g. `numeric(12,2)`. */
    type: string;
  };
  /** The rule as the user wrote it, for messages. */
  text?: string;
}

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres', 'mysql'];
/** File connectors a rule may name as its source. */
const SOURCES = new Set(['csv', 'ndjson', 'jsonl', 'json']);

function dialectOf(word: string): Dialect | undefined {
  const w = word.toLowerCase();
  if (w === 'postgresql' || w === 'pg') return 'postgres';
  if (w === 'mariadb') return 'mysql';
  return (DIALECTS as readonly string[]).includes(w) ? (w as Dialect) : undefined;
}

/** Parses `[dialect] TYPE [in TABLE.COLUMN] -> dialect TYPE`. */
export function parseTypeRule(text: string): TypeRule {
  const parts = text.split('->');
  const bad = (why: string) =>
    new ConnectorError(`type rule ${JSON.stringify(text)}: ${why} (expected e.g. 'sqlite NUMERIC -> postgres numeric(12,2)' or 'sqlite TEXT in orders.code -> mysql varchar(20)')`);
  if (parts.length !== 2) throw bad('it needs exactly one ->');
  const [left, right] = parts.map((p) => p.trim());
  const r = /^(\S+)\s+(.+)$/.exec(right);
  const toDialect = r ? dialectOf(r[1]) : undefined;
  if (!r || !toDialect) throw bad('the target must start with a dialect: sqlite, postgres or mysql');
  const l = /^(.+?)(?:\s+in\s+(\S+))?$/i.exec(left);
  if (!l) throw bad('the source names no type');
  // The first word names the source when it is a dialect, a file connector or `*`.
  const words = /^(\S+)\s+(.+)$/.exec(l[1]);
  let dialect: string | undefined;
  let type = l[1].trim();
  if (words && (dialectOf(words[1]) !== undefined || SOURCES.has(words[1].toLowerCase()) || words[1] === '*')) {
    dialect = words[1] === '*' ? undefined : (dialectOf(words[1]) ?? words[1].toLowerCase());
    type = words[2].trim();
  }
  const from: TypeRule['from'] = { type };
  if (dialect !== undefined) from.dialect = dialect;
  if (l[2] !== undefined) from.column = l[2];
  return { from, to: { dialect: toDialect, type: r[2].trim() }, text };
}

function normalize(t: string): string {
  return t.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
}

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
}

/** True when a rule's type pattern matches a native type text. */
export function matchesType(pattern: string, native: string): boolean {
  const p = normalize(pattern);
  const n = normalize(native);
  if (p.includes('*')) return globToRegExp(p).test(n);
  if (p === n) return true;
  // Without arguments the pattern matches the bare name with any arguments / suffix words.
  if (!p.includes('(')) return n.replace(/\(.*?\)/g, '').trim() === p || n.startsWith(p + '(');
  return false;
}

export interface SourceColumn {
  /** Table and column name (for `in table.column` rules). */
  table?: string;
  name: string;
  /** The type as the source declares it; absent for files. */
  nativeType?: string;
  type: LogicalType;
}

export function findTypeRule(rules: readonly TypeRule[], sourceDialect: string | undefined, col: SourceColumn, target: Dialect): TypeRule | undefined {
  for (const rule of rules) {
    if (rule.to.dialect !== target) continue;
    if (rule.from.dialect !== undefined && rule.from.dialect !== sourceDialect) continue;
    if (rule.from.column !== undefined && !globToRegExp(rule.from.column).test(`${col.table ?? ''}.${col.name}`) && !globToRegExp(rule.from.column).test(col.name)) continue;
    const native = col.nativeType !== undefined && matchesType(rule.from.type, col.nativeType);
    if (native || matchesType(rule.from.type, formatType(col.type)) || matchesType(rule.from.type, col.type.kind)) return rule;
  }
  return undefined;
}

export interface DeclareContext {
  /** The column is part of the primary key or a unique constraint. */
  key?: boolean;
  /** Text / bytes columns in that key (MySQL shares its key length among them). */
  keyTextColumns?: number;
  /** MySQL: the server has a UUID type (MariaDB 10.7+). */
  uuidType?: boolean;
}

/** The native type Sluice declares in a dialect for a logical type (no rules applied). */
export function defaultNativeType(dialect: Dialect, t: LogicalType, ctx: DeclareContext = {}): string {
  switch (dialect) {
    case 'postgres':
      return postgres.nativeTypeOf(t);
    case 'mysql':
      return mysql.nativeTypeOf(t, ctx);
    case 'sqlite':
      return sqlite.declaredTypeOf(t);
  }
}

/** The logical type a dialect gives a native type text (what the target will read back). */
export function logicalTypeIn(dialect: Dialect, native: string): LogicalType {
  switch (dialect) {
    case 'postgres':
      return postgres.logicalTypeOfNative(native);
    case 'mysql': {
      const comment = /\bCOMMENT\s+'([^']*)'/i.exec(native)?.[1];
      return mysql.logicalTypeOfNative(native.replace(/\s+COMMENT\s+'[^']*'/i, ''), { comment });
    }
    case 'sqlite':
      return sqlite.logicalTypeOf(native) ?? { kind: 'bytes' };
  }
}

export interface MappedColumn {
  /** Native type text for CREATE TABLE in the target. */
  nativeType: string;
  /** The logical type the target column will have. */
  type: LogicalType;
  /** The rule that decided, when one did. */
  rule?: TypeRule;
  /** Set when values may not survive unchanged: says what may be lost. */
  warning?: string;
}

/** The target column type for a source column: the first matching rule, else the default. */
export function mapColumnType(col: SourceColumn, sourceDialect: string | undefined, target: Dialect, rules: readonly TypeRule[] = [], ctx: DeclareContext = {}): MappedColumn {
  const rule = findTypeRule(rules, sourceDialect, col, target);
  const nativeType = rule ? rule.to.type : defaultNativeType(target, col.type, ctx);
  const type = logicalTypeIn(target, nativeType);
  const out: MappedColumn = { nativeType, type };
  if (rule) out.rule = rule;
  const warning = conversionWarning(col.type, type);
  if (warning) out.warning = `column '${col.table ? `${col.table}.` : ''}${col.name}': ${warning}`;
  return out;
}

const INT_DIGITS: Partial<Record<LogicalType['kind'], number>> = { boolean: 1, int: 10, bigint: 19 };

/** Why values of type `from` may not survive as type `to`; undefined when they do. */
export function conversionWarning(from: LogicalType, to: LogicalType): string | undefined {
  const f = formatType(from);
  const t = formatType(to);
  if (f === t) return undefined;
  const lossy = (why: string) => `${f} -> ${t}: ${why}`;
  switch (to.kind) {
    case 'text':
      return from.kind === 'bytes' ? lossy('bytes become text (not valid UTF-8 fails)') : undefined;
    case 'json':
      return from.kind === 'text' ? lossy('text that is not valid JSON fails') : undefined;
    case 'decimal': {
      if (to.precision === undefined) return from.kind === 'float' ? lossy('floats NaN and Infinity do not fit') : from.kind === 'text' || from.kind === 'json' ? lossy('non-numeric text fails') : undefined;
      const intDigits = to.precision - (to.scale ?? 0);
      if (from.kind === 'decimal') {
        if (from.precision === undefined) return lossy('values beyond the declared precision or scale fail or are rounded');
        if (from.precision - (from.scale ?? 0) > intDigits) return lossy('large values do not fit');
        if ((from.scale ?? 0) > (to.scale ?? 0)) return lossy('fractional digits are rounded');
        return undefined;
      }
      const digits = INT_DIGITS[from.kind];
      if (digits !== undefined) return digits <= intDigits ? undefined : lossy('large values do not fit');
      return lossy('values are converted and may be rounded or fail');
    }
    case 'bigint':
      return from.kind === 'int' || from.kind === 'boolean' ? undefined : lossy('fractions are cut and out-of-range values fail');
    case 'int':
      return from.kind === 'boolean' ? undefined : lossy('values beyond 32 bits fail, fractions are cut');
    case 'float':
      return from.kind === 'int' ? undefined : lossy('a double keeps about 15-17 significant digits');
    case 'timestamp':
      return from.kind === 'timestamptz' ? lossy('the UTC time is kept without its zone') : from.kind === 'date' ? undefined : lossy('values are converted');
    case 'timestamptz':
      return from.kind === 'timestamp' ? lossy('times without zone are taken as UTC') : from.kind === 'date' ? undefined : lossy('values are converted');
    default:
      return lossy('values are converted and may fail');
  }
}
