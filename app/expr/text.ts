/**
 * Text helpers that count and order by Unicode code points, as the databases do (UTF-8 byte
 * order = code point order), not by JavaScript's UTF-16 code units.
 */

const NON_ASCII = /[^\x00-\x7f]/;
const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}

export function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || s.charCodeAt(i - 1) < 0xd800 || s.charCodeAt(i - 1) > 0xdbff) n++;
  }
  return n;
}

/** Code points [from, to) (0-based, clamped). */
export function sliceCodePoints(s: string, from: number, to: number): string {
  if (!SURROGATE.test(s)) return s.slice(Math.max(from, 0), Math.max(to, 0));
  return Array.from(s)
    .slice(Math.max(from, 0), Math.max(to, 0))
    .join('');
}

/** Number of code points in the first `units` UTF-16 units. */
export function codePointIndex(s: string, units: number): number {
  return SURROGATE.test(s) ? codePointLength(s.slice(0, units)) : units;
}

export function reverseCodePoints(s: string): string {
  return Array.from(s).reverse().join('');
}

/**
 * Lower/upper case one code point at a time (the simple case mapping databases use):
 * a character whose full mapping would change the length (ß -> SS) stays as it is.
 */
function mapCase(s: string, upper: boolean): string {
  if (!NON_ASCII.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += m.length === ch.length || codePointLength(m) === 1 ? m : ch;
  }
  return out;
}

export function lowerText(s: string): string {
  return mapCase(s, false);
}

export function upperText(s: string): string {
  return mapCase(s, true);
}

/** Code point order: the order of UTF-8 bytes, PostgreSQL's "C" collation and SQLite's BINARY. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+10000 and up) sort after U+E000..U+FFFF in code point order.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Only the ASCII white space characters the databases' number parsers skip. */
export function trimAsciiSpace(s: string): string {
  return s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Length(s: string): number {
  if (!NON_ASCII.test(s)) return s.length;
  return encoder.encode(s).length;
}

export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes UTF-8; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return decoder.decode(b);
  } catch {
    return undefined;
  }
}
