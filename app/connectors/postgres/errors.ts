import { ConnectorError } from '../types';
import { networkFailure } from '../sql/network-errors';

/**
 * PostgreSQL errors -> messages a user can act on. Connection failures name the server
 * and what failed ("cannot connect to PostgreSQL at 127.0.0.1:5999: connection refused");
 * server errors keep PostgreSQL's own message and add its detail / hint. Passwords are
 * never part of any message (pg does not put them in errors; URLs are not repeated).
 */

interface PgLikeError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  where?: string;
  position?: string;
  errno?: number;
  syscall?: string;
}

function asPg(e: unknown): PgLikeError {
  return (e !== null && typeof e === 'object' ? e : { message: String(e) }) as PgLikeError;
}

/** Why a connection attempt failed, in words. */
export function connectFailure(e: unknown, user: string, database: string, timeoutMs: number): string {
  const pg = asPg(e);
  const network = networkFailure(pg.code);
  if (network) return network;
  switch (pg.code) {
    case '28P01':
      return `password authentication failed for user "${user}"`;
    case '28000':
      return pg.message.replace(/^FATAL:\s*/, '');
    case '3D000':
      return `database "${database}" does not exist`;
    case '53300':
      return 'too many connections on the server';
    case '57P03':
      return 'the server is starting up or shutting down';
  }
  const m = pg.message ?? String(e);
  if (/timeout expired|Connection terminated due to connection timeout/i.test(m)) return `timed out after ${timeoutMs} ms`;
  if (/does not support SSL/i.test(m)) return 'the server does not support SSL connections (sslmode=require or verify-full was asked)';
  if (/client password must be a string|SASL: SCRAM-SERVER-FIRST-MESSAGE|password authentication/i.test(m)) return `the server asks for a password for user "${user}" and none was given`;
  if (/self[- ]signed certificate|unable to verify|certificate/i.test(m)) return `the server's certificate was not accepted: ${m}`;
  return m;
}

export function connectError(e: unknown, hostPort: string, user: string, database: string, timeoutMs: number): ConnectorError {
  return new ConnectorError(`cannot connect to PostgreSQL at ${hostPort}: ${connectFailure(e, user, database, timeoutMs)}`, { connector: 'postgres', cause: e });
}

/** A server error as one line with PostgreSQL's detail and hint. */
export function describePgError(e: unknown): string {
  const pg = asPg(e);
  let m = pg.message;
  if (pg.detail) m += ` (${pg.detail})`;
  if (pg.hint) m += ` Hint: ${pg.hint}`;
  return m;
}

export function pgError(label: string, e: unknown, table?: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  return new ConnectorError(`${label}: ${describePgError(e)}`, { connector: 'postgres', table, cause: e });
}

/** For COPY errors: the line of the COPY data the server complained about (1-based), if it says. */
export function copyLineOf(e: unknown): number | undefined {
  const where = asPg(e).where;
  const m = where ? /COPY [^,]+, line (\d+)/.exec(where) : null;
  return m ? Number(m[1]) : undefined;
}

/** True for errors that mean the connection itself is unusable (not just the statement). */
export function isConnectionError(e: unknown): boolean {
  const pg = asPg(e);
  if (pg.code && /^(08|57P0)/.test(pg.code)) return true;
  return ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'].includes(pg.code ?? '') || /Connection terminated|Client has encountered a connection error|not queryable/i.test(pg.message ?? '');
}
