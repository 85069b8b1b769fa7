import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { CsvSerializer, integerText } from './serializer';

describe('integerText (integers written without V8 number-to-string cache)', () => {
  it('is exactly String(n) at every boundary of its tables', () => {
    const edges = [0, 1, 9, 10, 999, 9999, 10000, 10001, 99999, 123456, 9999999, 99999999, 1e8, 100000001, 123456789012, 999999999999, 1e12, 1e12 + 1];
    const big = [2 ** 31, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 60, 1e20, 1e21, 1.5e300, Number.MAX_VALUE];
    for (const v of [...edges, ...big]) {
      expect(integerText(v), String(v)).toBe(String(v));
      expect(integerText(-v), String(-v)).toBe(String(-v));
    }
  });

  it('is exactly String(n) for many random integers of every length', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20000; i++) {
      const v = Math.floor(rnd() * 10 ** Math.floor(rnd() * 17)) * (rnd() < 0.3 ? -1 : 1);
      expect(integerText(v)).toBe(String(v));
    }
  });
});

describe('CsvSerializer', () => {
  const s = new CsvSerializer({ delimiter: ',', quote: '"', escape: '"', lineEnding: '\n' });

  it('writes numbers as JavaScript prints them, integers through integerText', () => {
    expect(s.rows([[7, 12345678, -42, 0, -0, 1.5, 1e21, NaN, -Infinity, 2 ** 53]])).toBe('7,12345678,-42,0,-0,1.5,1e+21,NaN,-Infinity,9007199254740992\n');
  });

  it('quotes only what needs it: "" for empty text, NULL as an empty field', () => {
    expect(s.rows([['a', '', null, 'x,y', 'say "hi"', 'l1\nl2', Decimal.of(150n, 2), true, 10n ** 20n]])).toBe(
      'a,"",,"x,y","say ""hi""","l1\nl2",1.50,true,100000000000000000000\n',
    );
  });
});
