/** A failed connection's network error code in words (PostgreSQL and MySQL drivers share Node's codes); undefined for any other. */
export function networkFailure(code: string | undefined): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
      return 'the server closed the connection';
    default:
      return undefined;
  }
}
