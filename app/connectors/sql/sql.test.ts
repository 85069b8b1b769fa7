import { describe, expect, it } from 'vitest';
import { bindPlaceholders } from './placeholders';
import { parseHostPort, parseServerUrl, redactPassword } from './server-url';
import { conversionWarning, mapColumnType, matchesType, parseTypeRule } from './typerules';

describe('placeholders', () => {
  const dollar = (i: number) => `$${i + 1}`;

  it('turns ? into $n outside literals, quoted identifiers and comments (PostgreSQL)', () => {
    const sql = `SELECT '?', "a?b", $$ ? $$, $tag$ ? $tag$, E'\\' ?' FROM t -- ?\nWHERE a = ? /* ? /* ? */ ? */ AND b = ?`;
    const r = bindPlaceholders(sql, [1, 'x'], 'postgres', dollar);
    expect(r.sql).toBe(`SELECT '?', "a?b", $$ ? $$, $tag$ ? $tag$, E'\\' ?' FROM t -- ?\nWHERE a = $1 /* ? /* ? */ ? */ AND b = $2`);
    expect(r.values).toEqual([1, 'x']);
  });

  it('leaves $n queries alone (where ? is a jsonb operator) and checks the count', () => {
    expect(bindPlaceholders(`SELECT j ? 'k' FROM t WHERE id = $1`, [5], 'postgres', dollar)).toEqual({ sql: `SELECT j ? 'k' FROM t WHERE id = $1`, values: [5] });
    expect(() => bindPlaceholders('SELECT ?, ?', [1], 'postgres', dollar)).toThrow(/more \? placeholders than the 1/);
    expect(() => bindPlaceholders('SELECT ?', [1, 2], 'postgres', dollar)).toThrow(/1 \? placeholder\(s\) but 2/);
    expect(bindPlaceholders('SELECT ?', undefined, 'postgres', dollar)).toEqual({ sql: 'SELECT ?', values: [] });
  });

  it('binds :name parameters once each, skipping :: casts and unknown names', () => {
    const r = bindPlaceholders(`SELECT :a::int, ':a', :b, :a, :other, arr[1:2] FROM t`, { a: 1, ':b': 'x' }, 'postgres', dollar);
    expect(r.sql).toBe(`SELECT $1::int, ':a', $2, $1, :other, arr[1:2] FROM t`);
    expect(r.values).toEqual([1, 'x']);
  });

  it('knows MySQL quoting: backslash escapes, double-quoted strings, backticks, # comments', () => {
    const lit = (_: number, v: unknown) => `<${String(v)}>`;
    const sql = "SELECT 'it\\'s ?', \"?\", `a?``b`, ? # ?\n, ? -- ?\n, 1--?\n";
    expect(bindPlaceholders(sql, [1, 2, 3], 'mysql', lit).sql).toBe("SELECT 'it\\'s ?', \"?\", `a?``b`, <1> # ?\n, <2> -- ?\n, 1--<3>\n");
  });
});

describe('server URLs', () => {
  it('splits authority and query into options, with aliases', () => {
    const u = parseServerUrl('postgres://ann@db.example.com:6432/shop?sslmode=require&statement_timeout=30000&pool=4&replica=host2:5432', 'PostgreSQL');
    expect(u).toEqual({
      scheme: 'postgres',
      query: { host: 'db.example.com', port: '6432', user: 'ann', database: 'shop', sslmode: 'require', statementTimeoutMs: '30000', poolSize: '4', replica: 'host2:5432' },
    });
    expect(parseServerUrl('postgres://a%40b:p%2Fw@[::1]/d%20b', 'PostgreSQL')).toEqual({ scheme: 'postgres', password: 'p/w', query: { host: '::1', user: 'a@b', database: 'd b' } });
    expect(() => parseServerUrl('postgres://a:secret@', 'PostgreSQL')).toThrow(/postgres:\/\/a:\*\*\*@/);
    expect(redactPassword('mysql://u:pw@h/db')).toBe('mysql://u:***@h/db');
    expect(parseHostPort('h2', 5432)).toEqual({ host: 'h2', port: 5432 });
    expect(parseHostPort('[::1]:6000', 5432)).toEqual({ host: '::1', port: 6000 });
  });
});

describe('type rules', () => {
  it('parses rules with and without a source dialect or a column', () => {
    expect(parseTypeRule('sqlite NUMERIC -> postgres numeric(12,2)')).toMatchObject({ from: { dialect: 'sqlite', type: 'NUMERIC' }, to: { dialect: 'postgres', type: 'numeric(12,2)' } });
    expect(parseTypeRule('DOUBLE PRECISION -> mysql double')).toMatchObject({ from: { type: 'DOUBLE PRECISION' }, to: { dialect: 'mysql', type: 'double' } });
    expect(parseTypeRule('* json -> postgresql jsonb')).toMatchObject({ from: { type: 'json' }, to: { dialect: 'postgres', type: 'jsonb' } });
    expect(parseTypeRule('mariadb TEXT in orders.code -> postgres varchar(20)')).toMatchObject({ from: { dialect: 'mysql', type: 'TEXT', column: 'orders.code' }, to: { type: 'varchar(20)' } });
    expect(() => parseTypeRule('NUMERIC numeric')).toThrow(/exactly one ->/);
    expect(() => parseTypeRule('sqlite NUMERIC -> oracle NUMBER')).toThrow(/must start with a dialect/);
  });

  it('matches type patterns: bare names take any arguments, globs, exact arguments', () => {
    expect(matchesType('NUMERIC', 'numeric(10, 2)')).toBe(true);
    expect(matchesType('numeric(10,2)', 'NUMERIC(10, 2)')).toBe(true);
    expect(matchesType('numeric(10,2)', 'numeric(12,2)')).toBe(false);
    expect(matchesType('varchar*', 'VARCHAR(20)')).toBe(true);
    expect(matchesType('timestamp*', 'timestamp(3) with time zone')).toBe(true);
    expect(matchesType('int', 'integer')).toBe(false);
  });

  it('maps a column: the first matching rule, else the default, with the target logical type and warnings', () => {
    const rules = ['sqlite NUMERIC -> postgres numeric(12,2)', 'sqlite TEXT in orders.code -> postgres varchar(20)', 'json -> postgres jsonb'].map(parseTypeRule);
    const price = mapColumnType({ table: 'orders', name: 'price', nativeType: 'NUMERIC', type: { kind: 'decimal' } }, 'sqlite', 'postgres', rules);
    expect(price).toMatchObject({ nativeType: 'numeric(12,2)', type: { kind: 'decimal', precision: 12, scale: 2 } });
    expect(price.warning).toMatch(/orders\.price.*decimal -> decimal\(12,2\)/);
    expect(mapColumnType({ table: 'orders', name: 'code', nativeType: 'TEXT', type: { kind: 'text' } }, 'sqlite', 'postgres', rules)).toMatchObject({ nativeType: 'varchar(20)', type: { kind: 'text' } });
    expect(mapColumnType({ table: 'other', name: 'code', nativeType: 'TEXT', type: { kind: 'text' } }, 'sqlite', 'postgres', rules)).toEqual({ nativeType: 'text', type: { kind: 'text' } });
    expect(mapColumnType({ name: 'doc', nativeType: 'JSON TEXT', type: { kind: 'json' } }, 'sqlite', 'postgres', rules).nativeType).toBe('jsonb');
    // Defaults per dialect, and the lossy ones said.
    expect(mapColumnType({ name: 'at', type: { kind: 'timestamptz' } }, 'postgres', 'mysql')).toEqual({ nativeType: "datetime(6) COMMENT 'sluice:timestamptz'", type: { kind: 'timestamptz' } });
    expect(mapColumnType({ name: 'n', type: { kind: 'decimal' } }, 'postgres', 'mysql').type).toEqual({ kind: 'decimal' });
    expect(mapColumnType({ name: 'id', type: { kind: 'bigint' } }, 'postgres', 'sqlite')).toEqual({ nativeType: 'INTEGER', type: { kind: 'bigint' } });
    expect(mapColumnType({ name: 'u', type: { kind: 'uuid' } }, 'postgres', 'mysql', [], { uuidType: true }).nativeType).toBe('uuid');
  });

  it('says what a conversion may lose', () => {
    expect(conversionWarning({ kind: 'int' }, { kind: 'bigint' })).toBeUndefined();
    expect(conversionWarning({ kind: 'decimal', precision: 10, scale: 2 }, { kind: 'decimal', precision: 12, scale: 2 })).toBeUndefined();
    expect(conversionWarning({ kind: 'decimal', precision: 12, scale: 4 }, { kind: 'decimal', precision: 12, scale: 2 })).toMatch(/rounded/);
    expect(conversionWarning({ kind: 'bigint' }, { kind: 'float' })).toMatch(/significant digits/);
    expect(conversionWarning({ kind: 'text' }, { kind: 'int' })).toMatch(/32 bits/);
    expect(conversionWarning({ kind: 'timestamptz' }, { kind: 'timestamp' })).toMatch(/without its zone/);
    expect(conversionWarning({ kind: 'uuid' }, { kind: 'text' })).toBeUndefined();
  });
});
