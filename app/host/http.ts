import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Envelope, EventMessage, Handlers } from '../contract';
import { dispatch, type DispatchOptions } from './dispatch';
import type { EventHub } from './events';
import { isInside } from './workspace';

/**
 * The browser host: the same renderer and the same handlers as the desktop app, served over
 * HTTP to a browser on this machine. It listens on 127.0.0.1 only, and every request must
 * carry the session token printed with the URL (an `Authorization: Bearer` header, or the
 * cookie the first page load sets from the URL). Requests whose Host header is not this
 * server (DNS rebinding) or whose Origin is another site (CSRF) are refused with 403.
 */

export const LOOPBACK = '127.0.0.1';

export interface BrowserHostOptions {
  handlers: Handlers;
  events: EventHub;
  /** Must be 127.0.0.1: anything else is refused (the host would be reachable from the network). */
  host?: string;
  /** 0 (default): a random free port. */
  port?: number;
  /** The built renderer (index.html and assets); without it, a page says how to build it. */
  staticDir?: string;
  /** The session token; default 32 random bytes. */
  token?: string;
  dispatch?: DispatchOptions;
  /** The largest request body accepted (default 64 MiB: files/write of a data file). */
  maxBodyBytes?: number;
}

export interface BrowserHost {
  /** The URL to open, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Applies to every page the host serves: scripts and connections from this origin only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // CodeMirror and React Flow inject <style> elements; no style can run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function cookieName(port: number): string {
  // Cookies ignore ports: two hosts on one machine must not overwrite each other's token.
  return `sluice_token_${port}`;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function statusFor(env: Envelope<unknown>): number {
  if (env.ok) return 200;
  switch (env.error.code) {
    case 'invalid-input':
      return 400;
    case 'unknown-method':
    case 'not-found':
      return 404;
    case 'forbidden':
      return 403;
    case 'conflict':
      return 409;
    case 'internal':
    case 'invalid-output':
      return 500;
    default:
      return 422;
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new BodyTooLarge(max));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

class BodyTooLarge extends Error {
  constructor(max: number) {
    super(`the request body is larger than ${max} bytes`);
  }
}

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const host = opts.host ?? LOOPBACK;
  if (host !== LOOPBACK) {
    throw new Error(`the browser host listens on ${LOOPBACK} only (asked for ${host}): anything else would expose the workbench to the network`);
  }
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const staticDir = opts.staticDir ? path.resolve(opts.staticDir) : undefined;
  let port = 0;
  const sseClients = new Set<ServerResponse>();

  const allowedHosts = () => new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);

  /** Why a request is refused, or undefined when it may go on (the token is checked after). */
  const foreign = (req: IncomingMessage): string | undefined => {
    const hostHeader = req.headers.host;
    if (!hostHeader || !allowedHosts().has(hostHeader.toLowerCase())) return `foreign Host header ${JSON.stringify(hostHeader ?? '')}`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader.toLowerCase()}`) return `foreign Origin ${JSON.stringify(origin)}`;
    // Browsers send this on every request; a cross-site one means another page is asking.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request (Sec-Fetch-Site: ${site})`;
    return undefined;
  };

  const authorized = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return sameToken(auth.slice(7).trim(), token);
    return sameToken(cookies(req)[cookieName(port)], token);
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (!staticDir) {
      send(res, 200, NOT_BUILT_PAGE, 'text/html; charset=utf-8');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      send(res, 400, 'bad path');
      return;
    }
    let file = path.resolve(staticDir, '.' + (rel.endsWith('/') ? rel + 'index.html' : rel));
    if (!isInside(staticDir, file)) {
      send(res, 403, 'forbidden');
      return;
    }
    let info = await stat(file).catch(() => undefined);
    // A client-side route: the app's page answers it.
    if (!info?.isFile() && !path.extname(rel)) {
      file = path.join(staticDir, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) {
      send(res, 404, 'not found');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      // Hashed assets never change; the page itself must always be fresh.
      'Cache-Control': /[\\/]assets[\\/]/.test(file) ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const serveEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    sseClients.add(res);
    const write = (e: EventMessage) => res.write(`event: ${e.name}\ndata: ${JSON.stringify(e.payload)}\n\n`);
    const unsubscribe = opts.events.subscribe(write);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      sseClients.delete(res);
    });
  };

  const serveApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    if (req.method !== 'POST') {
      send(res, 405, 'API methods are called with POST', 'text/plain; charset=utf-8', { Allow: 'POST' });
      return;
    }
    // JSON only: a form post from another page (a "simple" request) is refused outright.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendJson(res, 415, { ok: false, error: { code: 'invalid-input', message: 'send the payload as Content-Type: application/json' } });
      return;
    }
    let payload: unknown;
    try {
      const body = await readBody(req, maxBody);
      payload = body.trim() === '' ? undefined : JSON.parse(body);
    } catch (e) {
      const tooLarge = e instanceof BodyTooLarge;
      sendJson(res, tooLarge ? 413 : 400, {
        ok: false,
        error: { code: 'invalid-input', message: tooLarge ? e.message : `the body is not JSON: ${(e as Error).message}` },
      });
      return;
    }
    const env = await dispatch(opts.handlers, method, payload, { transport: 'http' }, opts.dispatch);
    sendJson(res, statusFor(env), env);
  };

  const server = http.createServer((req, res) => {
    const handle = async () => {
      const why = foreign(req);
      if (why) {
        send(res, 403, `403 Forbidden: ${why}`);
        return;
      }
      const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
      // The first page load: trade the URL's token for a cookie, then drop it from the address bar.
      const fromUrl = url.searchParams.get('token');
      if (fromUrl !== null && (req.method === 'GET' || req.method === 'HEAD') && !url.pathname.startsWith('/api/')) {
        if (!sameToken(fromUrl, token)) {
          send(res, 403, '403 Forbidden: wrong session token');
          return;
        }
        url.searchParams.delete('token');
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          Location: url.pathname + url.search,
          'Set-Cookie': `${cookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
          'Content-Length': 0,
        });
        res.end();
        return;
      }
      if (!authorized(req)) {
        send(res, 403, '403 Forbidden: this request carries no valid session token; open the URL `sluice serve` printed');
        return;
      }
      if (url.pathname === '/api/events') {
        if (req.method !== 'GET') send(res, 405, 'GET only', 'text/plain; charset=utf-8', { Allow: 'GET' });
        else serveEvents(req, res);
        return;
      }
      const api = /^\/api\/([A-Za-z]+\/[A-Za-z]+)$/.exec(url.pathname);
      if (api) return serveApi(req, res, api[1]);
      if (url.pathname.startsWith('/api/')) {
        sendJson(res, 404, { ok: false, error: { code: 'unknown-method', message: `no method at ${url.pathname}` } });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'method not allowed', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
        return;
      }
      await serveStatic(req, res, url.pathname);
    };
    handle().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `500: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // SSE streams stay open

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sseClients) c.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Sluice</title>
<p>The Sluice API is running, but the user interface is not built: run <code>npm run build:renderer</code> (or <code>npm run serve</code>), then reload.</p>`;
