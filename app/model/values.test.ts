import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal';
import { editDistance, didYouMean } from './problems';
import { compareStrings, compareValues, normalizeInt, rowKey, valueKey } from './values';

describe('values', () => {
  it('orders strings by code point, like SQLite and PostgreSQL in C collation', () => {
    const words = ['\uffff', '😀', 'a', 'B', '', 'é'];
    expect([...words].sort(compareStrings)).toEqual(['', 'B', 'a', 'é', '\uffff', '😀']);
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
  });

  it('compares numbers exactly across number, bigint and Decimal, NULL first', () => {
    expect(compareValues(2n ** 64n, 2 ** 53)).toBeGreaterThan(0);
    expect(compareValues(Decimal.parse('1.50')!, 1.5)).toBe(0);
    expect(compareValues(null, -Infinity)).toBeLessThan(0);
    expect(compareValues(NaN, Infinity)).toBeGreaterThan(0);
  });

  it('gives equal keys to equal values of different representations', () => {
    expect(valueKey(Decimal.parse('1.500')!)).toBe(valueKey(Decimal.parse('1.5')!));
    expect(valueKey(1)).toBe(valueKey(Decimal.parse('1.0')!));
    expect(valueKey('1')).not.toBe(valueKey(1));
    expect(rowKey([1, 'a', null], [0, 2])).not.toBe(rowKey([1, null, 'a'], [0, 1]) + 'x');
    expect(normalizeInt(9007199254740993n)).toBe(9007199254740993n);
    expect(normalizeInt(42n)).toBe(42);
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('emial', 'email')).toBe(1);
    expect(didYouMean('emial', ['email', 'name'])).toBe('email');
    expect(didYouMean('unit_prise', ['unit_price', 'quantity'])).toBe('unit_price');
    expect(didYouMean('zzz', ['email', 'name'])).toBeUndefined();
  });
});
