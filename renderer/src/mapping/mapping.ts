import { matchColumns } from '../../../app/nodes/map/auto-map';

/** A map node's config, as the mapping editor edits it (see app/nodes/map). */
export interface MapColumnSpec {
  name: string;
  expr?: string;
  type?: string;
  default?: string | number | boolean | null;
  required?: boolean;
}

export interface MapConfig {
  columns?: MapColumnSpec[];
  target?: { connection: string; table: string };
  auto?: boolean;
  [key: string]: unknown;
}

export interface TargetColumn {
  name: string;
  type?: string;
  nullable: boolean;
  /** The table fills it when no value is given (a column default or an auto-increment). */
  hasDefault: boolean;
}

export interface MappingRow {
  target: TargetColumn;
  spec: MapColumnSpec | undefined;
  /** The input column the value comes from, when it is a plain column. */
  source: string | undefined;
  /** How the value is found: an expression, the column of the same name, an automatic match, or nothing. */
  how: 'expr' | 'column' | 'exact' | 'auto' | 'none';
  /** Close source names for an unmapped target (best first). */
  suggestions: string[];
  /** A NOT NULL column without a value, a default or a table default. */
  missingRequired: boolean;
}

const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteIdent(name: string): string {
  return PLAIN_IDENT.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The column an expression names when it is only a column reference. */
export function columnOfExpr(expr: string | undefined, sources: readonly string[]): string | undefined {
  if (!expr) return undefined;
  const t = expr.trim();
  if (PLAIN_IDENT.test(t)) return sources.find((s) => s === t) ?? sources.find((s) => s.toLowerCase() === t.toLowerCase());
  const m = /^"((?:[^"]|"")*)"$/.exec(t);
  return m ? sources.find((s) => s === m[1].replace(/""/g, '"')) : undefined;
}

/** Target columns when the config names no table: its listed columns. */
export function targetsFromConfig(config: MapConfig): TargetColumn[] {
  return (config.columns ?? []).map((c) => ({ name: c.name, type: c.type, nullable: c.required !== true, hasDefault: false }));
}

export function mappingRows(config: MapConfig, targets: readonly TargetColumn[], sources: readonly string[]): MappingRow[] {
  const specs = new Map((config.columns ?? []).map((c) => [c.name, c]));
  const needSource = targets.filter((t) => specs.get(t.name)?.expr === undefined).map((t) => t.name);
  const auto = config.auto !== false ? matchColumns(sources, needSource) : undefined;
  const autoBy = new Map(auto?.matches.map((m) => [m.target, m.source]));
  const suggestBy = new Map(auto?.suggestions.map((s) => [s.target, s.candidates]));
  return targets.map((target) => {
    const spec = specs.get(target.name);
    let how: MappingRow['how'] = 'none';
    let source: string | undefined;
    if (spec?.expr !== undefined) {
      source = columnOfExpr(spec.expr, sources);
      how = source ? 'column' : 'expr';
    } else if (sources.includes(target.name)) {
      source = target.name;
      how = 'exact';
    } else if (autoBy.has(target.name)) {
      source = autoBy.get(target.name);
      how = 'auto';
    }
    const hasValue = how !== 'none' || (spec?.default !== undefined && spec.default !== null);
    const required = spec?.required ?? !target.nullable;
    return {
      target,
      spec,
      source,
      how,
      suggestions: how === 'none' ? (suggestBy.get(target.name) ?? []) : [],
      missingRequired: required && !hasValue && !target.hasDefault,
    };
  });
}

function withSpec(config: MapConfig, name: string, patch: (s: MapColumnSpec) => MapColumnSpec | undefined): MapConfig {
  const columns = [...(config.columns ?? [])];
  const at = columns.findIndex((c) => c.name === name);
  const next = patch(at >= 0 ? { ...columns[at] } : { name });
  const empty = next !== undefined && Object.keys(next).every((k) => k === 'name' || next[k as keyof MapColumnSpec] === undefined);
  // With a target table a spec that says nothing is left out; without one the spec is the column.
  const keep = next !== undefined && (!empty || !config.target);
  if (at >= 0) {
    if (keep) columns[at] = clean(next);
    else columns.splice(at, 1);
  } else if (keep) {
    columns.push(clean(next));
  }
  return { ...config, columns };
}

function clean(s: MapColumnSpec): MapColumnSpec {
  const out: MapColumnSpec = { name: s.name };
  if (s.expr !== undefined && s.expr !== '') out.expr = s.expr;
  if (s.type !== undefined && s.type !== '') out.type = s.type;
  if (s.default !== undefined) out.default = s.default;
  if (s.required !== undefined) out.required = s.required;
  return out;
}

/** Maps a target to an input column (undefined: unmap it). */
export function setSource(config: MapConfig, target: string, source: string | undefined): MapConfig {
  return withSpec(config, target, (s) => ({ ...s, expr: source === undefined || source === target ? undefined : quoteIdent(source) }));
}

export function setExpr(config: MapConfig, target: string, expr: string): MapConfig {
  return withSpec(config, target, (s) => ({ ...s, expr: expr.trim() === '' ? undefined : expr }));
}

export function setCast(config: MapConfig, target: string, type: string): MapConfig {
  return withSpec(config, target, (s) => ({ ...s, type: type.trim() === '' ? undefined : type.trim() }));
}

/** A default typed as text: numbers and true/false become literals, `null` or '' clear it. */
export function parseDefault(text: string): MapColumnSpec['default'] {
  const t = text.trim();
  if (t === '' ) return undefined;
  if (t === 'null') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t) && Number.isFinite(Number(t))) return Number(t);
  return text;
}

export function setDefault(config: MapConfig, target: string, text: string): MapConfig {
  return withSpec(config, target, (s) => ({ ...s, default: parseDefault(text) }));
}

/** Maps every unmapped target whose name matches an input column ignoring case, spaces, _ and -. */
export function mapAllByName(config: MapConfig, targets: readonly TargetColumn[], sources: readonly string[]): MapConfig {
  let next = config;
  for (const row of mappingRows(config, targets, sources)) {
    if (row.how === 'auto' && row.source) next = setSource(next, row.target.name, row.source);
    else if (row.how === 'none' && !config.target) {
      // Without a table the listed columns need a name match of their own.
      const match = matchColumns(sources, [row.target.name]).matches[0];
      if (match) next = setSource(next, row.target.name, match.source);
    }
  }
  return next;
}

/** Copies one row's cast and default to every row below it. */
export function fillDown(config: MapConfig, targets: readonly TargetColumn[], from: string): MapConfig {
  const at = targets.findIndex((t) => t.name === from);
  if (at < 0) return config;
  const spec = (config.columns ?? []).find((c) => c.name === from);
  let next = config;
  for (const t of targets.slice(at + 1)) {
    next = withSpec(next, t.name, (s) => ({ ...s, type: spec?.type, default: spec?.default }));
  }
  return next;
}

/** Forgets every mapping (with a table: back to automatic; without: keeps the column names). */
export function clearMapping(config: MapConfig): MapConfig {
  return { ...config, columns: config.target ? [] : (config.columns ?? []).map((c) => ({ name: c.name })) };
}
