import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal';
import { loadDocument, serializeDocument } from './document-io';

const text = `version: 1
name: paid-orders
parameters:
  min_total: { type: decimal, default: 10 }
  big: { type: bigint, default: 123456789012345678901 }
connections:
  warehouse:
    url: "postgres://analyst@db.example.internal:5432/wh"
    password: "\${env:WH_PASSWORD}"
nodes:
  - id: orders
    type: source
    config: { table: orders, connection: warehouse }
    position: { x: 0, y: 0 }
  - config: { where: "status = 'paid' AND total >= :min_total" }
    type: filter
    id: paid
edges:
  - { to: paid, from: orders }
`;

describe('pipeline documents', () => {
  it('writes canonical key order, keeps config order, and round-trips byte for byte', () => {
    const doc = loadDocument(text).document!;
    for (const format of ['yaml', 'json'] as const) {
      const once = serializeDocument(doc, format);
      const twice = serializeDocument(loadDocument(once).document!, format);
      expect(twice).toBe(once);
      expect(loadDocument(once).document).toEqual(doc);
    }
    const yaml = serializeDocument(doc, 'yaml');
    expect(yaml).toContain('  - id: paid\n    type: filter\n');
    expect(yaml).toContain('config:\n      table: orders\n      connection: warehouse');
    expect(yaml).toContain('  - { from: orders, to: paid }');
    // Integers beyond 2^53 stay exact (as text, which the parameter's cast reads exactly).
    expect(doc.parameters!.big.default).toBe('123456789012345678901');
  });

  it('refuses secrets in plain text and reports every envelope problem with its path', () => {
    const r = loadDocument(`version: 2
name: ""
connections:
  db: { url: "sqlite:./x.db", password: hunter2 }
nodes:
  - { id: 9lives, type: source }
  - { id: ok, type: source, colour: red }
`);
    expect(r.document).toBeUndefined();
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['version', 'name', 'connections.db.password', 'nodes[0].id', 'nodes[1]']));
    expect(r.problems.find((p) => p.path === 'connections.db.password')!.message).toContain('${env:DB_PASSWORD}');
  });

  it('reports syntax errors with line and column, and duplicate keys', () => {
    expect(loadDocument('version: 1\nname: x\nname: y\nnodes: []', 'p.yaml').problems[0].message).toMatch(/^p\.yaml:3:1: /);
    expect(loadDocument('{"version": 1,\n "name": }', 'p.json').problems[0].message).toMatch(/^p\.json:2:\d+: /);
  });
});

describe('Decimal', () => {
  const d = (s: string) => Decimal.parse(s)!;
  it('is exact where floats are not', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d('12345678901234567890123456.7890123456').mul(d('10')).toString()).toBe('123456789012345678901234567.8901234560');
    expect(d('1').div(d('3'), 6)!.toString()).toBe('0.333333');
    expect(d('-2.5').round().toString()).toBe('-3');
    expect(d('2.5').round().toString()).toBe('3');
    expect(d('1.2345').trunc(2).toString()).toBe('1.23');
    expect(d('-1.5').floor().toString()).toBe('-2');
    expect(d('1e3').toString()).toBe('1000');
    expect(d('1.50').normalize().toString()).toBe('1.5');
    expect(d('1').div(d('0'), 2)).toBeUndefined();
    expect(Decimal.parse('abc')).toBeUndefined();
    expect(d('123.45').fits(5, 2)).toBe(true);
    expect(d('1234.5').fits(5, 2)).toBe(false);
  });
});
