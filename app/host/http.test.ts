import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from './events';
import { cookieName, startBrowserHost, type BrowserHost } from './http';
import { stubHandlers } from './test-stubs';

/** A raw request, so tests control every header (fetch would refuse to set Host or Origin). */
function request(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('browser host security', () => {
  let host: BrowserHost;
  let staticDir: string;
  let outside: string;
  const events = new EventHub();
  const handlers = stubHandlers({
    'workspace/info': async () => ({
      root: '/w',
      name: 'w',
      storePath: '/s',
      host: 'browser',
      secretStorage: false,
      nativeDialogs: false,
      version: '0',
    }),
  });
  const bearer = () => ({ authorization: `Bearer ${host.token}` });
  const apiCall = (headers: Record<string, string>, body = '{}') =>
    request(host.port, { method: 'POST', path: '/api/workspace/info', headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-http-'));
    staticDir = path.join(dir, 'renderer');
    outside = path.join(dir, 'secret.txt');
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sluice</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(outside, 'do not serve me');
    host = await startBrowserHost({ handlers, events, staticDir });
  });
  afterAll(async () => {
    await host.close();
    rmSync(path.dirname(staticDir), { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with a random port and a long random token in the URL', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.port).toBeGreaterThan(0);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  it('refuses to bind any address but 127.0.0.1', async () => {
    for (const address of ['0.0.0.0', '::', '::1', 'localhost', '192.168.1.10']) {
      await expect(startBrowserHost({ handlers, events, host: address })).rejects.toThrow(/127\.0\.0\.1 only/);
    }
  });

  it('two hosts get different tokens and ports', async () => {
    const other = await startBrowserHost({ handlers, events });
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.port).not.toBe(host.port);
    } finally {
      await other.close();
    }
  });

  it('answers an API call carrying the token', async () => {
    const r = await apiCall(bearer());
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, result: { host: 'browser' } });
  });

  it('refuses an API call without a token, or with a wrong one', async () => {
    expect((await apiCall({})).status).toBe(403);
    expect((await apiCall({ authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await apiCall({ authorization: `Bearer ${host.token}x` })).status).toBe(403);
    expect((await apiCall({ cookie: `${cookieName(host.port)}=nope` })).status).toBe(403);
    // A token for another port's host is not this host's token.
    expect((await apiCall({ cookie: `${cookieName(host.port + 1)}=${host.token}` })).status).toBe(403);
  });

  it('refuses pages and events without the token too', async () => {
    expect((await request(host.port, { path: '/' })).status).toBe(403);
    expect((await request(host.port, { path: '/assets/app.js' })).status).toBe(403);
    expect((await request(host.port, { path: '/api/events' })).status).toBe(403);
    expect((await request(host.port, { path: '/?token=wrong' })).status).toBe(403);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${host.port + 1}`, 'null', `https://127.0.0.1:${host.port}`]) {
      const r = await apiCall({ ...bearer(), origin });
      expect(r.status, origin).toBe(403);
      expect(r.body).toMatch(/foreign Origin/);
    }
    expect((await apiCall({ ...bearer(), origin: host.origin })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the right token', async () => {
    for (const h of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, `0.0.0.0:${host.port}`]) {
      const r = await apiCall({ ...bearer(), host: h });
      expect(r.status, h).toBe(403);
      expect(r.body).toMatch(/foreign Host/);
    }
    expect((await apiCall({ ...bearer(), host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('refuses cross-site requests flagged by the browser', async () => {
    expect((await apiCall({ ...bearer(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await apiCall({ ...bearer(), 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await apiCall({ ...bearer(), 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    const r = await request(host.port, { path: `/?token=${encodeURIComponent(host.token)}` });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toContain(`${cookieName(host.port)}=`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request(host.port, { path: '/', headers: { cookie: cookie.split(';')[0] } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Sluice</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('accepts only JSON bodies on the API (no form posts)', async () => {
    const form = await request(host.port, {
      method: 'POST',
      path: '/api/workspace/info',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const get = await request(host.port, { path: '/api/workspace/info', headers: bearer() });
    expect(get.status).toBe(405);
  });

  it('answers a body that is not JSON, and a malformed payload, with clear errors', async () => {
    const notJson = await apiCall(bearer(), '{oops');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/not JSON/) } });
    const bad = await request(host.port, {
      method: 'POST',
      path: '/api/runs/list',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ limit: -1 }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'limit' }] } });
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await request(host.port, { path: p, headers: bearer() });
      expect(r.body, p).not.toContain('do not serve me');
    }
  });

  it('streams events as server-sent events to an authorized client', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/api/events', headers: { host: `127.0.0.1:${host.port}`, ...bearer() } },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
            if (text.includes(': connected')) {
              events.publish({ name: 'job/log', payload: { jobId: 'j', level: 'info', message: 'hello', time: 't' } });
            }
            if (text.includes('hello')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', (e) => (e.message.includes('aborted') ? undefined : reject(e)));
      req.end();
    });
    expect(received).toContain('event: job/log');
    expect(received).toContain('"message":"hello"');
  });
});
