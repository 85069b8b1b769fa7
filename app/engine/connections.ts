import { openConnection } from '../connectors/registry';
import { ConnectorError, type Connection, type ConnectionConfig } from '../connectors/types';
import type { ConnectionDoc } from '../model/document';
import { didYouMean } from '../model/problems';
import type { ConnectionProvider } from '../nodes/types';

const REF_RE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const URL_RE = /^[a-z][a-z0-9+.-]*:/i;

export type Env = Record<string, string | undefined>;

/** Replaces `${env:NAME}` references; a missing variable is an error naming it and where it was used. */
export function resolveSecretRefs(text: string, env: Env, where: string): string {
  return text.replace(REF_RE, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new ConnectorError(`${where}: environment variable ${name} is not set (referenced as \${env:${name}})`);
    return v;
  });
}

function resolveOptions(options: Record<string, unknown> | undefined, env: Env, where: string): Record<string, unknown> | undefined {
  if (!options) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k] = typeof v === 'string' ? resolveSecretRefs(v, env, `${where} option ${k}`) : v;
  return out;
}

/** Strips a password from a URL for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * The connections of one run: names from the document (and from the workbench, where the
 * host supplies them) or bare URLs. Each is opened once and closed at the end of the run.
 */
export class RunConnections implements ConnectionProvider {
  private readonly open_ = new Map<string, Promise<Connection>>();

  constructor(
    private readonly named: Record<string, ConnectionDoc>,
    private readonly opts: { baseDir: string; env?: Env; signal?: AbortSignal },
  ) {}

  private config(nameOrUrl: string): { key: string; config: ConnectionConfig; label: string } {
    const env = this.opts.env ?? process.env;
    const doc = this.named[nameOrUrl];
    if (doc) {
      const where = `connection '${nameOrUrl}'`;
      return {
        key: `name:${nameOrUrl}`,
        label: where,
        config: {
          url: resolveSecretRefs(doc.url, env, where),
          password: doc.password === undefined ? undefined : resolveSecretRefs(doc.password, env, where),
          options: resolveOptions(doc.options, env, where),
        },
      };
    }
    if (URL_RE.test(nameOrUrl) && !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(nameOrUrl)) {
      return { key: `url:${nameOrUrl}`, label: redactUrl(nameOrUrl), config: { url: resolveSecretRefs(nameOrUrl, env, redactUrl(nameOrUrl)) } };
    }
    const hint = didYouMean(nameOrUrl, Object.keys(this.named));
    throw new ConnectorError(
      `unknown connection '${nameOrUrl}'${hint ? ` (did you mean '${hint}'?)` : ''}; name one from the document's connections or give a URL such as sqlite:./data.db`,
    );
  }

  describe(nameOrUrl: string): string {
    const doc = this.named[nameOrUrl];
    return redactUrl(doc ? doc.url : nameOrUrl);
  }

  open(nameOrUrl: string): Promise<Connection> {
    const { key, config, label } = this.config(nameOrUrl);
    const cached = this.open_.get(key);
    if (cached) return cached;
    const p = openConnection(config, { baseDir: this.opts.baseDir, signal: this.opts.signal }).catch((e: unknown) => {
        this.open_.delete(key);
        throw e instanceof Error ? new ConnectorError(`${label}: ${e.message}`, { cause: e }) : e;
      });
    this.open_.set(key, p);
    return p;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open_.values()];
    this.open_.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
