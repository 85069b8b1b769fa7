import { MysqlConnection } from '../../connectors/mysql/connection';
import { checkIdentifier } from '../../connectors/mysql/writer';
import { conversionWarning, mapColumnType, parseTypeRule, type TypeRule } from '../../connectors/sql/typerules';
import type { ColumnInfo, Connection, Dialect, TableDescription, TableInfo } from '../../connectors/types';
import { didYouMean } from '../../model/problems';
import { formatType } from '../../model/types';
import { autoNumbered, createTableSql, fitName, foreignKeyStep, indexStep, maxLengthOf, sequenceStep, translateDefault, uniqueStep } from './ddl';
import { countSql } from './keys';
import { loadOrder } from './order';
import { queryNumber, queryRows } from './query';
import type { MigrationOptions, Plan, PlannedColumn, PlannedForeignKey, PlannedStep, PlannedTable, TableAction } from './types';

/**
 * The plan of a migration, made before anything changes: which tables, their columns'
 * target types through the type-mapping rules (defaults per dialect pair, the user's
 * rules first), the load order by foreign keys, CREATE TABLE text, the steps after the
 * load, row counts, warnings (every lossy mapping, naming the column) and problems
 * (anything that stops the migration: a bad rule, a missing table, a target table that
 * exists under the 'fail' policy ...). A dry run prints it; a run stores it with its
 * checkpoints, so a resume follows exactly this plan.
 */

export interface PlanContext {
  source: Connection;
  target: Connection;
  /** How the endpoints are shown (no passwords). */
  sourceUrl: string;
  targetUrl: string;
  options: MigrationOptions;
}

export const DIALECT_NAMES: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };

/** Parses every rule; each bad one is a problem with the parser's message (which shows the expected form). */
export function parseRules(texts: readonly string[], problems: string[]): TypeRule[] {
  const rules: TypeRule[] = [];
  for (const text of texts) {
    try {
      rules.push(parseTypeRule(text));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return rules;
}

/** The source tables to migrate: all (views too when asked), or the ones named. */
export function selectTables(listed: readonly TableInfo[], o: Pick<MigrationOptions, 'tables' | 'includeViews'>, problems: string[]): TableInfo[] {
  const candidates = listed.filter((t) => t.kind === 'table' || t.kind === 'view');
  if (!o.tables || o.tables.length === 0) return candidates.filter((t) => t.kind === 'table' || o.includeViews);
  const out: TableInfo[] = [];
  for (const name of o.tables) {
    const found = candidates.find((t) => t.name === name) ?? candidates.filter((t) => t.name.toLowerCase() === name.toLowerCase()).at(0);
    if (!found) {
      const hint = didYouMean(name, candidates.map((t) => t.name));
      problems.push(`the source has no table '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    } else if (!out.includes(found)) out.push(found);
  }
  return out;
}

/** Per table: columns that must be indexable (keys, uniques, indexes, both ends of foreign keys) and how many text columns share their key. */
function keyContext(descs: readonly TableDescription[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>(descs.map((d) => [d.name, new Map<string, number>()]));
  const textLike = (d: TableDescription, c: string) => {
    const k = d.columns.find((x) => x.name === c)?.type.kind;
    return k === 'text' || k === 'bytes';
  };
  const add = (d: TableDescription | undefined, cols: readonly string[]) => {
    if (!d) return;
    const m = out.get(d.name)!;
    const n = cols.filter((c) => textLike(d, c)).length;
    for (const c of cols) m.set(c, Math.max(m.get(c) ?? 0, n));
  };
  for (const d of descs) {
    if (d.primaryKey) add(d, d.primaryKey);
    for (const u of d.uniques) add(d, u.columns);
    for (const i of d.indexes) add(d, i.columns.filter((c) => c !== '(expression)'));
    for (const fk of d.foreignKeys) {
      add(d, fk.columns);
      add(
        descs.find((x) => x.name === fk.refTable),
        fk.refColumns,
      );
    }
  }
  return out;
}

function sameName(a: string, b: string, dialect: Dialect): boolean {
  // SQLite compares table names case-insensitively; the servers (on Linux) do not.
  return dialect === 'sqlite' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Names of indexes and constraints, unique across the plan (PostgreSQL's share a schema's namespace). */
class Names {
  private readonly used = new Set<string>();
  constructor(private readonly dialect: Dialect) {}
  reserve(name: string): void {
    this.used.add(name.toLowerCase());
  }
  take(preferred: string, table: string): string {
    let name = fitName(preferred, this.dialect);
    if (this.used.has(name.toLowerCase())) name = fitName(`${table}_${preferred}`, this.dialect);
    for (let i = 2; this.used.has(name.toLowerCase()); i++) name = fitName(`${table}_${preferred}_${i}`, this.dialect);
    this.used.add(name.toLowerCase());
    return name;
  }
}

function mapColumn(
  col: ColumnInfo,
  d: TableDescription,
  ctx: { sd: Dialect; td: Dialect; rules: TypeRule[]; used: Set<TypeRule>; keyTexts: Map<string, number>; uuidType: boolean; warnings: string[] },
): PlannedColumn {
  const inKey = d.primaryKey?.includes(col.name) ?? false;
  const keyTexts = ctx.keyTexts.get(col.name);
  const mapped = mapColumnType({ table: d.name, name: col.name, nativeType: col.nativeType, type: col.type }, ctx.sd, ctx.td, ctx.rules, {
    key: keyTexts !== undefined,
    keyTextColumns: keyTexts,
    uuidType: ctx.uuidType,
  });
  if (mapped.rule) ctx.used.add(mapped.rule);
  const c: PlannedColumn = {
    name: col.name,
    sourceType: col.nativeType,
    sourceLogical: col.type,
    targetType: mapped.nativeType,
    targetLogical: mapped.type,
    nullable: col.nullable && !inKey,
    sourceNullable: col.nullable,
    autoIncrement: col.autoIncrement === true,
  };
  if (mapped.rule) c.rule = mapped.rule.text;
  if (mapped.warning) c.warning = mapped.warning;
  const max = maxLengthOf(mapped.nativeType);
  if (max !== undefined && mapped.type.kind === 'text') {
    c.maxLength = max;
    const sourceMax = maxLengthOf(col.nativeType);
    if (sourceMax === undefined || sourceMax > max) {
      c.warning = [c.warning, `column '${d.name}.${col.name}': ${col.nativeType || formatType(col.type)} -> ${mapped.nativeType}: text longer than ${max} characters cannot be stored`]
        .filter(Boolean)
        .join('; ');
    }
  }
  if (col.default !== undefined && !(col.autoIncrement && /nextval\(/i.test(col.default))) {
    const dflt = translateDefault(col.default, ctx.td, mapped.type, mapped.nativeType);
    if (dflt !== undefined) c.default = dflt;
    else if (!col.autoIncrement) ctx.warnings.push(`column '${d.name}.${col.name}': its default ${col.default} is not carried over (only literal and current-time defaults are)`);
  }
  return c;
}

/** An existing target table's column for a source column (by name, then ignoring case). */
function existingColumn(col: ColumnInfo, d: TableDescription, target: TableDescription, problems: string[]): PlannedColumn | undefined {
  const t = target.columns.find((x) => x.name === col.name) ?? target.columns.find((x) => x.name.toLowerCase() === col.name.toLowerCase());
  if (!t) {
    problems.push(`target table '${target.name}' has no column '${col.name}' (its columns: ${target.columns.map((x) => x.name).join(', ')})`);
    return undefined;
  }
  const c: PlannedColumn = {
    name: col.name,
    sourceType: col.nativeType,
    sourceLogical: col.type,
    targetType: t.nativeType,
    targetLogical: t.type,
    nullable: t.nullable,
    sourceNullable: col.nullable,
    autoIncrement: t.autoIncrement === true,
  };
  if (t.name !== col.name) c.targetName = t.name;
  const w = conversionWarning(col.type, t.type);
  if (w) c.warning = `column '${d.name}.${col.name}': ${w}`;
  const max = maxLengthOf(t.nativeType);
  if (max !== undefined && t.type.kind === 'text') c.maxLength = max;
  return c;
}

/** PostgreSQL target: the schema in the URL must exist, or CREATE TABLE would land in the next one of search_path. */
async function checkPostgresSchema(target: Connection, problems: string[]): Promise<void> {
  const [row] = await queryRows(target, `SELECT current_schema(), current_setting('search_path')`);
  const first = String(row[1]).split(',')[0].trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
  if (row[0] !== first) problems.push(`the target schema '${first}' does not exist: create it first (CREATE SCHEMA ...)`);
}

async function checkPostgresType(target: Connection, native: string): Promise<boolean> {
  try {
    const [row] = await queryRows(target, 'SELECT to_regtype(?)::text', [native]);
    return row[0] !== null;
  } catch {
    return false;
  }
}

export async function buildPlan(ctx: PlanContext): Promise<Plan> {
  const { source, target, options } = ctx;
  const problems: string[] = [];
  const warnings: string[] = [];
  const sd = source.dialect;
  const td = target.dialect;
  if (!sd || !td) {
    if (!sd) problems.push(`the source (${ctx.sourceUrl}) is not a SQL database: migrations copy between SQLite, PostgreSQL and MySQL/MariaDB`);
    if (!td) problems.push(`the target (${ctx.targetUrl}) is not a SQL database: migrations copy between SQLite, PostgreSQL and MySQL/MariaDB`);
    return { version: 1, source: { url: ctx.sourceUrl, dialect: sd ?? 'sqlite' }, target: { url: ctx.targetUrl, dialect: td ?? 'sqlite' }, options, tables: [], cycles: [], steps: [], warnings, problems };
  }
  if (!target.execute) problems.push(`the target connector '${target.connectorId}' cannot create tables`);
  const rules = parseRules(options.typeRules, problems);
  for (const r of rules) {
    if (r.to.dialect !== td) warnings.push(`type rule '${r.text}' is for ${DIALECT_NAMES[r.to.dialect]}, the target is ${DIALECT_NAMES[td]}: it is not used`);
  }
  if (td === 'postgres') await checkPostgresSchema(target, problems);

  const selected = selectTables(await source.listTables(), options, problems);
  const descs: TableDescription[] = [];
  for (const t of selected) descs.push(await source.describeTable({ name: t.name, schema: t.schema }));
  const existing = (await target.listTables()).filter((t) => t.kind !== 'file');
  const keyCtx = keyContext(descs);
  const uuidType = target instanceof MysqlConnection ? target.server.uuidType : false;
  const used = new Set<TypeRule>();
  const names = new Names(td);
  for (const t of existing) names.reserve(t.name);
  for (const d of descs) {
    names.reserve(d.name);
    names.reserve(`${d.name}_pkey`);
  }
  const selectedNames = new Set(descs.map((d) => d.name));
  const planned = new Map<string, PlannedTable>();
  const uniquesOf = new Map<string, { name: string; columns: string[] }[]>();
  const steps: { unique: PlannedStep[]; index: PlannedStep[]; fk: PlannedStep[]; seq: PlannedStep[] } = { unique: [], index: [], fk: [], seq: [] };

  const existingBlocked: string[] = [];
  for (const d of descs) {
    if (td === 'mysql') {
      for (const n of [d.name, ...d.columns.map((c) => c.name)]) {
        try {
          checkIdentifier(n, n === d.name ? 'table name' : `column of '${d.name}'`);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    }
    const there = existing.find((t) => sameName(t.name, d.name, td));
    let action: TableAction = 'create';
    let targetDesc: TableDescription | undefined;
    if (there) {
      if (there.kind === 'view') problems.push(`the target has a view named '${there.name}': a table cannot be created or loaded there`);
      else if (options.ifExists === 'fail') existingBlocked.push(there.name);
      else {
        action = options.ifExists;
        targetDesc = await target.describeTable({ name: there.name, schema: there.schema });
      }
    }
    const key = d.primaryKey && d.primaryKey.length > 0 ? d.primaryKey : undefined;
    if (!key) {
      if (action === 'upsert') problems.push(`table '${d.name}' has no primary key: upsert needs one (choose --if-exists truncate or append)`);
      else warnings.push(`table '${d.name}' has no primary key: it is loaded in one transaction, and a resumed migration ${action === 'append' ? 'loads it again (rows an interrupted attempt committed stay: check for duplicates)' : 'empties it and loads it again'}`);
    }
    const columns: PlannedColumn[] = [];
    for (const col of d.columns) {
      const c = targetDesc
        ? existingColumn(col, d, targetDesc, problems)
        : mapColumn(col, d, { sd, td, rules, used, keyTexts: keyCtx.get(d.name)!, uuidType, warnings });
      if (!c) continue;
      if (c.rule && td === 'postgres' && !(await checkPostgresType(target, c.targetType))) {
        problems.push(`type rule '${c.rule}': PostgreSQL has no type '${c.targetType}'`);
      }
      columns.push(c);
    }
    if (targetDesc) {
      for (const tc of targetDesc.columns) {
        if (!tc.nullable && tc.default === undefined && !tc.autoIncrement && !columns.some((c) => c.name === tc.name)) {
          problems.push(`target table '${targetDesc.name}': column '${tc.name}' is NOT NULL without a default, and the source has no such column`);
        }
      }
      if (action === 'upsert' && key) {
        const keys = [targetDesc.primaryKey ?? [], ...targetDesc.uniques.map((u) => u.columns)];
        const same = (a: string[]) => a.length === key.length && key.every((k) => a.some((x) => x.toLowerCase() === k.toLowerCase()));
        if (!keys.some(same)) problems.push(`target table '${targetDesc.name}' has no primary key or unique constraint on (${key.join(', ')}): upsert cannot match rows`);
      }
    }
    const rows = await queryNumber(source, countSql({ name: d.name, schema: d.schema }, sd));
    const table: PlannedTable = { name: targetDesc?.name ?? d.name, source: d.name, kind: d.kind === 'view' ? 'view' : 'table', columns, rows, action, foreignKeys: [] };
    if (d.schema && sd === 'postgres') table.sourceSchema = d.schema;
    if (key) table.key = key;
    planned.set(d.name, table);
    if (action !== 'create') {
      if (td === 'postgres') for (const c of columns) if (c.autoIncrement) steps.seq.push(sequenceStep(table.name, c.name));
      continue;
    }
    for (const c of columns) if (td === 'postgres' && autoNumbered(c, table, td)) steps.seq.push(sequenceStep(table.name, c.name));
    // Unique constraints and indexes, except those the primary key already is.
    const isKey = (cols: string[]) => key !== undefined && cols.length === key.length && cols.every((c, i) => c === key[i]);
    const uniques: { name: string; columns: string[] }[] = [];
    for (const u of d.uniques) {
      if (isKey(u.columns)) continue;
      const name = names.take(u.name ?? `${d.name}_${u.columns.join('_')}_key`, d.name);
      if (td === 'sqlite') uniques.push({ name, columns: u.columns });
      else steps.unique.push(uniqueStep(table.name, name, u.columns, td));
    }
    uniquesOf.set(d.name, uniques);
    for (const ix of d.indexes) {
      if (ix.columns.includes('(expression)')) {
        warnings.push(`index '${ix.name}' on '${d.name}' is on an expression: it is not carried over`);
        continue;
      }
      if (isKey(ix.columns)) continue;
      steps.index.push(indexStep(table.name, names.take(ix.name, d.name), ix.columns, ix.unique, td));
    }
  }

  if (existingBlocked.length) {
    problems.push(
      `${existingBlocked.length === 1 ? `target table '${existingBlocked[0]}' exists` : `target tables exist: ${existingBlocked.sort().join(', ')}`}; choose what to do with them: --if-exists truncate, append or upsert (the default, fail, changes nothing)`,
    );
  }

  // Foreign keys between migrated tables, after every table is loaded.
  for (const d of descs) {
    const table = planned.get(d.name)!;
    if (table.action !== 'create') continue;
    d.foreignKeys.forEach((fk) => {
      const ref = descs.find((x) => x.name === fk.refTable) ?? descs.find((x) => x.name.toLowerCase() === fk.refTable.toLowerCase());
      if (!ref || (fk.refSchema !== undefined && fk.refSchema !== ref.schema)) {
        warnings.push(`foreign key ${d.name} (${fk.columns.join(', ')}) -> ${fk.refTable}: left out, '${fk.refTable}' is not migrated`);
        return;
      }
      let onDelete = fk.onDelete;
      let onUpdate = fk.onUpdate;
      if (td === 'mysql') {
        for (const [what, action] of [['ON DELETE', onDelete], ['ON UPDATE', onUpdate]] as const) {
          if (action?.toUpperCase() === 'SET DEFAULT') warnings.push(`foreign key ${d.name} (${fk.columns.join(', ')}): ${what} SET DEFAULT is not supported by InnoDB; NO ACTION instead`);
        }
        if (onDelete?.toUpperCase() === 'SET DEFAULT') onDelete = 'NO ACTION';
        if (onUpdate?.toUpperCase() === 'SET DEFAULT') onUpdate = 'NO ACTION';
      }
      const planned_: PlannedForeignKey = {
        name: names.take(fk.name ?? `fk_${d.name}_${fk.columns.join('_')}`, d.name),
        columns: fk.columns,
        refTable: planned.get(ref.name)!.name,
        refColumns: fk.refColumns,
      };
      if (onDelete) planned_.onDelete = onDelete;
      if (onUpdate) planned_.onUpdate = onUpdate;
      table.foreignKeys.push(planned_);
      if (td !== 'sqlite') steps.fk.push(foreignKeyStep(table.name, planned_, td));
    });
  }

  const order = loadOrder(descs.map((d) => ({ name: d.name, refersTo: d.foreignKeys.map((fk) => fk.refTable).filter((r) => selectedNames.has(r)) })));
  const tables = order.order.map((n) => planned.get(n)!);
  for (const t of tables) if (t.action === 'create') t.create = createTableSql(t, td, { uniques: uniquesOf.get(t.name) });
  // Steps kind by kind (constraints and indexes, foreign keys, sequences), each in load order.
  const position = (name: string) => tables.findIndex((t) => t.name === name);
  const kindRank = (s: PlannedStep) => (s.kind === 'unique' || s.kind === 'index' ? 0 : s.kind === 'foreign-key' ? 1 : 2);
  for (const c of order.cycles) warnings.push(`foreign keys form a cycle: ${[...c, c[0]].join(' -> ')} (no load order satisfies it; the keys are created after the load)`);
  for (const t of tables) for (const c of t.columns) if (c.warning) warnings.push(c.warning);
  for (const r of rules) if (r.to.dialect === td && !used.has(r)) warnings.push(`type rule '${r.text}' matched no column`);
  if (tables.length === 0 && problems.length === 0) problems.push('there is nothing to migrate: the source has no tables' + (options.includeViews ? ' or views' : ' (add --views to copy views as tables)'));
  return {
    version: 1,
    source: { url: ctx.sourceUrl, dialect: sd },
    target: { url: ctx.targetUrl, dialect: td },
    options,
    tables,
    cycles: order.cycles,
    steps: [...steps.unique, ...steps.index, ...steps.fk, ...steps.seq].sort((a, b) => kindRank(a) - kindRank(b) || position(a.table) - position(b.table)),
    warnings,
    problems,
  };
}
