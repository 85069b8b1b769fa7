import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { provider, SqliteTestConnection } from '../common/test-connections';
import { runNode } from '../testing';
import { mapNode } from './map.node';

const schema: Schema = {
  columns: [col('ID', T.bigint, false), col('Mail', T.text), col('qty', T.text), col('price', T.decimal(10, 2)), col('note', T.text)],
  key: ['ID'],
};
const big = 2n ** 62n;
const rows: Row[] = [
  [1, ' A@X.org ', '3', Decimal.parse('2.50')!, 'ünï ✓'],
  [big, null, null, null, null],
  [3, 'c@x.org', 'three', Decimal.parse('1.00')!, '日本'],
  [4, 'd@x.org', '7', Decimal.parse('0.10')!, null],
];
const input = { in: { schema, rows } };
const d = (s: string) => Decimal.parse(s)!;

describe('map', () => {
  it('builds the target columns from expressions and matched columns, casting and defaulting', async () => {
    const r = await runNode(
      mapNode,
      {
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'email', expr: 'lower(trim(Mail))', default: 'unknown' },
          { name: 'quantity', expr: 'qty', type: 'int', default: 0 },
          { name: 'price', type: 'decimal(12,3)', required: true },
        ],
      },
      input,
      { batchSize: 2 },
    );
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toEqual({
      columns: [col('id', T.bigint, false), col('email', T.text, false), col('quantity', T.int, false), col('price', T.decimal(12, 3), false)],
    });
    expect(r.outputs.out).toEqual([
      [1, 'a@x.org', 3, d('2.500')],
      [4, 'd@x.org', 7, d('0.100')],
    ]);
    // Row 2: price required and NULL; row 3: 'three' is not an int. Every reason is kept.
    expect(r.rejected.map((x) => x.row)).toEqual([rows[1], rows[2]]);
    expect(r.rejected[0].reasons).toEqual([{ rule: 'required', column: 'price', value: null, message: 'price is required but is NULL' }]);
    expect(r.rejected[1].reasons).toMatchObject([{ rule: 'cast', column: 'quantity', value: 'three', message: "quantity: 'three' is not an int" }]);
    expect(r.outputs.rejected).toHaveLength(2);
  });

  it('auto-matches names ignoring case, spaces and underscores, only when auto is on', async () => {
    const r = await runNode(mapNode, { columns: [{ name: 'id' }, { name: 'mail' }, { name: 'Q_T_Y', type: 'int' }] }, input);
    expect(r.problems).toEqual([]);
    expect(r.outputs.out.slice(0, 2)).toEqual([
      [1, ' A@X.org ', 3],
      [big, null, null],
    ]);
    const off = await runNode(mapNode, { auto: false, columns: [{ name: 'id' }] }, input);
    expect(off.problems).toMatchObject([{ path: 'columns[0]', message: "target column 'id' has no expr, no type and no input column of that name" }]);
  });

  it('reports rows whose expression fails', async () => {
    const r = await runNode(mapNode, { columns: [{ name: 'x', expr: 'CAST(qty AS int) * 2' }] }, input);
    expect(r.problems).toEqual([]);
    expect(r.outputs.out).toEqual([[6], [null], [14]]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0].reasons[0]).toMatchObject({ rule: 'expression', column: 'x' });
  });

  it('warns about a target column nothing maps to, and keeps it NULL', async () => {
    const r = await runNode(mapNode, { columns: [{ name: 'id' }, { name: 'phone', type: 'text' }] }, input);
    expect(r.problems).toMatchObject([{ path: 'columns[1]', severity: 'warning', message: "target column 'phone' gets no value: it will be NULL" }]);
    expect(r.outputs.out[0]).toEqual([1, null]);
  });

  it('reports every configuration problem with its path', async () => {
    const r = await runNode(
      mapNode,
      {
        columns: [
          { name: 'a', expr: 'nosuch + 1' },
          { name: 'b', type: 'money' },
          { name: 'c', expr: 'Mail', type: 'int', default: 'x' },
          { name: 'discount', type: 'int', required: true },
          { name: 'e', expr: 'price', type: 'bytes' },
          { name: 'a', expr: '1' },
        ],
      },
      input,
    );
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p.message]));
    expect(byPath['columns[5].name']).toBe("target column 'a' is listed twice");
    expect(r.problems).toHaveLength(1);
    const r2 = await runNode(
      mapNode,
      {
        columns: [
          { name: 'a', expr: 'nosuch + 1' },
          { name: 'b', type: 'money' },
          { name: 'c', expr: 'Mail', type: 'int', default: 'x' },
          { name: 'discount', type: 'int', required: true },
          { name: 'e', expr: 'price', type: 'boolean' },
        ],
      },
      input,
    );
    const paths = r2.problems.map((p) => p.path);
    expect(paths).toEqual(['columns[0].expr', 'columns[1].type', 'columns[2].default', 'columns[3]', 'columns[4].expr']);
    expect(r2.problems[1].message).toMatch(/^unknown type 'money'/);
    expect(r2.problems[2].message).toBe("default \"x\" does not fit type int: 'x' is not an int");
    expect(r2.problems[3].message).toBe("target column 'discount' is required but nothing maps to it: give an expr or a default");
    expect(r2.problems[4].message).toBe("the expression is decimal(10,2) and cannot be cast to boolean (target column 'e')");
    const r4 = await runNode(mapNode, { columns: [{ name: 'price', type: 'date' }] }, input);
    expect(r4.problems).toMatchObject([{ path: 'columns[0]', message: "column 'price' is decimal(10,2) and cannot be cast to date (target column 'price')" }]);
    const r3 = await runNode(mapNode, {}, input);
    expect(r3.problems).toMatchObject([{ path: 'columns', message: 'the mapping has no target columns: list columns or give a target table' }]);
  });

  it('takes the target columns from a table: order, types, NOT NULL, database defaults', async () => {
    const conn = SqliteTestConnection.create(`
      CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL,
        quantity INTEGER,
        price DECIMAL(12,2) NOT NULL DEFAULT 0,
        created_at TEXT DEFAULT CURRENT_TIMESTAMP,
        Order_Note TEXT
      )`);
    const connections = provider({ wh: conn });
    const r = await runNode(
      mapNode,
      { target: { connection: 'wh', table: 'customers' }, columns: [{ name: 'email', expr: 'lower(trim(Mail))' }, { name: 'quantity', expr: 'qty' }] },
      input,
      { connections },
    );
    expect(r.problems).toMatchObject([{ path: 'target', severity: 'warning', message: "target column 'Order_Note' gets no value: it will be NULL" }]);
    // id is the rowid alias (auto-increment) but is mapped from ID; created_at has a default and no source: left out.
    expect(r.schemas.out!.columns.map((c) => [c.name, c.type.kind, c.nullable])).toEqual([
      ['id', 'bigint', false],
      ['email', 'text', false],
      ['quantity', 'bigint', true],
      ['price', 'decimal', false],
      ['Order_Note', 'text', true],
    ]);
    expect(r.outputs.out[0]).toEqual([1, 'a@x.org', 3, d('2.50'), null]);
    expect(r.rejected.map((x) => x.reasons.map((y) => y.rule))).toEqual([['required', 'required'], ['cast']]);
    expect(r.rejected[0].reasons.map((y) => y.column)).toEqual(['email', 'price']);
  });

  it('reports target problems: unknown table, unknown column with a suggestion, required unmapped', async () => {
    const conn = SqliteTestConnection.create(`CREATE TABLE t (id INTEGER NOT NULL, customer_name TEXT NOT NULL)`);
    const connections = provider({ wh: conn });
    const r = await runNode(mapNode, { target: { connection: 'wh', table: 'nope' } }, input, { connections });
    expect(r.problems).toMatchObject([{ path: 'target.table', message: "cannot read the columns of table 'nope': no table 'nope'" }]);
    const r2 = await runNode(mapNode, { target: { connection: 'wh', table: 't' }, columns: [{ name: 'customer_nam', expr: 'Mail' }] }, input, { connections });
    expect(r2.problems).toMatchObject([{ path: 'columns[0].name', message: "table 't' has no column 'customer_nam' (did you mean 'customer_name'?)" }]);
    const r3 = await runNode(mapNode, { target: { connection: 'wh', table: 't' } }, { in: { schema: { columns: [col('id', T.int), col('custname', T.text)] }, rows: [] } }, {
      connections,
    });
    expect(r3.problems).toMatchObject([
      { path: 'target', message: "target column 'customer_name' is required but nothing maps to it (did you mean input column 'custname'?): give an expr or a default" },
    ]);
  });

  it('handles an empty input', async () => {
    const r = await runNode(mapNode, { columns: [{ name: 'id' }] }, { in: { schema, rows: [] } });
    expect(r.outputs.out).toEqual([]);
  });
});
