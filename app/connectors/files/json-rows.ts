import type { Column } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { SourceReadError } from '../types';
import { explainJson, inferJsonType, jsonConverterFor } from './json-convert';
import { ExactNumber, jsonText, kindOf, type JsonObject } from './json-values';
import { declaredTypes, type FileTypingOptions } from './options';
import type { RowPlan } from './row-stream';

/**
 * Plans rows from JSON objects (NDJSON lines, JSON-array elements): the columns are the
 * keys met in the sample, in first-seen order, plus any named in options.types. A later
 * object with a key outside them is a bad record (its data would otherwise be dropped
 * silently): raise inferRows or list the column in types.
 */
export function planJsonRows(sample: readonly JsonObject[], o: FileTypingOptions & { inferRows: number }, columns: string[] | undefined, file: string): RowPlan<JsonObject> {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const obj of sample) {
    for (const k of Object.keys(obj)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  for (const k of Object.keys(o.types)) {
    if (!seen.has(k)) {
      seen.add(k);
      names.push(k);
    }
  }
  const declared = declaredTypes(o.types, names, file);
  const types: LogicalType[] = names.map((n) => declared.get(n) ?? (o.infer ? inferJsonType(sample.map((r) => r[n])) : { kind: 'text' }));
  const picked = columns
    ? columns.map((c) => {
        const i = names.indexOf(c);
        if (i < 0) throw new SourceReadError({ file, message: `no column '${c}' (the columns are ${names.join(', ')})` });
        return i;
      })
    : names.map((_, i) => i);
  const schemaColumns: Column[] = picked.map((i) => ({ name: names[i], type: types[i], nullable: true }));
  const convs = picked.map((i) => jsonConverterFor(types[i]));
  const keys = picked.map((i) => names[i]);
  const n = keys.length;
  return {
    schema: { columns: schemaColumns },
    raw: (obj) => jsonText(obj),
    toRow(obj) {
      for (const k in obj) {
        if (!seen.has(k)) {
          return `key '${k}' is not among the columns (${names.join(', ')}) found in the first ${o.inferRows} records; raise inferRows or name it in types`;
        }
      }
      const row: Row = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const v = obj[keys[i]];
        const x = convs[i](v);
        if (x === undefined) return `key '${keys[i]}': ${explainJson(v, schemaColumns[i].type)}`;
        row[i] = x;
      }
      return row;
    },
  };
}

/** An item that is not an object cannot be a row. */
export function notAnObject(v: unknown): string | undefined {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ExactNumber)) return undefined;
  return `expected a JSON object, found ${kindOf(v)}`;
}
