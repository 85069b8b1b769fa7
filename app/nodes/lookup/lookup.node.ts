import { z } from 'zod';
import type { Connection } from '../../connectors/types';
import type { Column, Schema } from '../../model/schema';
import { formatType, isNumericKind, type LogicalType } from '../../model/types';
import { formatValue, rowKey, type Row, type Value } from '../../model/values';
import { columnPickSchema, findColumn, pickAlias, pickName } from '../common/columns';
import { messageOf } from '../common/expressions';
import { defineNode, type PlanContext, type RejectedRow } from '../types';
import { MemoryTable, SqlTable, type LookupTable, type Projection } from './tables';

const config = z
  .object({
    on: z
      .array(
        z
          .object({
            left: z.string().min(1).describe('The key column of the input rows.'),
            right: z.string().min(1).describe('The matching column of the lookup table.'),
          })
          .strict(),
      )
      .min(1)
      .optional()
      .describe('Key column pairs: a row matches a lookup row when every pair is equal (NULL matches nothing).')
      .meta({ examples: [[{ left: 'customer_id', right: 'id' }]] }),
    key: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Key columns named the same on both sides (instead of on).')
      .meta({ examples: [['customer_id']] }),
    columns: z
      .array(columnPickSchema('lookup'))
      .optional()
      .describe('Lookup columns to add to each row, `{ name, as }` to rename (default: every lookup column except the key).')
      .meta({ examples: [['name', { name: 'country', as: 'customer_country' }]] }),
    join: z
      .enum(['left', 'inner'])
      .default('left')
      .describe('left: keep rows without a match (added columns NULL); inner: drop them.'),
    onMiss: z
      .enum(['null', 'drop', 'reject', 'fail'])
      .optional()
      .describe('A row without a match: keep it with NULLs, drop it, reject it with the reason, or fail the run (default: null for left, drop for inner).'),
    duplicates: z
      .enum(['first', 'error'])
      .default('error')
      .describe(
        'Two lookup rows with the same key: fail the run (the lookup is not a key), or use the first one (in input order; for a database table, the order it returns them).',
      ),
    source: z
      .object({
        connection: z.string().min(1).describe('A connection name from the document, or a URL.'),
        table: z.string().min(1).describe('The lookup table (a file connection: its file).'),
        schema: z.string().min(1).optional().describe('The database schema of the table, when it is not the default one.'),
      })
      .strict()
      .optional()
      .describe(
        'Look up in a table instead of the `lookup` input. A database table is queried by the keys of each batch, with an LRU cache; a file is read whole.',
      ),
    cacheSize: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('With a database source: how many keys (found or not) the cache remembers.'),
  })
  .strict();

type Config = z.infer<typeof config>;

interface Plan {
  left: number[];
  right: string[];
  take: Array<{ name: string; as: string }>;
  onMiss: 'null' | 'drop' | 'reject' | 'fail';
  schema: Schema;
}

function onMissOf(c: Config): Plan['onMiss'] {
  return c.onMiss ?? (c.join === 'inner' ? 'drop' : 'null');
}

/** Keys compare as values: numbers with numbers (1 = 1.0), text with text or uuid; anything else never matches. */
function keyFamily(t: LogicalType): string {
  if (isNumericKind(t.kind)) return 'number';
  if (t.kind === 'text' || t.kind === 'uuid') return 'text';
  return t.kind;
}

type Report = PlanContext<Config>['problem'];

function planOf(c: Config, input: Schema, lookup: Schema, report: Report | undefined): Plan | undefined {
  const find = (s: Schema, name: string, path: string, where: string) =>
    report ? findColumn({ problem: report }, s, name, path, where) : s.columns.findIndex((x) => x.name === name);
  let ok = true;
  if (c.on && c.key) {
    report?.('key', 'give either on or key, not both');
    return undefined;
  }
  const pairs = c.on ?? c.key?.map((k) => ({ left: k, right: k }));
  if (!pairs) {
    report?.('on', 'name the key: on: [{ left, right }] or key: [column, ...]');
    return undefined;
  }
  const left: number[] = [];
  const right: string[] = [];
  pairs.forEach((p, i) => {
    const li = find(input, p.left, c.on ? `on[${i}].left` : `key[${i}]`, 'the input');
    const ri = find(lookup, p.right, c.on ? `on[${i}].right` : `key[${i}]`, 'the lookup table');
    if (li < 0 || ri < 0) {
      ok = false;
      return;
    }
    const lt = input.columns[li].type;
    const rt = lookup.columns[ri].type;
    if (keyFamily(lt) !== keyFamily(rt)) {
      report?.(
        c.on ? `on[${i}]` : `key[${i}]`,
        `key '${p.left}' is ${formatType(lt)} but lookup column '${p.right}' is ${formatType(rt)}: they never match; cast one of them first`,
      );
      ok = false;
    }
    left.push(li);
    right.push(p.right);
  });
  const picks = c.columns ?? lookup.columns.filter((x) => !right.includes(x.name)).map((x) => x.name);
  const take: Plan['take'] = [];
  const names = new Set(input.columns.map((x) => x.name));
  const onMiss = onMissOf(c);
  const added: Column[] = [];
  picks.forEach((p, i) => {
    const name = pickName(p);
    const as = pickAlias(p);
    const path = typeof p === 'string' ? `columns[${i}]` : `columns[${i}].name`;
    const at = find(lookup, name, path, 'the lookup table');
    if (at < 0) {
      ok = false;
      return;
    }
    if (names.has(as)) {
      const where = c.columns ? path.replace(/\.name$/, '') : 'columns';
      report?.(where, `lookup column '${as}' would collide with a column of the same name; rename it with { name: ${name}, as: ... }${c.columns ? '' : ' (list the columns to add)'}`);
      ok = false;
      return;
    }
    names.add(as);
    take.push({ name, as });
    const col = lookup.columns[at];
    added.push({ name: as, type: col.type, nullable: col.nullable || onMiss === 'null' });
  });
  if (!ok) return undefined;
  const schema: Schema = { columns: [...input.columns, ...added] };
  if (input.key) schema.key = input.key;
  return { left, right, take, onMiss, schema };
}

async function lookupSchemaOf(ctx: PlanContext<Config>): Promise<Schema | undefined> {
  const port = ctx.inputs.lookup?.[0];
  const src = ctx.config.source;
  if (port && src) {
    ctx.problem('source', 'the lookup input is connected and source is given: use one of them');
    return undefined;
  }
  if (port) return port;
  if (!src) {
    ctx.problem('source', 'nothing to look up in: connect the lookup input, or give source: { connection, table }');
    return undefined;
  }
  try {
    const conn = await ctx.connections.open(src.connection);
    return await conn.describeTable({ name: src.table, schema: src.schema });
  } catch (e) {
    ctx.problem('source.table', `cannot read table '${src.table}' of ${ctx.connections.describe(src.connection)}: ${messageOf(e)}`);
    return undefined;
  }
}

export const lookupNode = defineNode<Config>({
  type: 'lookup',
  title: 'Lookup',
  category: 'combine',
  description:
    'Adds columns from another table to each row, matched by key (a left or inner join against a lookup). The lookup comes from the ' +
    '`lookup` input or from `source`. The lookup input, or a file source, is held in memory whole (memory grows with its rows); a ' +
    'database source is queried by the keys of each batch and cached (cacheSize keys). Key values match exactly as values: 1 = 1.0, ' +
    "'a' <> 'A', NULL matches nothing.",
  config,
  example: { on: [{ left: 'customer_id', right: 'id' }], columns: ['name', { name: 'country', as: 'customer_country' }], join: 'left' },
  ports: () => ({
    inputs: [
      { name: 'in', kind: 'data' },
      {
        name: 'lookup',
        kind: 'data',
        optional: true,
        readsFirst: true,
        description: 'The rows to look up in (read whole before the input), unless source is given.',
      },
    ],
    outputs: [
      { name: 'out', kind: 'data' },
      { name: 'rejected', kind: 'rejected', description: 'Rows without a match (onMiss: reject).' },
    ],
  }),

  async plan(ctx) {
    const lookup = await lookupSchemaOf(ctx);
    if (!lookup) return {};
    const p = planOf(ctx.config, ctx.inputs.in[0], lookup, ctx.problem);
    return p ? { out: p.schema } : {};
  },

  async run(ctx) {
    const c = ctx.config;
    const input = ctx.input();
    const out = ctx.output();
    let table: LookupTable;
    let lookupSchema: Schema;
    let sql: SqlTable | undefined;
    const what = c.source ? `lookup table '${c.source.table}'` : 'the lookup input';
    let conn: Connection | undefined;
    if (c.source) {
      conn = await ctx.connections.open(c.source.connection);
      lookupSchema = await conn.describeTable({ name: c.source.table, schema: c.source.schema });
    } else lookupSchema = ctx.input('lookup').schema;
    const plan = planOf(c, input.schema, lookupSchema, undefined);
    if (!plan) throw new Error('lookup: the configuration does not fit the inputs (validate the pipeline)');
    const projection: Projection = {
      key: plan.right.map((n) => lookupSchema.columns.findIndex((x) => x.name === n)),
      take: plan.take.map((t) => lookupSchema.columns.findIndex((x) => x.name === t.name)),
      duplicates: c.duplicates,
      keyNames: plan.right,
      what,
    };
    if (conn?.dialect) {
      sql = new SqlTable(
        conn,
        {
          table: { name: c.source!.table, schema: c.source!.schema },
          keyColumns: plan.right,
          takeColumns: plan.take.map((t) => t.name),
          cacheSize: c.cacheSize,
          signal: ctx.signal,
        },
        c.duplicates,
        what,
      );
      table = sql;
    } else {
      const memory = new MemoryTable(projection);
      if (conn) {
        const stream = await conn.read({ table: { name: c.source!.table, schema: c.source!.schema } }, { signal: ctx.signal });
        for await (const rows of stream.batches) memory.add(rows);
      } else for await (const rows of ctx.input('lookup')) memory.add(rows);
      ctx.log.info(`lookup: ${memory.size} keys in memory`);
      table = memory;
    }

    const { left, onMiss } = plan;
    const width = plan.take.length;
    const nulls: Row = new Array(width).fill(null);
    const missReason = (row: Row) => {
      const key = left.map((i) => `${input.schema.columns[i].name} = ${formatValue(row[i])}`).join(', ');
      return left.some((i) => row[i] === null) ? `${key}: a NULL key matches nothing` : `no row in ${what} for ${key}`;
    };
    for await (const rows of input) {
      const keys = new Map<string, Value[]>();
      const rowKeys: Array<string | undefined> = new Array(rows.length);
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        if (left.some((i) => row[i] === null)) continue;
        const k = rowKey(row, left);
        rowKeys[r] = k;
        if (!keys.has(k)) keys.set(k, left.map((i) => row[i]));
      }
      const found = await table.resolve(keys);
      const result: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        const k = rowKeys[r];
        const match = k === undefined ? undefined : found.get(k);
        if (match) result.push(width === 0 ? row : [...row, ...match]);
        else if (onMiss === 'null') result.push(width === 0 ? row : [...row, ...nulls]);
        else if (onMiss === 'reject') {
          const i = left[0];
          (rejected ??= []).push({ row, reasons: [{ rule: 'lookup', column: input.schema.columns[i].name, value: row[i], message: missReason(row) }] });
        } else if (onMiss === 'fail') throw new Error(`${missReason(row)} (onMiss: fail)`);
      }
      if (rejected) await ctx.reject(rejected);
      await out.push(result);
      if (out.done) break;
    }
    if (sql) ctx.log.info('lookup cache', { ...sql.stats });
  },
});
