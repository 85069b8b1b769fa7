import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { validateNode } from './validate.node';

const schema: Schema = {
  columns: [col('id', T.bigint, false), col('email', T.text), col('quantity', T.int), col('total', T.decimal(12, 2)), col('meta', T.json), col('raw', T.bytes)],
  key: ['id'],
};
const big = 2n ** 60n;
const rows: Row[] = [
  [1, 'a@x.org', 2, Decimal.parse('10.00')!, '{"tags":["a"]}', new Uint8Array([104, 105])],
  [big, 'not-an-email', 0, Decimal.parse('99999.99')!, '{"tags":"x"}', null],
  [3, null, null, null, null, null],
  [4, 'd@x.org', -1, Decimal.parse('5.00')!, '{"tags":["ünï","日本"]}', null],
];
const input = { in: { schema, rows } };

const rowSchema = {
  type: 'object',
  required: ['id', 'email'],
  properties: {
    email: { type: 'string', format: 'email' },
    total: { type: 'number', maximum: 50000 },
    id: { type: 'integer', minimum: 1 },
    meta: { type: 'object', properties: { tags: { type: 'array' } } },
    raw: { type: 'string', minLength: 4 },
  },
};

describe('validate', () => {
  it('rejects rows failing the JSON Schema with every reason; NULL columns count as absent', async () => {
    const r = await runNode(validateNode, { schema: rowSchema }, input, { batchSize: 2 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.out).toBe(schema);
    expect(r.outputs.out).toEqual([rows[0], rows[3]]);
    expect(r.rejected.map((x) => x.row)).toEqual([rows[1], rows[2]]);
    expect(r.rejected[0].reasons).toEqual([
      { rule: 'schema:format', column: 'email', value: 'not-an-email', message: 'email must match format "email"', severity: 'error' },
      { rule: 'schema:maximum', column: 'total', value: Decimal.parse('99999.99'), message: 'total must be <= 50000', severity: 'error' },
      { rule: 'schema:type', column: 'meta', value: '{"tags":"x"}', message: 'meta.tags must be array', severity: 'error' },
    ]);
    expect(r.rejected[1].reasons).toEqual([{ rule: 'schema:required', column: 'email', value: null, message: 'email is required but is NULL', severity: 'error' }]);
    // The rejected port carries the row with its reasons joined.
    expect(r.outputs.rejected[0].slice(6)).toEqual(['n', 'schema:format; schema:maximum; schema:type', 'email; total; meta', expect.any(String)]);
  });

  it('checks rules: a rule fails only when FALSE (NULL passes), errors reject, warnings pass and are recorded', async () => {
    const r = await runNode(
      validateNode,
      {
        rules: [
          { name: 'positive_quantity', expr: 'quantity > 0', message: 'quantity must be positive', column: 'quantity' },
          { name: 'small_total', expr: 'total < 1000', message: 'large order', severity: 'warning', column: 'total' },
          { name: 'has_email', expr: 'email IS NOT NULL' },
        ],
      },
      input,
    );
    expect(r.problems).toEqual([]);
    expect(r.outputs.out).toEqual([rows[0]]);
    expect(r.rejected.map((x) => x.row)).toEqual([rows[1], rows[2], rows[3]]);
    expect(r.rejected[0].reasons).toEqual([
      { rule: 'positive_quantity', column: 'quantity', value: 0, message: 'quantity must be positive', severity: 'error' },
      { rule: 'small_total', column: 'total', value: Decimal.parse('99999.99'), message: 'large order', severity: 'warning' },
    ]);
    // Row 3: quantity NULL passes positive_quantity; email NULL fails has_email (default message).
    expect(r.rejected[1].reasons).toEqual([{ rule: 'has_email', message: "rule 'has_email' failed: email IS NOT NULL", severity: 'error' }]);
    expect(r.warnings).toEqual([]);

    const w = await runNode(validateNode, { rules: [{ name: 'small_total', expr: 'total < 1000', message: 'large order', severity: 'warning' }] }, input);
    expect(w.outputs.out).toEqual(rows);
    expect(w.rejected).toEqual([]);
    expect(w.warnings).toEqual([{ row: rows[1], reasons: [{ rule: 'small_total', message: 'large order', severity: 'warning' }] }]);
  });

  it('can make schema failures warnings', async () => {
    const r = await runNode(validateNode, { schema: rowSchema, schemaSeverity: 'warning' }, input);
    expect(r.outputs.out).toEqual(rows);
    expect(r.warnings.map((x) => x.reasons.length)).toEqual([3, 1]);
  });

  it('rejects a row whose rule cannot be evaluated', async () => {
    const r = await runNode(validateNode, { rules: [{ name: 'numeric_mail', expr: 'CAST(email AS int) > 0', severity: 'warning' }] }, input);
    expect(r.rejected.map((x) => x.row)).toEqual([rows[0], rows[1], rows[3]]);
    expect(r.outputs.out).toEqual([rows[2]]);
    expect(r.rejected[0].reasons[0]).toMatchObject({
      rule: 'numeric_mail',
      severity: 'error',
      message: expect.stringMatching(/^rule 'numeric_mail' could not be evaluated: /),
    });
  });

  it('supports draft 2020-12 schemas, handles an empty input and stops when done', async () => {
    const s = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { quantity: { type: 'integer', minimum: 0 } } };
    const r = await runNode(validateNode, { schema: s }, input);
    expect(r.problems).toEqual([]);
    expect(r.rejected.map((x) => x.row)).toEqual([rows[3]]);
    expect(r.rejected[0].reasons[0].message).toBe('quantity must be >= 0');
    expect((await runNode(validateNode, { schema: s }, { in: { schema, rows: [] } })).outputs.out).toEqual([]);
    const done = await runNode(validateNode, { schema: s }, input, { batchSize: 1, doneAfter: { out: 1 } });
    expect(done.outputs.out).toEqual([rows[0]]);
  });

  it('reports configuration problems with paths', async () => {
    const r = await runNode(
      validateNode,
      {
        schema: { type: 'object', requried: ['id'] },
        rules: [
          { name: 'a', expr: 'quantity + 1' },
          { name: 'a', expr: 'quantiy > 0', column: 'totl' },
        ],
      },
      input,
    );
    expect(r.problems.map((p) => p.path)).toEqual(['schema', 'rules[0].expr', 'rules[1].name', 'rules[1].column', 'rules[1].expr']);
    expect(r.problems[0].message).toMatch(/^the JSON Schema is invalid: strict mode: unknown keyword: "requried"/);
    expect(r.problems[1].message).toBe("rule 'a' is not a condition: its type is bigint, not boolean");
    expect(r.problems[2].message).toBe("rule name 'a' is used twice");
    expect(r.problems[3].message).toBe("no column 'totl' in the input (did you mean 'total'?)");
    const r2 = await runNode(validateNode, { schema: { type: 'array', required: ['emal'], properties: { emal: { type: 'string' } } } }, input);
    expect(r2.problems.map((p) => [p.path, p.severity, p.message])).toEqual([
      ['schema.type', 'error', 'a row is an object; type "array" fails every row'],
      ['schema.required[0]', 'error', "required column 'emal' is not in the input, so every row would fail (did you mean 'email'?)"],
      ['schema.properties.emal', 'warning', "property 'emal' is not an input column: it is never checked (did you mean 'email'?)"],
    ]);
    const r3 = await runNode(validateNode, {}, input);
    expect(r3.problems).toMatchObject([{ path: 'rules', message: 'nothing to check: give a schema or rules' }]);
  });
});
