/**
 * An incremental CSV tokenizer over decoded text chunks. It yields records as arrays of
 * fields and never holds more than the current chunk plus one unfinished record.
 *
 * Why hand-written rather than a library (measurements in reader.ts): it is the fastest
 * candidate that reads the test file correctly, and it keeps what a library hides —
 * whether a field was quoted (a quoted "" is an empty string, an unquoted empty field is
 * NULL), the line each record starts on, the record's raw text for error reports, and
 * LF / CRLF / CR line ends mixed in one file.
 *
 * How it stays fast in V8: fields are found with indexOf (several times faster than a
 * charCodeAt loop here), each search only once it has been passed; and the chunk text is
 * scanned as the flat string the decoder produced — a record split across chunks is
 * finished on a small string of its own, because scanning a concatenation (a cons
 * string) costs several times more per character.
 *
 * Dialect: RFC 4180 plus a delimiter of any length, another quote character or none, an
 * escape character other than the quote, and quote characters inside unquoted fields
 * taken literally (as most producers expect).
 */

import { BadItem } from '../files/row-stream';

export interface CsvDialect {
  delimiter: string;
  /** '' disables quoting. */
  quote: string;
  /** Escape character inside quoted fields; equal to quote means "" doubling. */
  escape: string;
}

export type CsvField = string | null;
export type CsvRecord = CsvField[];

/**
 * What a blank line yields (compare by identity). The reader decides what it means: a
 * row with one empty field in a one-column file, nothing otherwise.
 */
export const BLANK_LINE: CsvRecord = Object.freeze([]) as unknown as CsvRecord;

/** Longest record kept while waiting for its end (an unterminated quote must not eat memory). */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const LF = 10;
const CR = 13;

export class CsvTokenizer {
  /** Parsed output since the last take(): records or bad records, in file order. */
  private out: (CsvRecord | BadItem)[] = [];
  /** Start line of each entry of out. */
  private outLines: number[] = [];
  private buf = '';
  private pos = 0;
  /** Line number at pos (1-based). */
  private line = 1;
  /** Offset of buf[0] in the whole decoded text, to place encoding errors. */
  private bufOffset = 0;
  /** Fields in the last record: the size new records start with. */
  private width = 0;
  /** After a record too long to keep: dropping input up to the next line feed. */
  private skipping = false;
  /** Absolute text offsets of undecodable bytes, with their messages, ascending. */
  private bad: { at: number; message: string }[] = [];
  private readonly delim: string;
  private readonly d0: number;
  private readonly q: string;
  private readonly qc: number;
  private readonly esc: string;
  private readonly empty: CsvField;
  private readonly maxRecord: number;

  constructor(dialect: CsvDialect, opts: { emptyAsNull: boolean; maxRecordChars?: number }) {
    if (dialect.delimiter.length === 0) throw new Error('the delimiter may not be empty');
    if (dialect.quote.length > 1 || dialect.escape.length > 1) throw new Error('quote and escape must be single characters');
    this.delim = dialect.delimiter;
    this.d0 = dialect.delimiter.charCodeAt(0);
    this.q = dialect.quote;
    this.qc = dialect.quote === '' ? -2 : dialect.quote.charCodeAt(0);
    this.esc = dialect.escape === '' ? dialect.quote : dialect.escape;
    this.empty = opts.emptyAsNull ? null : '';
    this.maxRecord = opts.maxRecordChars ?? MAX_RECORD_CHARS;
  }

  /** Appends decoded text; `bad` holds offsets (within text) of undecodable input. */
  push(text: string, bad?: readonly { at: number; message: string }[]): void {
    const base = this.bufOffset + this.buf.length;
    if (bad) for (const b of bad) this.bad.push({ at: base + b.at, message: b.message });
    const leftover = this.pos < this.buf.length ? this.buf.slice(this.pos) : '';
    this.bufOffset += this.pos;
    this.pos = 0;
    if (leftover === '') {
      this.buf = text;
      this.parse(false);
      return;
    }
    // Scanning a concatenation (a V8 cons string) is much slower than scanning the flat
    // text the decoder made: finish the unfinished record on a small string of its own,
    // then go on in the chunk itself.
    const lf = text.indexOf('\n');
    if (lf >= 0 && !this.skipping) {
      const head = leftover + text.slice(0, lf + 1);
      this.buf = head;
      this.parse(false);
      if (this.pos === head.length) {
        if (this.skipping) {
          // An over-long record was given up on: its line ended with this line feed.
          this.skipping = false;
          this.line++;
        }
        this.bufOffset += leftover.length;
        this.buf = text;
        this.pos = lf + 1;
        this.parse(false);
        return;
      }
      this.pos = 0;
    }
    this.buf = leftover + text;
    this.parse(false);
  }

  /** Marks the end of input: the last record need not end with a line break. */
  end(): void {
    this.parse(true);
    this.buf = '';
    this.bufOffset += this.pos;
    this.pos = 0;
  }

  /** Returns and clears what was parsed so far. */
  take(): { records: (CsvRecord | BadItem)[]; lines: number[] } {
    const r = { records: this.out, lines: this.outLines };
    this.out = [];
    this.outLines = [];
    return r;
  }

  get pending(): number {
    return this.out.length;
  }

  private emit(rec: CsvRecord | BadItem, line: number, endPos: number): void {
    // Undecodable bytes inside the record make the whole record bad.
    if (this.bad.length > 0 && this.bad[0].at < this.bufOffset + endPos) {
      const b = this.bad[0];
      while (this.bad.length > 0 && this.bad[0].at < this.bufOffset + endPos) this.bad.shift();
      if (!(rec instanceof BadItem)) rec = new BadItem(line, b.message, rawOf(rec, this.delim));
    }
    this.out.push(rec);
    this.outLines.push(line);
  }

  private blank(line: number, endPos: number): void {
    this.emit(BLANK_LINE, line, endPos);
  }

  private parse(final: boolean): void {
    const s = this.buf;
    const len = s.length;
    const D = this.delim;
    const dl = D.length;
    const d0 = this.d0;
    const Q = this.qc;
    const q = this.q;
    const esc = this.esc;
    const doubling = esc === q;
    const empty = this.empty;
    let width = this.width;
    let pos = this.pos;
    if (this.skipping) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1) {
        this.pos = len;
        return;
      }
      this.skipping = false;
      pos = nl + 1;
      this.line++;
    }
    let line = this.line;
    // Next delimiter, LF and CR at or after the scan position (NONE: not in the buffer).
    // Each is searched with indexOf only once passed, so scanning stays linear; indexOf
    // is several times faster than a charCodeAt loop in V8.
    let nD = -1;
    let nL = -1;
    let nC = -1;
    let incomplete = false;
    records: while (pos < len) {
      // Sized like the previous record (records of a file have the same width): growing
      // an empty array by push reallocated it and left slack in every record.
      const rec: CsvRecord = new Array<CsvField>(width);
      let nf = 0;
      let i = pos;
      let breaks = 0;
      for (;;) {
        let value: CsvField;
        let end: number;
        let kind: 0 | 1 | 2; // field ended by: 0 delimiter, 1 line break, 2 end of input
        if (i < len && s.charCodeAt(i) === Q) {
          let v = '';
          let seg = i + 1;
          let j = seg;
          for (;;) {
            const qi = s.indexOf(q, j);
            if (!doubling) {
              const ei = s.indexOf(esc, j);
              if (ei !== -1 && (qi === -1 || ei < qi)) {
                if (ei + 1 >= len) {
                  if (!final) {
                    incomplete = true;
                    break records;
                  }
                  pos = this.unterminated(s, pos, line);
                  break records;
                }
                v += s.slice(seg, ei) + s[ei + 1];
                seg = j = ei + 2;
                continue;
              }
            }
            if (qi === -1) {
              if (!final) {
                incomplete = true;
                break records;
              }
              pos = this.unterminated(s, pos, line);
              break records;
            }
            if (doubling) {
              if (qi + 1 >= len && !final) {
                incomplete = true;
                break records;
              }
              if (s.charCodeAt(qi + 1) === Q) {
                v += s.slice(seg, qi + 1);
                seg = j = qi + 2;
                continue;
              }
            }
            v += s.slice(seg, qi);
            if (nL <= i) nL = indexOrNone(s, '\n', i + 1);
            if (nC <= i) nC = indexOrNone(s, '\r', i + 1);
            if (nL < qi || nC < qi) breaks += countLineBreaks(s, i + 1, qi);
            i = qi + 1;
            break;
          }
          value = v;
          end = i;
          if (i >= len) {
            if (!final) {
              incomplete = true;
              break records;
            }
            kind = 2;
          } else {
            const c = s.charCodeAt(i);
            if (c === d0 && (dl === 1 || s.startsWith(D, i))) kind = 0;
            else if (c === LF || c === CR) kind = 1;
            else {
              // Text after a closing quote: the record is bad; resume at the next line.
              const nl = s.indexOf('\n', i);
              if (nl === -1 && !final) {
                incomplete = true;
                break records;
              }
              const stop = nl === -1 ? len : nl;
              const raw = s.slice(pos, stop).replace(/\r$/, '');
              this.emit(new BadItem(line, `unexpected ${JSON.stringify(s[i])} after the closing quote of field ${nf + 1}`, raw), line, stop);
              line += breaks + 1;
              pos = stop + 1;
              continue records;
            }
          }
        } else {
          if (nD < i) nD = indexOrNone(s, D, i);
          if (nL < i) nL = indexOrNone(s, '\n', i);
          if (nC < i) nC = indexOrNone(s, '\r', i);
          end = nD < nL ? nD : nL;
          if (nC < end) end = nC;
          if (end === NONE) {
            if (!final) {
              incomplete = true;
              break records;
            }
            end = len;
            kind = 2;
          } else {
            kind = end === nD ? 0 : 1;
          }
          value = end === i ? empty : s.slice(i, end);
        }
        if (kind === 0) {
          rec[nf++] = value;
          i = end + dl;
          continue;
        }
        if (kind === 2) {
          rec[nf++] = value;
          if (nf !== width) rec.length = width = nf;
          this.emit(rec, line, len);
          line += breaks;
          pos = len;
          break records;
        }
        let after = end + 1;
        if (s.charCodeAt(end) === CR) {
          if (end + 1 >= len) {
            if (!final) {
              incomplete = true;
              break records;
            }
          } else if (s.charCodeAt(end + 1) === LF) after = end + 2;
        }
        if (end === pos) {
          this.blank(line, end);
        } else {
          rec[nf++] = value;
          if (nf !== width) rec.length = width = nf;
          this.emit(rec, line, end);
        }
        line += breaks + 1;
        pos = after;
        continue records;
      }
    }
    this.pos = pos;
    this.line = line;
    this.width = width;
    if (incomplete && len - pos > this.maxRecord) {
      // Give up on a record that never ends; resume at the next line.
      this.emit(new BadItem(line, `record longer than ${this.maxRecord} characters (an unterminated quote?)`, s.slice(pos, pos + 200)), line, len);
      this.skipping = true;
      this.pos = len;
    }
  }

  /** Reports an unterminated quoted field running to the end of input; returns the end. */
  private unterminated(s: string, pos: number, line: number): number {
    this.emit(new BadItem(line, 'unterminated quoted field (the closing quote is missing)', s.slice(pos, pos + 200)), line, s.length);
    this.line = line + countLineBreaks(s, pos, s.length);
    return s.length;
  }
}

/** "Not found" for the position caches: a small integer keeps them unboxed (Infinity deopts). */
const NONE = 0x3fffffff;

function indexOrNone(s: string, what: string, from: number): number {
  const i = s.indexOf(what, from);
  return i === -1 ? NONE : i;
}

/** Counts LF, CRLF and lone CR as one line break each. */
function countLineBreaks(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && s.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}

function rawOf(rec: CsvRecord, delimiter: string): string {
  return rec.map((f) => f ?? '').join(delimiter);
}
