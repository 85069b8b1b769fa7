import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Row } from '../../model/values';
import { decodeRow, encodeRows } from './codec';

describe('the queue codec', () => {
  it('encodes rows into views of one buffer, each decoding to its own row exactly', () => {
    const rows: Row[] = [
      [1, 'a', null, true],
      [2n ** 70n, Decimal.parse('12.50')!, 'ünï 日本', new Uint8Array([0, 255])],
      [],
      [Number.NaN, -0, 1.5, 'x'.repeat(10_000)],
    ];
    const views = encodeRows(rows);
    expect(views).toHaveLength(rows.length);
    expect(new Set(views.map((v) => v.buffer)).size).toBe(1);
    views.forEach((v, i) => expect(decodeRow(v)).toEqual(rows[i]));
    // Later encodings do not touch earlier views.
    encodeRows([[42, 'other']]);
    views.forEach((v, i) => expect(decodeRow(v)).toEqual(rows[i]));
  });
});
