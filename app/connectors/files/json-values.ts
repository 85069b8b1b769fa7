/**
 * Parsing JSON records exactly. JSON.parse turns every number into a double, which would
 * silently change 9007199254740993 or a 20-digit decimal; records whose text holds a long
 * digit run take a small exact parser instead, which keeps such numbers as ExactNumber
 * (their literal text). Every other record takes JSON.parse, the fast path.
 */

/** A JSON number literal kept as text because a double cannot hold it exactly. */
export class ExactNumber {
  constructor(readonly text: string) {}
}

export type JsonObject = Record<string, unknown>;

/** Sixteen or more digits (a dot may sit among them): a double might not hold the number. */
const LONG_NUMBER = /\d[\d.]{15,}/;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset in the parsed text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses one JSON value; numbers that would lose digits come back as ExactNumber. */
export function parseJsonExact(text: string): unknown {
  if (!LONG_NUMBER.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      // JSON.parse does not always say where (and may quote the whole text): the exact
      // parser finds the place and throws a JsonSyntaxError with its offset.
      new ExactParser(text).parseDocument();
      throw new JsonSyntaxError((e as Error).message.slice(0, 200), 0);
    }
  }
  return new ExactParser(text).parseDocument();
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class ExactParser {
  private i = 0;

  constructor(private readonly s: string) {}

  private fail(what: string): never {
    const found = this.i < this.s.length ? `'${this.s[this.i]}'` : 'the end';
    throw new JsonSyntaxError(`${what}, found ${found}`, this.i);
  }

  private ws(): void {
    while (this.i < this.s.length && WS.has(this.s.charCodeAt(this.i))) this.i++;
  }

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('expected the end of the value');
    return v;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private literal(word: string, v: unknown): unknown {
    if (!this.s.startsWith(word, this.i)) this.fail('expected a value');
    this.i += word.length;
    return v;
  }

  private number(): unknown {
    NUMBER_RE.lastIndex = this.i;
    const m = NUMBER_RE.exec(this.s);
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
    const text = m[0];
    const n = Number(text);
    // More than 15 significant digits: a double may not hold it, keep the literal.
    const digits = text.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
    return digits.length > 15 ? new ExactNumber(text) : n;
  }

  private string(): string {
    const start = this.i;
    let j = this.i + 1;
    for (;;) {
      const q = this.s.indexOf('"', j);
      if (q < 0) {
        this.i = this.s.length;
        this.fail('unterminated string');
      }
      let back = 0;
      for (let k = q - 1; k > start && this.s.charCodeAt(k) === 92; k--) back++;
      if (back % 2 === 0) {
        this.i = q + 1;
        try {
          return JSON.parse(this.s.slice(start, q + 1)) as string;
        } catch (e) {
          this.i = start;
          this.fail(`bad string (${(e as Error).message})`);
        }
      }
      j = q + 1;
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        this.fail("expected ',' or ']' in an array");
      }
    }
  }

  private object(): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':' after a property name");
      this.i++;
      out[key] = this.value();
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        this.fail("expected ',' or '}' in an object");
      }
    }
  }
}

/** JSON text of a parsed value, ExactNumber literals included verbatim. */
export function jsonText(v: unknown): string {
  if (v instanceof ExactNumber) return v.text;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (!hasExact(v)) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${Object.entries(v as JsonObject)
    .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
    .join(',')}}`;
}

function hasExact(v: unknown): boolean {
  if (v instanceof ExactNumber) return true;
  if (v === null || typeof v !== 'object') return false;
  return Object.values(v as JsonObject).some(hasExact);
}

/** The 1-based line and column of an offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof ExactNumber) return 'a number';
  switch (typeof v) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof v;
  }
}
