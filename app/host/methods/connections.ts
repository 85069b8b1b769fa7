import { formatType } from '../../model/types';
import { PlainTextSecretError, StoreError, type ConnectionInput, type StoredConnection } from '../../store';
import { ApiError, type ConnectionInfo, type Handlers } from '../../contract';
import { withConnection } from '../connections';
import type { HostDeps } from '../deps';

export function connectionInfo(c: StoredConnection): ConnectionInfo {
  return {
    name: c.name,
    url: c.url,
    options: c.options,
    secret: c.secretRef ? 'env' : c.encryptedSecret ? 'encrypted' : 'none',
    secretRef: c.secretRef,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

const NO_SECRET_STORAGE =
  'this host cannot store a password safely (only the desktop app encrypts them, with the system keychain): ' +
  'put it in an environment variable and give a reference such as ${env:PGPASSWORD}';

function mustGet(deps: HostDeps, name: string): StoredConnection {
  const c = deps.store.getConnection(name);
  if (!c) throw new ApiError('not-found', `no saved connection '${name}'`);
  return c;
}

export function connectionHandlers(
  deps: HostDeps,
): Pick<
  Handlers,
  'connections/list' | 'connections/get' | 'connections/save' | 'connections/delete' | 'connections/test' | 'connections/tables' | 'connections/describe'
> {
  return {
    'connections/list': async () => ({ connections: deps.store.listConnections().map(connectionInfo) }),
    'connections/get': async ({ name }) => connectionInfo(mustGet(deps, name)),

    'connections/save': async ({ name, url, options, secret }) => {
      const existing = deps.store.getConnection(name);
      const input: ConnectionInput = { name, url, options };
      switch (secret.kind) {
        case 'keep':
          if (existing?.secretRef) input.secretRef = existing.secretRef;
          else if (existing?.encryptedSecret) input.encryptedSecret = existing.encryptedSecret;
          break;
        case 'env':
          input.secretRef = secret.ref;
          break;
        case 'password':
          if (!deps.secrets) throw new ApiError('secrets-unavailable', NO_SECRET_STORAGE, [{ path: 'secret.password', message: NO_SECRET_STORAGE }]);
          input.encryptedSecret = deps.secrets.encrypt(secret.password);
          break;
        case 'none':
          break;
      }
      try {
        deps.store.saveConnection(input);
      } catch (e) {
        if (e instanceof PlainTextSecretError) throw new ApiError('forbidden', e.message);
        if (e instanceof StoreError) throw new ApiError('invalid-input', e.message);
        throw e;
      }
      return connectionInfo(mustGet(deps, name));
    },

    'connections/delete': async ({ name }) => {
      mustGet(deps, name);
      deps.store.deleteConnection(name);
      return { deleted: true };
    },

    'connections/test': async (input) => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      // An unsaved connection is tested under a private name; its password stays in memory.
      const testName = '__sluice_connection_test';
      const extra = input.url
        ? {
            named: {
              [testName]: {
                url: input.url,
                options: input.options,
                password: input.password !== undefined ? '${env:SLUICE_TEST_PASSWORD}' : input.secretRef,
              },
            },
            secrets: input.password !== undefined ? { SLUICE_TEST_PASSWORD: input.password } : undefined,
          }
        : undefined;
      try {
        await withConnection(deps, input.name ?? testName, (conn) => conn.test(), extra);
        return { ok: true, message: 'connected', durationMs: elapsed() };
      } catch (e) {
        return { ok: false, message: e instanceof Error ? e.message : String(e), durationMs: elapsed() };
      }
    },

    'connections/tables': async ({ connection }) =>
      withConnection(deps, connection, async (conn) => ({ tables: await conn.listTables() })),

    'connections/describe': async ({ connection, table, schema }) =>
      withConnection(deps, connection, async (conn) => {
        const t = await conn.describeTable(schema ? { name: table, schema } : table);
        return { ...t, columns: t.columns.map((c) => ({ ...c, type: formatType(c.type) })) };
      }),
  };
}
