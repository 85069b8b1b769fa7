import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { didYouMean } from '../model/problems';
import { ConnectorError } from './types';

/**
 * Connection URLs: `scheme:body?query`. For file and SQLite connectors the body is a path
 * (`sqlite:./data.db`, `csv:/abs/in.csv`, `sqlite::memory:`; a `//` after the scheme is
 * dropped, so `csv:///abs/in.csv` works too); the path is taken literally up to the first
 * `?`. Query parameters become options (`csv:./in.csv?delimiter=;&header=false`).
 */
export interface ConnectionUrl {
  scheme: string;
  body: string;
  query: Record<string, string>;
}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export function schemeOf(url: string): string | undefined {
  return SCHEME_RE.exec(url)?.[1].toLowerCase();
}

export function parseConnectionUrl(url: string): ConnectionUrl {
  const m = SCHEME_RE.exec(url);
  if (!m) throw new ConnectorError(`not a connection URL: ${JSON.stringify(url)} (expected scheme:path, e.g. sqlite:./data.db or csv:./in.csv)`);
  const rest = url.slice(m[0].length);
  const q = rest.indexOf('?');
  const body = q < 0 ? rest : rest.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) query[k] = v;
  return { scheme: m[1].toLowerCase(), body, query };
}

/** The file a URL body names, resolved against the pipeline's folder when relative. */
export function resolveFilePath(body: string, baseDir: string): string {
  const path = body.startsWith('//') ? body.slice(2) : body;
  if (path === '') throw new ConnectorError('the connection URL names no file');
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function baseKind(field: z.ZodType): string {
  let t = field as unknown as { _zod: { def: { type: string; innerType?: unknown } } };
  while (t._zod.def.innerType) t = t._zod.def.innerType as typeof t;
  return t._zod.def.type;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Query strings -> the option types the schema expects (booleans, numbers, records). */
function coerce(kind: string, text: string): unknown {
  switch (kind) {
    case 'boolean':
      return TRUE.has(text.toLowerCase()) ? true : FALSE.has(text.toLowerCase()) ? false : text;
    case 'number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'record': {
      // `types=id:int;price:decimal(10,2)` or a JSON object.
      if (text.trim().startsWith('{')) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      const out: Record<string, string> = {};
      for (const part of text.split(';')) {
        if (part.trim() === '') continue;
        const i = part.lastIndexOf(':');
        if (i <= 0) return text;
        out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
      }
      return out;
    }
    default:
      return text;
  }
}

/**
 * The options of a connection: URL query parameters (coerced to the schema's types),
 * overridden by explicit options, validated by the connector's schema with its defaults.
 */
export function resolveOptions<S extends z.ZodObject>(
  schema: S,
  query: Record<string, string>,
  explicit: Record<string, unknown> | undefined,
  connector: string,
): z.output<S> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) merged[k] = shape[k] ? coerce(baseKind(shape[k]), v) : v;
  Object.assign(merged, explicit ?? {});
  const r = schema.safeParse(merged);
  if (r.success) return r.data;
  const known = Object.keys(shape);
  const problems = r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys
        .map((k) => {
          const hint = didYouMean(k, known);
          return `unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ''}`;
        })
        .join('; ');
    }
    return `option '${i.path.join('.')}': ${i.message}`;
  });
  throw new ConnectorError(`${connector}: ${problems.join('; ')} (known options: ${known.join(', ')})`, { connector });
}
