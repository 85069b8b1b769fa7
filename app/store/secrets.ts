import { PlainTextSecretError } from './errors';

/** `${env:NAME}`, `${keychain:NAME}` ...: a reference resolved at connect time, never a secret itself. */
const SECRET_REF = /^\$\{[a-z][a-z0-9_-]*:[^}\s]+\}$/i;

/** Option and query-parameter names that carry secrets in the drivers we use. */
const SECRET_KEY = /^(pass|password|passwd|pwd|secret|client_secret|token|access_token|auth_token|api_key|apikey|sslpassword|sslkey_password)$/i;

export function isSecretRef(s: string): boolean {
  return SECRET_REF.test(s);
}

/** Throws PlainTextSecretError when a connection would store a secret in plain text. */
export function assertNoPlainTextSecret(name: string, url: string, options: Record<string, unknown> | undefined): void {
  const where = `Connection "${name}"`;
  const advice = 'Keep the password out of the URL and options: give a secretRef like ${env:PGPASSWORD} or let the app encrypt it.';
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url);
  // The regex, not only `new URL`, because odd URLs (`mysql://u:p@w@host`) must not slip by.
  if (authority && authority[1].includes(':') && authority[1].slice(authority[1].indexOf(':') + 1) !== '') {
    throw new PlainTextSecretError(`${where}: the URL embeds a password. ${advice}`);
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed) {
    if (parsed.password !== '') throw new PlainTextSecretError(`${where}: the URL embeds a password. ${advice}`);
    for (const [k, v] of parsed.searchParams) {
      if (SECRET_KEY.test(k) && v !== '' && !isSecretRef(v)) throw new PlainTextSecretError(`${where}: the URL parameter "${k}" holds a secret. ${advice}`);
    }
  }
  for (const [k, v] of Object.entries(options ?? {})) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' && !(typeof v === 'string' && isSecretRef(v))) {
      throw new PlainTextSecretError(`${where}: the option "${k}" holds a secret. ${advice}`);
    }
  }
}
