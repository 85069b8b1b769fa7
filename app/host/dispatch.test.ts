import { describe, expect, it } from 'vitest';
import type { Handlers } from '../contract';
import { callDirect, dispatch } from './dispatch';
import { stubHandlers } from './test-stubs';

const ctx = { transport: 'direct' as const };

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return stubHandlers({
    'jobs/get': async ({ id }) => ({ id, kind: 'pipeline', title: 't', status: 'queued', createdAt: '2024-01-01T00:00:00.000Z' }),
    'runs/list': async ({ limit }) => ({ runs: Array.from({ length: Math.min(limit, 1) }, () => ({ id: 'r', kind: 'pipeline', name: 'n', status: 'running', startedAt: 'x' })) }),
    ...overrides,
  });
}

describe('dispatch', () => {
  it('runs the handler with the parsed input (defaults applied)', async () => {
    let seen: unknown;
    const h = handlers({
      'runs/list': async (input) => {
        seen = input;
        return { runs: [] };
      },
    });
    expect(await dispatch(h, 'runs/list', {}, ctx)).toEqual({ ok: true, result: { runs: [] } });
    expect(seen).toEqual({ limit: 100 });
  });

  it('accepts a missing payload for a method without required fields', async () => {
    const env = await dispatch(handlers(), 'runs/list', undefined, ctx);
    expect(env.ok).toBe(true);
  });

  it('rejects a malformed payload with an error naming the field, without running the handler', async () => {
    let ran = false;
    const h = handlers({
      'runs/list': async () => {
        ran = true;
        return { runs: [] };
      },
    });
    const env = await dispatch(h, 'runs/list', { limit: 'ten' }, ctx);
    expect(ran).toBe(false);
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('invalid-input');
    expect(env.error.issues?.[0].path).toBe('limit');
    expect(env.error.message).toMatch(/^runs\/list: limit: /);
  });

  it('names nested fields and unknown keys', async () => {
    const env = await dispatch(handlers(), 'connections/save', { name: 'db', url: 'sqlite:x.db', secret: { kind: 'password', password: '' }, extra: 1 }, ctx);
    expect(env.ok).toBe(false);
    if (env.ok) return;
    const paths = env.error.issues!.map((i) => i.path);
    expect(paths).toContain('secret.password');
    expect(env.error.message).toMatch(/extra/);
  });

  it('refuses payloads that are not objects', async () => {
    for (const payload of [42, 'text', [1, 2], true]) {
      const env = await dispatch(handlers(), 'jobs/get', payload, ctx);
      expect(env.ok).toBe(false);
      if (!env.ok) expect(env.error.code).toBe('invalid-input');
    }
  });

  it('refuses paths that leave the workspace before any handler runs', async () => {
    for (const path of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'C:\\Windows\\win.ini', 'a\0b']) {
      const env = await dispatch(handlers(), 'files/read', { path }, ctx);
      expect(env.ok, path).toBe(false);
      if (!env.ok) expect(env.error.issues?.[0].path).toBe('path');
    }
  });

  it('answers an unknown method with unknown-method', async () => {
    for (const m of ['nope/nothing', 42, undefined, '__proto__', 'constructor']) {
      const env = await dispatch(handlers(), m, {}, ctx);
      expect(env).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('turns an ApiError into its code and any other exception into internal, never throwing', async () => {
    const h = handlers({
      'jobs/list': async () => {
        throw new TypeError('boom');
      },
    });
    expect(await dispatch(h, 'jobs/list', {}, ctx)).toEqual({ ok: false, error: { code: 'internal', message: 'jobs/list: boom' } });
    expect(await dispatch(h, 'catalog/nodes', {}, ctx)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('validates the output and strips fields the contract does not declare', async () => {
    const leaky = handlers({
      'connections/get': async () =>
        ({ name: 'db', url: 'sqlite:x', options: {}, secret: 'encrypted', createdAt: 'a', updatedAt: 'b', encryptedSecret: new Uint8Array([1]) }) as never,
    });
    const env = await dispatch(leaky, 'connections/get', { name: 'db' }, ctx);
    expect(env.ok).toBe(true);
    if (env.ok) expect(Object.keys(env.result as object)).not.toContain('encryptedSecret');

    const wrong = handlers({ 'jobs/list': async () => ({ jobs: [{ id: 1 }] }) as never });
    const bad = await dispatch(wrong, 'jobs/list', {}, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-output' } });
  });

  it('callDirect returns the result or throws an ApiError', async () => {
    await expect(callDirect(handlers(), 'jobs/get', { id: 'j1' })).resolves.toMatchObject({ id: 'j1', status: 'queued' });
    await expect(callDirect(handlers(), 'jobs/get', {})).rejects.toMatchObject({ name: 'ApiError', code: 'invalid-input' });
  });
});
