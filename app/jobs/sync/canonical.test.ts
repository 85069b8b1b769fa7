import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { T, type LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { rowEquality, rowHasher } from './canonical';

/**
 * rowEquality must tell what comparing rowHasher's hashes tells (the full diff used to compare
 * an update's two rows by hash): values each type's canonical form makes equal are equal,
 * every other pair differs.
 */
const dec = (text: string) => Decimal.parse(text)!;
const cases: Array<{ type: LogicalType; values: Value[] }> = [
  { type: T.text, values: ['a', 'b', '', 'a\u0000', 'é', null] },
  { type: T.int, values: [0, -0, 1, -1, 2 ** 31, NaN, null] },
  { type: T.bigint, values: [5, 5n, 2n ** 60n, 2 ** 60, 9007199254740993n, null] },
  { type: T.float, values: [0.1, 0.1 + 0.2, 0.3, -0, 0, Infinity, NaN, null] },
  { type: T.boolean, values: [true, false, null] },
  { type: T.decimal(10, 2), values: [dec('1.5'), dec('1.50'), dec('-1.5'), dec('0'), dec('0.00'), dec('15'), null] },
  { type: T.timestamp, values: ['2024-01-01 12:00:00.500000', '2024-01-01 12:00:00.5', '2024-01-01 12:00:00', '2024-01-01 12:00:00.000', '2024-01-01 12:00:01', null] },
  { type: T.json, values: ['{"a":1,"b":2}', '{"b": 2, "a": 1}', '{"a":2}', null] },
];

describe('rowEquality', () => {
  it('answers as the hashes compare, for every pair of values of each type', () => {
    for (const { type, values } of cases) {
      const same = rowEquality([type]);
      const hash = rowHasher([type]);
      for (const x of values) {
        for (const y of values) {
          const a: Row = [x];
          const b: Row = [y];
          expect(same(a, b), `${String(x)} vs ${String(y)} (${type.kind})`).toBe(hash(a) === hash(b));
        }
      }
    }
  });

  it('canonical forms are equal, other values are not', () => {
    const same = rowEquality([T.int, T.decimal(10, 2), T.timestamp, T.text]);
    expect(same([1, dec('1.50'), '2024-01-01 12:00:00.500', 'x'], [1, dec('1.5'), '2024-01-01 12:00:00.5', 'x'])).toBe(true);
    expect(same([-0, dec('0.00'), '2024-01-01 12:00:00.000', ''], [0, dec('0'), '2024-01-01 12:00:00', ''])).toBe(true);
    // The first column that differs decides; NULL equals only NULL.
    expect(same([1, dec('1.5'), '2024-01-01 12:00:00', 'x'], [2, dec('1.5'), '2024-01-01 12:00:00', 'x'])).toBe(false);
    expect(same([1, dec('1.5'), '2024-01-01 12:00:00', 'x'], [1, dec('1.5'), '2024-01-01 12:00:00', 'y'])).toBe(false);
    expect(same([1, null, null, ''], [1, null, null, null])).toBe(false);
    expect(same([1, null, null, null], [1, null, null, null])).toBe(true);
  });
});
