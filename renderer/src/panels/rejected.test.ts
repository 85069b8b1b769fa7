import { describe, expect, it } from 'vitest';
import { groupsByColumn, groupsByPattern, groupsByRule, valuePattern, type RejectedRow } from './rejected';

const row = (id: number, rule: string, column: string | null, value: string | null): RejectedRow => ({
  id,
  nodeId: 'check',
  rule,
  column,
  value,
  message: `${rule} failed`,
  rowKey: null,
  row: {},
  severity: 'error',
  replayedAt: null,
});

describe('grouping rejected rows', () => {
  it('groups the summary by rule and by column', () => {
    const groups = [
      { nodeId: 'check', rule: 'schema', column: 'email', count: 5, sampleMessage: 'not an email' },
      { nodeId: 'check', rule: 'schema', column: 'id', count: 1, sampleMessage: 'required' },
      { nodeId: 'check', rule: 'positive_quantity', column: 'quantity', count: 7, sampleMessage: 'quantity must be positive' },
    ];
    expect(groupsByRule(groups).map((g) => [g.label, g.count])).toEqual([
      ['positive_quantity', 7],
      ['schema', 6],
    ]);
    expect(groupsByColumn(groups).map((g) => [g.label, g.count, g.filter.column])).toEqual([
      ['quantity', 7, 'quantity'],
      ['email', 5, 'email'],
      ['id', 1, 'id'],
    ]);
  });

  it('groups rows by the shape of their offending value', () => {
    expect(valuePattern('john.doe@example')).toBe('a.a@a');
    expect(valuePattern('john doe@x.com')).toBe('a␣a@a.a');
    expect(valuePattern('')).toBe("'' (empty)");
    expect(valuePattern(null)).toBe('NULL');
    expect(valuePattern('-3')).toBe('-9');
    const nullInRow = { ...row(3, 'schema', 'email', 'NULL'), row: { email: null } };
    const groups = groupsByPattern([row(1, 'schema', 'email', 'ab'), row(2, 'schema', 'email', 'cd'), nullInRow]);
    expect(groups.map((g) => [g.label, g.count, g.ids])).toEqual([
      ['email: a', 2, [1, 2]],
      ['email: NULL', 1, [3]],
    ]);
  });
});
