import { userInfo } from 'node:os';
import { z } from 'zod';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/**
 * PostgreSQL connection options. The URL's host, port, user and database fill the fields
 * of the same name; query parameters fill the rest (`statement_timeout` and `pool` are
 * accepted as aliases of statementTimeoutMs and poolSize); explicit options win.
 */
export const postgresOptions = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Server host name or address (the URL host).').meta({ examples: ['db.example.com'] }),
  port: z.number().int().min(1).max(65535).default(5432).describe('Server port (the URL port).'),
  database: z.string().min(1).optional().describe('Database name (the URL path); defaults to the user name, as libpq does.').meta({ examples: ['shop'] }),
  user: z.string().min(1).default(osUser()).describe('Role to log in as (the URL user); defaults to the operating-system user, as libpq does.'),
  schema: z.string().min(1).default('public').describe('Schema whose tables are listed and written; unqualified names in queries look there first (search_path).'),
  sslmode: z
    .enum(['disable', 'require', 'verify-full'])
    .default('disable')
    .describe('disable: plain TCP; require: TLS without checking the certificate; verify-full: TLS, certificate and host name checked.'),
  sslrootcert: z.string().optional().describe('verify-full: a PEM file with the CA certificate(s) to trust (default: the system CAs).'),
  statementTimeoutMs: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('Cancel a statement running longer than this (0 = no limit). Bulk COPY of a table read or write is exempt: its length is set by the rows, not by a runaway query.'),
  connectTimeoutMs: z.number().int().min(0).default(10_000).describe('Give up connecting after this long (0 = wait for the operating system).'),
  poolSize: z.number().int().min(1).max(100).default(4).describe('Connections kept open at most (each read stream and each writer uses one while it runs).'),
  replica: z
    .string()
    .optional()
    .describe('A read replica: host[:port] or a postgres:// URL. Reads and catalog queries go there; writes never do. Same user and password unless the URL says otherwise.')
    .meta({ examples: ['replica.example.com:5432'] }),
  infinity: z
    .enum(['error', 'null', 'clamp'])
    .default('error')
    .describe("Dates and timestamps 'infinity' / '-infinity' (and BC dates), which Sluice values cannot hold: fail the row, read NULL, or clamp to 9999-12-31 / 0001-01-01."),
  readWith: z
    .enum(['copy', 'cursor'])
    .default('copy')
    .describe('How table reads travel: COPY TO STDOUT (fastest) or a server-side cursor fetched in batches. Queries always use a cursor.'),
});

export type PostgresOptions = z.output<typeof postgresOptions>;
