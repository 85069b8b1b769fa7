import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { T } from '../../model/types';
import { Decimal } from '../../model/decimal';
import { canonicalValue, keyText, rowHasher } from './canonical';
import { loadSyncDocument, serializeSyncDocument } from './definition';
import { parseEvery, SyncScheduler } from './scheduler';

const TEXT = `version: 1
kind: sync
name: customers
connections:
  shop: { url: "sqlite:./shop.db" }
  wh:
    url: "postgres://etl@db.example.internal/wh"
    password: "\${env:WH_PASSWORD}"
source: { connection: shop, table: customers }
target: { connection: wh, table: customers }
mode: incremental
cursor: updated_at
conflicts: skip
schedule: { every: 15m }
transform:
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

describe('sync definitions', () => {
  it('load with defaults, and save canonically: a round trip changes nothing', () => {
    const a = loadSyncDocument(TEXT, 'c.yaml');
    expect(a.problems).toEqual([]);
    expect(a.document).toMatchObject({ mode: 'incremental', deletes: 'propagate', conflicts: 'skip', batchSize: 5000, target: { create: true }, schedule: { every: '15m', enabled: true } });
    for (const format of ['yaml', 'json'] as const) {
      const once = serializeSyncDocument(a.document!, format);
      const twice = serializeSyncDocument(loadSyncDocument(once, `c.${format}`).document!, format);
      expect(twice).toBe(once);
    }
    expect(serializeSyncDocument(a.document!, 'yaml')).toMatch(/^version: 1\nkind: sync\nname: customers\n/);
  });

  it('say what is wrong: an incremental sync without a cursor, a plain-text password, unknown fields', () => {
    const bad = loadSyncDocument(TEXT.replace('cursor: updated_at\n', '').replace('${env:WH_PASSWORD}', 'hunter2').replace('conflicts: skip', 'conflicts: skip\nspeed: fast'), 'c.yaml');
    const messages = bad.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(messages).toMatch(/connections\.wh\.password: a password may only be a reference/);
    expect(messages).toMatch(/speed/);
    const noCursor = loadSyncDocument(TEXT.replace('cursor: updated_at\n', ''), 'c.yaml');
    expect(noCursor.problems.map((p) => p.path)).toEqual(['cursor']);
  });

  it('`sluice export` writes a sync definition canonically', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-syncdef-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, TEXT);
    let out = '';
    const code = await main(['export', '--format', 'json', file], { out: (t) => void (out += t), err: () => {} });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'sync', name: 'customers', transform: { nodes: [{ id: 'tidy' }] } });
  });
});

describe('canonical values', () => {
  it('equal data from different databases hashes equal; different data does not', () => {
    const types = [T.int, T.decimal(10, 2), T.float, T.timestamp, T.json, T.uuid, T.boolean, T.text];
    const hash = rowHasher(types);
    const a = [5, Decimal.parse('1.50')!, -0, '2024-01-01 10:00:00.500000', '{"b": 1, "a": [1, 2]}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', true, 'x'];
    const b = [5n, Decimal.parse('1.5')!, 0, '2024-01-01 10:00:00.5', '{"a":[1,2],"b":1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, 'x'];
    expect(hash(b)).toBe(hash(a));
    expect(hash([...b.slice(0, 7), 'y'])).not.toBe(hash(a));
    expect(hash([...b.slice(0, 7), null])).not.toBe(hash([...b.slice(0, 7), '']));
    const two = rowHasher([T.text, T.text]);
    expect(two(['ab', 'c'])).not.toBe(two(['a', 'bc']));
    expect(canonicalValue(Decimal.parse('10.00')!, T.decimal(10, 2))).toBe('10');
    const dec = rowHasher([T.decimal()]);
    expect(dec([Decimal.parse('0.00')!])).toBe(dec([Decimal.parse('0')!]));
    expect(dec([Decimal.parse('-1.500')!])).toBe(dec([Decimal.parse('-1.5')!]));
    expect(dec([Decimal.parse('100')!])).not.toBe(dec([Decimal.parse('1')!]));
    expect(keyText([1, 'x'], [0, 1], [T.int, T.text])).toBe('1\u0001x');
  });
});

describe('the sync scheduler', () => {
  it('parses intervals, and skips a tick while the last run of the sync is still going', async () => {
    expect(parseEvery('30s')).toBe(30_000);
    expect(parseEvery('1.5h')).toBe(5_400_000);
    expect(() => parseEvery('soon')).toThrow(/not a duration/);
    const started: string[] = [];
    let active = true;
    const s = new SyncScheduler({ start: async (id) => (started.push(id), `job-${started.length}`), isActive: () => active });
    const before = Date.now();
    s.set([{ id: 'a.yaml', name: 'a', everyMs: 3_600_000 }]);
    // The next run: one interval after the schedule was taken up, then after each tick.
    expect(s.nextRun('a.yaml')).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(s.nextRun('b.yaml')).toBeUndefined();
    expect(await s.runNow('a.yaml')).toBe('job-1');
    expect(s.nextRun('a.yaml')).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(await s.runNow('a.yaml')).toBeUndefined();
    active = false;
    expect(await s.runNow('a.yaml')).toBe('job-2');
    s.set([]);
    expect(s.list()).toEqual([]);
    s.stop();
  });
});
