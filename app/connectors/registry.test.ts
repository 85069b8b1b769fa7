import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { checkRegistry, connectorFor, connectors, knownSchemes, openConnection } from './registry';
import type { ConnectorModule } from './types';
import { parseConnectionUrl, resolveFilePath, resolveOptions } from './url';

describe('registry', () => {
  it('lists each connector once and finds them by URL scheme', () => {
    expect(connectors.map((c) => c.id)).toEqual(['sqlite', 'postgres', 'mysql', 'csv', 'ndjson', 'json']);
    expect(connectorFor('sqlite:./x.db')?.id).toBe('sqlite');
    expect(connectorFor('CSV:./x.csv')?.id).toBe('csv');
    expect(connectorFor('jsonl:./x.jsonl')?.id).toBe('ndjson');
    expect(connectorFor('json:./x.json')?.id).toBe('json');
    expect(connectorFor('postgres://h/db')?.id).toBe('postgres');
    expect(connectorFor('postgresql://h/db')?.id).toBe('postgres');
    expect(connectorFor('mysql://h/db')?.id).toBe('mysql');
    expect(connectorFor('mariadb://h/db')?.id).toBe('mysql');
    expect(connectorFor('no scheme')).toBeUndefined();
  });

  it('describes every connector with options that have descriptions and defaults', () => {
    for (const c of connectors) {
      expect(c.title && c.description && c.examples.length).toBeTruthy();
      const schema = z.toJSONSchema(c.options) as { properties: Record<string, { description?: string }> };
      for (const [name, prop] of Object.entries(schema.properties)) expect([c.id, name, typeof prop.description]).toEqual([c.id, name, 'string']);
      for (const example of c.examples) expect(connectorFor(example)).toBe(c);
    }
  });

  it('refuses duplicate ids and schemes', () => {
    const a = connectors[0];
    expect(() => checkRegistry([a, { ...a, schemes: ['other'] } as ConnectorModule])).toThrow(/duplicate id 'sqlite'/);
    expect(() => checkRegistry([a, { ...a, id: 'x' } as ConnectorModule])).toThrow(/scheme 'sqlite' claimed by both 'sqlite' and 'x'/);
  });

  it('says which schemes it knows when none fits', async () => {
    expect(knownSchemes()).toEqual(['sqlite', 'sqlite3', 'postgres', 'postgresql', 'mysql', 'mariadb', 'csv', 'ndjson', 'jsonl', 'json']);
    await expect(openConnection({ url: 'mongodb://x' }, { baseDir: '/' })).rejects.toThrow(/no connector for 'mongodb:' URLs \(known: sqlite:, sqlite3:, postgres:/);
    await expect(openConnection({ url: './file.csv' }, { baseDir: '/' })).rejects.toThrow(/not a connection URL/);
  });
});

describe('connection URLs', () => {
  it('splits scheme, path and query; paths resolve against the base folder', () => {
    expect(parseConnectionUrl('csv:./in.csv?delimiter=;&header=false')).toEqual({ scheme: 'csv', body: './in.csv', query: { delimiter: ';', header: 'false' } });
    expect(parseConnectionUrl('sqlite::memory:')).toMatchObject({ scheme: 'sqlite', body: ':memory:' });
    expect(resolveFilePath('./data.db', '/pipelines')).toBe('/pipelines/data.db');
    expect(resolveFilePath('/abs/path.db', '/pipelines')).toBe('/abs/path.db');
    expect(resolveFilePath('///abs/x.csv', '/p')).toBe('/abs/x.csv');
  });

  it('coerces query values to the option types; explicit options win', () => {
    const schema = z.strictObject({ flag: z.boolean().default(true), n: z.number().default(1), types: z.record(z.string(), z.string()).default({}), s: z.string().default('') });
    expect(resolveOptions(schema, { flag: 'false', n: '42', types: 'id:int;price:decimal(10,2)', s: '007' }, { n: 7 }, 't')).toEqual({
      flag: false,
      n: 7,
      types: { id: 'int', price: 'decimal(10,2)' },
      s: '007',
    });
    expect(() => resolveOptions(schema, { flg: 'true' }, undefined, 't')).toThrow(/unknown option 'flg' \(did you mean 'flag'\?\)/);
    expect(() => resolveOptions(schema, { n: 'many' }, undefined, 't')).toThrow(/option 'n'/);
  });
});
