import { describe, expect, it } from 'vitest';
// The tests run in Node: the form is checked against the core's own schema, the one
// syncs/save applies (the renderer bundle never imports it).
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { loadSyncDocument, serializeSyncDocument, SyncDocumentSchema } from '../../../../app/jobs/sync/definition';
import { contentOf, documentFromForm, emptyForm, everyMs, fieldOf, hasInlinePassword, formFromDocument, groupProblems, normaliseFileId, schemaFor, splitEvery, syncFileName, validateForm, type SyncForm } from './form';

const FULL = `version: 1
kind: sync
name: customers
description: CRM customers into the warehouse
connections:
  shop: { url: "sqlite:./shop.db" }
  wh:
    url: "postgres://etl@db.example.internal/wh"
    password: "\${env:WH_PASSWORD}"
source: { connection: shop, schema: crm, table: customers, columns: [id, email, updated_at] }
target: { connection: wh, table: customers, create: false }
key: [id]
mode: incremental
cursor: updated_at
deletes: ignore
conflicts: skip
batchSize: 250
rehash: true
schedule: { every: 90s, enabled: false }
transform:
  params: { min: 3 }
  nodes:
    - id: tidy
      type: derive
      config:
        columns:
          - { name: email, expr: "lower(email)" }
  edges:
    - { from: source, to: tidy }
    - { from: tidy, to: target }
`;

function filled(): SyncForm {
  const f = emptyForm();
  f.name = 'products-copy';
  f.source = { connection: 'sqlite:./shop.db', table: 'products', schema: '', columns: undefined };
  f.target = { connection: 'sqlite:./warehouse.db', table: 'products', schema: '', create: true };
  return f;
}

describe('the sync form', () => {
  it('makes a document the core accepts, with only what was chosen', () => {
    const doc = documentFromForm(filled());
    expect(doc).toEqual({
      version: 1,
      kind: 'sync',
      name: 'products-copy',
      source: { connection: 'sqlite:./shop.db', table: 'products' },
      target: { connection: 'sqlite:./warehouse.db', table: 'products', create: true },
      mode: 'full',
      deletes: 'propagate',
      conflicts: 'source-wins',
      batchSize: 5000,
    });
    expect(SyncDocumentSchema.safeParse(doc).success).toBe(true);
  });

  it('reads every field of a definition and writes the same definition back', () => {
    const loaded = loadSyncDocument(FULL, 'c.yaml');
    expect(loaded.problems).toEqual([]);
    const form = formFromDocument(loaded.document);
    expect(form).toMatchObject({
      name: 'customers',
      description: 'CRM customers into the warehouse',
      source: { connection: 'shop', table: 'customers', schema: 'crm', columns: ['id', 'email', 'updated_at'] },
      target: { connection: 'wh', table: 'customers', create: false },
      key: ['id'],
      mode: 'incremental',
      cursor: 'updated_at',
      deletes: 'ignore',
      conflicts: 'skip',
      batchSize: '250',
      schedule: { on: false, amount: '90', unit: 's' },
      transform: { kind: 'inline' },
    });
    const again = SyncDocumentSchema.parse(documentFromForm(form));
    // Canonical text equal: nothing was lost or added on the way through the form.
    expect(serializeSyncDocument(again, 'yaml')).toBe(serializeSyncDocument(loaded.document!, 'yaml'));
  });

  it('switches a pipeline transform, a schedule and the mode on and off', () => {
    const f = filled();
    f.transform = { kind: 'pipeline', pipeline: 'clean-orders.yaml' };
    f.schedule = { on: true, amount: '15', unit: 'm' };
    f.mode = 'incremental';
    f.cursor = 'created_at';
    f.key = ['id'];
    let doc = SyncDocumentSchema.parse(documentFromForm(f));
    expect(doc).toMatchObject({ transform: { pipeline: 'clean-orders.yaml' }, schedule: { every: '15m', enabled: true }, cursor: 'created_at', key: ['id'] });
    f.mode = 'full';
    f.schedule.on = false;
    f.transform = { kind: 'none' };
    doc = SyncDocumentSchema.parse(documentFromForm(f));
    expect(doc.cursor).toBeUndefined();
    expect(doc.schedule).toBeUndefined();
    expect(doc.transform).toBeUndefined();
    // The cursor choice survives a trip through full mode.
    expect(f.cursor).toBe('created_at');
  });

  it('pauses a schedule the file had instead of dropping it', () => {
    const f = formFromDocument({ ...documentFromForm(filled()), schedule: { every: '1h' } });
    expect(f.schedule).toEqual({ on: true, amount: '1', unit: 'h' });
    f.schedule.on = false;
    expect(documentFromForm(f).schedule).toEqual({ every: '1h', enabled: false });
  });

  it('reads what it can of a file that does not load', () => {
    const f = formFromDocument({ version: 1, kind: 'sync', name: 7, source: 'x', target: { connection: 'wh', table: 3 }, mode: 'sometimes', batchSize: 'lots' });
    expect(f.name).toBe('');
    expect(f.target).toMatchObject({ connection: 'wh', table: '' });
    expect(f.mode).toBe('full');
    expect(f.batchSize).toBe('5000');
    expect(formFromDocument(undefined)).toEqual(emptyForm());
  });

  it('tells when there is something to save', () => {
    const a = filled();
    const b = structuredClone(a);
    expect(contentOf(a)).toBe(contentOf(b));
    b.cursor = 'x'; // not written in full mode: nothing to save
    expect(contentOf(a)).toBe(contentOf(b));
    b.batchSize = '10';
    expect(contentOf(a)).not.toBe(contentOf(b));
  });
});

describe('checking the form', () => {
  it('names each missing or wrong field, as the schema would', () => {
    const f = emptyForm();
    f.mode = 'incremental';
    f.batchSize = '0';
    f.schedule = { on: true, amount: 'x', unit: 'm' };
    f.transform = { kind: 'pipeline', pipeline: '' };
    const paths = validateForm(f).map((p) => p.path);
    expect(paths).toEqual(['name', 'source.connection', 'source.table', 'target.connection', 'target.table', 'cursor', 'batchSize', 'schedule.every', 'transform.pipeline']);
    expect(validateForm(filled())).toEqual([]);
    for (const bad of ['', '1.5', '100001', '12a', '-3']) expect(validateForm({ ...filled(), batchSize: bad }).map((p) => p.path)).toEqual(['batchSize']);
  });

  it('agrees with the schema on the fields it checks', () => {
    for (const change of [(f: SyncForm) => (f.name = ''), (f: SyncForm) => (f.batchSize = '0'), (f: SyncForm) => (f.mode = 'incremental'), (f: SyncForm) => (f.source.table = '')]) {
      const f = filled();
      change(f);
      const mine = validateForm(f).map((p) => p.path);
      const r = SyncDocumentSchema.safeParse(documentFromForm(f));
      expect(r.success).toBe(false);
      const theirs = r.success ? [] : r.error.issues.map((i) => fieldOf(i.path.map(String).join('.')));
      expect(theirs.every((p) => p !== undefined && mine.includes(p))).toBe(true);
    }
  });

  it('checks key and cursor against the source table once it is known', () => {
    const f = filled();
    expect(validateForm(f, { columns: ['id', 'sku'], primaryKey: ['id'] })).toEqual([]);
    expect(validateForm(f, { columns: ['id', 'sku'], primaryKey: undefined })).toEqual([{ path: 'key', message: expect.stringContaining('no primary key') }]);
    f.key = ['sku', 'nope'];
    f.mode = 'incremental';
    f.cursor = 'updated_at';
    expect(validateForm(f, { columns: ['id', 'sku'], primaryKey: ['id'] }).map((p) => `${p.path}: ${p.message}`)).toEqual([
      "key: the source table has no column 'nope'",
      "cursor: the source table has no column 'updated_at'",
    ]);
  });

  it('refuses a password written into a connection URL', () => {
    const f = filled();
    f.target.connection = 'postgres://etl:hunter2@db/wh';
    expect(validateForm(f).map((p) => p.path)).toEqual(['target.connection']);
    expect(hasInlinePassword('postgres://etl:${env:WH_PW}@db/wh')).toBe(false);
    expect(hasInlinePassword('postgres://etl@db/wh')).toBe(false);
    expect(hasInlinePassword('sqlite:./a:b@c.db')).toBe(false);
  });

  it('refuses the source table as its own target', () => {
    const f = filled();
    f.target = { ...f.source, create: true };
    expect(validateForm(f).map((p) => p.path)).toEqual(['target.table']);
  });

  it('puts the core problems beside their fields', () => {
    expect(fieldOf('key[1]')).toBe('key');
    expect(fieldOf('schedule')).toBe('schedule.every');
    expect(fieldOf('transform.nodes')).toBe('transform');
    expect(fieldOf('source')).toBe('source.table');
    expect(fieldOf('connections.wh.password')).toBeUndefined();
    const g = groupProblems([
      { path: 'key[0]', message: 'too short' },
      { path: 'key[1]', message: 'too short' },
      { path: '(document)', message: 'not YAML' },
    ]);
    expect(g.byField).toEqual({ key: ['too short'] });
    expect(g.general).toEqual([{ path: '(document)', message: 'not YAML' }]);
  });
});

describe('names and intervals', () => {
  it('file names', () => {
    expect(syncFileName('Customers → Warehouse')).toBe('customers-warehouse.sync.yaml');
    expect(syncFileName('  ')).toBe('sync.sync.yaml');
    expect(normaliseFileId('./a/b')).toBe('a/b.yaml');
    expect(normaliseFileId('x.json')).toBe('x.json');
  });

  it('intervals, as the host scheduler reads them', () => {
    expect(splitEvery('15m')).toEqual({ amount: '15', unit: 'm' });
    expect(splitEvery('1.5 h')).toEqual({ amount: '1.5', unit: 'h' });
    expect(splitEvery('soon')).toBeUndefined();
    expect(everyMs('90s')).toBe(90_000);
    expect(everyMs('0s')).toBe(1000);
  });

  it('names a table schema only where the connection has several', () => {
    expect(schemaFor({ name: 'a', schema: 'public' }, [{ name: 'a', schema: 'public' }, { name: 'b', schema: 'public' }])).toBe('');
    expect(schemaFor({ name: 'a', schema: 'crm' }, [{ name: 'a', schema: 'crm' }, { name: 'b', schema: 'public' }])).toBe('crm');
    expect(schemaFor({ name: 'a' }, [{ name: 'a' }])).toBe('');
  });
});
