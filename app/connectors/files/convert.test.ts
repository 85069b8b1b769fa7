import { describe, expect, it } from 'vitest';
import { castText } from '../../expr/cast';
import { Decimal } from '../../model/decimal';
import { formatType, type LogicalType } from '../../model/types';
import type { Value } from '../../model/values';
import {
  decimalConverter,
  explain,
  inferType,
  toBigint,
  toBoolean,
  toBytes,
  toDate,
  toFloat,
  toInt,
  toJson,
  toTime,
  toTimestamp,
  toTimestamptz,
  toUuid,
} from './convert';

describe('text conversions (the rules of CAST from text)', () => {
  it('trims, and reads blank text as NULL', () => {
    expect(toInt('  42 ')).toBe(42);
    expect(toInt('')).toBeNull();
    expect(toDate('   ')).toBeNull();
    expect(toBoolean('\tyes\n')).toBe(true);
  });

  it('reads integers exactly, 32-bit for int, 64-bit for bigint', () => {
    expect(toBigint('9007199254740993')).toBe(9007199254740993n);
    expect(toBigint('9007199254740991')).toBe(9007199254740991);
    expect(toBigint('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(toBigint('9223372036854775808')).toBeUndefined();
    expect(toBigint('+7')).toBe(7);
    expect(toBigint('-0')).toBe(0);
    expect(toInt('2147483648')).toBeUndefined();
    expect(toInt('1.0')).toBeUndefined();
    expect(toInt('1e3')).toBeUndefined();
    expect(toInt('abc')).toBeUndefined();
  });

  it('reads decimals exactly, rounding to a declared scale and checking the precision', () => {
    const any = decimalConverter({ kind: 'decimal' });
    expect((any('1.50') as Decimal).toString()).toBe('1.50');
    expect((any('12345678901234567890.123456789') as Decimal).toString()).toBe('12345678901234567890.123456789');
    expect((any('-1e-3') as Decimal).toString()).toBe('-0.001');
    expect(any('1.2.3')).toBeUndefined();
    const money = decimalConverter({ kind: 'decimal', precision: 5, scale: 2 });
    expect((money('1.005') as Decimal).toString()).toBe('1.01');
    expect((money('-1.005') as Decimal).toString()).toBe('-1.01');
    expect((money('7') as Decimal).toString()).toBe('7.00');
    expect(money('1000.00')).toBeUndefined();
    expect(money('999.994')).toEqual(Decimal.parse('999.99'));
  });

  it('reads floats, NaN and infinities', () => {
    expect(toFloat('1e308')).toBe(1e308);
    expect(toFloat('-0')).toBe(-0);
    expect(toFloat('.5')).toBe(0.5);
    expect(toFloat('NaN')).toBeNaN();
    expect(toFloat('-inf')).toBe(-Infinity);
    expect(toFloat('Infinity')).toBe(Infinity);
    expect(toFloat('0x10')).toBeUndefined();
    expect(toFloat('1e999')).toBeUndefined();
    expect(toFloat('1,5')).toBeUndefined();
  });

  it('reads booleans in their usual spellings', () => {
    for (const t of ['true', 'T', 'yes', '1', 'TRUE']) expect(toBoolean(t)).toBe(true);
    for (const f of ['false', 'f', 'No', '0']) expect(toBoolean(f)).toBe(false);
    expect(toBoolean('y')).toBe(true);
    expect(toBoolean('OFF')).toBe(false);
    expect(toBoolean('maybe')).toBeUndefined();
  });

  it('reads dates, times and timestamps to their canonical text', () => {
    expect(toDate('1969-07-20')).toBe('1969-07-20');
    expect(toDate('2000-02-29')).toBe('2000-02-29');
    expect(toDate('2024-01-02 23:30:00-02:00')).toBe('2024-01-03');
    expect(toDate('1900-02-29')).toBeUndefined();
    expect(toDate('0000-01-01')).toBeUndefined();
    expect(toDate('2024-13-01')).toBeUndefined();
    expect(toDate('2024-1-1')).toBeUndefined();
    expect(toTime('23:59:59.500000')).toBe('23:59:59.500000');
    expect(toTime('23:59:59.5')).toBe('23:59:59.500000');
    expect(toTime('12:00')).toBe('12:00:00');
    expect(toTime('12:00:00.0000004')).toBe('12:00:00');
    expect(toTime('2024-01-02T10:11:12+01:00')).toBe('09:11:12');
    expect(toTime('12:60:00')).toBeUndefined();
    expect(toTime('24:00:00')).toBeUndefined();
    expect(toTimestamp('2024-01-02T03:04:05')).toBe('2024-01-02 03:04:05');
    expect(toTimestamp('2024-01-02 03:04')).toBe('2024-01-02 03:04:00');
    expect(toTimestamp('2024-01-02')).toBe('2024-01-02 00:00:00');
    expect(toTimestamp('1901-12-13 20:45:52.120')).toBe('1901-12-13 20:45:52.120000');
    expect(toTimestamp('1901-12-13 20:45:52.000')).toBe('1901-12-13 20:45:52');
    expect(toTimestamp('1999-12-31 23:59:59.9999996')).toBe('2000-01-01 00:00:00');
    expect(toTimestamp('2024-01-02 24:00:00')).toBeUndefined();
    expect(toTimestamp('2024-01-02 03:04:05+01:00')).toBeUndefined();
    expect(toTimestamp('2024-01-02 03:04:05Z')).toBeUndefined();
  });

  it('reads timestamps with a zone to UTC, also across days and before 1970', () => {
    expect(toTimestamptz('2024-01-02 03:04:05+02:00')).toBe('2024-01-02 01:04:05+00:00');
    expect(toTimestamptz('2024-01-01T23:30:00-0130')).toBe('2024-01-02 01:00:00+00:00');
    expect(toTimestamptz('1969-12-31 23:00:00.25 -05')).toBe('1970-01-01 04:00:00.250000+00:00');
    expect(toTimestamptz('2024-03-01 00:30:00+01:00')).toBe('2024-02-29 23:30:00+00:00');
    expect(toTimestamptz('2024-01-02 03:04:05Z')).toBe('2024-01-02 03:04:05+00:00');
    expect(toTimestamptz('2024-01-02 03:04:05')).toBe('2024-01-02 03:04:05+00:00');
    expect(toTimestamptz('2024-01-02 03:04:05.123456+00:00')).toBe('2024-01-02 03:04:05.123456+00:00');
    expect(toTimestamptz('2024-01-02 03:04:05+16:00')).toBeUndefined();
    expect(toTimestamptz('0001-01-01 00:30:00+01:00')).toBeUndefined();
  });

  it('reads uuids, JSON and base64 bytes', () => {
    expect(toUuid('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(toUuid('a0eebc999c0b4ef8bb6d6bb9bd380a11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(toUuid('a0eebc99')).toBeUndefined();
    expect(toJson(' {"a": 1} ')).toBe(' {"a": 1} ');
    expect(toJson('{a: 1}')).toBeUndefined();
    expect(toBytes('AQID')).toEqual(new Uint8Array([1, 2, 3]));
    expect(toBytes('')).toEqual(new Uint8Array([]));
    expect(toBytes('not base64!')).toBeUndefined();
  });

  it('explains failures', () => {
    expect(explain('abc', { kind: 'bigint' })).toBe('"abc" is not a valid bigint');
    expect(explain('99999999999', { kind: 'int' })).toBe('"99999999999" is out of range for int');
    expect(explain('2024-02-30', { kind: 'date' })).toMatch(/no such date/);
    expect(explain('x', { kind: 'boolean' })).toMatch(/expected true\/false/);
  });
});

describe('inferType', () => {
  it('picks the narrowest type every value fits', () => {
    expect(inferType(['1', '-2', null, ''])).toEqual({ kind: 'bigint' });
    expect(inferType(['1', '2.50'])).toEqual({ kind: 'decimal' });
    expect(inferType(['1', '2.5e3'])).toEqual({ kind: 'float' });
    expect(inferType(['NaN', '1.5'])).toEqual({ kind: 'float' });
    expect(inferType(['true', 'FALSE'])).toEqual({ kind: 'boolean' });
    expect(inferType(['yes', 'no'])).toEqual({ kind: 'text' });
    expect(inferType(['0', '1'])).toEqual({ kind: 'bigint' });
    expect(inferType(['2024-01-01'])).toEqual({ kind: 'date' });
    expect(inferType(['2024-01-01 10:00:00', '2024-01-01T10:00:00.5'])).toEqual({ kind: 'timestamp' });
    expect(inferType(['2024-01-01 10:00:00Z'])).toEqual({ kind: 'timestamptz' });
    expect(inferType(['10:00:00'])).toEqual({ kind: 'text' });
    expect(inferType(['99999999999999999999999'])).toEqual({ kind: 'decimal' });
  });

  it('keeps text that a number would change, and mixed or empty columns', () => {
    expect(inferType(['00123', '00456'])).toEqual({ kind: 'text' });
    expect(inferType(['1', 'x'])).toEqual({ kind: 'text' });
    expect(inferType([null, ''])).toEqual({ kind: 'text' });
  });
});

describe('the same rules as CAST from text (app/expr)', () => {
  const cases: [LogicalType, (s: string) => Value | undefined, string[]][] = [
    [{ kind: 'int' }, toInt, ['42', ' -7 ', '+3', '007', '2147483647', '2147483648', '-2147483648', '1.0', '1e3', 'x', '12a', '٣']],
    [{ kind: 'bigint' }, toBigint, ['9007199254740993', '-9223372036854775808', '9223372036854775808', '00000000000000000012', '-0', '1 2']],
    [{ kind: 'decimal' }, decimalConverter({ kind: 'decimal' }), ['1.50', '-0.001', '1e3', '1.', '.5', '1e99999', '12345678901234567890.5', 'abc', '1.2.3', '+4']],
    [{ kind: 'decimal', precision: 5, scale: 2 }, decimalConverter({ kind: 'decimal', precision: 5, scale: 2 }), ['1.005', '-1.005', '999.994', '999.995', '1000', '0']],
    [{ kind: 'float' }, toFloat, ['1.5', '-0', '1e308', '1e309', '5e-324', 'NaN', '-Infinity', 'inf', '+INF', '0x10', '1,5', '.5', '1.']],
    [{ kind: 'boolean' }, toBoolean, ['true', 'FALSE', ' t ', 'f', 'yes', 'No', 'y', 'n', 'on', 'off', '1', '0', 'maybe', '2']],
    [
      { kind: 'date' },
      toDate,
      ['2024-02-29', '2023-02-29', '0001-01-01', '0000-01-01', '9999-12-31', '2024-01-02 23:30:00-02:00', '2024-01-02T10:00', '2024-1-02', '20240102', ' 2024-05-06 '],
    ],
    [{ kind: 'time' }, toTime, ['00:00:00', '23:59:59.999999', '23:59:59.9999996', '12:00', '12:00:00.5', '24:00:00', '12:60', '2024-01-02 03:04:05+01:00', '2024-01-02', '1:02:03']],
    [
      { kind: 'timestamp' },
      toTimestamp,
      ['2024-01-02 03:04:05', '2024-01-02T03:04:05.123456789', '2024-01-02 03:04', '2024-01-02', '1969-12-31 23:59:59.9999999', '2024-01-02 03:04:05Z', '2024-01-02 03:04:05+01:00', '2024-01-02t03:04:05', '9999-12-31 23:59:59.9999999'],
    ],
    [
      { kind: 'timestamptz' },
      toTimestamptz,
      ['2024-01-02 03:04:05+02:00', '2024-01-02T03:04:05-0130', '2024-01-02 03:04:05 Z', '2024-01-02 03:04:05+16:00', '2024-01-02 03:04:05+01:60', '2024-01-02', '0001-01-01 00:00:00+01:00', '2024-01-02 03:04:05.5+00'],
    ],
    [{ kind: 'uuid' }, toUuid, ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0eebc99', 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
    [{ kind: 'json' }, toJson, ['{"a":1}', ' [1, 2] ', '"s"', '{a:1}', 'nul']],
  ];
  // Integers compare with === (CAST gives -0 for '-0'; an integer has no negative zero).
  const same = (a: Value, b: Value, t: LogicalType) =>
    a instanceof Decimal && b instanceof Decimal ? a.toString() === b.toString() : t.kind === 'float' ? Object.is(a, b) : a === b;

  it.each(cases.map(([t, f, inputs]) => [formatType(t), t, f, inputs] as const))('%s', (_name, t, f, inputs) => {
    const differences: string[] = [];
    for (const input of inputs) {
      const mine = f(input);
      const cast = castText(input, t);
      const agree = cast.ok ? mine !== undefined && same(mine, cast.value, t) : mine === undefined;
      if (!agree) differences.push(`${JSON.stringify(input)}: files ${String(mine)}, CAST ${cast.ok ? String(cast.value) : 'error'}`);
    }
    expect(differences).toEqual([]);
  });
});
