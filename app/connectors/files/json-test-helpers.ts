import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { openConnection } from '../registry';
import type { Connection, SourceError } from '../types';

/** Shared by the NDJSON and JSON-array tests: write a file, open it, read it with a policy. */
export async function fileConnection(dir: string, name: string, scheme: string, content: string | Uint8Array, options?: Record<string, unknown>): Promise<Connection> {
  const path = join(dir, name);
  writeFileSync(path, content);
  return openConnection({ url: `${scheme}:${path}`, options }, { baseDir: dir });
}

export async function readWithPolicy(conn: Connection, onError: 'stop' | 'skip' = 'stop') {
  const errors: SourceError[] = [];
  const rows: Row[] = [];
  let schema: Schema | undefined;
  let error: unknown;
  try {
    const s = await conn.read({ table: '' }, { onError, onErrorRecord: (e) => errors.push(e), batchSize: 2 });
    schema = s.schema;
    for await (const b of s.batches) rows.push(...b);
  } catch (e) {
    error = e;
  }
  return { rows, errors, error, schema };
}
