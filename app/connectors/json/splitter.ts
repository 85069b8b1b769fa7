import type { DecodeIssue } from '../files/decode';
import { BadItem } from '../files/row-stream';

/**
 * Splits the text of a JSON-array file ([ {...}, {...} ]) into the texts of its elements,
 * chunk by chunk, without holding more than the element being read. Each element is then
 * parsed on its own (JSON.parse), so one bad element is one bad record with its line, and
 * the elements after it still read. Structure errors (a missing comma, a mismatched
 * bracket, a trailing comma, text after the closing bracket, a missing closing bracket)
 * are bad records too, reported where they occur.
 */

export interface ElementText {
  text: string;
  line: number;
}

type State = 'start' | 'first' | 'afterComma' | 'elem' | 'comma' | 'end' | 'dead';

const STRUCTURE = /["{}[\]]/g;
const SCALAR_END = /[,\]\s]/g;

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class JsonArraySplitter {
  private buf = '';
  private i = 0;
  private state: State = 'start';
  /** Line at countedTo; lines are counted lazily up to the positions asked for. */
  private countedTo = 0;
  private lineAtCounted = 1;
  private elemStart = 0;
  private elemLine = 0;
  private stack: number[] = [];
  private inString = false;
  private scalar = false;
  private lastElemEndLine = 0;
  private bufOffset = 0;
  private bad: { at: number; message: string }[] = [];
  private out: (ElementText | BadItem)[] = [];

  push(text: string, bad?: readonly DecodeIssue[]): void {
    const base = this.bufOffset + this.buf.length;
    if (bad) for (const b of bad) this.bad.push({ at: base + b.at, message: b.message });
    // Keep only what is still needed: the element being read, or nothing.
    const keep = this.state === 'elem' ? this.elemStart : this.i;
    this.lineAt(keep);
    this.buf = this.buf.slice(keep) + text;
    this.bufOffset += keep;
    this.i -= keep;
    this.elemStart -= keep;
    this.countedTo -= keep;
    this.scan();
  }

  end(): void {
    this.scan();
    switch (this.state) {
      case 'elem':
        if (this.scalar) this.finishElement(this.buf.length);
        else this.fail(this.elemLine, `the file ends inside the element that starts at line ${this.elemLine} (a missing '}' or ']'?)`, this.buf.slice(this.elemStart, this.elemStart + 200));
        break;
      case 'first':
      case 'afterComma':
      case 'comma':
        this.fail(this.lineAt(this.buf.length), "the array is not closed: ']' is missing at the end of the file");
        break;
    }
    this.state = 'dead';
  }

  take(): (ElementText | BadItem)[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private lineAt(pos: number): number {
    const s = this.buf;
    let line = this.lineAtCounted;
    for (let k = s.indexOf('\n', this.countedTo); k !== -1 && k < pos; k = s.indexOf('\n', k + 1)) line++;
    if (pos > this.countedTo) {
      this.countedTo = pos;
      this.lineAtCounted = line;
    }
    return line;
  }

  private fail(line: number, message: string, raw?: string): void {
    this.out.push(new BadItem(line, message, raw));
  }

  private finishElement(end: number): void {
    const line = this.elemLine;
    const abs = this.bufOffset + end;
    let bad: { at: number; message: string } | undefined;
    while (this.bad.length > 0 && this.bad[0].at < abs) {
      bad ??= this.bad[0];
      this.bad.shift();
    }
    const text = this.buf.slice(this.elemStart, end);
    this.out.push(bad ? new BadItem(line, bad.message, text.slice(0, 200)) : { text, line });
    this.lastElemEndLine = this.lineAt(end);
    this.state = 'comma';
  }

  private skipWs(): boolean {
    const s = this.buf;
    while (this.i < s.length && isWs(s.charCodeAt(this.i))) this.i++;
    return this.i < s.length;
  }

  private scan(): void {
    const s = this.buf;
    const len = s.length;
    while (this.i < len) {
      switch (this.state) {
        case 'start': {
          if (!this.skipWs()) return;
          if (s.charCodeAt(this.i) !== 91) {
            const hint = s[this.i] === '{' ? ' (one object per line is NDJSON: use an ndjson: URL)' : '';
            this.fail(this.lineAt(this.i), `a JSON array file must start with '['${hint}`, s.slice(this.i, this.i + 200));
            this.state = 'dead';
            return;
          }
          this.i++;
          this.state = 'first';
          break;
        }
        case 'first':
        case 'afterComma': {
          if (!this.skipWs()) return;
          if (s.charCodeAt(this.i) === 93) {
            if (this.state === 'afterComma') this.fail(this.lineAt(this.i), "a comma before ']' (JSON allows no trailing comma)");
            this.i++;
            this.state = 'end';
            break;
          }
          this.elemStart = this.i;
          this.elemLine = this.lineAt(this.i);
          this.stack.length = 0;
          this.inString = false;
          const c = s.charCodeAt(this.i);
          this.scalar = c !== 123 && c !== 91 && c !== 34;
          this.state = 'elem';
          break;
        }
        case 'elem':
          if (!this.scanElement()) return;
          break;
        case 'comma': {
          if (!this.skipWs()) return;
          const c = s.charCodeAt(this.i);
          if (c === 44) {
            this.i++;
            this.state = 'afterComma';
          } else if (c === 93) {
            this.i++;
            this.state = 'end';
          } else {
            // Most likely a missing comma: report it and read on as if it were there.
            this.fail(this.lineAt(this.i), `expected ',' or ']' after the element that ends at line ${this.lastElemEndLine}, found '${s[this.i]}'`, s.slice(this.i, this.i + 200));
            this.state = 'afterComma';
          }
          break;
        }
        case 'end': {
          if (!this.skipWs()) return;
          this.fail(this.lineAt(this.i), "unexpected text after the closing ']' of the array", s.slice(this.i, this.i + 200));
          this.state = 'dead';
          return;
        }
        case 'dead':
          this.i = len;
          return;
      }
    }
  }

  /** Advances through the current element; false when the buffer ends first. */
  private scanElement(): boolean {
    const s = this.buf;
    const len = s.length;
    if (this.scalar) {
      // A number or literal at the top level: it ends at a comma, ']' or whitespace.
      SCALAR_END.lastIndex = this.i;
      const m = SCALAR_END.exec(s);
      if (!m) {
        this.i = len;
        return false;
      }
      this.i = m.index;
      this.finishElement(this.i);
      return true;
    }
    for (;;) {
      if (this.inString) {
        const q = s.indexOf('"', this.i);
        if (q === -1) {
          this.i = len;
          return false;
        }
        let back = 0;
        for (let k = q - 1; k >= this.elemStart && s.charCodeAt(k) === 92; k--) back++;
        this.i = q + 1;
        if (back % 2 === 1) continue;
        this.inString = false;
        if (this.stack.length === 0) {
          this.finishElement(this.i);
          return true;
        }
        continue;
      }
      STRUCTURE.lastIndex = this.i;
      const m = STRUCTURE.exec(s);
      if (!m) {
        this.i = len;
        return false;
      }
      const at = m.index;
      const c = s.charCodeAt(at);
      this.i = at + 1;
      if (c === 34) {
        this.inString = true;
      } else if (c === 123) {
        this.stack.push(125);
      } else if (c === 91) {
        this.stack.push(93);
      } else {
        const expected = this.stack.pop();
        if (expected !== c) {
          // A mismatched bracket: this element is bad; treat the bracket as closing it.
          this.stack.length = 0;
          const raw = s.slice(this.elemStart, this.i);
          this.fail(this.elemLine, `mismatched '${s[at]}' at line ${this.lineAt(at)} in the element that starts at line ${this.elemLine}`, raw.slice(0, 200));
          this.lastElemEndLine = this.lineAt(this.i);
          this.state = 'comma';
          return true;
        }
        if (this.stack.length === 0) {
          this.finishElement(this.i);
          return true;
        }
      }
    }
  }
}
