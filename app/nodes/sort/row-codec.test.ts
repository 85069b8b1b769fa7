import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Row } from '../../model/values';
import { decodeRows, RowEncoder } from './row-codec';

describe('row codec', () => {
  it('round-trips every value type exactly', () => {
    const rows: Row[] = [
      [null, true, false, 0, -0, 1, -1, 2147483647, -2147483648, 2147483648, 0.1, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER],
      [2n ** 64n, -(2n ** 70n), Decimal.parse('1.50')!, Decimal.parse('-0.000001')!, Decimal.parse('123456789012345678901234567890.123')!],
      ['', 'ascii', 'ünïcødé', '日本語', '😀 emoji', '\ud800 lone high', 'lone low \udc00', 'nul\u0000byte', 'x'.repeat(20_000)],
      [new Uint8Array([]), new Uint8Array([0, 1, 254, 255]), new Uint8Array(5_000).fill(7)],
      [],
    ];
    const enc = new RowEncoder(16);
    for (const r of rows) enc.write(r);
    const buf = Buffer.from(enc.take());
    const out: Row[] = [];
    expect(decodeRows(buf, out)).toBe(buf.length);
    expect(out).toEqual(rows);
    expect(Object.is(out[0][4], -0)).toBe(true);
    expect(out[1][2]).toBeInstanceOf(Decimal);
    expect((out[1][2] as Decimal).toString()).toBe('1.50');
    expect(out[3][1]).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out[3][1])).toBe(false);
    expect(out[2][5]).toBe('\ud800 lone high');
  });

  it('leaves a partial row for the next chunk', () => {
    const enc = new RowEncoder();
    enc.write(['a', 1]);
    enc.write(['b', 2]);
    const buf = Buffer.from(enc.take());
    const out: Row[] = [];
    const used = decodeRows(buf.subarray(0, buf.length - 1), out);
    expect(out).toEqual([['a', 1]]);
    expect(used).toBe(buf.length / 2);
  });
});
