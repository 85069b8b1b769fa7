import { describe, expect, it } from 'vitest';
import { clearMapping, columnOfExpr, fillDown, mapAllByName, mappingRows, parseDefault, setCast, setDefault, setExpr, setSource, type MapConfig, type TargetColumn } from './mapping';

const targets: TargetColumn[] = [
  { name: 'id', type: 'bigint', nullable: false, hasDefault: false },
  { name: 'customer_email', type: 'text', nullable: false, hasDefault: false },
  { name: 'Order Total', type: 'decimal(12,2)', nullable: true, hasDefault: false },
  { name: 'status', type: 'text', nullable: false, hasDefault: true },
  { name: 'country', type: 'text', nullable: false, hasDefault: false },
];
const sources = ['id', 'CustomerEmail', 'order_total', 'cuntry', 'notes'];
const base: MapConfig = { target: { connection: 'wh', table: 'orders' }, columns: [], auto: true };

describe('mapping editor model', () => {
  it('matches exact names, then names equal ignoring case, spaces and _; suggests close ones; flags required columns left unmapped', () => {
    const rows = mappingRows(base, targets, sources);
    expect(rows.map((r) => [r.target.name, r.how, r.source ?? null])).toEqual([
      ['id', 'exact', 'id'],
      ['customer_email', 'auto', 'CustomerEmail'],
      ['Order Total', 'auto', 'order_total'],
      ['status', 'none', null],
      ['country', 'none', null],
    ]);
    expect(rows[4].suggestions).toEqual(['cuntry']);
    expect(rows[4].missingRequired).toBe(true);
    // status is NOT NULL but the table has a default for it.
    expect(rows[3].missingRequired).toBe(false);
  });

  it('maps all by name explicitly, and drag-to-map writes a (quoted) column reference', () => {
    let c = mapAllByName(base, targets, sources);
    expect(c.columns).toEqual([
      { name: 'customer_email', expr: 'CustomerEmail' },
      { name: 'Order Total', expr: 'order_total' },
    ]);
    c = setSource(c, 'country', 'cuntry');
    expect(mappingRows(c, targets, sources)[4]).toMatchObject({ how: 'column', source: 'cuntry', missingRequired: false });
    c = setSource(c, 'id', 'notes');
    c = setSource({ ...c }, 'Order Total', 'Order Total');
    expect(c.columns?.find((x) => x.name === 'Order Total')).toBeUndefined();
    expect(setSource(base, 'id', 'unit price').columns).toEqual([{ name: 'id', expr: '"unit price"' }]);
    expect(columnOfExpr('"unit price"', ['unit price'])).toBe('unit price');
  });

  it('sets an expression, a cast and a default per target; an empty value removes it', () => {
    let c = setExpr(base, 'country', "upper('x')");
    c = setCast(c, 'country', 'text');
    c = setDefault(c, 'Order Total', '0');
    expect(c.columns).toEqual([
      { name: 'country', expr: "upper('x')", type: 'text' },
      { name: 'Order Total', default: 0 },
    ]);
    expect(mappingRows(c, targets, sources)[4].how).toBe('expr');
    c = setExpr(setCast(c, 'country', ''), 'country', '');
    expect(c.columns).toEqual([{ name: 'Order Total', default: 0 }]);
    expect(parseDefault('true')).toBe(true);
    expect(parseDefault('null')).toBeNull();
    expect(parseDefault('unknown')).toBe('unknown');
  });

  it('fills one row\'s cast and default down, and clears everything', () => {
    let c = setDefault(setCast(base, 'customer_email', 'text'), 'customer_email', 'n/a');
    c = fillDown(c, targets, 'customer_email');
    expect(c.columns?.map((x) => [x.name, x.type, x.default])).toEqual([
      ['customer_email', 'text', 'n/a'],
      ['Order Total', 'text', 'n/a'],
      ['status', 'text', 'n/a'],
      ['country', 'text', 'n/a'],
    ]);
    expect(clearMapping(c).columns).toEqual([]);
    expect(clearMapping({ columns: [{ name: 'a', expr: 'b' }] }).columns).toEqual([{ name: 'a' }]);
  });
});
