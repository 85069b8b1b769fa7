import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName } from '../contract';
import { callDirect } from './dispatch';
import { startTestHost, type TestHost } from './test-host';

/** The methods the workbench UI added to the contract: function docs, workspace file lists, dialogs by path. */
describe('workbench UI methods', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());
  const call = <M extends MethodName>(method: M, input: unknown) => callDirect(t.host.handlers, method, input);

  it('catalog/functions lists the expression functions with signatures (editor completion)', async () => {
    const { functions } = (await call('catalog/functions', {})) as { functions: Array<{ name: string; signature: string }> };
    expect(functions.length).toBeGreaterThan(20);
    const lower = functions.find((f) => f.name === 'lower');
    expect(lower?.signature).toMatch(/lower/i);
  });

  it('files/list lists workspace files, filtered by extension, hidden ones left out', async () => {
    const all = (await call('files/list', {})) as { files: Array<{ path: string; size: number }>; truncated: boolean };
    expect(all.files.map((f) => f.path)).toContain('data/orders.csv');
    expect(all.files.every((f) => !f.path.split('/').some((p) => p.startsWith('.')))).toBe(true);
    const csv = (await call('files/list', { extensions: ['csv'] })) as { files: Array<{ path: string }> };
    expect(csv.files.map((f) => f.path)).toEqual(['data/orders.csv']);
    const limited = (await call('files/list', { limit: 1 })) as { files: unknown[]; truncated: boolean };
    expect(limited.files).toHaveLength(1);
    expect(limited.truncated).toBe(true);
    await expect(call('files/list', { extensions: ['../x'] })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('dialogs/open passes read: false to the native dialog and returns the path', async () => {
    const seen: unknown[] = [];
    const host = await startTestHost({
      dialogs: {
        open: async (opts) => {
          seen.push(opts);
          return { canceled: false, fileName: 'shop.db', path: '/data/shop.db' };
        },
        save: async () => ({ canceled: true }),
      },
    });
    try {
      const r = await callDirect(host.host.handlers, 'dialogs/open', { read: false, filters: [{ name: 'SQLite', extensions: ['db'] }] });
      expect(r).toEqual({ canceled: false, fileName: 'shop.db', path: '/data/shop.db' });
      expect(seen[0]).toMatchObject({ read: false });
    } finally {
      await host.close();
    }
  });
});
