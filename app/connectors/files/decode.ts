import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';

/**
 * Decoding file bytes to text chunk by chunk, strictly: bytes that are not valid in the
 * file's encoding are not silently replaced but reported with their byte offset and the
 * position in the decoded text, so the reader can name the record (and its line) that
 * holds them. Valid input takes a fast path (pure ASCII chunks skip UTF-8 decoding).
 */

export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;
export type FileEncoding = (typeof ENCODINGS)[number];

/** auto: a byte-order mark at the start picks the encoding and is dropped; keep: no detection, the mark stays in the text. */
export type BomHandling = 'auto' | 'keep';

export interface DecodeIssue {
  /** Offset in the decoded text of this chunk where the bad input was (a U+FFFD stands there). */
  at: number;
  message: string;
}

export interface Decoded {
  text: string;
  bad: DecodeIssue[];
}

const NONE: DecodeIssue[] = [];
const EMPTY = new Uint8Array(0);

interface Impl {
  decode(bytes: Uint8Array, final: boolean, byteOffset: number): Decoded;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * A copy of bytes[from..]. Not bytes.slice(): on a Buffer (what file reads hand over) slice
 * is a view, and the reader refills its buffers while the decoder still holds what it kept.
 */
function copyFrom(bytes: Uint8Array, from = 0): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, from);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * Length of the valid UTF-8 sequence at i, or minus the length of the invalid subpart
 * there (WHATWG's "maximal subpart": one U+FFFD per subpart).
 */
function utf8Sequence(b: Uint8Array, i: number, n: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  if (c < 0xc2) return -1;
  if (c < 0xe0) return i + 1 < n && (b[i + 1] & 0xc0) === 0x80 ? 2 : -1;
  if (c < 0xf0) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    if (i + 1 >= n || b[i + 1] < lo || b[i + 1] > hi) return -1;
    if (i + 2 >= n || (b[i + 2] & 0xc0) !== 0x80) return -2;
    return 3;
  }
  if (c < 0xf5) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    if (i + 1 >= n || b[i + 1] < lo || b[i + 1] > hi) return -1;
    if (i + 2 >= n || (b[i + 2] & 0xc0) !== 0x80) return -2;
    if (i + 3 >= n || (b[i + 3] & 0xc0) !== 0x80) return -3;
    return 4;
  }
  return -1;
}

/**
 * Bytes at the end of b that are the valid start of a UTF-8 sequence not yet complete
 * (0..3): they wait for the next chunk. Invalid bytes are not held back.
 */
function utf8IncompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k];
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 1;
    if (need <= k) return 0;
    // The second byte's range depends on the lead (no overlongs, surrogates or > U+10FFFF).
    if (k >= 2) {
      const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
      if (b[n - k + 1] < lo || b[n - k + 1] > hi) return 0;
    }
    return k;
  }
  return 0;
}

/** The error path: decodes valid runs and marks each invalid subpart. */
function decodeUtf8Lossy(b: Uint8Array, byteOffset: number): Decoded {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const n = b.length;
  const bad: DecodeIssue[] = [];
  let text = '';
  let i = 0;
  while (i < n) {
    let j = i;
    let len = 0;
    while (j < n && (len = utf8Sequence(b, j, n)) > 0) j += len;
    if (j > i) text += strict.decode(b.subarray(i, j));
    if (j >= n) break;
    const k = -len;
    bad.push({ at: text.length, message: `invalid UTF-8: ${hex(b.subarray(j, j + k))} at byte offset ${byteOffset + j}` });
    text += '\uFFFD';
    i = j + k;
  }
  return { text, bad };
}

class Utf8 implements Impl {
  private dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Bytes of an unfinished character the streaming decoder is holding. */
  private tail: Uint8Array = EMPTY;

  decode(bytes: Uint8Array, final: boolean, byteOffset: number): Decoded {
    if (this.tail.length === 0 && isAscii(bytes)) return { text: latin1(bytes), bad: NONE };
    try {
      const text = this.dec.decode(bytes, { stream: !final });
      const held = bytes.length < 4 ? concat(this.tail, bytes) : bytes;
      // Copied: the caller may reuse its read buffer.
      this.tail = final ? EMPTY : copyFrom(held, held.length - utf8IncompleteTail(held));
      return { text, bad: NONE };
    } catch {
      const whole = concat(this.tail, bytes);
      const start = byteOffset - this.tail.length;
      const cut = final ? whole.length : whole.length - utf8IncompleteTail(whole);
      this.dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      this.tail = copyFrom(whole, cut);
      if (this.tail.length > 0) this.dec.decode(this.tail, { stream: true });
      return decodeUtf8Lossy(whole.subarray(0, cut), start);
    }
  }
}

class Utf16 implements Impl {
  private readonly strict: TextDecoder;
  private tail: Uint8Array = EMPTY;

  constructor(private readonly le: boolean) {
    this.strict = new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: true });
  }

  private unit(b: Uint8Array, i: number): number {
    return this.le ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
  }

  decode(bytes: Uint8Array, final: boolean, byteOffset: number): Decoded {
    const whole = concat(this.tail, bytes);
    const start = byteOffset - this.tail.length;
    let cut = whole.length & ~1;
    if (!final && cut >= 2) {
      const u = this.unit(whole, cut - 2);
      if (u >= 0xd800 && u <= 0xdbff) cut -= 2;
    }
    this.tail = final ? EMPTY : copyFrom(whole, cut);
    const body = whole.subarray(0, cut);
    let out: Decoded;
    try {
      out = { text: this.strict.decode(body), bad: [] };
    } catch {
      out = this.lossy(body, start);
    }
    if (final && cut < whole.length) {
      out.bad.push({ at: out.text.length, message: `odd trailing byte in UTF-16 text at byte offset ${start + cut}` });
      out.text += '\uFFFD';
    }
    return out;
  }

  private lossy(b: Uint8Array, byteOffset: number): Decoded {
    const bad: DecodeIssue[] = [];
    const units: number[] = [];
    for (let i = 0; i + 1 < b.length; i += 2) {
      const u = this.unit(b, i);
      if (u >= 0xd800 && u <= 0xdbff) {
        const v = i + 3 < b.length ? this.unit(b, i + 2) : -1;
        if (v >= 0xdc00 && v <= 0xdfff) {
          units.push(u, v);
          i += 2;
          continue;
        }
      }
      if (u >= 0xd800 && u <= 0xdfff) {
        bad.push({ at: units.length, message: `unpaired UTF-16 surrogate 0x${u.toString(16)} at byte offset ${byteOffset + i}` });
        units.push(0xfffd);
        continue;
      }
      units.push(u);
    }
    let text = '';
    for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
    return { text, bad };
  }
}

/** WHATWG windows-1252 (also what the label "latin1" means on the web): bytes 0x80-0x9F are not C1 controls. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018,
  0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const C1_RE = /[\u0080-\u009f]/g;

export function windows1252CodePoint(byte: number): number {
  return byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : byte;
}

// Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 gives U+0080, not €), so map by hand.
class Windows1252 implements Impl {
  decode(bytes: Uint8Array): Decoded {
    const text = latin1(bytes);
    return { text: C1_RE.test(text) ? text.replace(C1_RE, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80])) : text, bad: NONE };
  }
}

function implFor(encoding: FileEncoding): Impl {
  switch (encoding) {
    case 'utf-8':
      return new Utf8();
    case 'utf-16le':
      return new Utf16(true);
    case 'utf-16be':
      return new Utf16(false);
    default:
      return new Windows1252();
  }
}

function bomOf(b: Uint8Array): { encoding: FileEncoding; length: number } | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

/** Decodes a byte stream chunk by chunk; see the module comment. */
export class ChunkDecoder {
  private impl: Impl | undefined;
  private head: Uint8Array = EMPTY;
  private byteOffset = 0;
  /** The encoding in use (a byte-order mark may have changed it). */
  encoding: FileEncoding;

  constructor(
    encoding: FileEncoding,
    private readonly bom: BomHandling = 'auto',
  ) {
    this.encoding = encoding;
  }

  decode(bytes: Uint8Array, final = false): Decoded {
    if (!this.impl) {
      // The first bytes decide about a byte-order mark; wait for three of them.
      const b = concat(this.head, bytes);
      if (b.length < 3 && !final) {
        this.head = copyFrom(b);
        return { text: '', bad: NONE };
      }
      this.head = EMPTY;
      let skip = 0;
      if (this.bom === 'auto') {
        const mark = bomOf(b);
        if (mark) {
          this.encoding = mark.encoding;
          skip = mark.length;
        }
      }
      this.impl = implFor(this.encoding);
      this.byteOffset = skip;
      const out = this.impl.decode(b.subarray(skip), final, skip);
      this.byteOffset = b.length;
      return out;
    }
    const out = this.impl.decode(bytes, final, this.byteOffset);
    this.byteOffset += bytes.length;
    return out;
  }
}
