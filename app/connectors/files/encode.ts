import type { FileEncoding } from './decode';
import { windows1252CodePoint } from './decode';

/** Text -> bytes for writing files. windows-1252 has no encoder in Node, so it is mapped here. */

let cp1252Reverse: Map<number, number> | undefined;

function reverse1252(): Map<number, number> {
  if (!cp1252Reverse) {
    cp1252Reverse = new Map();
    for (let b = 0x80; b <= 0x9f; b++) cp1252Reverse.set(windows1252CodePoint(b), b);
  }
  return cp1252Reverse;
}

const NON_LATIN1_OR_C1 = /[\u0080-\u009f\u0100-\uffff]/;

function encode1252(text: string): Uint8Array {
  if (!NON_LATIN1_OR_C1.test(text)) return Buffer.from(text, 'latin1');
  const out = new Uint8Array(text.length);
  const rev = reverse1252();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out[i] = c;
    else {
      const b = rev.get(c);
      if (b === undefined) {
        const ch = String.fromCodePoint(text.codePointAt(i)!);
        throw new Error(`the character ${JSON.stringify(ch)} (U+${text.codePointAt(i)!.toString(16).toUpperCase().padStart(4, '0')}) cannot be written in windows-1252; use encoding utf-8`);
      }
      out[i] = b;
    }
  }
  return out;
}

export function encodeText(text: string, encoding: FileEncoding): Uint8Array {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(text, 'utf16le').swap16();
    default:
      return encode1252(text);
  }
}

export function bomBytes(encoding: FileEncoding): Uint8Array {
  switch (encoding) {
    case 'utf-8':
      return new Uint8Array([0xef, 0xbb, 0xbf]);
    case 'utf-16le':
      return new Uint8Array([0xff, 0xfe]);
    case 'utf-16be':
      return new Uint8Array([0xfe, 0xff]);
    default:
      return new Uint8Array(0);
  }
}

/** Bytes per code unit, for scanning the end of a file for ASCII characters. */
export function unitBytes(encoding: FileEncoding): 1 | 2 {
  return encoding === 'utf-16le' || encoding === 'utf-16be' ? 2 : 1;
}
