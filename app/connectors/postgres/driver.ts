import type pgModule from 'pg';
import type * as copyStreams from 'pg-copy-streams';

/**
 * pg and pg-copy-streams, loaded when the first PostgreSQL connection opens rather than when
 * Sluice starts: a run that never touches PostgreSQL (a CSV pipeline) would otherwise spend
 * a tenth of its start-up loading them.
 */
export interface PgDriver {
  pg: typeof pgModule;
  copy: typeof copyStreams;
}

let loading: Promise<PgDriver> | undefined;
let loaded: PgDriver | undefined;

export function loadPgDriver(): Promise<PgDriver> {
  loading ??= Promise.all([import('pg'), import('pg-copy-streams')]).then(([pg, copy]) => (loaded = { pg: pg.default, copy }));
  return loading;
}

/** The driver, once a connection has loaded it (every reader and writer runs on an open connection). */
export function pgDriver(): PgDriver {
  if (!loaded) throw new Error('the PostgreSQL driver is used before a connection loaded it');
  return loaded;
}
