import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { decimalConverter, plainDecimal } from './convert';

/** The general path, as decimalConverter had it before the fast path: parse, rescale, fit. */
function reference(p: number, sc: number): (text: string) => Decimal | undefined {
  return (text) => {
    const d = Decimal.parse(text.trim());
    if (d === undefined) return undefined;
    const r = d.scale === sc ? d : d.rescale(sc);
    return r.fits(p, sc) ? r : undefined;
  };
}

/** The fast path for plain decimal text decides exactly as the general converter does, or steps aside. */
describe('plainDecimal', () => {
  const cases = ['12.34', '12.3', '12', '-0.5', '0.05', '-12.30', '99999999.99', '100000000.00', '0', '-0', '0.00', '007.5', '1.234', '1e3', ' 1.2', '1.', '.5', '-', '', '12a', '1.2.3', '-9.99', '123456789012.5'];
  it.each([
    [12, 2],
    [10, 0],
    [4, 4],
    [38, 10],
  ])('decimal(%i,%i)', (p, s) => {
    const fast = plainDecimal(p, s)!;
    const general = reference(p, s);
    for (const text of cases) {
      const f = fast(text);
      if (f === undefined) continue;
      const g = general(text);
      expect(g, text).toBeDefined();
      expect([f.unscaled, f.scale, f.toString()], text).toEqual([(g as typeof f).unscaled, (g as typeof f).scale, (g as typeof f).toString()]);
    }
  });

  it('is what decimalConverter uses, and text it steps aside for still converts', () => {
    const conv = decimalConverter({ kind: 'decimal', precision: 12, scale: 2 });
    expect(String(conv('12.3'))).toBe('12.30');
    expect(String(conv(' 1.005 '))).toBe('1.01');
    expect(String(conv('1e2'))).toBe('100.00');
    expect(conv('')).toBeNull();
  });

  it('takes the common REAL texts and keeps their canonical text', () => {
    const fast = plainDecimal(12, 2)!;
    expect(fast('12.3')?.toString()).toBe('12.30');
    expect(fast('-7')?.toString()).toBe('-7.00');
    expect(fast('0.99')?.toString()).toBe('0.99');
    expect(fast('1.234')).toBeUndefined();
    expect(fast('1e21')).toBeUndefined();
    expect(fast('0')).toBeUndefined();
    expect(fast('1234567890.12')?.toString()).toBe('1234567890.12');
    expect(fast('12345678901.12')).toBeUndefined();
  });

  it('agrees with the general path on many random values', () => {
    const fast = plainDecimal(9, 3)!;
    const general = reference(9, 3);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const text = String(Math.round((rnd() - 0.5) * 10 ** Math.floor(rnd() * 9)) / 10 ** Math.floor(rnd() * 5));
      const f = fast(text);
      const g = general(text);
      if (f === undefined) continue;
      expect(f.toString(), text).toBe((g as NonNullable<typeof f>).toString());
    }
  });
});

/** decimal without precision: the text is kept only when it is exactly what toString would compute. */
describe('decimal text kept by the converter', () => {
  const conv = decimalConverter({ kind: 'decimal' });
  const computed = (d: Decimal) => Decimal.of(d.unscaled, d.scale).toString();

  it.each([
    ['259.91', '259.91'],
    ['1.50', '1.50'],
    ['0.05', '0.05'],
    ['-0.5', '-0.5'],
    ['-12.30', '-12.30'],
    ['0', '0'],
    ['42', '42'],
    ['007', '7'],
    ['00', '0'],
    ['-0', '0'],
    ['-0.00', '0.00'],
    ['+5', '5'],
    ['+1.25', '1.25'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['5.', '5'],
    [' 3.10 ', '3.10'],
    ['1e3', '1000'],
    ['123456789012345.5', '123456789012345.5'],
  ])('%j is written back as %j', (text, out) => {
    const d = conv(text) as Decimal;
    expect(d).toBeInstanceOf(Decimal);
    expect(d.toString()).toBe(out);
    expect(d.toString()).toBe(computed(d));
  });

  it('agrees with the computed text on many random values', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const forms = [(s: string) => s, (s: string) => `0${s}`, (s: string) => `+${s}`, (s: string) => s.replace(/^(-?)0\./, '$1.'), (s: string) => `${s}0`];
    for (let i = 0; i < 5000; i++) {
      const base = ((rnd() - 0.5) * 10 ** Math.floor(rnd() * 8)).toFixed(Math.floor(rnd() * 4));
      const text = forms[Math.floor(rnd() * forms.length)](base);
      const d = conv(text);
      if (!(d instanceof Decimal)) continue;
      expect(d.toString(), text).toBe(computed(d));
    }
  });
});
