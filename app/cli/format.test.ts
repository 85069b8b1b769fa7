import { describe, expect, it } from 'vitest';
import { formatCount } from './format';

describe('formatCount', () => {
  it('writes what toLocaleString("en-US") writes', () => {
    const xs = [0, -0, 1, 12, 123, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 9_976, -1, -1234, -1_000_000, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1.5, 1234.5678, -0.25, 1e21, NaN, Infinity, -Infinity];
    for (const x of xs) expect(formatCount(x), String(x)).toBe(x.toLocaleString('en-US'));
  });
});
