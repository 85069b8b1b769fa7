import { z } from 'zod';
import type { Connection, ReadRequest, SourceError } from '../../connectors/types';
import type { Schema } from '../../model/schema';
import type { Value } from '../../model/values';
import { defineNode } from '../types';

const config = z
  .object({
    connection: z
      .string()
      .min(1)
      .describe('A connection name from the document, or a URL such as sqlite:./shop.db or csv:./orders.csv.')
      .meta({ examples: ['shop', 'csv:./orders.csv'] }),
    table: z.string().min(1).optional().describe('The table or view to read (a file connection has one table: the file).'),
    query: z
      .string()
      .min(1)
      .optional()
      .describe('A SQL query to read instead of a table (database connections only); :name parameters are bound.')
      .meta({ examples: ['select * from orders where status = :status'] }),
    columns: z.array(z.string()).optional().describe('Read only these columns of the table.'),
    onError: z
      .enum(['stop', 'skip'])
      .default('stop')
      .describe('A record that cannot be read (bad CSV line, bad JSON, a value of the wrong type): stop the run, or skip it and record it as rejected.'),
  })
  .strict()
  .refine((c) => !(c.table && c.query), { message: 'give either table or query, not both', path: ['query'] });

type Config = z.infer<typeof config>;

/** The table a file connection holds when none is named: the file itself. */
async function tableOf(conn: Connection, c: Config): Promise<string | undefined> {
  if (c.table || c.query) return c.table;
  const tables = await conn.listTables();
  if (tables.length === 1) return tables[0].name;
  throw new Error(`connection '${c.connection}' holds ${tables.length} tables; name one with table:`);
}

function requestOf(c: Config, table: string | undefined, params: Record<string, Value>): ReadRequest {
  if (c.query) {
    const used: Record<string, Value> = {};
    for (const m of c.query.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)) if (m[1] in params) used[m[1]] = params[m[1]];
    return { query: c.query, params: used };
  }
  return { table: table!, columns: c.columns };
}

export const sourceNode = defineNode<Config>({
  type: 'source',
  title: 'Source',
  category: 'source',
  description: 'Reads rows from a table or query of a connection, or from a file (CSV, NDJSON, JSON).',
  config,
  example: { connection: 'shop', table: 'orders' },
  ports: () => ({ inputs: [], outputs: [{ name: 'out', kind: 'data' }] }),

  async plan(ctx) {
    const conn = await ctx.connections.open(ctx.config.connection);
    const table = await tableOf(conn, ctx.config);
    if (ctx.config.query && !conn.dialect) {
      ctx.problem('query', `connection '${ctx.config.connection}' is a file: it has no SQL queries; read its table instead`);
      return {};
    }
    if (table !== undefined) {
      const tables = await conn.listTables();
      if (!tables.some((t) => t.name === table)) {
        const near = tables.map((t) => t.name).find((n) => n.toLowerCase() === table.toLowerCase());
        ctx.problem('table', `no table '${table}' in ${ctx.connections.describe(ctx.config.connection)}${near ? ` (did you mean '${near}'?)` : ''}`, {
          hint: near,
        });
        return {};
      }
    }
    // Planning reads no rows: parameters are bound as NULL just to learn the columns.
    const nullParams = Object.fromEntries(Object.keys(ctx.params).map((k) => [k, null]));
    const stream = await conn.read({ ...requestOf(ctx.config, table, nullParams), limit: 0 });
    // Reading zero rows still opens the source; close the iterator right away.
    await stream.batches[Symbol.asyncIterator]().return?.();
    let schema: Schema = stream.schema;
    if (ctx.config.columns) {
      const missing = ctx.config.columns.filter((c) => !schema.columns.some((s) => s.name === c));
      for (const m of missing) ctx.problem('columns', `no column '${m}' in '${table}'`);
      schema = { columns: schema.columns.filter((c) => ctx.config.columns!.includes(c.name)), key: schema.key };
    }
    return { out: schema };
  },

  async run(ctx) {
    const conn = await ctx.connections.open(ctx.config.connection);
    const table = await tableOf(conn, ctx.config);
    const out = ctx.output();
    const pending: SourceError[] = [];
    const file = ctx.connections.describe(ctx.config.connection);
    const stream = await conn.read(requestOf(ctx.config, table, ctx.params), {
      signal: ctx.signal,
      onError: ctx.config.onError,
      onErrorRecord: (e) => pending.push(e),
    });
    // Bad records skipped by the reader are recorded as rejected, with file and line.
    const flushErrors = () =>
      ctx.reject(
        pending.splice(0).map((e) => ({
          row: [],
          reasons: [{ rule: 'read', value: e.raw ?? null, message: `${e.file ?? file}${e.line ? `:${e.line}` : ''}: ${e.message}` }],
        })),
      );
    for await (const rows of stream.batches) {
      if (pending.length > 0) await flushErrors();
      await out.push(rows);
      if (out.done) break;
    }
    if (pending.length > 0) await flushErrors();
  },
});
