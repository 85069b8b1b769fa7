import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import type { Row } from '../../model/values';
import { RowConverter } from './convert';
import { fitName, maxLengthOf, translateDefault } from './ddl';
import { compareKeys, decodeKey, encodeKey, orderedSelect } from './keys';
import type { PlannedColumn } from './types';
import { canonicalRow, canonicalValue } from './verify';

const planned = (name: string, from: PlannedColumn['sourceLogical'], to: PlannedColumn['targetLogical'], o: Partial<PlannedColumn> = {}): PlannedColumn => ({
  name,
  sourceType: from.kind,
  sourceLogical: from,
  targetType: to.kind,
  targetLogical: to,
  nullable: true,
  sourceNullable: true,
  autoIncrement: false,
  ...o,
});

describe('DDL helpers', () => {
  it('carries literal and current-time defaults over, per dialect, and nothing else', () => {
    expect(translateDefault("'n/a'::character varying", 'mysql', { kind: 'text' }, 'longtext')).toBe("'n/a'");
    expect(translateDefault("'it''s'", 'postgres', { kind: 'text' }, 'text')).toBe("'it''s'");
    expect(translateDefault('(0)', 'postgres', { kind: 'boolean' }, 'boolean')).toBe('false');
    expect(translateDefault('1', 'mysql', { kind: 'boolean' }, 'tinyint(1)')).toBe('1');
    expect(translateDefault('true', 'sqlite', { kind: 'boolean' }, 'BOOLEAN')).toBe('1');
    expect(translateDefault('-1.5e3', 'sqlite', { kind: 'float' }, 'REAL')).toBe('-1.5e3');
    expect(translateDefault('current_timestamp()', 'mysql', { kind: 'timestamp' }, 'datetime(6)')).toBe('CURRENT_TIMESTAMP(6)');
    expect(translateDefault('now()', 'sqlite', { kind: 'timestamptz' }, 'TIMESTAMPTZ')).toBe('CURRENT_TIMESTAMP');
    expect(translateDefault('NULL', 'postgres', { kind: 'int' }, 'integer')).toBe('NULL');
    expect(translateDefault("nextval('t_id_seq'::regclass)", 'mysql', { kind: 'int' }, 'int')).toBeUndefined();
    expect(translateDefault('gen_random_uuid()', 'sqlite', { kind: 'uuid' }, 'UUID')).toBeUndefined();
    expect(translateDefault("'a\\b'", 'mysql', { kind: 'text' }, 'longtext')).toBeUndefined();
  });

  it('fits names to the dialect limits with a stable hash', () => {
    const long = 'x'.repeat(80);
    expect(fitName(long, 'postgres')).toHaveLength(63);
    expect(fitName(long, 'postgres')).toBe(fitName(long, 'postgres'));
    expect(fitName(long, 'mysql')).toHaveLength(64);
    expect(fitName('ok', 'postgres')).toBe('ok');
    expect(Buffer.byteLength(fitName('é'.repeat(40), 'postgres'))).toBeLessThanOrEqual(63);
  });

  it('reads the length limit of a text type', () => {
    expect(maxLengthOf('varchar(20)')).toBe(20);
    expect(maxLengthOf('character varying(255)')).toBe(255);
    expect(maxLengthOf('NVARCHAR(40)')).toBe(40);
    expect(maxLengthOf('text')).toBeUndefined();
  });
});

describe('keys', () => {
  it('round-trip through the checkpoint form exactly (bigint, decimals, bytes, text)', () => {
    const key = [9007199254740993n, Decimal.parse('1.50')!, new Uint8Array([0, 255]), 'é', 42, true, null];
    const back = decodeKey(JSON.parse(JSON.stringify(encodeKey(key))));
    expect(back[0]).toBe(9007199254740993n);
    expect((back[1] as Decimal).toString()).toBe('1.50');
    expect([...(back[2] as Uint8Array)]).toEqual([0, 255]);
    expect(back.slice(3)).toEqual(['é', 42, true, null]);
    expect(() => decodeKey([['q', 1]])).toThrow(/unknown tag/);
  });

  it('order keys column by column, numbers numerically and text by code point', () => {
    expect(compareKeys([1, 'b'], [1, 'a'])).toBeGreaterThan(0);
    expect(compareKeys([2], [10])).toBeLessThan(0);
    expect(compareKeys(['\u{1F600}'], ['\uffff'])).toBeGreaterThan(0);
  });

  it('write row-value ranges in key order, with binary collation when asked', () => {
    const key = [
      { name: 'a', type: { kind: 'bigint' as const } },
      { name: 'b', type: { kind: 'text' as const }, native: 'varchar(10)' },
    ];
    expect(orderedSelect({ table: { name: 't' }, columns: ['a', 'b', 'c'], key, dialect: 'postgres', after: [1, 'x'] })).toEqual({
      sql: 'SELECT "a", "b", "c" FROM "t" WHERE ("a", "b") > (?, ?) ORDER BY "a", "b"',
      params: [1, 'x'],
    });
    expect(orderedSelect({ table: { name: 't', schema: 's' }, columns: ['a'], key, dialect: 'postgres', binary: true, from: [1, 'x'], to: [5, 'y'] }).sql).toBe(
      'SELECT "a" FROM "s"."t" WHERE ("a", "b" COLLATE "C") >= (?, ?) AND ("a", "b" COLLATE "C") < (?, ?) ORDER BY "a", "b" COLLATE "C"',
    );
    expect(orderedSelect({ table: { name: 't' }, columns: ['a'], key: key.slice(1), dialect: 'mysql', binary: true }).sql).toBe('SELECT `a` FROM `t` ORDER BY BINARY `b`');
    expect(orderedSelect({ table: { name: 't' }, columns: ['a'], key: key.slice(1), dialect: 'sqlite', binary: true, after: ['q'] }).sql).toBe('SELECT "a" FROM "t" WHERE "b" COLLATE BINARY > ? ORDER BY "b" COLLATE BINARY');
  });
});

describe('row conversion', () => {
  it('passes rows untouched when the types agree', () => {
    const c = new RowConverter([planned('a', { kind: 'int' }, { kind: 'bigint' }), planned('b', { kind: 'text' }, { kind: 'text' })], [{ kind: 'int' }, { kind: 'text' }], true);
    expect(c.passThrough).toBe(true);
  });

  it('converts as CAST does and rejects what the target cannot hold, naming the column', () => {
    const cols = [
      planned('id', { kind: 'bigint' }, { kind: 'bigint' }, { nullable: false, sourceNullable: false }),
      planned('qty', { kind: 'text' }, { kind: 'int' }),
      planned('price', { kind: 'float' }, { kind: 'decimal', precision: 6, scale: 2 }),
      planned('code', { kind: 'text' }, { kind: 'text' }, { maxLength: 3 }),
      planned('must', { kind: 'text' }, { kind: 'text' }, { nullable: false }),
    ];
    const c = new RowConverter(cols, cols.map((x) => x.sourceLogical), true);
    const ok: Row = [1, ' 12 ', 1.005, 'abc', 'x'];
    expect(c.convert(ok)).toBeUndefined();
    expect(ok[1]).toBe(12);
    expect((ok[2] as Decimal).toString()).toBe('1.01');
    expect(c.convert([2, 'twelve', 1, 'a', 'x'])).toMatchObject({ rule: 'type', column: 'qty', value: '"twelve"', message: expect.stringMatching(/^column 'qty': .*twelve.* \(target type int\)$/) });
    expect(c.convert([3, '1', 123456.7, 'a', 'x'])).toMatchObject({ rule: 'type', column: 'price', message: expect.stringContaining('does not fit decimal(6,2)') });
    expect(c.convert([4, '1', 1, 'abcd', 'x'])).toMatchObject({ rule: 'length', column: 'code', message: "column 'code': \"abcd\" is longer than 3 characters" });
    expect(c.convert([5, '1', 1, '😀😀😀', 'x'])).toBeUndefined();
    expect(c.convert([6, '1', 1, 'a', null])).toMatchObject({ rule: 'not-null', column: 'must' });
  });

  it('checks SQLite decimals against the declared precision (SQLite does not)', () => {
    const cols = [planned('amount', { kind: 'decimal', precision: 10, scale: 2 }, { kind: 'decimal', precision: 10, scale: 2 })];
    const lax = new RowConverter(cols, [cols[0].sourceLogical], false);
    expect(lax.convert([Decimal.parse('1.234')!])).toBeUndefined();
    expect(lax.convert([Decimal.parse('123456789012.5')!])).toMatchObject({ rule: 'type', column: 'amount' });
    expect(new RowConverter(cols, [cols[0].sourceLogical], true).passThrough).toBe(true);
  });
});

describe('canonical encoding for checksums', () => {
  it('gives the same text for the same value whatever form a driver hands over', () => {
    expect(canonicalValue(Decimal.parse('1.50')!, { kind: 'decimal' })).toBe(canonicalValue(Decimal.parse('1.5000000000')!, { kind: 'decimal', precision: 65, scale: 30 }));
    expect(canonicalValue('2009-01-01 00:00:00.000000', { kind: 'timestamp' })).toBe('2009-01-01 00:00:00');
    expect(canonicalValue('2009-01-01 00:00:00.120000+00:00', { kind: 'timestamptz' })).toBe('2009-01-01 00:00:00.12+00:00');
    expect(canonicalValue('12:00:00.5', { kind: 'time' })).toBe('12:00:00.5');
    expect(canonicalValue('{"b": 1, "a": [1, {"y": 2, "x": 1}]}', { kind: 'json' })).toBe('{"a":[1,{"x":1,"y":2}],"b":1}');
    expect(canonicalValue(-0, { kind: 'float' })).toBe('0');
    expect(canonicalValue(9007199254740993n, { kind: 'bigint' })).toBe('9007199254740993');
    expect(canonicalValue(new Uint8Array([1, 171]), { kind: 'bytes' })).toBe('01ab');
  });

  it('keeps NULL apart from empty text and from the text "-"', () => {
    const types = [{ kind: 'text' as const }, { kind: 'text' as const }];
    const rows = [canonicalRow([null, 'a'], types), canonicalRow(['', 'a'], types), canonicalRow(['-', 'a'], types), canonicalRow(['a|', ''], types), canonicalRow(['a', '|'], types)];
    expect(new Set(rows).size).toBe(rows.length);
  });
});
