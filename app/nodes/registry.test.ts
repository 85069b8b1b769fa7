import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { nodeRegistry } from './registry';

type JsonSchema = Record<string, unknown>;

/** Every property of every object in a JSON Schema, with its path (through arrays, unions and refs). */
function properties(root: JsonSchema): Array<{ path: string; schema: JsonSchema }> {
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const found: Array<{ path: string; schema: JsonSchema }> = [];
  const seen = new Set<JsonSchema>();
  const walk = (s: unknown, path: string) => {
    if (!s || typeof s !== 'object' || seen.has(s as JsonSchema)) return;
    const schema = s as JsonSchema;
    seen.add(schema);
    if (typeof schema.$ref === 'string') walk(defs[schema.$ref.replace('#/$defs/', '')], path);
    for (const [name, p] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      found.push({ path: `${path}.${name}`, schema: p });
      walk(p, `${path}.${name}`);
    }
    walk(schema.items, `${path}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}.*`);
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
      for (const [i, sub] of ((schema[k] ?? []) as JsonSchema[]).entries()) walk(sub, `${path}<${k}${i}>`);
    }
  };
  walk(root, '');
  return found;
}

const EXPRESSION_FIELDS = new Set(['expr', 'when', 'where']);

describe('node registry', () => {
  const all = nodeRegistry.all();

  it('lists unique types', () => {
    const types = all.map((t) => t.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(
      expect.arrayContaining(['source', 'select', 'derive', 'map', 'filter', 'cast', 'validate', 'lookup', 'aggregate', 'dedupe', 'sort', 'union', 'route', 'sink']),
    );
  });

  for (const t of all) {
    describe(t.type, () => {
      it('describes itself and has an example config that parses', () => {
        expect(t.title.length).toBeGreaterThan(0);
        expect(['source', 'transform', 'quality', 'combine', 'sink']).toContain(t.category);
        expect(t.description.length).toBeGreaterThan(20);
        const parsed = t.config.safeParse(t.example);
        expect(parsed.error?.issues ?? []).toEqual([]);
        const ports = t.ports(parsed.data);
        expect(ports.inputs.length + ports.outputs.length).toBeGreaterThan(0);
      });

      it('has a description on every config field and examples on expression fields', () => {
        const schema = z.toJSONSchema(t.config, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
        const props = properties(schema);
        expect(props.length).toBeGreaterThan(0);
        const undocumented = props.filter((p) => typeof p.schema.description !== 'string' || p.schema.description.length === 0).map((p) => p.path);
        expect(undocumented).toEqual([]);
        const noExamples = props.filter((p) => EXPRESSION_FIELDS.has(p.path.split('.').pop()!) && !Array.isArray(p.schema.examples)).map((p) => p.path);
        expect(noExamples).toEqual([]);
      });
    });
  }
});
