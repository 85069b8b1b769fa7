import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, readTextChunks } from './byte-source';

const dir = mkdtempSync(join(tmpdir(), 'sluice-byte-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, chunkBytes: number): Promise<{ text: string; chunks: number; finals: number }> {
  let text = '';
  let chunks = 0;
  let finals = 0;
  for await (const c of readTextChunks(path, { encoding: 'utf-8', bom: 'auto', connector: 'test', chunkBytes })) {
    text += c.text;
    chunks++;
    if (c.final) finals++;
  }
  return { text, chunks, finals };
}

describe('readTextChunks (two buffers, the next read in flight while a chunk is parsed)', () => {
  // Multi-byte characters fall across chunk boundaries at every small chunk size.
  const content = Array.from({ length: 500 }, (_, i) => `${i},näme €${i},"q ${'x'.repeat(i % 13)}"\n`).join('');
  const path = join(dir, 'text.csv');
  writeFileSync(path, content);

  it.each([1, 3, 7, 64, 4096, content.length, content.length + 1, CHUNK_BYTES])('gives the exact text with %i-byte reads', async (size) => {
    const r = await readAll(path, size);
    expect(r.text).toBe(content);
    expect(r.finals).toBe(1);
  });

  it('keeps chunk texts below V8 large-object size (they must die young)', () => {
    // 128 KiB is V8's largest regular object; a one-byte string adds a header.
    expect(CHUNK_BYTES + 64).toBeLessThanOrEqual(128 * 1024);
  });

  it('stops early without an error while a read is still in flight', async () => {
    const it = readTextChunks(path, { encoding: 'utf-8', bom: 'auto', connector: 'test', chunkBytes: 16 });
    const first = await it.next();
    expect(first.done).toBe(false);
    // return() waits for the prefetched read, then closes the file.
    await expect(it.return(undefined)).resolves.toEqual({ done: true, value: undefined });
  });

  it('reports invalid UTF-8 the same at every read size (the bytes it keeps are copies, not views of a refilled buffer)', async () => {
    const bad = join(dir, 'bad.csv');
    const bytes = Buffer.concat([Buffer.from('ab,é'), Buffer.from([0xff, 0xc3]), Buffer.from('x,€€\n'), Buffer.from([0xe2, 0x82]), Buffer.from('\n')]);
    writeFileSync(bad, bytes);
    const read = async (chunkBytes: number) => {
      let text = '';
      const messages: string[] = [];
      for await (const c of readTextChunks(bad, { encoding: 'utf-8', bom: 'auto', connector: 'test', chunkBytes })) {
        text += c.text;
        for (const b of c.bad) messages.push(b.message);
      }
      return { text, messages };
    };
    const whole = await read(1024);
    expect(whole.text).toBe('ab,é\uFFFD\uFFFDx,€€\n\uFFFD\n');
    expect(whole.messages).toEqual([
      'invalid UTF-8: 0xff at byte offset 5',
      'invalid UTF-8: 0xc3 at byte offset 6',
      'invalid UTF-8: 0xe2 0x82 at byte offset 16',
    ]);
    for (let size = 1; size <= bytes.length; size++) expect(await read(size)).toEqual(whole);
  });

  it('reads an empty file as one final, empty chunk', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expect(await readAll(empty, 8)).toEqual({ text: '', chunks: 1, finals: 1 });
  });
});
