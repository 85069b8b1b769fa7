import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Schema } from '../../model/schema';
import { openConnection } from '../registry';
import { ConnectorError } from '../types';

const dir = mkdtempSync(join(tmpdir(), 'sluice-file-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const schema: Schema = {
  columns: [
    { name: 'id', type: { kind: 'int' }, nullable: false },
    { name: 'text', type: { kind: 'text' }, nullable: true },
  ],
};

/** FileHandle is not exported: its prototype, from a handle opened once. */
async function fileHandlePrototype(): Promise<{ write: (...args: unknown[]) => Promise<unknown> }> {
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  const fh = await open(probe, 'r');
  const proto = Object.getPrototypeOf(fh) as { write: (...args: unknown[]) => Promise<unknown> };
  await fh.close();
  return proto;
}

describe('FileTableWriter (one write in flight while the next batch is made)', () => {
  it('writes every batch, in order', async () => {
    const path = join(dir, 'order.csv');
    const conn = await openConnection({ url: `csv:${path}` }, { baseDir: dir });
    const w = await conn.write({ table: 'order', schema, mode: 'truncate-insert' });
    let expected = 'id,text\n';
    for (let i = 0; i < 300; i++) {
      await w.write([[i, `t${i}`]]);
      expected += `${i},t${i}\n`;
    }
    expect(await w.commit()).toEqual({ rowsWritten: 300 });
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('reports a failed write before committing anything, and abort leaves the old file', async () => {
    const path = join(dir, 'fail.csv');
    writeFileSync(path, 'id,text\n0,old\n');
    const conn = await openConnection({ url: `csv:${path}` }, { baseDir: dir });
    const w = await conn.write({ table: 'fail', schema, mode: 'truncate-insert' });
    const proto = await fileHandlePrototype();
    const real = proto.write;
    let calls = 0;
    vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      // The header went out when the writer opened; the third batch's write fails, and
      // nothing awaits it until commit.
      if (++calls === 3) return Promise.reject(new Error('ENOSPC: no space left on device, write'));
      return real.apply(this, args);
    });
    await w.write([[1, 'a']]);
    await w.write([[2, 'b']]);
    await w.write([[3, 'c']]);
    const err = await w.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as Error).message).toMatch(/fail\.csv: ENOSPC/);
    await w.abort();
    expect(readFileSync(path, 'utf8')).toBe('id,text\n0,old\n');
    expect(readdirSync(dir).filter((f) => f.includes('fail.csv') && f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed write surfaces at the next write too, and the writer refuses to commit after it', async () => {
    const path = join(dir, 'fail2.csv');
    const conn = await openConnection({ url: `csv:${path}` }, { baseDir: dir });
    const w = await conn.write({ table: 'fail2', schema, mode: 'truncate-insert' });
    const proto = await fileHandlePrototype();
    const real = proto.write;
    let calls = 0;
    vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls === 1) return Promise.reject(new Error('EIO: i/o error, write'));
      return real.apply(this, args);
    });
    await w.write([[1, 'a']]);
    await expect(w.write([[2, 'b']])).rejects.toThrow(/fail2\.csv: EIO/);
    await expect(w.commit()).rejects.toThrow(/a write failed; abort instead of committing/);
    await w.abort();
    expect(existsSync(path)).toBe(false);
  });
});
