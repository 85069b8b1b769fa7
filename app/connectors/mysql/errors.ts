import { ConnectorError } from '../types';
import { networkFailure } from '../sql/network-errors';

/**
 * MySQL / MariaDB errors -> messages a user can act on. Connection failures name the
 * server and what failed ("cannot connect to MariaDB at 127.0.0.1:3307: connection
 * refused"); server errors keep the server's message. Passwords never appear.
 */

interface MyLikeError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message: string;
  fatal?: boolean;
}

function asMy(e: unknown): MyLikeError {
  return (e !== null && typeof e === 'object' ? e : { message: String(e) }) as MyLikeError;
}

export function connectFailure(e: unknown, user: string, database: string): string {
  const my = asMy(e);
  const network = networkFailure(my.code);
  if (network) return network;
  switch (my.code) {
    case 'PROTOCOL_CONNECTION_LOST':
      return 'the server closed the connection';
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return `access denied for user '${user}' (wrong password, or the user may not log in from this host)`;
    case 'ER_BAD_DB_ERROR':
      return `database '${database}' does not exist`;
    case 'ER_DBACCESS_DENIED_ERROR':
      return `user '${user}' may not use database '${database}'`;
    case 'ER_CON_COUNT_ERROR':
      return 'too many connections on the server';
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return 'the server does not support SSL connections (sslmode=require or verify-full was asked)';
  }
  const m = my.sqlMessage ?? my.message ?? String(e);
  if (/certificate|self[- ]signed/i.test(m)) return `the server's certificate was not accepted: ${m}`;
  return m;
}

export function connectError(e: unknown, product: string, hostPort: string, user: string, database: string): ConnectorError {
  return new ConnectorError(`cannot connect to ${product} at ${hostPort}: ${connectFailure(e, user, database)}`, { connector: 'mysql', cause: e });
}

export function describeMyError(e: unknown): string {
  const my = asMy(e);
  return my.sqlMessage ?? my.message;
}

export function myError(label: string, e: unknown, table?: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  return new ConnectorError(`${label}: ${describeMyError(e)}`, { connector: 'mysql', table, cause: e });
}

/** True when the connection cannot be used again (mysql2 marks those errors fatal). */
export function isFatal(e: unknown): boolean {
  return asMy(e).fatal === true;
}
