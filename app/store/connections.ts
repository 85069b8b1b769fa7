import type { Db } from './database';
import { StoreError } from './errors';
import { encodeJson } from './json';
import { assertNoPlainTextSecret, isSecretRef } from './secrets';
import type { ConnectionInput, StoredConnection } from './types';

interface ConnectionRow {
  name: string;
  url: string;
  options: string;
  secret_ref: string | null;
  encrypted_secret: Buffer | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'name, url, options, secret_ref, encrypted_secret, created_at, updated_at';

export class ConnectionRepo {
  private readonly upsert;
  private readonly byName;
  private readonly all;
  private readonly remove;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO connections (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET url = excluded.url, options = excluded.options, secret_ref = excluded.secret_ref,
         encrypted_secret = excluded.encrypted_secret, updated_at = excluded.updated_at`,
    );
    this.byName = db.prepare(`SELECT ${COLUMNS} FROM connections WHERE name = ?`);
    this.all = db.prepare(`SELECT ${COLUMNS} FROM connections ORDER BY name COLLATE NOCASE, name`);
    this.remove = db.prepare(`DELETE FROM connections WHERE name = ?`);
  }

  /** Inserts or replaces the whole connection (a save without a secret clears the old one). */
  save(c: ConnectionInput): void {
    if (!c.name || c.name.trim() !== c.name) throw new StoreError(`A connection needs a name without leading or trailing spaces (got ${JSON.stringify(c.name)})`);
    if (!c.url) throw new StoreError(`Connection "${c.name}" needs a URL`);
    assertNoPlainTextSecret(c.name, c.url, c.options);
    if (c.secretRef !== undefined && c.encryptedSecret !== undefined) {
      throw new StoreError(`Connection "${c.name}": give either a secretRef or an encryptedSecret, not both`);
    }
    if (c.secretRef !== undefined && !isSecretRef(c.secretRef)) {
      // A secretRef that is not a reference is most likely the password itself.
      throw new StoreError(`Connection "${c.name}": secretRef must be a reference like \${env:NAME}, not the secret itself`);
    }
    if (c.encryptedSecret !== undefined && !(c.encryptedSecret instanceof Uint8Array)) {
      throw new StoreError(`Connection "${c.name}": encryptedSecret must be bytes (Uint8Array)`);
    }
    const now = new Date().toISOString();
    const secret = c.encryptedSecret === undefined ? null : Buffer.from(c.encryptedSecret.buffer, c.encryptedSecret.byteOffset, c.encryptedSecret.byteLength);
    this.upsert.run(c.name, c.url, encodeJson(c.options ?? {}), c.secretRef ?? null, secret, now, now);
  }

  get(name: string): StoredConnection | undefined {
    const row = this.byName.get(name) as ConnectionRow | undefined;
    return row && toConnection(row);
  }

  list(): StoredConnection[] {
    return (this.all.all() as ConnectionRow[]).map(toConnection);
  }

  delete(name: string): void {
    this.remove.run(name);
  }
}

function toConnection(r: ConnectionRow): StoredConnection {
  const c: StoredConnection = { name: r.name, url: r.url, options: JSON.parse(r.options) as Record<string, unknown>, createdAt: r.created_at, updatedAt: r.updated_at };
  if (r.secret_ref !== null) c.secretRef = r.secret_ref;
  // A copy as a plain Uint8Array: callers compare and transfer it (IPC) without Buffer quirks.
  if (r.encrypted_secret !== null) c.encryptedSecret = new Uint8Array(r.encrypted_secret);
  return c;
}
