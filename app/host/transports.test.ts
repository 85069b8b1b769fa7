import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_PREFIX, METHOD_NAMES, type Envelope, type MethodInput, type MethodName } from '../contract';
import { fakeDialogs, fakeSecrets, httpTransport, ipcTransport, startTestHost, type TestHost, type Transport } from './test-host';

/**
 * Every method through both transports — the IPC binding the desktop app registers (on a
 * fake ipcMain) and the browser host's HTTP — on two hosts started from the same fixture
 * workspace, with the same calls in the same order: the answers must be the same (after
 * blanking what differs by nature: folders, ids, times).
 */

interface State {
  jobId?: string;
  runId?: string;
  table?: string;
  migrationJobId?: string;
  migrationRunId?: string;
}

/** A small SQLite database (two tables, a foreign key) for the migration methods, as base64 for files/write. */
function shopDatabase(): string {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer (id), amount NUMERIC(10,2));
    INSERT INTO customer VALUES (1, 'Ada'), (2, 'Cy');
    INSERT INTO orders VALUES (10, 1, 12.5), (11, 2, 3), (12, 1, NULL);`);
  const bytes = db.serialize();
  db.close();
  return Buffer.from(bytes).toString('base64');
}
const SHOP_DB = shopDatabase();
const MIGRATE = { from: 'sqlite:./data/shop.db', to: 'sqlite:./data/shop-copy.db' };

/** A sync definition for the syncs/* methods (its source does not exist: its run fails, as a run may). */
const SYNC_DOC = {
  version: 1,
  kind: 'sync',
  name: 'customers',
  source: { connection: 'sqlite:../data/sync-source.db', table: 'customer' },
  target: { connection: 'sqlite:../data/sync-target.db', table: 'customer' },
  schedule: { every: '1h' },
};

/** One sample input per method: a method left out here is a compile error. */
const SAMPLES: { [M in MethodName]: (s: State) => MethodInput<M> } = {
  'workspace/info': () => ({}),
  'catalog/nodes': () => ({}),
  'catalog/connectors': () => ({}),
  'catalog/functions': () => ({}),
  'connections/save': () => ({ name: 'shop', url: 'csv:./data/orders.csv', secret: { kind: 'env', ref: '${env:SHOP_PASSWORD}' } }),
  'connections/list': () => ({}),
  'connections/get': () => ({ name: 'shop' }),
  'connections/test': () => ({ name: 'shop' }),
  'connections/tables': () => ({ connection: 'shop' }),
  'connections/describe': (s) => ({ connection: 'shop', table: s.table ?? 'orders' }),
  'connections/delete': () => ({ name: 'vault' }),
  'pipelines/list': () => ({}),
  'pipelines/get': () => ({ id: 'paid-orders.yaml' }),
  'pipelines/save': () => ({
    id: 'copies/copy.yaml',
    document: { version: 1, name: 'Copy', nodes: [{ id: 'a', type: 'source', config: { connection: 'csv:../data/orders.csv' } }], edges: [] },
  }),
  'pipelines/import': () => ({ fileName: 'paid-orders.yaml', text: 'version: 1\nname: Imported\nnodes: []\n' }),
  'pipelines/export': () => ({ id: 'paid-orders.yaml', format: 'json' }),
  'pipelines/delete': () => ({ id: 'copies/copy.yaml' }),
  'pipeline/validate': () => ({ id: 'paid-orders.yaml' }),
  'pipeline/preview': () => ({ id: 'paid-orders.yaml', node: 'paid', limit: 2 }),
  'pipeline/run': () => ({ id: 'paid-orders.yaml' }),
  'jobs/list': () => ({}),
  'jobs/get': (s) => ({ id: s.jobId! }),
  'jobs/cancel': (s) => ({ id: s.jobId! }),
  'runs/list': () => ({}),
  'runs/get': (s) => ({ id: s.runId! }),
  'runs/rejected': (s) => ({ runId: s.runId!, limit: 10 }),
  'runs/rejectedSummary': (s) => ({ runId: s.runId! }),
  'runs/logs': (s) => ({ runId: s.runId!, level: 'info' }),
  'runs/replay': (s) => ({ id: 'paid-orders.yaml', runId: s.runId!, nodeId: 'paid' }),
  'migration/plan': () => ({ ...MIGRATE, typeRules: ['sqlite NUMERIC(*) -> sqlite DECIMAL TEXT(12,2)'] }),
  'migration/start': () => ({ ...MIGRATE, verify: true }),
  'migration/get': (s) => ({ runId: s.migrationRunId! }),
  'migration/verify': (s) => ({ runId: s.migrationRunId! }),
  'migration/resume': (s) => ({ runId: s.migrationRunId! }),
  'syncs/save': () => ({ id: 'syncs/customers.yaml', document: SYNC_DOC }),
  'syncs/list': () => ({}),
  'syncs/get': () => ({ id: 'syncs/customers.yaml' }),
  'syncs/export': () => ({ id: 'syncs/customers.yaml', format: 'json' }),
  'syncs/run': () => ({ id: 'syncs/customers.yaml' }),
  'syncs/reset': () => ({ id: 'syncs/customers.yaml' }),
  'files/write': () => ({ path: 'notes/readme.txt', text: 'héllo', createFolders: true }),
  'files/read': () => ({ path: 'notes/readme.txt' }),
  'files/list': () => ({ extensions: ['csv', 'txt'] }),
  'dialogs/open': () => ({ title: 'Open a pipeline' }),
  'dialogs/save': () => ({ defaultName: 'x.yaml', text: 'version: 1' }),
};

type Step = MethodName | { wait: 'job' | 'migration' } | { call: MethodName; input: (s: State) => unknown; label: string };

const SCRIPT: Step[] = [
  'workspace/info',
  'catalog/nodes',
  'catalog/connectors',
  'catalog/functions',
  'connections/save',
  { call: 'connections/save', label: 'save with a password', input: () => ({ name: 'vault', url: 'csv:./data/orders.csv', secret: { kind: 'password', password: 'hunter2' } }) },
  'connections/list',
  'connections/get',
  'connections/test',
  'connections/tables',
  'connections/describe',
  'connections/delete',
  'pipelines/list',
  'pipelines/get',
  'pipelines/save',
  'pipelines/import',
  'pipelines/export',
  'pipelines/delete',
  'pipeline/validate',
  { call: 'pipeline/validate', label: 'validate a broken file', input: () => ({ id: 'broken.yaml' }) },
  'pipeline/preview',
  'pipeline/run',
  { wait: 'job' },
  'jobs/get',
  'jobs/list',
  'jobs/cancel',
  'runs/list',
  'runs/get',
  'runs/rejected',
  'runs/rejectedSummary',
  'runs/logs',
  'runs/replay',
  { call: 'runs/replay', label: 'replay a missing run', input: () => ({ id: 'paid-orders.yaml', runId: 'nope', nodeId: 'paid' }) },
  { call: 'files/write', label: 'a SQLite database to migrate', input: () => ({ path: 'data/shop.db', text: SHOP_DB, encoding: 'base64' }) },
  'migration/plan',
  'migration/start',
  { wait: 'migration' },
  'migration/get',
  'migration/verify',
  'migration/resume',
  { call: 'migration/get', label: 'a missing migration run', input: () => ({ runId: 'nope' }) },
  'syncs/save',
  'syncs/list',
  'syncs/get',
  'syncs/export',
  'syncs/run',
  'syncs/reset',
  'files/write',
  'files/read',
  'files/list',
  { call: 'files/read', label: 'read outside the workspace', input: () => ({ path: '../outside.txt' }) },
  { call: 'pipelines/get', label: 'a missing pipeline', input: () => ({ id: 'missing.yaml' }) },
  'dialogs/open',
  'dialogs/save',
];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
const VOLATILE_NUMBERS = new Set(['durationMs', 'elapsedMs', 'rowsPerSecond', 'seconds']);

function normalize(value: unknown, folder: string): unknown {
  const text = JSON.stringify(value, (key, v: unknown) => (VOLATILE_NUMBERS.has(key) && typeof v === 'number' ? 0 : v));
  return JSON.parse(text.split(folder).join('<dir>').replace(UUID, '<uuid>').replace(ULID, '<ulid>').replace(ISO_TIME, '<time>')) as unknown;
}

async function runScript(call: Transport, t: TestHost): Promise<Array<{ step: string; envelope: unknown }>> {
  const state: State = {};
  const out: Array<{ step: string; envelope: unknown }> = [];
  for (const step of SCRIPT) {
    if (typeof step === 'object' && 'wait' in step && step.wait === 'migration') {
      const job = await t.host.jobs.waitFor(state.migrationJobId!);
      state.migrationRunId = (job.result as { runId?: string } | undefined)?.runId;
      continue;
    }
    if (typeof step === 'object' && 'wait' in step) {
      const job = await t.host.jobs.waitFor(state.jobId!);
      state.runId = (job.result as { runId?: string } | undefined)?.runId;
      continue;
    }
    const method = typeof step === 'string' ? step : step.call;
    const input = typeof step === 'string' ? SAMPLES[step](state) : step.input(state);
    const env = (await call(method, input)) as Envelope<Record<string, unknown>>;
    if (env.ok && method === 'pipeline/run') state.jobId = env.result.jobId as string;
    if (env.ok && method === 'migration/start') state.migrationJobId = env.result.jobId as string;
    if (env.ok && method === 'connections/tables') state.table = (env.result.tables as Array<{ name: string }>)[0]?.name;
    out.push({ step: typeof step === 'string' ? step : `${step.call} (${step.label})`, envelope: normalize(env, t.dir) });
  }
  return out;
}

describe('the contract over both transports', () => {
  let viaIpc: Array<{ step: string; envelope: unknown }>;
  let viaHttp: Array<{ step: string; envelope: unknown }>;
  let ipcHost: TestHost;
  let httpHost: TestHost;
  let ipcCall: Transport;
  let httpCall: Transport;
  let ipc: ReturnType<typeof ipcTransport>['ipc'];
  let closeServer: () => Promise<void>;

  beforeAll(async () => {
    [ipcHost, httpHost] = await Promise.all([
      startTestHost({ secrets: fakeSecrets, dialogs: fakeDialogs }),
      startTestHost({ secrets: fakeSecrets, dialogs: fakeDialogs }),
    ]);
    ({ call: ipcCall, ipc } = ipcTransport(ipcHost.host));
    const http = await httpTransport(httpHost.host);
    httpCall = http.call;
    closeServer = () => http.server.close();
    [viaIpc, viaHttp] = await Promise.all([runScript(ipcCall, ipcHost), runScript(httpCall, httpHost)]);
  }, 120_000);

  afterAll(async () => {
    await closeServer?.();
    await Promise.all([ipcHost?.close(), httpHost?.close()]);
  });

  it('the script calls every method of the contract', () => {
    const called = new Set(SCRIPT.map((s) => (typeof s === 'string' ? s : 'call' in s ? s.call : '')));
    expect(METHOD_NAMES.filter((m) => !called.has(m))).toEqual([]);
  });

  it('the IPC binding registers one channel per method and nothing else', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => IPC_PREFIX + m).sort());
  });

  it('every call gives the same answer over IPC and over HTTP', () => {
    expect(viaHttp.map((s) => s.step)).toEqual(viaIpc.map((s) => s.step));
    for (let i = 0; i < viaIpc.length; i++) expect(viaHttp[i], viaIpc[i].step).toEqual(viaIpc[i]);
  });

  it('the answers are the expected ones', () => {
    const byStep = new Map(viaIpc.map((s) => [s.step, s.envelope as Envelope<Record<string, unknown>>]));
    const ok = (step: string) => {
      const env = byStep.get(step)!;
      if (!env.ok) throw new Error(`${step}: ${JSON.stringify(env.error)}`);
      return env.result;
    };
    const failed = (step: string) => {
      const env = byStep.get(step)!;
      if (env.ok) throw new Error(`${step} succeeded`);
      return env.error;
    };
    expect(ok('workspace/info')).toMatchObject({ host: 'electron', secretStorage: true, nativeDialogs: true, name: 'workspace' });
    expect((ok('catalog/nodes').nodes as Array<{ type: string }>).map((n) => n.type)).toEqual(expect.arrayContaining(['source', 'filter', 'sink']));
    expect((ok('catalog/connectors').connectors as Array<{ id: string }>).map((c) => c.id)).toContain('csv');
    expect(ok('connections/save (save with a password)')).toMatchObject({ name: 'vault', secret: 'encrypted' });
    expect(JSON.stringify(ok('connections/list'))).not.toContain('hunter2');
    expect(ok('connections/test')).toMatchObject({ ok: true });
    expect((ok('pipelines/list').pipelines as Array<{ id: string; loads: boolean }>).map((p) => [p.id, p.loads])).toEqual([
      ['broken.yaml', true],
      ['checked-orders.yaml', true],
      ['paid-orders.yaml', true],
    ]);
    expect(ok('pipelines/get')).toMatchObject({ name: 'Paid orders', format: 'yaml', problems: [] });
    expect(ok('pipelines/save')).toMatchObject({ id: 'copies/copy.yaml', loads: true, nodeCount: 1 });
    expect(ok('pipelines/import')).toMatchObject({ id: 'paid-orders-2.yaml', name: 'Imported' });
    expect(ok('pipelines/export')).toMatchObject({ fileName: 'paid-orders.json' });
    expect(ok('pipeline/validate')).toMatchObject({ valid: true, problems: [] });
    expect(ok('pipeline/validate (validate a broken file)')).toMatchObject({ valid: false });
    const preview = ok('pipeline/preview') as { columns: Array<{ name: string }>; rows: unknown[][] };
    expect(preview.columns.map((c) => c.name)).toEqual(['id', 'customer', 'status', 'amount']);
    expect(preview.rows.map((r) => r[1])).toEqual(['ada@example.com', 'cy@example.com']);
    expect(ok('jobs/get')).toMatchObject({ status: 'succeeded', pipelineId: 'paid-orders.yaml', result: { status: 'succeeded', rowsRead: 6, rowsWritten: 3 } });
    expect(ok('runs/get')).toMatchObject({ run: { status: 'succeeded' }, nodes: expect.arrayContaining([expect.objectContaining({ nodeId: 'paid', rowsIn: 6, rowsOut: 3 })]) });
    // The job history's log of the run: accepted, started, finished.
    const logs = ok('runs/logs') as { lines: Array<{ msg: string; level: string }>; total: number };
    expect(logs.lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/accepted/), 'started', 'finished: succeeded']));
    const plan = (ok('migration/plan') as { plan: { tables: Array<{ name: string; columns: Array<{ name: string; targetType: string; rule?: string }> }>; problems: string[] } }).plan;
    expect(plan.problems).toEqual([]);
    expect(plan.tables.map((t) => t.name)).toEqual(['customer', 'orders']);
    expect(plan.tables[1].columns.find((c) => c.name === 'amount')).toMatchObject({ targetType: 'DECIMAL TEXT(12,2)', rule: expect.stringContaining('NUMERIC') });
    expect(ok('migration/get')).toMatchObject({ status: 'succeeded', resumable: false, tables: [{ name: 'customer', state: 'loaded', rowsCopied: 2 }, { name: 'orders', state: 'loaded', rowsCopied: 3 }] });
    expect(failed('migration/get (a missing migration run)')).toMatchObject({ code: 'not-found' });
    expect(ok('syncs/save')).toMatchObject({ id: 'syncs/customers.yaml', name: 'customers', loads: true, mode: 'full', schedule: { every: '1h', enabled: true } });
    expect((ok('syncs/list').syncs as Array<{ id: string }>).map((s) => s.id)).toEqual(['syncs/customers.yaml']);
    expect(ok('syncs/get')).toMatchObject({ name: 'customers', problems: [], text: expect.stringContaining('kind: sync') });
    expect(ok('syncs/export')).toMatchObject({ fileName: 'customers.json', text: expect.stringContaining('"kind": "sync"') });
    expect(ok('syncs/run')).toMatchObject({ jobId: '<uuid>' });
    expect(ok('syncs/reset')).toEqual({ reset: false });
    expect(ok('files/read')).toMatchObject({ text: 'héllo', size: 6 });
    expect(failed('files/read (read outside the workspace)')).toMatchObject({ code: 'invalid-input', issues: [{ path: 'path' }] });
    expect(failed('pipelines/get (a missing pipeline)')).toMatchObject({ code: 'not-found' });
    expect(ok('dialogs/save')).toEqual({ canceled: false, path: '/saved/x.yaml' });
  });

  it('rejects a malformed payload for every method with the same clear error on both transports', async () => {
    for (const method of METHOD_NAMES) {
      const payload = { unexpectedField: 1 };
      const [a, b] = await Promise.all([ipcCall(method, payload), httpCall(method, payload)]);
      expect(a, method).toEqual(b);
      expect(a, method).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringContaining(method) } });
      expect(JSON.stringify(a), method).toContain('unexpectedField');
    }
    const [a, b] = await Promise.all([ipcCall('pipeline/preview', { id: 'paid-orders.yaml', node: 'paid', limit: 0 }), httpCall('pipeline/preview', { id: 'paid-orders.yaml', node: 'paid', limit: 0 })]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'limit' }] } });
    // An unknown method has no IPC channel at all (Electron rejects the invoke); HTTP says so.
    await expect(ipcCall('no/such', {})).rejects.toThrow(/No handler registered/);
    expect(await httpCall('no/such', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('IPC refuses calls from a frame that is not the app', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', '']) {
      expect(await ipc.invoke(`${IPC_PREFIX}workspace/info`, {}, url)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });
});
