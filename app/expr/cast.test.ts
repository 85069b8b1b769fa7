import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import { T } from '../model/types';
import { castValue, inferTextType } from './cast';
import { CastError } from './errors';
import { civilFromDays, daysFromCivil, isoWeek, parseTimestamp } from './temporal';
import { compareText, lowerText, upperText } from './text';

describe('castValue (what file connectors use to turn text into values)', () => {
  it('reads numbers strictly', () => {
    expect(castValue(' 42 ', T.int)).toBe(42);
    expect(castValue('9007199254740993', T.bigint)).toBe(9007199254740993n);
    expect(castValue('-0', T.int)).toBe(0);
    expect((castValue('1.50', T.decimal(5, 2)) as Decimal).toString()).toBe('1.50');
    expect((castValue('2.675', T.decimal(5, 2)) as Decimal).toString()).toBe('2.68');
    expect((castValue('-2.675', T.decimal(5, 2)) as Decimal).toString()).toBe('-2.68');
    expect((castValue('1e3', T.decimal()) as Decimal).toString()).toBe('1000');
    expect(castValue('NaN', T.float)).toBeNaN();
    expect(castValue('-Infinity', T.float)).toBe(-Infinity);
    for (const bad of ['', ' ', '1,5', '12abc', '0x10', '1_000', '١٢']) expect(() => castValue(bad, T.int), bad).toThrow(CastError);
    expect(() => castValue('1e400', T.float)).toThrow(/out of range/);
    expect(() => castValue('123.4', T.decimal(3, 1))).toThrow(/does not fit decimal\(3,1\)/);
    expect(() => castValue('2147483648', T.int)).toThrow(/out of range for int/);
  });

  it('reads booleans, dates, times, timestamps, uuids and json', () => {
    expect(castValue('Yes', T.boolean)).toBe(true);
    expect(castValue('0', T.boolean)).toBe(false);
    expect(castValue('2024-02-29', T.date)).toBe('2024-02-29');
    expect(castValue('0001-01-01', T.date)).toBe('0001-01-01');
    expect(() => castValue('2100-02-29', T.date)).toThrow(/day 29 does not exist/);
    expect(() => castValue('0000-01-01', T.date)).toThrow(CastError);
    expect(castValue('2024-02-29T12:00', T.timestamp)).toBe('2024-02-29 12:00:00');
    expect(castValue('1969-12-31 23:59:59.9999995', T.timestamp)).toBe('1970-01-01 00:00:00');
    expect(castValue('1900-01-01 00:00:00.000001', T.timestamp)).toBe('1900-01-01 00:00:00.000001');
    expect(() => castValue('2024-01-01 10:00:00+02', T.timestamp)).toThrow(/cast to timestamptz/);
    expect(castValue('2024-01-01 01:00:00+02', T.timestamptz)).toBe('2023-12-31 23:00:00+00:00');
    expect(castValue('2024-01-01T00:00:00Z', T.timestamptz)).toBe('2024-01-01 00:00:00+00:00');
    expect(castValue('07:08', T.time)).toBe('07:08:00');
    expect(() => castValue('24:00:00', T.time)).toThrow(CastError);
    expect(castValue('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', T.uuid)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(castValue('{"a": 1}', T.json)).toBe('{"a": 1}');
    expect(() => castValue('{a: 1}', T.json)).toThrow(/not valid JSON/);
  });

  it('converts between non-text types', () => {
    expect(castValue(2.5, T.int)).toBe(3);
    expect(castValue(9007199254740993n, T.float)).toBe(9007199254740992);
    expect((castValue(0.1, T.decimal(5, 3)) as Decimal).toString()).toBe('0.100');
    expect(castValue(Decimal.parse('-2.5')!, T.bigint)).toBe(-3);
    expect(castValue(true, T.text)).toBe('true');
    expect(castValue(null, T.int)).toBe(null);
    expect(() => castValue(true, T.date)).toThrow(CastError);
  });
});

describe('inferTextType', () => {
  it.each([
    [['1', '2', ''], T.int],
    [['1', '3000000000'], T.bigint],
    [['1', '99999999999999999999'], T.decimal(20, 0)],
    [['1.5', '-22.25'], T.decimal(4, 2)],
    [['1e3', '2.5'], T.float],
    [['007', '1'], T.text],
    [['true', 'FALSE'], T.boolean],
    [['2024-02-29', '1969-12-31'], T.date],
    [['2024-02-29 10:00:00', '2024-02-29'], T.text],
    [['2024-02-29 10:00:00', '2024-02-29T11:00:00.5'], T.timestamp],
    [['2024-02-29T10:00:00Z'], T.timestamptz],
    [['', ' '], T.text],
    [['abc', '1'], T.text],
  ] as const)('%j', (samples, type) => {
    expect(inferTextType([...samples])).toEqual(type);
  });
});

describe('calendar and text helpers', () => {
  it('converts days and dates both ways, across the whole range', () => {
    for (const [y, m, d] of [
      [1, 1, 1],
      [1969, 12, 31],
      [1970, 1, 1],
      [1900, 2, 28],
      [2000, 2, 29],
      [9999, 12, 31],
    ]) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual({ y, m, d });
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(isoWeek(daysFromCivil(2021, 1, 3))).toBe(53);
    expect(isoWeek(daysFromCivil(2021, 1, 4))).toBe(1);
    expect(parseTimestamp('9999-12-31 23:59:59.9999999', 'timestamp')).toMatchObject({ ok: false });
  });

  it('case maps one character at a time, and orders by code point', () => {
    expect(upperText('straße')).toBe('STRAßE');
    expect(lowerText('ΣΑΣ')).toBe('σασ');
    expect(lowerText('İ')).toBe('İ');
    expect(compareText('\uFF5E', '😀')).toBe(-1);
    expect(compareText('a', 'a')).toBe(0);
    expect(compareText('Z', 'a')).toBe(-1);
  });
});
