import { describe, expect, it } from 'vitest';
import { loadOrder } from './order';

const t = (name: string, ...refersTo: string[]) => ({ name, refersTo });

describe('load order by foreign keys', () => {
  it('puts referenced tables first and keeps the given order otherwise', () => {
    expect(loadOrder([t('invoice_line', 'invoice', 'track'), t('invoice', 'customer'), t('track', 'album'), t('album', 'artist'), t('artist'), t('customer', 'employee'), t('employee', 'employee')])).toEqual({
      order: ['artist', 'album', 'track', 'employee', 'customer', 'invoice', 'invoice_line'],
      cycles: [],
    });
  });

  it('ignores self-references and references to tables not migrated', () => {
    expect(loadOrder([t('b', 'a', 'b'), t('a', 'elsewhere')]).order).toEqual(['a', 'b']);
  });

  it('places a cycle whole, reports it, and goes on with what depends on it', () => {
    const r = loadOrder([t('c', 'a'), t('a', 'b'), t('b', 'a'), t('d')]);
    expect(r.order).toEqual(['d', 'a', 'b', 'c']);
    expect(r.cycles).toEqual([['a', 'b']]);
  });

  it('handles longer rings and several cycles, each table exactly once', () => {
    const r = loadOrder([t('x', 'z'), t('y', 'x'), t('z', 'y'), t('p', 'q', 'x'), t('q', 'p'), t('r', 'q')]);
    expect(r.cycles).toEqual([
      ['x', 'y', 'z'],
      ['p', 'q'],
    ]);
    expect(r.order).toEqual(['x', 'y', 'z', 'p', 'q', 'r']);
    expect(new Set(r.order).size).toBe(6);
  });

  it('within a cycle, the table with the fewest unmet references goes first', () => {
    // b refers to a and c; a refers to b only: a first.
    const r = loadOrder([t('b', 'a', 'c'), t('a', 'b'), t('c', 'b')]);
    expect(r.order[0]).toBe('a');
    expect(r.cycles).toHaveLength(1);
  });
});
