import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';

/**
 * Rows -> JSON object text, one object per row with the schema's column names as keys.
 * bigint and Decimal are written as number literals with their exact digits (valid JSON;
 * Sluice reads them back exactly, other readers may round); NaN and ±Infinity, which JSON
 * lacks, as the strings "NaN", "Infinity", "-Infinity"; bytes as base64 strings; temporal
 * values as their canonical strings; a json column's text is embedded as JSON (it must be
 * valid JSON).
 */
function scalar(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? '-0' : String(v);
      return `"${String(v)}"`;
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v instanceof Decimal) return v.toString();
      return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`;
  }
}

function embeddedJson(v: Value, column: string): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return scalar(v);
  try {
    JSON.parse(v);
  } catch {
    throw new Error(`column '${column}' is json but holds text that is not JSON: ${JSON.stringify(v.slice(0, 60))}`);
  }
  return v.trim();
}

export function jsonObjectRenderer(schema: Schema): (row: Row) => string {
  const keys = schema.columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const isJson = schema.columns.map((c) => c.type.kind === 'json');
  const names = schema.columns.map((c) => c.name);
  const n = keys.length;
  if (n === 0) return () => '{}';
  return (row) => {
    let out = '';
    for (let i = 0; i < n; i++) out += keys[i] + (isJson[i] ? embeddedJson(row[i], names[i]) : scalar(row[i]));
    return out + '}';
  };
}
