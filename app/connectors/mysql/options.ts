import { userInfo } from 'node:os';
import { z } from 'zod';

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

/**
 * MySQL / MariaDB connection options. The URL's host, port, user and database fill the
 * fields of the same name; query parameters fill the rest (`statement_timeout` and `pool`
 * are accepted as aliases); explicit options win.
 */
export const mysqlOptions = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Server host name or address (the URL host).').meta({ examples: ['db.example.com'] }),
  port: z.number().int().min(1).max(65535).default(3306).describe('Server port (the URL port).'),
  database: z.string().min(1).describe('Database (schema) whose tables are listed, read and written (the URL path).').meta({ examples: ['shop'] }),
  user: z.string().min(1).default(osUser()).describe('User to log in as (the URL user); defaults to the operating-system user, as the mysql client does.'),
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
    .describe('Stop a statement running longer than this (0 = no limit): MariaDB max_statement_time, MySQL max_execution_time (SELECT only). Bulk loads are exempt.'),
  connectTimeoutMs: z.number().int().min(1).default(10_000).describe('Give up connecting after this long.'),
  poolSize: z.number().int().min(1).max(100).default(4).describe('Connections kept open at most (each read stream and each writer uses one while it runs).'),
  replica: z
    .string()
    .optional()
    .describe('A read replica: host[:port] or a mysql:// URL. Reads and catalog queries go there; writes never do. Same user and password unless the URL says otherwise.')
    .meta({ examples: ['replica.example.com:3306'] }),
  load: z
    .enum(['auto', 'infile', 'insert'])
    .default('auto')
    .describe(
      'How writes travel: infile = LOAD DATA LOCAL INFILE from a stream (fastest; the server must allow local_infile), insert = multi-row INSERT statements, auto = infile when the server allows it, else insert.',
    ),
  zeroDates: z
    .enum(['null', 'error'])
    .default('null')
    .describe("MySQL's zero dates ('0000-00-00', '0000-00-00 00:00:00'), which are no real date: read them as NULL, or fail the row."),
});

export type MysqlOptions = z.output<typeof mysqlOptions>;
