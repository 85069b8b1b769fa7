import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { CONTRACT, EVENT_NAMES, EVENTS, METHOD_NAMES, type Handlers, type MethodName, type ParsedInput } from '.';

describe('the API contract', () => {
  it('declares exactly the methods and events named in names.ts (the preload exposes those)', () => {
    expect(Object.keys(CONTRACT).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(EVENTS).sort()).toEqual([...EVENT_NAMES].sort());
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
  });

  it('names every method domain/verb', () => {
    for (const m of METHOD_NAMES) expect(m).toMatch(/^[a-z]+\/[a-z][A-Za-z]*$/);
    for (const e of EVENT_NAMES) expect(e).toMatch(/^[a-z]+\/[a-z][A-Za-z]*$/);
  });

  it('describes every method, and every schema converts to JSON Schema (for docs and clients)', () => {
    for (const [name, def] of Object.entries(CONTRACT)) {
      expect(def.description.length, name).toBeGreaterThan(10);
      expect(() => z.toJSONSchema(def.input, { io: 'input', unrepresentable: 'any' }), name).not.toThrow();
      expect(() => z.toJSONSchema(def.output, { unrepresentable: 'any' }), name).not.toThrow();
    }
  });

  it('has strict inputs: an unknown field is refused for every method', () => {
    for (const [name, def] of Object.entries(CONTRACT)) {
      const r = def.input.safeParse({ surprise: true });
      expect(r.success, name).toBe(false);
    }
  });

  it('never lets a connection secret out: outputs have no field for one', () => {
    const shape = JSON.stringify(z.toJSONSchema(CONTRACT['connections/get'].output));
    expect(shape).not.toMatch(/password|encryptedSecret/);
  });

  it('accepts only ${env:…} references as secret references', () => {
    const save = CONTRACT['connections/save'].input;
    expect(save.safeParse({ name: 'a', url: 'x:', secret: { kind: 'env', ref: '${env:PW}' } }).success).toBe(true);
    expect(save.safeParse({ name: 'a', url: 'x:', secret: { kind: 'env', ref: 'hunter2' } }).success).toBe(false);
  });

  it('types handlers from the schemas', () => {
    expectTypeOf<Parameters<Handlers['runs/list']>[0]>().toEqualTypeOf<ParsedInput<'runs/list'>>();
    expectTypeOf<ParsedInput<'runs/list'>['limit']>().toEqualTypeOf<number>();
    expectTypeOf<keyof Handlers>().toEqualTypeOf<MethodName>();
  });
});
