import { describe, expect, it } from 'vitest';
import { branchFor, emptyValue, isExpressionField, localProblems, type JsonSchema } from './json-schema';

const derive: JsonSchema = {
  type: 'object',
  properties: {
    columns: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'expr'],
        properties: { name: { type: 'string', minLength: 1 }, expr: { type: 'string', minLength: 1, description: 'A SQL expression over the input columns.' } },
      },
    },
  },
  required: ['columns'],
};

describe('config forms from JSON Schema', () => {
  it('finds problems as you type, with config paths like the host reports', () => {
    expect(localProblems(derive, { columns: [] })).toEqual({ columns: 'needs at least 1 item' });
    expect(localProblems(derive, { columns: [{ name: 'a', expr: '' }] })).toEqual({ 'columns[0].expr': 'expr is required' });
    expect(localProblems(derive, {})).toEqual({ columns: 'columns is required' });
    expect(localProblems(derive, { columns: [{ name: 'a', expr: 'b' }] })).toEqual({});
  });

  it('tells expression fields, anyOf branches and empty values', () => {
    expect(isExpressionField('expr', derive.properties!.columns.items!.properties!.expr)).toBe(true);
    expect(isExpressionField('name', { type: 'string' })).toBe(false);
    const anyOf: JsonSchema = { anyOf: [{ type: 'array' }, { type: 'object' }] };
    expect(branchFor(anyOf, { a: 'int' })).toBe(1);
    expect(branchFor(anyOf, [])).toBe(0);
    expect(emptyValue(derive.properties!.columns.items!)).toEqual({ name: '', expr: '' });
  });
});
