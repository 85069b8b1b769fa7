/** The parts of JSON Schema the config forms use (what zod's toJSONSchema produces for node configs). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: Array<string | number | boolean | null>;
  default?: unknown;
  description?: string;
  examples?: unknown[];
  minLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
}

export function asSchema(x: unknown): JsonSchema {
  return x && typeof x === 'object' ? (x as JsonSchema) : {};
}

export function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.enum) return typeof s.enum[0] === 'number' ? 'number' : 'string';
  return undefined;
}

/** A field holding an expression of Sluice's SQL expression language. */
export function isExpressionField(name: string, s: JsonSchema): boolean {
  return typeOf(s) === 'string' && (/\bSQL (expression|condition)\b/.test(s.description ?? '') || ['expr', 'where', 'when'].includes(name));
}

/** The branch of an anyOf that fits a value (arrays to array branches, objects to object ones). */
export function branchFor(s: JsonSchema, value: unknown): number {
  const branches = s.anyOf ?? [];
  const kind = Array.isArray(value) ? 'array' : value !== null && typeof value === 'object' ? 'object' : typeof value;
  const at = branches.findIndex((b) => typeOf(b) === kind);
  return at >= 0 ? at : 0;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** Problems found locally as you type (required, empty, too few, not a number); the host checks the rest. */
export function localProblems(schema: JsonSchema, value: unknown, path = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (s: JsonSchema, v: unknown, p: string) => {
    if (s.anyOf) return visit(s.anyOf[branchFor(s, v)] ?? {}, v, p);
    const t = typeOf(s);
    if (v === undefined || v === null) return;
    if (t === 'object' && s.properties && typeof v === 'object' && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      for (const r of s.required ?? []) {
        if (obj[r] === undefined || obj[r] === '') out[joinPath(p, r)] = `${r} is required`;
      }
      for (const [k, sub] of Object.entries(s.properties)) if (!(joinPath(p, k) in out)) visit(sub, obj[k], joinPath(p, k));
    } else if (t === 'array' && Array.isArray(v)) {
      if (s.minItems && v.length < s.minItems) out[p] = `needs at least ${s.minItems} item${s.minItems > 1 ? 's' : ''}`;
      v.forEach((x, i) => s.items && visit(s.items, x, joinPath(p, i)));
    } else if (t === 'string' && typeof v === 'string') {
      if (s.minLength && v.length < s.minLength) out[p] = 'may not be empty';
    } else if ((t === 'integer' || t === 'number') && typeof v === 'number') {
      if (t === 'integer' && !Number.isInteger(v)) out[p] = 'must be a whole number';
      if (s.minimum !== undefined && v < s.minimum) out[p] = `must be at least ${s.minimum}`;
      if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) out[p] = `must be more than ${s.exclusiveMinimum}`;
    }
  };
  visit(schema, value, path);
  return out;
}

/** A fresh value for a new array item or a newly shown field. */
export function emptyValue(s: JsonSchema): unknown {
  if (s.anyOf) return emptyValue(s.anyOf[0]);
  switch (typeOf(s)) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const r of s.required ?? []) {
        const sub = s.properties?.[r];
        if (sub) o[r] = typeOf(sub) === 'array' ? [] : typeOf(sub) === 'object' ? {} : (sub.enum?.[0] ?? '');
      }
      return o;
    }
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'number':
    case 'integer':
      return 0;
    default:
      return s.enum?.[0] ?? '';
  }
}
