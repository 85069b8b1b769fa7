import { createRequire } from 'node:module';
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
// pg-copy-streams (CommonJS, not bundled) is required: the CLI's bundle is CommonJS run from
// V8's code cache (bin/sluice.mjs), where an import() of a module outside it cannot work.
const requireHere = createRequire(import.meta.url);

export function loadPgDriver(): Promise<PgDriver> {
  loading ??= import('pg').then((pg) => (loaded = { pg: pg.default, copy: requireHere('pg-copy-streams') as typeof copyStreams }));
  return loading;
}

/** The driver, once a connection has loaded it (every reader and writer runs on an open connection). */
export function pgDriver(): PgDriver {
  if (!loaded) throw new Error('the PostgreSQL driver is used before a connection loaded it');
  return loaded;
}
