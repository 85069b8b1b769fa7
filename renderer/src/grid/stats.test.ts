import { describe, expect, it } from 'vitest';
import { cellText, columnStats } from './stats';

describe('preview column statistics', () => {
  it('counts NULLs and distinct values per column', () => {
    const rows = [
      [1, 'a', null],
      [2, 'a', null],
      [2, null, true],
    ];
    expect(columnStats(rows, 3)).toEqual([
      { nulls: 0, distinct: 2, distinctCapped: false },
      { nulls: 1, distinct: 1, distinctCapped: false },
      { nulls: 2, distinct: 1, distinctCapped: false },
    ]);
    expect(cellText(null)).toBe('NULL');
    expect(cellText('')).toBe('');
    expect(cellText(false)).toBe('false');
  });
});
