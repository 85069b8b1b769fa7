import { basename, extname } from 'node:path';
import { z } from 'zod';
import type { Connection, TableWriter } from '../../connectors/types';
import { formatType, sameType } from '../../model/types';
import { defineNode, type PlanContext } from '../types';

const config = z
  .object({
    connection: z
      .string()
      .min(1)
      .describe('A connection name from the document, or a URL such as sqlite:./out.db or csv:./rejected.csv.')
      .meta({ examples: ['warehouse', 'csv:./rejected.csv'] }),
    table: z.string().min(1).optional().describe('The table to write (database connections); a file connection writes its file.'),
    mode: z
      .enum(['insert', 'upsert', 'replace', 'truncate-insert'])
      .default('insert')
      .describe('insert: add rows; upsert: insert or update by key; replace: drop and re-create the table; truncate-insert: empty the table, then insert.'),
    key: z.array(z.string()).optional().describe('Key columns for upsert (default: the primary key of the table or of the input).'),
    create: z.boolean().default(true).describe('Create the table from the input columns when it does not exist.'),
    commitEvery: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Commit every N rows (default: one transaction for the whole run, so a failed run leaves the target as it was).'),
  })
  .strict();

type Config = z.infer<typeof config>;

/** For a file connection the table is the file; for a database it must be named. */
function tableOf(conn: Connection, c: Config, describe: string): string {
  if (c.table) return c.table;
  if (conn.dialect) throw new Error(`a sink into a database needs table:`);
  const path = describe.replace(/^[a-z]+:/i, '').replace(/\?.*$/, '');
  return basename(path, extname(path));
}

async function checkTarget(ctx: PlanContext<Config>, conn: Connection, table: string): Promise<void> {
  const input = ctx.inputs.in[0];
  if (ctx.config.mode === 'upsert' && !(ctx.config.key?.length || input.key?.length) && !conn.dialect) {
    ctx.problem('mode', 'files cannot be upserted; use insert or truncate-insert');
    return;
  }
  const tables = await conn.listTables();
  const exists = tables.some((t) => t.name === table);
  if (!exists) {
    if (!ctx.config.create) ctx.problem('table', `table '${table}' does not exist and create is false`);
    if (ctx.config.mode === 'upsert' && !(ctx.config.key?.length || input.key?.length)) {
      ctx.problem('key', 'upsert needs key columns: name them with key:');
    }
    return;
  }
  if (ctx.config.mode === 'replace' || !conn.dialect) return;
  const target = await conn.describeTable(table);
  for (const col of input.columns) {
    const t = target.columns.find((c) => c.name === col.name);
    if (!t) {
      ctx.problem('table', `table '${table}' has no column '${col.name}' (select or map the columns first, or use mode: replace)`);
    } else if (!sameType(t.type, col.type) && col.type.kind !== t.type.kind) {
      ctx.problem('table', `column '${col.name}' is ${formatType(col.type)} but '${table}'.'${col.name}' is ${formatType(t.type)} (${t.nativeType})`, {
        severity: 'warning',
      });
    }
  }
  const key = ctx.config.key ?? target.primaryKey ?? input.key;
  if (ctx.config.mode === 'upsert' && !key?.length) ctx.problem('key', `upsert needs key columns and '${table}' has no primary key`);
}

export const sinkNode = defineNode<Config>({
  type: 'sink',
  title: 'Sink',
  category: 'sink',
  description: 'Writes rows to a table of a connection (created when missing) or to a file, in a transaction.',
  config,
  example: { connection: 'warehouse', table: 'orders', mode: 'upsert', key: ['id'] },
  ports: () => ({ inputs: [{ name: 'in', kind: 'data' }], outputs: [] }),

  async plan(ctx) {
    const conn = await ctx.connections.open(ctx.config.connection);
    const table = tableOf(conn, ctx.config, ctx.connections.describe(ctx.config.connection));
    for (const k of ctx.config.key ?? []) {
      if (!ctx.inputs.in[0].columns.some((c) => c.name === k)) ctx.problem('key', `key column '${k}' is not among the input columns`);
    }
    await checkTarget(ctx, conn, table);
    return {};
  },

  async run(ctx) {
    const conn = await ctx.connections.open(ctx.config.connection);
    const input = ctx.input();
    const table = tableOf(conn, ctx.config, ctx.connections.describe(ctx.config.connection));
    const writer: TableWriter = await conn.write({
      table,
      schema: input.schema,
      mode: ctx.config.mode,
      key: ctx.config.key ?? input.schema.key,
      create: ctx.config.create,
    });
    const every = ctx.config.commitEvery;
    let sinceCommit = 0;
    try {
      for await (const rows of input) {
        await writer.write(rows);
        if (every) {
          sinceCommit += rows.length;
          if (sinceCommit >= every) {
            await writer.checkpoint();
            sinceCommit = 0;
          }
        }
      }
      if (!(await ctx.readyToCommit())) throw ctx.signal.reason ?? new Error('the run failed before this sink could commit');
      await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  },
});
