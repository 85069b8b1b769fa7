import { ExprError, type ExprProblem } from './errors';

export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** ident: as written; qident: unquoted name; string: its value; number: its text; op: the operator. */
  value: string;
  start: number;
  end: number;
}

const OPERATORS = ['::', '||', '<>', '!=', '<=', '>=', '+', '-', '*', '/', '%', '=', '<', '>', '(', ')', ','];

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Splits expression text into tokens; throws ExprError with the position of a bad character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const fail = (message: string, start: number, end: number, hint?: string): never => {
    const p: ExprProblem = { message, start, end, severity: 'error', ...(hint ? { hint } : {}) };
    throw new ExprError([p], text);
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) fail('unterminated comment', i, n);
      i = close + 2;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated string literal', start, n, "close it with '");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'string', value, start, end: i });
      continue;
    }
    if (c === '"' || c === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated quoted identifier', start, n, `close it with ${c}`);
        if (text[i] === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      if (value === '') fail('empty quoted identifier', start, i);
      tokens.push({ kind: 'qident', value, start, end: i });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      while (i < n && isDigit(text[i])) i++;
      if (text[i] === '.') {
        i++;
        while (i < n && isDigit(text[i])) i++;
      }
      if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text[i + 1] ?? '') || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2] ?? '')))) {
        i += 2;
        while (i < n && isDigit(text[i])) i++;
      }
      if (i < n && IDENT_PART.test(text[i])) {
        let j = i;
        while (j < n && IDENT_PART.test(text[j])) j++;
        fail(`invalid number '${text.slice(start, j)}'`, start, j);
      }
      tokens.push({ kind: 'number', value: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === ':' && text[i + 1] !== ':') {
      i++;
      let name = '';
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0) fail('unterminated quoted parameter name', start, n);
        name = text.slice(i + 1, close);
        i = close + 1;
      } else {
        while (i < n && IDENT_PART.test(text[i])) name += text[i++];
      }
      if (name === '') fail("':' must be followed by a parameter name", start, i, 'write parameters as :name');
      tokens.push({ kind: 'param', value: name, start, end: i });
      continue;
    }
    if (IDENT_START.test(c)) {
      while (i < n && IDENT_PART.test(text[i])) i++;
      tokens.push({ kind: 'ident', value: text.slice(start, i), start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      i += op.length;
      tokens.push({ kind: 'op', value: op === '!=' ? '<>' : op, start, end: i });
      continue;
    }
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    fail(`unexpected character '${ch}'`, start, start + ch.length, c === ';' ? 'an expression has no statement terminator' : c === '[' ? 'quote names with double quotes: "name"' : undefined);
  }
  tokens.push({ kind: 'eof', value: '', start: n, end: n });
  return tokens;
}
