import { describe, expect, it } from 'vitest';
import { BadItem } from '../files/row-stream';
import { BLANK_LINE, CsvTokenizer, type CsvRecord } from './parser';

type Out = { rec: CsvRecord | string; line: number };

function tokenize(chunks: string[], dialect = { delimiter: ',', quote: '"', escape: '"' }, maxRecordChars?: number): Out[] {
  const t = new CsvTokenizer(dialect, { emptyAsNull: true, maxRecordChars });
  const out: Out[] = [];
  const drain = () => {
    const { records, lines } = t.take();
    records.forEach((r, i) => out.push({ rec: r instanceof BadItem ? `BAD ${r.message}` : r === BLANK_LINE ? 'BLANK' : r, line: lines[i] }));
  };
  for (const c of chunks) {
    t.push(c);
    drain();
  }
  t.end();
  drain();
  return out;
}

const SAMPLE =
  'id,name,note\r\n1,"Lovelace, Ada","said ""hi"""\n2,plain,\n\n3,"multi\r\nline\nfield",x\r4,"",""\r\n5,é 🦆 ü,"a,b"\n"6",x,"unterminated\n7,y,z';

describe('CsvTokenizer', () => {
  const whole = tokenize([SAMPLE]);

  it('reads records, lines, quoting and every line end', () => {
    expect(whole).toEqual([
      { rec: ['id', 'name', 'note'], line: 1 },
      { rec: ['1', 'Lovelace, Ada', 'said "hi"'], line: 2 },
      { rec: ['2', 'plain', null], line: 3 },
      { rec: 'BLANK', line: 4 },
      { rec: ['3', 'multi\r\nline\nfield', 'x'], line: 5 },
      { rec: ['4', '', ''], line: 8 },
      { rec: ['5', 'é 🦆 ü', 'a,b'], line: 9 },
      { rec: 'BAD unterminated quoted field (the closing quote is missing)', line: 10 },
    ]);
  });

  it('gives the same result however the text is cut into chunks', () => {
    for (let i = 0; i <= SAMPLE.length; i++) {
      expect(tokenize([SAMPLE.slice(0, i), SAMPLE.slice(i)])).toEqual(whole);
    }
    expect(tokenize([...SAMPLE])).toEqual(whole);
  });

  it('keeps a lone CR chunk boundary from splitting CRLF into two line breaks', () => {
    expect(tokenize(['a,b\r', '\nc,d\r', '\n'])).toEqual([
      { rec: ['a', 'b'], line: 1 },
      { rec: ['c', 'd'], line: 2 },
    ]);
  });

  it('reads a record without a final line break and a trailing empty field', () => {
    expect(tokenize(['a,b,'])).toEqual([{ rec: ['a', 'b', null], line: 1 }]);
    expect(tokenize(['a,"b"'])).toEqual([{ rec: ['a', 'b'], line: 1 }]);
  });

  it('reports text after a closing quote and goes on at the next line', () => {
    expect(tokenize(['"a"b,c\nd,e\n'])).toEqual([
      { rec: 'BAD unexpected "b" after the closing quote of field 1', line: 1 },
      { rec: ['d', 'e'], line: 2 },
    ]);
  });

  it('handles multi-character delimiters, other quotes, escapes and no quoting', () => {
    expect(tokenize(['a::b::"c::d"\n'], { delimiter: '::', quote: '"', escape: '"' })[0].rec).toEqual(['a', 'b', 'c::d']);
    expect(tokenize(["a,'b,c'\n"], { delimiter: ',', quote: "'", escape: "'" })[0].rec).toEqual(['a', 'b,c']);
    expect(tokenize(['a,"b\\"c\\\\"\n'], { delimiter: ',', quote: '"', escape: '\\' })[0].rec).toEqual(['a', 'b"c\\']);
    expect(tokenize(['a,"b"\n'], { delimiter: ',', quote: '', escape: '' })[0].rec).toEqual(['a', '"b"']);
  });

  it('gives up on a record longer than the limit (an unterminated quote) and resumes', () => {
    const out = tokenize(['a,"', 'x'.repeat(50), '\nb,c\n', 'd,e\n'], undefined, 20);
    expect(out[0].rec).toMatch(/^BAD record longer than 20 characters/);
    expect(out.at(-1)).toEqual({ rec: ['d', 'e'], line: 3 });
  });

  it('gives each record exactly its own fields when widths change (records are pre-sized like the one before)', () => {
    const out = tokenize(['a,b,c\n1\n2,3,4,5,6\n7,8\n,\n"x","y","z"\n']);
    expect(out.map((o) => o.rec)).toEqual([['a', 'b', 'c'], ['1'], ['2', '3', '4', '5', '6'], ['7', '8'], [null, null], ['x', 'y', 'z']]);
    for (const o of out) {
      const rec = o.rec as CsvRecord;
      // No holes or slack: every index up to length holds a field.
      expect(Object.keys(rec).length).toBe(rec.length);
    }
  });

  it('marks the record holding undecodable input', () => {
    const t = new CsvTokenizer({ delimiter: ',', quote: '"', escape: '"' }, { emptyAsNull: true });
    t.push('a,b\nc,\uFFFD\n', [{ at: 6, message: 'invalid UTF-8' }]);
    t.push('e,f\n');
    t.end();
    const { records } = t.take();
    expect(records[0]).toEqual(['a', 'b']);
    expect(records[1]).toBeInstanceOf(BadItem);
    expect((records[1] as BadItem).line).toBe(2);
    expect(records[2]).toEqual(['e', 'f']);
  });
});
