import { describe, expect, it } from 'vitest';
import { matchColumns, normalizeName } from './auto-map';

describe('matchColumns', () => {
  it('matches equal names, then names equal ignoring case, spaces, _ and -', () => {
    expect(normalizeName('Order ID')).toBe('orderid');
    const r = matchColumns(['id', 'Order ID', 'customer-name', 'EMAIL', 'extra'], ['id', 'order_id', 'CustomerName', 'email', 'phone']);
    expect(r.matches).toEqual([
      { source: 'id', target: 'id', how: 'exact' },
      { source: 'Order ID', target: 'order_id', how: 'normalized' },
      { source: 'customer-name', target: 'CustomerName', how: 'normalized' },
      { source: 'EMAIL', target: 'email', how: 'normalized' },
    ]);
    expect(r.unmatchedTargets).toEqual(['phone']);
    expect(r.unmatchedSources).toEqual(['extra']);
  });

  it('prefers an exact match and leaves ambiguous ones unmatched with the candidates', () => {
    const r = matchColumns(['user_id', 'UserId', 'userid'], ['userid', 'USER ID']);
    expect(r.matches).toEqual([{ source: 'userid', target: 'userid', how: 'exact' }]);
    expect(r.suggestions).toEqual([{ target: 'USER ID', candidates: ['user_id', 'UserId'] }]);
  });

  it('suggests close names for unmatched targets', () => {
    const r = matchColumns(['cust_name', 'adress', 'zzz'], ['customer', 'address']);
    expect(r.matches).toEqual([]);
    expect(r.suggestions).toEqual([{ target: 'address', candidates: ['adress'] }]);
  });

  it('uses each source once', () => {
    const r = matchColumns(['a'], ['a', 'A']);
    expect(r.matches).toEqual([{ source: 'a', target: 'a', how: 'exact' }]);
    expect(r.unmatchedTargets).toEqual(['A']);
  });
});
