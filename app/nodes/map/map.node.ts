import { z } from 'zod';
import type { ColumnInfo } from '../../connectors/types';
import { castValue, compileExpression, type CompiledExpr } from '../../expr';
import { didYouMean } from '../../model/problems';
import type { Column, Schema } from '../../model/schema';
import { formatType, parseType, sameType, type LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { castMessage, castPossible, converterOf } from '../common/casts';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type ConnectionProvider, type PlanContext, type RejectReason, type RejectedRow } from '../types';
import { matchColumns } from './auto-map';

const literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const columnSpec = z
  .object({
    name: z.string().min(1).describe('The target column (with target: a column of the table).'),
    expr: z
      .string()
      .min(1)
      .optional()
      .describe('A SQL expression for the value (default: the input column of the same name).')
      .meta({ examples: ['lower(trim(email))', 'quantity * unit_price'] }),
    type: z
      .string()
      .min(1)
      .optional()
      .describe("The column's type, e.g. int, decimal(12,2), text; the value is cast to it (default: the target table's type, else the source's).")
      .meta({ examples: ['decimal(12,2)', 'date'] }),
    default: literal.optional().describe('A literal used when the value is NULL (cast to the type).').meta({ examples: [0, 'unknown'] }),
    required: z
      .boolean()
      .optional()
      .describe('Reject the row when the value is still NULL after the default (default: true for a NOT NULL column of the target table).'),
  })
  .strict();

const config = z
  .object({
    columns: z
      .array(columnSpec)
      .default([])
      .describe('The target columns, with how each gets its value. With target, only the columns that need something other than the automatic match.'),
    target: z
      .object({
        connection: z.string().min(1).describe('A connection name from the document, or a URL.'),
        table: z.string().min(1).describe('The table whose columns (names, types, NOT NULL) are the target columns.'),
      })
      .strict()
      .optional()
      .describe('Take the target columns from a table: the output has its columns in its order.'),
    auto: z
      .boolean()
      .default(true)
      .describe(
        'Fill a target column that has no expr from the input column with the same name ignoring case, spaces, _ and - (Order ID = order_id). Off: only listed columns take the input column of exactly their name.',
      ),
  })
  .strict();

type Config = z.infer<typeof config>;

type Source = { kind: 'expr'; text: string; path: string } | { kind: 'column'; index: number } | { kind: 'none' };

/** One output column and how its value is made. */
interface Slot {
  name: string;
  source: Source;
  type: LogicalType;
  /** Converts a non-NULL source value when the source's type differs. */
  convert?: (v: Value) => Value;
  defaultValue: Value;
  required: boolean;
  nullable: boolean;
}

interface Target {
  name: string;
  /** Index into config.columns when listed there. */
  spec?: number;
  table?: ColumnInfo;
}

interface Reporter {
  problem: PlanContext<Config>['problem'];
  exprType(path: string, text: string): { type: LogicalType; nullable: boolean } | undefined;
}

const silent: Reporter['problem'] = () => {};

async function describeTarget(c: Config, connections: ConnectionProvider): Promise<ColumnInfo[] | undefined> {
  if (!c.target) return undefined;
  const conn = await connections.open(c.target.connection);
  return (await conn.describeTable(c.target.table)).columns;
}

function targetsOf(c: Config, table: ColumnInfo[] | undefined, report: Reporter['problem']): Target[] | undefined {
  let ok = true;
  const seen = new Set<string>();
  c.columns.forEach((s, i) => {
    if (seen.has(s.name)) {
      report(`columns[${i}].name`, `target column '${s.name}' is listed twice`);
      ok = false;
    }
    seen.add(s.name);
    if (table && !table.some((t) => t.name === s.name)) {
      const hint = didYouMean(s.name, table.map((t) => t.name));
      report(`columns[${i}].name`, `table '${c.target!.table}' has no column '${s.name}'${hint ? ` (did you mean '${hint}'?)` : ''}`, { hint });
      ok = false;
    }
  });
  if (!ok) return undefined;
  if (!table) return c.columns.map((s, i) => ({ name: s.name, spec: i }));
  return table.map((t) => {
    const spec = c.columns.findIndex((s) => s.name === t.name);
    return { name: t.name, table: t, spec: spec >= 0 ? spec : undefined };
  });
}

function castLiteral(v: Value, type: LogicalType): Value {
  return v === null ? null : castValue(v, type);
}

/** Works out every output column; undefined when the configuration has errors. */
function slotsOf(c: Config, input: Schema, table: ColumnInfo[] | undefined, r: Reporter): Slot[] | undefined {
  const targets = targetsOf(c, table, r.problem);
  if (!targets) return undefined;
  const names = input.columns.map((x) => x.name);
  // Targets without an expression take an input column: the same name, or (auto) a close one.
  const needSource = targets.filter((t) => t.spec === undefined || c.columns[t.spec].expr === undefined);
  const exact = (t: Target) => names.indexOf(t.name);
  const auto = c.auto ? matchColumns(names, needSource.map((t) => t.name)) : undefined;
  let ok = true;
  const slots: Slot[] = [];
  for (const t of targets) {
    const spec = t.spec === undefined ? undefined : c.columns[t.spec];
    const at = t.spec === undefined ? 'target' : `columns[${t.spec}]`;
    let source: Source = { kind: 'none' };
    let sourceType: LogicalType | undefined;
    let sourceNullable = true;
    if (spec?.expr !== undefined) {
      const path = `${at}.expr`;
      const e = r.exprType(path, spec.expr);
      if (!e) {
        ok = false;
        continue;
      }
      source = { kind: 'expr', text: spec.expr, path };
      sourceType = e.type;
      sourceNullable = e.nullable;
    } else {
      const matched = auto?.matches.find((m) => m.target === t.name)?.source;
      // Without auto, only a listed column takes the input column of exactly its name.
      const index = matched !== undefined ? names.indexOf(matched) : t.spec !== undefined ? exact(t) : -1;
      if (index >= 0) {
        source = { kind: 'column', index };
        sourceType = input.columns[index].type;
        sourceNullable = input.columns[index].nullable;
      }
    }
    let type: LogicalType | undefined = t.table?.type ?? sourceType;
    if (spec?.type !== undefined) {
      type = parseType(spec.type);
      if (!type) {
        r.problem(`${at}.type`, `unknown type '${spec.type}' (e.g. int, bigint, decimal(12,2), float, text, date, timestamp, boolean)`);
        ok = false;
        continue;
      }
    }
    // A table column nothing maps to, which the database fills itself, is left out of the insert.
    if (source.kind === 'none' && t.table && spec?.default === undefined && (t.table.default !== undefined || t.table.autoIncrement)) continue;
    if (!type) {
      r.problem(at, `target column '${t.name}' has no expr, no type and no input column of that name`);
      ok = false;
      continue;
    }
    if (sourceType && !castPossible(sourceType, type)) {
      const what = source.kind === 'column' ? `column '${input.columns[source.index].name}'` : 'the expression';
      r.problem(
        source.kind === 'expr' ? `${at}.expr` : at,
        source.kind === 'column'
          ? castMessage(input.columns[source.index].name, sourceType, type) + ` (target column '${t.name}')`
          : `${what} is ${formatType(sourceType)} and cannot be cast to ${formatType(type)} (target column '${t.name}')`,
      );
      ok = false;
      continue;
    }
    let defaultValue: Value = null;
    if (spec?.default !== undefined && spec.default !== null) {
      try {
        defaultValue = castLiteral(spec.default, type);
      } catch (e) {
        r.problem(`${at}.default`, `default ${JSON.stringify(spec.default)} does not fit type ${formatType(type)}: ${messageOf(e)}`);
        ok = false;
        continue;
      }
    }
    const required = spec?.required ?? (t.table ? !t.table.nullable : false);
    if (source.kind === 'none') {
      const hint = auto?.suggestions.find((s) => s.target === t.name)?.candidates;
      if (required && defaultValue === null) {
        r.problem(at, `target column '${t.name}' is required but nothing maps to it${hint ? ` (did you mean input column '${hint[0]}'?)` : ''}: give an expr or a default`, {
          hint: hint?.[0],
        });
        ok = false;
        continue;
      }
      if (defaultValue === null) {
        r.problem(at, `target column '${t.name}' gets no value: it will be NULL${hint ? ` (did you mean input column '${hint.join("' or '")}'?)` : ''}`, {
          severity: 'warning',
          hint: hint?.[0],
        });
      }
    }
    slots.push({
      name: t.name,
      source,
      type,
      convert: sourceType && !sameType(sourceType, type) ? converterOf(sourceType, type) : undefined,
      defaultValue,
      required,
      nullable: !required && defaultValue === null && sourceNullable,
    });
  }
  if (ok && slots.length === 0) {
    r.problem('columns', 'the mapping has no target columns: list columns or give a target table');
    ok = false;
  }
  return ok ? slots : undefined;
}

function describeError(c: Config, e: unknown): string {
  return `cannot read the columns of table '${c.target?.table}': ${messageOf(e)}`;
}

export const mapNode = defineNode<Config>({
  type: 'map',
  title: 'Map',
  category: 'transform',
  description:
    "Shapes rows into a target's columns: each target column from an expression or the input column of the same name, cast to its type, " +
    'with a default for NULL and a required check. The output is exactly the target columns in target order (a table column the database ' +
    'fills itself, by default or auto-increment, and which nothing maps to, is left out). Rows whose cast fails or whose required column ' +
    'stays NULL are rejected with every reason.',
  config,
  example: {
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'email', expr: 'lower(trim(mail))', required: true },
      { name: 'total', type: 'decimal(12,2)', default: 0 },
    ],
  },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows whose cast failed, whose expression failed, or whose required column is NULL.' },
    ],
  }),

  async plan(ctx) {
    const input = ctx.inputs.in[0];
    let table: ColumnInfo[] | undefined;
    try {
      table = await describeTarget(ctx.config, ctx.connections);
    } catch (e) {
      ctx.problem('target.table', describeError(ctx.config, e));
      return {};
    }
    const scope = scopeOf(input, ctx.params);
    const slots = slotsOf(ctx.config, input, table, {
      problem: ctx.problem,
      exprType: (path, text) => checkConfigExpression(ctx, path, text, scope),
    });
    if (!slots) return {};
    const columns: Column[] = slots.map((s) => ({ name: s.name, type: s.type, nullable: s.nullable }));
    // The input's key survives only when each key column is copied unchanged under its name.
    const copied = (k: string) => slots.some((s) => s.name === k && s.source.kind === 'column' && input.columns[s.source.index].name === k && !s.convert);
    const key = input.key?.every(copied) ? input.key : undefined;
    return { out: key ? { columns, key } : { columns } };
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const table = await describeTarget(ctx.config, ctx.connections);
    const scope = scopeOf(input.schema, ctx.paramTypes);
    const compiled = new Map<string, CompiledExpr>();
    const slots = slotsOf(ctx.config, input.schema, table, {
      problem: silent,
      exprType: (path, text) => {
        const e = compileExpression(text, scope);
        compiled.set(path, e);
        return e;
      },
    });
    if (!slots) throw new Error('map: the configuration does not fit the input (validate the pipeline)');
    const exprs = slots.map((s) => (s.source.kind === 'expr' ? compiled.get(s.source.path)! : undefined));
    const params = ctx.params;
    for await (const rows of input) {
      const kept: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      for (const row of rows) {
        const o: Row = new Array(slots.length);
        let reasons: RejectReason[] | undefined;
        for (let k = 0; k < slots.length; k++) {
          const s = slots[k];
          let v: Value = null;
          const src = s.source;
          if (src.kind === 'column') v = row[src.index];
          else if (src.kind === 'expr') {
            try {
              v = exprs[k]!.evaluate(row, params);
            } catch (e) {
              (reasons ??= []).push({ rule: 'expression', column: s.name, message: `${s.name}: ${messageOf(e)}` });
              continue;
            }
          }
          if (v !== null && s.convert) {
            try {
              v = s.convert(v);
            } catch (e) {
              (reasons ??= []).push({
                rule: 'cast',
                column: s.name,
                value: v,
                message: `${s.name}: ${messageOf(e)}`,
              });
              continue;
            }
          }
          if (v === null) v = s.defaultValue;
          if (v === null && s.required) {
            (reasons ??= []).push({ rule: 'required', column: s.name, value: null, message: `${s.name} is required but is NULL` });
          }
          o[k] = v;
        }
        if (reasons) (rejected ??= []).push({ row, reasons });
        else kept.push(o);
      }
      if (rejected) await ctx.reject(rejected);
      await out.push(kept);
      if (out.done) break;
    }
  },
});
