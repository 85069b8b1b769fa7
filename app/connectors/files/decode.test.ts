import { describe, expect, it } from 'vitest';
import { ChunkDecoder, type FileEncoding } from './decode';

function decodeAll(bytes: Uint8Array, encoding: FileEncoding, cut: number[], bom: 'auto' | 'keep' = 'auto') {
  const d = new ChunkDecoder(encoding, bom);
  let text = '';
  const bad: { at: number; message: string }[] = [];
  let prev = 0;
  for (const c of [...cut, bytes.length]) {
    const r = d.decode(bytes.subarray(prev, c), false);
    for (const b of r.bad) bad.push({ at: text.length + b.at, message: b.message });
    text += r.text;
    prev = c;
  }
  const r = d.decode(new Uint8Array(0), true);
  for (const b of r.bad) bad.push({ at: text.length + b.at, message: b.message });
  text += r.text;
  return { text, bad, encoding: d.encoding };
}

describe('ChunkDecoder', () => {
  const utf8 = Buffer.from('a é 🦆 z\n'.repeat(3));

  it('decodes UTF-8 cut anywhere, even inside a character', () => {
    for (let i = 0; i <= utf8.length; i++) {
      for (const j of [i, Math.min(i + 1, utf8.length), Math.min(i + 3, utf8.length)]) {
        expect(decodeAll(utf8, 'utf-8', [i, j]).text).toBe(utf8.toString());
      }
    }
  });

  it('reports invalid UTF-8 with its byte offset and position, however the bytes are cut', () => {
    const bytes = Buffer.concat([Buffer.from('ok é\n'), Buffer.from([0xe2, 0x82]), Buffer.from('x\n'), Buffer.from([0xff]), Buffer.from('🦆')]);
    for (let i = 0; i <= bytes.length; i++) {
      const r = decodeAll(bytes, 'utf-8', [i]);
      expect(r.text).toBe('ok é\n\uFFFDx\n\uFFFD🦆');
      expect(r.bad).toEqual([
        { at: 5, message: 'invalid UTF-8: 0xe2 0x82 at byte offset 6' },
        { at: 8, message: 'invalid UTF-8: 0xff at byte offset 10' },
      ]);
    }
  });

  it('reports a truncated character at the end of the file', () => {
    const r = decodeAll(Buffer.from([0x61, 0xf0, 0x9f]), 'utf-8', []);
    expect(r.text).toBe('a\uFFFD');
    expect(r.bad[0].message).toMatch(/0xf0 0x9f at byte offset 1/);
  });

  it('rejects overlong forms and surrogates encoded in UTF-8', () => {
    expect(decodeAll(Buffer.from([0xc0, 0xaf]), 'utf-8', []).bad).toHaveLength(2);
    expect(decodeAll(Buffer.from([0xed, 0xa0, 0x80]), 'utf-8', []).bad.length).toBeGreaterThan(0);
  });

  it('detects UTF-16 byte-order marks, decodes cut anywhere and reports unpaired surrogates', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a🦆b', 'utf16le')]);
    for (let i = 0; i <= le.length; i++) expect(decodeAll(le, 'utf-8', [i])).toMatchObject({ text: 'a🦆b', bad: [], encoding: 'utf-16le' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a🦆b', 'utf16le').swap16()]);
    expect(decodeAll(be, 'utf-8', [3])).toMatchObject({ text: 'a🦆b', encoding: 'utf-16be' });
    const lone = Buffer.from([0x61, 0x00, 0x3d, 0xd8, 0x62, 0x00]);
    expect(decodeAll(lone, 'utf-16le', [])).toMatchObject({ text: 'a\uFFFDb', bad: [{ at: 1, message: 'unpaired UTF-16 surrogate 0xd83d at byte offset 2' }] });
  });

  it('drops a UTF-8 byte-order mark, or keeps it', () => {
    const b = Buffer.from([0xef, 0xbb, 0xbf, 0x61]);
    expect(decodeAll(b, 'utf-8', [1]).text).toBe('a');
    expect(decodeAll(b, 'utf-8', [1], 'keep').text).toBe('\ufeffa');
  });

  it('maps windows-1252 0x80-0x9F to their characters', () => {
    expect(decodeAll(new Uint8Array([0x80, 0x93, 0x94, 0xe9, 0x81]), 'windows-1252', []).text).toBe('€“”é\u0081');
  });
});
