import { createHash } from 'node:crypto';
import { fail, regExp, toCount } from '../runtime';
import { codePointIndex, codePointLength, hasSurrogates, lowerText, reverseCodePoints, sliceCodePoints, upperText, utf8Length } from '../text';
import type { FunctionDef, SqlApi } from './types';
import { BOOLEAN, INT, TEXT, argName, byDialect, countArg, expectArgs, nonNegative, pgInt } from './util';

type Num = number | bigint;

/** Results longer than this are refused rather than exhausting memory (repeat, lpad). */
const MAX_RESULT = 100_000_000;

function checkLength(fn: string, n: number): void {
  if (n > MAX_RESULT) fail(`${fn}: result of ${n} characters is too long`, 'argument');
}

function textToText(name: string, description: string, example: string, impl: (s: string) => string, sql: (s: SqlApi) => string, aliases?: string[]): FunctionDef {
  return {
    name,
    ...(aliases ? { aliases } : {}),
    category: 'string',
    signature: `${name}(text)`,
    returns: 'text',
    description,
    example,
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const a = expectArgs(name, args, api, [['text']]);
      return a && { type: TEXT, args: a };
    },
    impl: () => (v) => impl(v as string),
    sql,
  };
}

function pad(left: boolean) {
  return (s: string, n: number, fill: string): string => {
    if (n <= 0) return '';
    const len = codePointLength(s);
    if (len >= n) return sliceCodePoints(s, 0, n);
    if (fill === '') return s;
    checkLength(left ? 'lpad' : 'rpad', n);
    const fillChars = Array.from(fill);
    const need = n - len;
    let p = '';
    for (let i = 0; i < need; i++) p += fillChars[i % fillChars.length];
    return left ? p + s : s + p;
  };
}

export const lpadImpl = pad(true);
export const rpadImpl = pad(false);

export function substrImpl(s: string, start: number, len?: number): string {
  // SQL standard: the characters at positions start .. start+len-1 that exist (positions are 1-based).
  if (len !== undefined && len < 0) fail(`substr: negative length ${len}`, 'argument');
  const from = Math.max(start, 1);
  const to = len === undefined ? Infinity : start + len;
  if (to <= from) return '';
  return sliceCodePoints(s, from - 1, to === Infinity ? Number.MAX_SAFE_INTEGER : to - 1);
}

export function splitPartImpl(s: string, delim: string, n: number): string {
  if (n < 1) fail(`split_part: field number must be 1 or more, not ${n}`, 'argument');
  const parts = delim === '' ? [s] : s.split(delim);
  return parts[n - 1] ?? '';
}

export function repeatImpl(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  checkLength('repeat', codePointLength(s) * n);
  return s.repeat(n);
}

export function strposImpl(s: string, sub: string): number {
  const i = s.indexOf(sub);
  return i < 0 ? 0 : codePointIndex(s, i) + 1;
}

export function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  if (!hasSurrogates(chars) && !hasSurrogates(s)) {
    // Fast path (no astral characters): plain UTF-16 scanning.
    let a = 0;
    let b = s.length;
    if (leading) while (a < b && chars.includes(s[a])) a++;
    if (trailing) while (b > a && chars.includes(s[b - 1])) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }
  const set = new Set(Array.from(chars));
  const cs = Array.from(s);
  let a = 0;
  let b = cs.length;
  if (leading) while (a < b && set.has(cs[a])) a++;
  if (trailing) while (b > a && set.has(cs[b - 1])) b--;
  return a === 0 && b === cs.length ? s : cs.slice(a, b).join('');
}

const EMAIL_RE = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';
const WS_CLASS = '[ \t\n\r\f\v]';
export const NUMERIC_RE = `^${WS_CLASS}*[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?${WS_CLASS}*$`;

/** A regular expression match per dialect; case-sensitive everywhere. */
export function regexSql(s: SqlApi, text: string, pattern: string): string {
  return byDialect(s.dialect, {
    postgres: () => `(${text} ~ ${pattern})`,
    mysql: () => `(${text} COLLATE utf8mb4_bin REGEXP ${pattern})`,
    sqlite: () => `(${text} REGEXP ${pattern})`,
  });
}

function trimDef(name: 'trim' | 'ltrim' | 'rtrim'): FunctionDef {
  const leading = name !== 'rtrim';
  const trailing = name !== 'ltrim';
  const side = name === 'trim' ? 'both ends' : name === 'ltrim' ? 'the start' : 'the end';
  return {
    name,
    ...(name === 'trim' ? { aliases: ['btrim'] } : {}),
    category: 'string',
    signature: `${name}(text [, characters text])`,
    returns: 'text',
    description: `Removes spaces (U+0020 only; not tabs or newlines) from ${side}; with a second argument, removes any of those characters instead.`,
    example: name === 'trim' ? "trim('  a b  ') = 'a b'; trim('xxaxx', 'x') = 'a'" : name === 'ltrim' ? "ltrim('  a ') = 'a '" : "rtrim('  a ') = '  a'",
    minArgs: 1,
    maxArgs: 2,
    check: (args, api) => {
      const a = expectArgs(name, args, api, [['text'], ['text']]);
      if (a && a.length === 2 && api.textLiteral(a[1]) === undefined) {
        // MySQL trims a whole string, not a set of characters; only a literal set renders everywhere.
        api.warning(a[1], `${name} with a computed character set cannot be pushed down to MySQL`);
      }
      return a && { type: TEXT, args: a };
    },
    impl: () => (s, chars) => (chars === undefined ? trimChars(s as string, ' ', leading, trailing) : trimChars(s as string, chars as string, leading, trailing)),
    sql: (s) => {
      const [x, chars] = s.args;
      if (chars === undefined) return `${name.toUpperCase()}(${x})`;
      return byDialect(s.dialect, {
        postgres: () => `${name === 'trim' ? 'BTRIM' : name.toUpperCase()}(${x}, ${chars})`,
        sqlite: () => `${name}(${x}, ${chars})`,
        mysql: () => {
          const lit = s.nodes[1].kind === 'literal' ? s.nodes[1].value : undefined;
          if (typeof lit !== 'string') {
            s.note(`${name} with a computed character set: MySQL trims a string, not a set of characters`);
            return `TRIM(${name === 'trim' ? 'BOTH' : name === 'ltrim' ? 'LEADING' : 'TRAILING'} ${chars} FROM ${x})`;
          }
          if (lit === '') return x;
          const cls = '[' + Array.from(lit).map((c) => (/[\]\\^-]/.test(c) ? '\\' + c : c)).join('') + ']+';
          const re = name === 'trim' ? `^${cls}|${cls}$` : name === 'ltrim' ? `^${cls}` : `${cls}$`;
          return `REGEXP_REPLACE(${x} COLLATE utf8mb4_bin, ${s.str(re)}, '')`;
        },
      });
    },
  };
}

function padDef(name: 'lpad' | 'rpad'): FunctionDef {
  const impl = name === 'lpad' ? lpadImpl : rpadImpl;
  return {
    name,
    category: 'string',
    signature: `${name}(text, length int [, fill text = ' '])`,
    returns: 'text',
    description: `Pads on the ${name === 'lpad' ? 'left' : 'right'} with \`fill\` (repeated) to \`length\` characters; a longer text is cut to \`length\`. An empty fill pads nothing; length <= 0 gives ''.`,
    example: name === 'lpad' ? "lpad('7', 3, '0') = '007'" : "rpad('ab', 4, '.') = 'ab..'",
    minArgs: 2,
    maxArgs: 3,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName(name, 0));
      const n = countArg(name, 1, args[1], api);
      const f = args[2] ? api.expect(args[2], ['text'], argName(name, 2)) : undefined;
      if (!s || !n || (args[2] && !f)) return undefined;
      return { type: TEXT, args: f ? [s, n, f] : [s, n] };
    },
    impl: () => (s, n, fill) => impl(s as string, toCount(n as Num), fill === undefined ? ' ' : (fill as string)),
    sql: (s) => {
      const [x, n] = s.args;
      const fill = s.args[2] ?? "' '";
      return byDialect(s.dialect, {
        postgres: () => `${name.toUpperCase()}(${x}, ${pgInt(s, 1)}, ${fill})`,
        sqlite: () => `sluice_${name}(${x}, ${n}, ${fill})`,
        mysql: () =>
          `(CASE WHEN ${n} <= 0 AND ${x} IS NOT NULL AND ${fill} IS NOT NULL THEN '' WHEN CHAR_LENGTH(${fill}) = 0 AND CHAR_LENGTH(${x}) < ${n} THEN ${x} ELSE ${name.toUpperCase()}(${x}, ${n}, ${fill}) END)`,
      });
    },
  };
}

function predicate(name: string, description: string, example: string, impl: (s: string, p: string) => boolean, sql: (s: SqlApi) => string, aliases?: string[]): FunctionDef {
  return {
    name,
    ...(aliases ? { aliases } : {}),
    category: 'string',
    signature: `${name}(text, text)`,
    returns: 'boolean',
    description,
    example,
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const a = expectArgs(name, args, api, [['text'], ['text']]);
      return a && { type: BOOLEAN, args: a };
    },
    impl: () => (a, b) => impl(a as string, b as string),
    sql,
  };
}

function checkOne(name: string): FunctionDef['check'] {
  return (args, api) => {
    const a = expectArgs(name, args, api, [['text']]);
    return a && { type: BOOLEAN, args: a };
  };
}

function hashDef(name: 'md5' | 'sha256'): FunctionDef {
  return {
    name,
    category: 'other',
    signature: `${name}(text)`,
    returns: 'text',
    description: `The ${name === 'md5' ? 'MD5' : 'SHA-256'} digest of the text's UTF-8 bytes, as lower-case hex. For pseudonymising keys, not for passwords.`,
    example: name === 'md5' ? "md5('abc') = '900150983cd24fb0d6963f7d28e17f72'" : "sha256('abc') = 'ba7816bf…15ad'",
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const a = expectArgs(name, args, api, [['text']]);
      return a && { type: TEXT, args: a };
    },
    impl: () => (s) => createHash(name).update(s as string, 'utf8').digest('hex'),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => (name === 'md5' ? `MD5(${s.args[0]})` : `ENCODE(SHA256(CONVERT_TO(${s.args[0]}, 'UTF8')), 'hex')`),
        mysql: () => (name === 'md5' ? `MD5(${s.args[0]})` : `SHA2(${s.args[0]}, 256)`),
        sqlite: () => `sluice_${name}(${s.args[0]})`,
      }),
  };
}

export const STRING_FUNCTIONS: FunctionDef[] = [
  textToText('lower', 'Lower case, one character at a time (Unicode simple case mapping).', "lower('ÉMILE') = 'émile'", lowerText, (s) =>
    s.dialect === 'sqlite' ? `sluice_lower(${s.args[0]})` : `LOWER(${s.args[0]})`,
  ),
  textToText('upper', "Upper case, one character at a time (Unicode simple case mapping: 'ß' stays 'ß').", "upper('straße') = 'STRAßE'", upperText, (s) =>
    s.dialect === 'sqlite' ? `sluice_upper(${s.args[0]})` : `UPPER(${s.args[0]})`,
  ),
  trimDef('trim'),
  trimDef('ltrim'),
  trimDef('rtrim'),
  {
    name: 'length',
    aliases: ['char_length', 'character_length', 'len'],
    category: 'string',
    signature: 'length(text)',
    returns: 'int',
    description: 'Number of characters (Unicode code points, not bytes: length(\'é\') = 1, length(\'😀\') = 1).',
    example: "length('héllo') = 5",
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const a = expectArgs('length', args, api, [['text']]);
      return a && { type: INT, args: a };
    },
    impl: () => (s) => codePointLength(s as string),
    sql: (s) => (s.dialect === 'mysql' ? `CHAR_LENGTH(${s.args[0]})` : `LENGTH(${s.args[0]})`),
  },
  {
    name: 'octet_length',
    aliases: ['byte_length'],
    category: 'string',
    signature: 'octet_length(text)',
    returns: 'int',
    description: 'Number of bytes of the text in UTF-8.',
    example: "octet_length('é') = 2",
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const a = expectArgs('octet_length', args, api, [['text']]);
      return a && { type: INT, args: a };
    },
    impl: () => (s) => utf8Length(s as string),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `OCTET_LENGTH(${s.args[0]})`,
        mysql: () => `LENGTH(${s.args[0]})`,
        sqlite: () => `length(CAST(${s.args[0]} AS BLOB))`,
      }),
  },
  {
    name: 'substr',
    aliases: ['substring'],
    category: 'string',
    signature: 'substr(text, start int [, length int])  |  SUBSTRING(text FROM start [FOR length])',
    returns: 'text',
    description:
      'The characters from position `start` (1-based) on, `length` of them. SQL-standard positions: characters at positions below 1 do not exist, so substr(\'hello\', 0, 2) = \'h\' and substr(\'hello\', -1, 3) = \'h\'. A negative length is an error.',
    example: "substr('hello', 2, 3) = 'ell'",
    minArgs: 2,
    maxArgs: 3,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName('substr', 0));
      const start = countArg('substr', 1, args[1], api);
      const len = args[2] ? countArg('substr', 2, args[2], api) : undefined;
      if (!s || !start || (args[2] && !len)) return undefined;
      return { type: TEXT, args: len ? [s, start, len] : [s, start] };
    },
    impl: () => (s, start, len) => substrImpl(s as string, toCount(start as Num), len === undefined ? undefined : toCount(len as Num)),
    sql: (s) => {
      const [x, start, len] = s.args;
      if (s.dialect === 'postgres') return len === undefined ? `SUBSTR(${x}, ${pgInt(s, 1)})` : `SUBSTR(${x}, ${pgInt(s, 1)}, ${pgInt(s, 2)})`;
      // SQLite and MySQL count negative starts from the end and MySQL returns '' for 0: clamp.
      const f = s.dialect === 'mysql' ? 'SUBSTRING' : 'substr';
      const max = s.dialect === 'mysql' ? 'GREATEST' : 'max';
      const min = s.dialect === 'mysql' ? 'LEAST' : 'min';
      if (len === undefined) return `${f}(${x}, ${max}(${start}, 1))`;
      const body = `${f}(${x}, ${max}(${start}, 1), ${max}(${len} + ${min}(${start}, 1) - 1, 0))`;
      return `(CASE WHEN ${len} < 0 THEN ${s.raise('substr: negative length ', len, TEXT)} ELSE ${body} END)`;
    },
  },
  {
    name: 'replace',
    category: 'string',
    signature: 'replace(text, from text, to text)',
    returns: 'text',
    description: 'Replaces every occurrence of `from` (case-sensitive); an empty `from` changes nothing.',
    example: "replace('a-b-c', '-', '') = 'abc'",
    minArgs: 3,
    maxArgs: 3,
    check: (args, api) => {
      const a = expectArgs('replace', args, api, [['text']]);
      return a && { type: TEXT, args: a };
    },
    impl: () => (s, from, to) => (from === '' ? s : (s as string).split(from as string).join(to as string)),
    sql: (s) => `REPLACE(${s.args.join(', ')})`,
  },
  {
    name: 'left',
    category: 'string',
    signature: 'left(text, n int)',
    returns: 'text',
    description: 'The first n characters; n <= 0 gives \'\'.',
    example: "left('hello', 2) = 'he'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName('left', 0));
      const n = countArg('left', 1, args[1], api);
      return s && n ? { type: TEXT, args: [s, n] } : undefined;
    },
    impl: () => (s, n) => sliceCodePoints(s as string, 0, Math.max(toCount(n as Num), 0)),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `LEFT(${s.args[0]}, ${nonNegative(pgInt(s, 1))})`,
        mysql: () => `LEFT(${s.args[0]}, ${s.args[1]})`,
        sqlite: () => `substr(${s.args[0]}, 1, max(${s.args[1]}, 0))`,
      }),
  },
  {
    name: 'right',
    category: 'string',
    signature: 'right(text, n int)',
    returns: 'text',
    description: 'The last n characters; n <= 0 gives \'\'.',
    example: "right('hello', 3) = 'llo'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName('right', 0));
      const n = countArg('right', 1, args[1], api);
      return s && n ? { type: TEXT, args: [s, n] } : undefined;
    },
    impl: () => (s, n) => {
      const k = toCount(n as Num);
      if (k <= 0) return '';
      const len = codePointLength(s as string);
      return sliceCodePoints(s as string, Math.max(len - k, 0), len);
    },
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `RIGHT(${s.args[0]}, ${nonNegative(pgInt(s, 1))})`,
        mysql: () => `RIGHT(${s.args[0]}, ${s.args[1]})`,
        sqlite: () => `substr(${s.args[0]}, max(length(${s.args[0]}) - ${s.args[1]} + 1, 1), max(${s.args[1]}, 0))`,
      }),
  },
  padDef('lpad'),
  padDef('rpad'),
  {
    name: 'concat',
    category: 'string',
    signature: 'concat(value, ...)',
    returns: 'text',
    description: 'Joins the texts of its arguments, skipping NULLs (unlike ||, which gives NULL). Non-text arguments are converted as CAST(x AS text) does.',
    example: "concat('a', NULL, 1) = 'a1'",
    minArgs: 1,
    maxArgs: Infinity,
    check: (args, api) => ({ type: TEXT, args: args.map((a) => (a.type?.kind === 'text' ? a : api.coerce(a, TEXT, 'concat', true))), nullable: false }),
    compile: (g, args) => {
      const parts = args.map((a) => {
        if (a.nullable === false) return g.expr(a);
        const t = g.temp();
        return `((${t} = ${g.expr(a)}) === null ? '' : ${t})`;
      });
      return `(${parts.join(' + ')})`;
    },
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `CONCAT(${s.args.join(', ')})`,
        mysql: () => `CONCAT_WS('', ${s.args.join(', ')})`,
        sqlite: () => `concat(${s.args.join(', ')})`,
      }),
  },
  {
    name: 'strpos',
    aliases: ['instr'],
    category: 'string',
    signature: 'strpos(text, sub text)  |  POSITION(sub IN text)',
    returns: 'int',
    description: 'Position (1-based, in characters) of the first occurrence of `sub`, 0 when absent; case-sensitive. An empty `sub` is found at 1.',
    example: "strpos('hello', 'l') = 3",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const a = expectArgs('strpos', args, api, [['text']]);
      return a && { type: INT, args: a };
    },
    impl: () => (s, sub) => strposImpl(s as string, sub as string),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `STRPOS(${s.args[0]}, ${s.args[1]})`,
        mysql: () => `LOCATE(${s.args[1]}, ${s.args[0]} COLLATE utf8mb4_bin)`,
        sqlite: () => `instr(${s.args[0]}, ${s.args[1]})`,
      }),
  },
  predicate('contains', 'True when `sub` occurs in the text (case-sensitive).', "contains('hello', 'ell') = true", (a, b) => a.includes(b), (s) =>
    byDialect(s.dialect, {
      postgres: () => `(STRPOS(${s.args[0]}, ${s.args[1]}) > 0)`,
      mysql: () => `(LOCATE(${s.args[1]}, ${s.args[0]} COLLATE utf8mb4_bin) > 0)`,
      sqlite: () => `(instr(${s.args[0]}, ${s.args[1]}) > 0)`,
    }),
  ),
  predicate('starts_with', 'True when the text begins with the prefix (case-sensitive).', "starts_with('hello', 'he') = true", (a, b) => a.startsWith(b), (s) =>
    byDialect(s.dialect, {
      postgres: () => `(LEFT(${s.args[0]}, LENGTH(${s.args[1]})) = ${s.args[1]})`,
      mysql: () => `(BINARY LEFT(${s.args[0]}, CHAR_LENGTH(${s.args[1]})) = BINARY ${s.args[1]})`,
      sqlite: () => `(substr(${s.args[0]}, 1, length(${s.args[1]})) = ${s.args[1]} COLLATE BINARY)`,
    }),
  ),
  predicate('ends_with', 'True when the text ends with the suffix (case-sensitive).', "ends_with('report.csv', '.csv') = true", (a, b) => a.endsWith(b), (s) =>
    byDialect(s.dialect, {
      postgres: () => `(RIGHT(${s.args[0]}, LENGTH(${s.args[1]})) = ${s.args[1]})`,
      mysql: () => `(BINARY RIGHT(${s.args[0]}, CHAR_LENGTH(${s.args[1]})) = BINARY ${s.args[1]})`,
      sqlite: () => `(length(${s.args[0]}) >= length(${s.args[1]}) AND substr(${s.args[0]}, length(${s.args[0]}) - length(${s.args[1]}) + 1) = ${s.args[1]} COLLATE BINARY)`,
    }),
  ),
  textToText('reverse', 'The characters in reverse order.', "reverse('abc') = 'cba'", reverseCodePoints, (s) =>
    s.dialect === 'sqlite' ? `sluice_reverse(${s.args[0]})` : `REVERSE(${s.args[0]})`,
  ),
  {
    name: 'split_part',
    category: 'string',
    signature: 'split_part(text, delimiter text, n int)',
    returns: 'text',
    description: "The n-th field (1-based) of the text split at `delimiter`; '' when there are fewer fields. n < 1 is an error. An empty delimiter leaves one field, the whole text.",
    example: "split_part('a,b,c', ',', 2) = 'b'",
    minArgs: 3,
    maxArgs: 3,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName('split_part', 0));
      const d = api.expect(args[1], ['text'], argName('split_part', 1));
      const n = countArg('split_part', 2, args[2], api);
      return s && d && n ? { type: TEXT, args: [s, d, n] } : undefined;
    },
    impl: () => (s, d, n) => splitPartImpl(s as string, d as string, toCount(n as Num)),
    sql: (s) => {
      const [x, d, n] = s.args;
      return byDialect(s.dialect, {
        postgres: () => `(CASE WHEN ${n} < 1 THEN ${s.raise('split_part: field number must be 1 or more, not ', n, TEXT)} ELSE SPLIT_PART(${x}, ${d}, ${pgInt(s, 2)}) END)`,
        sqlite: () => `sluice_split_part(${x}, ${d}, ${n})`,
        mysql: () =>
          `(CASE WHEN ${x} IS NULL OR ${d} IS NULL OR ${n} < 1 THEN NULL WHEN CHAR_LENGTH(${d}) = 0 THEN (CASE WHEN ${n} = 1 THEN ${x} ELSE '' END) ` +
          `WHEN ${n} > (CHAR_LENGTH(${x}) - CHAR_LENGTH(REPLACE(${x}, ${d}, ''))) DIV CHAR_LENGTH(${d}) + 1 THEN '' ` +
          `ELSE SUBSTRING_INDEX(SUBSTRING_INDEX(${x}, ${d}, ${n}), ${d}, -1) END)`,
      });
    },
  },
  {
    name: 'repeat',
    category: 'string',
    signature: 'repeat(text, n int)',
    returns: 'text',
    description: "The text repeated n times; n <= 0 gives ''.",
    example: "repeat('ab', 3) = 'ababab'",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const s = api.expect(args[0], ['text'], argName('repeat', 0));
      const n = countArg('repeat', 1, args[1], api);
      return s && n ? { type: TEXT, args: [s, n] } : undefined;
    },
    impl: () => (s, n) => repeatImpl(s as string, toCount(n as Num)),
    sql: (s) =>
      byDialect(s.dialect, {
        postgres: () => `REPEAT(${s.args[0]}, ${pgInt(s, 1)})`,
        mysql: () => `REPEAT(${s.args[0]}, ${s.args[1]})`,
        sqlite: () => `(CASE WHEN ${s.args[1]} IS NULL THEN NULL ELSE replace(hex(zeroblob(max(${s.args[1]}, 0))), '00', ${s.args[0]}) END)`,
      }),
  },
  {
    name: 'regexp_like',
    category: 'logic',
    signature: 'regexp_like(text, pattern text)',
    returns: 'boolean',
    description:
      'True when the regular expression matches somewhere in the text (anchor with ^ and $), case-sensitive. Stick to the syntax the databases share: . [] [^] * + ? {m,n} | () ^ $ and classes like [0-9]; back-references and look-arounds differ between engines.',
    example: "regexp_like(code, '^[A-Z]{2}[0-9]+$')",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const a = expectArgs('regexp_like', args, api, [['text']]);
      if (!a) return undefined;
      const p = api.textLiteral(a[1]);
      if (p !== undefined) {
        try {
          new RegExp(p, 'u');
        } catch (e) {
          api.error(a[1], `invalid regular expression: ${(e as Error).message}`);
          return undefined;
        }
      }
      return { type: BOOLEAN, args: a };
    },
    impl: () => (s, p) => regExp(p as string).test(s as string),
    sql: (s) => regexSql(s, s.args[0], s.args[1]),
  },
  {
    name: 'is_email',
    category: 'logic',
    signature: 'is_email(text)',
    returns: 'boolean',
    description: `True when the text looks like an e-mail address: ${EMAIL_RE} (ASCII letters, digits and ._%+- before the @, a dotted domain with a top-level part of 2+ letters).`,
    example: "is_email('ana@example.org') = true",
    minArgs: 1,
    maxArgs: 1,
    check: checkOne('is_email'),
    impl: () => {
      const re = new RegExp(EMAIL_RE);
      return (s) => re.test(s as string);
    },
    sql: (s) => regexSql(s, s.args[0], s.str(EMAIL_RE)),
  },
  {
    name: 'is_numeric',
    category: 'logic',
    signature: 'is_numeric(text)',
    returns: 'boolean',
    description: 'True when the text has the syntax of a number CAST accepts: optional sign, digits with an optional decimal point, an optional exponent of up to 4 digits, surrounding ASCII white space allowed.',
    example: "is_numeric(' -1.5e3 ') = true; is_numeric('1,5') = false",
    minArgs: 1,
    maxArgs: 1,
    check: checkOne('is_numeric'),
    impl: () => {
      const re = new RegExp(NUMERIC_RE);
      return (s) => re.test(s as string);
    },
    sql: (s) => regexSql(s, s.args[0], s.str(NUMERIC_RE)),
  },
  hashDef('md5'),
  hashDef('sha256'),
];
