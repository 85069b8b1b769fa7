import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlainTextSecretError, WorkbenchStore } from './index';
import { storeBytes, useTempDirs } from './test-helpers';

const tempDir = useTempDirs();

/** Stands in for Electron's safeStorage: the store only ever sees the ciphertext. */
const key = randomBytes(32);
function encrypt(text: string): Uint8Array {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return new Uint8Array(Buffer.concat([iv, c.getAuthTag(), body]));
}
function decrypt(blob: Uint8Array): string {
  const b = Buffer.from(blob);
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}

describe('connections', () => {
  it('round-trips url, options and a secretRef', () => {
    const store = WorkbenchStore.openInMemory();
    store.saveConnection({ name: 'warehouse', url: 'postgres://etl@db.example.com:5432/wh', options: { ssl: true, schema: 'sales' }, secretRef: '${env:WH_PASSWORD}' });
    const c = store.getConnection('warehouse');
    expect(c).toMatchObject({ name: 'warehouse', url: 'postgres://etl@db.example.com:5432/wh', options: { ssl: true, schema: 'sales' }, secretRef: '${env:WH_PASSWORD}' });
    expect(c?.encryptedSecret).toBeUndefined();
    expect(c?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    store.close();
  });

  it('refuses URLs that embed a password', () => {
    const store = WorkbenchStore.openInMemory();
    for (const url of ['postgres://u:secret@h/db', 'mysql://root:hunter2@127.0.0.1:3306/shop', 'postgresql://u:p%40ss@h:5432/db', 'mysql://u:pa:ss@w@host/db']) {
      expect(() => store.saveConnection({ name: 'x', url }), url).toThrow(PlainTextSecretError);
      expect(() => store.saveConnection({ name: 'x', url }), url).toThrow(/embeds a password/);
    }
    expect(() => store.saveConnection({ name: 'x', url: 'postgres://u@h/db?password=secret' })).toThrow(/URL parameter "password"/);
    expect(() => store.saveConnection({ name: 'x', url: 'postgres://u@h/db', options: { password: 'secret' } })).toThrow(/option "password"/);
    expect(store.listConnections()).toEqual([]);
    // No password, an empty one, or a reference are fine.
    store.saveConnection({ name: 'a', url: 'postgres://u@h/db' });
    store.saveConnection({ name: 'b', url: 'mysql://root:@127.0.0.1:3306/shop' });
    store.saveConnection({ name: 'c', url: 'sqlite:./shop.db' });
    store.saveConnection({ name: 'd', url: 'postgres://u@h/db', options: { password: '${env:PGPASSWORD}' } });
    expect(store.listConnections().map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    store.close();
  });

  it('refuses a secretRef that is not a reference, and both kinds of secret at once', () => {
    const store = WorkbenchStore.openInMemory();
    expect(() => store.saveConnection({ name: 'x', url: 'postgres://u@h/db', secretRef: 'hunter2' })).toThrow(/reference like/);
    expect(() => store.saveConnection({ name: 'x', url: 'postgres://u@h/db', secretRef: '${env:X}', encryptedSecret: new Uint8Array([1]) })).toThrow(/not both/);
    store.close();
  });

  it('never writes the secret in plain text: only the encrypted blob reaches the file', () => {
    const file = path.join(tempDir(), 'workbench.db');
    const secret = 'S3cr3t-Pa55word-that-must-not-leak';
    const store = WorkbenchStore.open(file);
    // Even an attempt with the secret in the URL must leave no trace.
    expect(() => store.saveConnection({ name: 'leaky', url: `postgres://etl:${secret}@h/db` })).toThrow(PlainTextSecretError);
    store.saveConnection({ name: 'warehouse', url: 'postgres://etl@h/db', encryptedSecret: encrypt(secret) });
    expect(storeBytes(file).includes(Buffer.from(secret))).toBe(false);
    const got = store.getConnection('warehouse');
    expect(got?.encryptedSecret).toBeInstanceOf(Uint8Array);
    expect(decrypt(got!.encryptedSecret!)).toBe(secret);
    store.close();
    expect(storeBytes(file).includes(Buffer.from(secret))).toBe(false);
    expect(storeBytes(file).includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    const again = WorkbenchStore.open(file);
    expect(decrypt(again.getConnection('warehouse')!.encryptedSecret!)).toBe(secret);
    again.close();
  });

  it('saving again replaces the connection (and its secret) but keeps createdAt', () => {
    const store = WorkbenchStore.openInMemory();
    store.saveConnection({ name: 'c', url: 'postgres://u@h/db', encryptedSecret: new Uint8Array([1, 2, 3]) });
    const first = store.getConnection('c')!;
    store.saveConnection({ name: 'c', url: 'postgres://u@h2/db', secretRef: '${env:PW}' });
    const second = store.getConnection('c')!;
    expect(second.url).toBe('postgres://u@h2/db');
    expect(second.encryptedSecret).toBeUndefined();
    expect(second.secretRef).toBe('${env:PW}');
    expect(second.createdAt).toBe(first.createdAt);
    store.deleteConnection('c');
    expect(store.getConnection('c')).toBeUndefined();
    store.close();
  });

  it('lists connections by name, case-insensitively', () => {
    const store = WorkbenchStore.openInMemory();
    for (const name of ['beta', 'Alpha', 'gamma']) store.saveConnection({ name, url: `sqlite:${name}.db` });
    expect(store.listConnections().map((c) => c.name)).toEqual(['Alpha', 'beta', 'gamma']);
    store.close();
  });
});

describe('pipelines', () => {
  it('saves text with metadata, lists summaries, deletes', () => {
    const store = WorkbenchStore.openInMemory();
    const yaml = 'version: 1\nname: Clean customers\nnodes: []\n';
    store.savePipeline({ id: 'p-2', name: 'clean customers', path: '/work/clean.yaml', format: 'yaml', text: yaml });
    store.savePipeline({ id: 'p-1', name: 'Active orders', format: 'json', text: '{"version":1}' });
    expect(store.getPipeline('p-2')).toMatchObject({ id: 'p-2', name: 'clean customers', path: '/work/clean.yaml', format: 'yaml', text: yaml, size: yaml.length });
    const list = store.listPipelines();
    expect(list.map((p) => p.id)).toEqual(['p-1', 'p-2']);
    expect(list[0]).not.toHaveProperty('text');
    expect(list[0].path).toBeUndefined();
    store.savePipeline({ id: 'p-1', name: 'Active orders', format: 'json', text: '{"version":1,"nodes":[]}' });
    expect(store.getPipeline('p-1')?.text).toBe('{"version":1,"nodes":[]}');
    expect(() => store.savePipeline({ id: 'p-3', name: 'x', format: 'toml' as 'yaml', text: '' })).toThrow(/format/);
    store.deletePipeline('p-2');
    expect(store.getPipeline('p-2')).toBeUndefined();
    expect(store.listPipelines()).toHaveLength(1);
    store.close();
  });
});
