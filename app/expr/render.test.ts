import { describe, expect, it } from 'vitest';
import type { Dialect } from '../connectors/types';
import { col } from '../model/schema';
import { T } from '../model/types';
import { checkExpression } from './check';
import { ExprRenderError } from './errors';
import { parseExpression } from './parser';
import { renderLiteral, renderSql, renderSqlDetailed } from './render-sql';

const scope = {
  columns: [col('qty', T.int), col('price', T.decimal(10, 2)), col('status', T.text), col('email', T.text), col('unit price', T.float), col('d', T.date), col('big', T.bigint), col('r', T.float)],
  params: { min_total: T.decimal() },
};

function sql(text: string, dialect: Dialect, opts?: Parameters<typeof renderSql>[2]): string {
  const r = checkExpression(text, scope);
  if (!r.ast || !r.type) throw new Error(r.problems.map((p) => p.message).join('; '));
  return renderSql(r.ast, dialect, opts);
}

describe('renderSql', () => {
  it('quotes columns per dialect, awkward names included', () => {
    expect(sql('"unit price" > 1e0', 'postgres')).toBe('("unit price" > CAST(1e0 AS DOUBLE PRECISION))');
    expect(sql('"unit price" > 1e0', 'mysql')).toBe('(`unit price` > 1e0)');
    expect(sql('"unit price" > 1e0', 'sqlite')).toBe('("unit price" > 1e0)');
  });

  it('writes parameters as :name unless told otherwise', () => {
    expect(sql('qty * price >= :min_total', 'postgres')).toBe('(("qty" * "price") >= :min_total)');
    expect(sql('qty * price >= :min_total', 'postgres', { param: () => '$1', column: (n) => `t.${n}` })).toBe('((t.qty * t.price) >= $1)');
  });

  it('integer division: / on SQLite and PostgreSQL (NULLIF against the error), DIV on MySQL', () => {
    expect(sql('qty / big', 'sqlite')).toBe('("qty" / "big")');
    expect(sql('qty / big', 'postgres')).toBe('(CAST("qty" AS BIGINT) / NULLIF("big", 0))');
    expect(sql('qty / big', 'mysql')).toBe('(`qty` DIV NULLIF(`big`, 0))');
  });

  it('widens int arithmetic to 64 bits on PostgreSQL, but not in comparisons (indexes stay usable)', () => {
    expect(sql('qty + 1', 'postgres')).toBe('(CAST("qty" AS BIGINT) + 1)');
    expect(sql('2147483647 + 1', 'postgres')).toBe('(CAST(2147483647 AS BIGINT) + 1)');
    expect(sql('qty = big', 'postgres')).toBe('("qty" = "big")');
    expect(sql('qty + 1', 'mysql')).toBe('(`qty` + 1)');
  });

  it('text equality and order are binary, case-sensitive and keep trailing spaces', () => {
    expect(sql("status = 'paid'", 'mysql')).toBe("(BINARY `status` = BINARY 'paid')");
    expect(sql("status < 'paid'", 'postgres')).toBe('("status" COLLATE "C" < \'paid\')');
    expect(sql("status = 'paid'", 'postgres')).toBe('("status" = \'paid\')');
    expect(sql("status = 'paid'", 'sqlite')).toBe('("status" = \'paid\' COLLATE BINARY)');
    expect(sql("status IN ('a', 'b')", 'mysql')).toBe("(BINARY `status` IN ('a', 'b'))");
  });

  it('LIKE is case-sensitive everywhere: GLOB on SQLite, a binary collation on MySQL', () => {
    expect(sql("email LIKE 'a%\\_*'", 'sqlite')).toBe('("email" GLOB \'a*_[*]\')');
    expect(sql("email LIKE 'a%'", 'postgres')).toBe('("email" LIKE \'a%\' ESCAPE \'\\\')');
    expect(sql("email LIKE 'a%'", 'mysql')).toBe("(`email` COLLATE utf8mb4_bin LIKE 'a%' ESCAPE '\\\\')");
    expect(sql("email ILIKE 'A%'", 'postgres')).toBe('(LOWER("email") LIKE LOWER(\'A%\') ESCAPE \'\\\')');
    expect(sql('email LIKE status', 'sqlite')).toBe('(sluice_like("email", "status", \'\\\'))');
  });

  it('|| is CONCAT on MySQL (|| is OR there); concat() skips NULLs', () => {
    expect(sql("email || '!'", 'mysql')).toBe("CONCAT(`email`, '!')");
    expect(sql("email || '!'", 'postgres')).toBe('("email" || \'!\')');
    expect(sql("concat(email, '!')", 'mysql')).toBe("CONCAT_WS('', `email`, '!')");
  });

  it('length counts characters: CHAR_LENGTH on MySQL', () => {
    expect(sql('length(email)', 'mysql')).toBe('CHAR_LENGTH(`email`)');
    expect(sql('length(email)', 'postgres')).toBe('LENGTH("email")');
  });

  it('rounds floats by their digits, half away from zero', () => {
    expect(sql('round(r, 2)', 'postgres')).toBe('CAST(ROUND(CAST(CAST("r" AS TEXT) AS NUMERIC), 2) AS DOUBLE PRECISION)');
    expect(sql('round(r, 2)', 'sqlite')).toBe('sluice_round("r", 2)');
    expect(sql('round(price, 1)', 'mysql')).toBe('ROUND(`price`, 1)');
  });

  it('renders literals of every type', () => {
    expect(renderLiteral("it's", { kind: 'text' }, 'postgres')).toBe("'it''s'");
    expect(renderLiteral('a\\b', { kind: 'text' }, 'mysql')).toBe("'a\\\\b'");
    expect(renderLiteral('2024-02-29', { kind: 'date' }, 'postgres')).toBe("DATE '2024-02-29'");
    expect(renderLiteral('2024-02-29', { kind: 'date' }, 'sqlite')).toBe("'2024-02-29'");
    expect(renderLiteral('2024-02-29 10:00:00+00:00', { kind: 'timestamptz' }, 'mysql')).toBe("TIMESTAMP '2024-02-29 10:00:00'");
    expect(renderLiteral(-5, { kind: 'int' }, 'sqlite')).toBe('(-5)');
    expect(renderLiteral(2.5, { kind: 'float' }, 'mysql')).toBe('2.5e0');
    expect(renderLiteral(null, { kind: 'int' }, 'postgres')).toBe('CAST(NULL AS INTEGER)');
    expect(renderLiteral(true, { kind: 'boolean' }, 'sqlite')).toBe('TRUE');
    expect(renderLiteral(new Uint8Array([1, 255]), { kind: 'bytes' }, 'postgres')).toBe("DECODE('01ff', 'hex')");
  });

  it('says where a dialect can only approximate', () => {
    const r = checkExpression('price * 2', scope);
    expect(renderSqlDetailed(r.ast!, 'sqlite').notes[0]).toContain('no exact decimal');
    expect(renderSqlDetailed(r.ast!, 'postgres').notes).toEqual([]);
    const f = checkExpression('CAST(r AS text)', scope);
    expect(renderSqlDetailed(f.ast!, 'postgres').notes[0]).toContain('float to text');
  });

  it('needs a checked tree', () => {
    expect(() => renderSql(parseExpression('a + 1'), 'postgres')).toThrow(ExprRenderError);
  });

  it('keeps the function pack to what SQLite lacks', () => {
    expect(sql("lower(email) = 'x'", 'sqlite')).toBe('(sluice_lower("email") = \'x\' COLLATE BINARY)');
    expect(sql('trim(email)', 'sqlite')).toBe('TRIM("email")');
    expect(sql("date_trunc('month', d)", 'sqlite')).toBe('(substr("d", 1, 7) || \'-01\')');
  });
});
