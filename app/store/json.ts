import { Decimal } from '../model/decimal';
import { toJsonValue, type Value } from '../model/values';

/**
 * JSON text for payloads (rejected rows, run params). Values JSON cannot hold exactly go
 * through toJsonValue: bigint and Decimal become strings, bytes base64, NaN/Infinity
 * strings. Without this, JSON.stringify would throw on a bigint, turn NaN into null and a
 * Buffer into {type, data} — each a silent loss of what the user needs to see.
 */
export function encodeJson(value: unknown): string {
  if (isPlainRow(value)) return JSON.stringify(value);
  return JSON.stringify(value, replacer) ?? 'null';
}

export function decodeJson<T = unknown>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

function needsConversion(v: unknown): boolean {
  return typeof v === 'bigint' || v instanceof Decimal || v instanceof Uint8Array || (typeof v === 'number' && !Number.isFinite(v));
}

function replacer(this: Record<string, unknown>, key: string, v: unknown): unknown {
  // `this[key]` is the value before its toJSON ran (Buffer.toJSON would hide the bytes).
  const raw = this[key];
  return needsConversion(raw) ? toJsonValue(raw as Value) : v;
}

/**
 * Fast path for the common case: a flat row of strings, finite numbers, booleans and
 * nulls stringifies without a replacer (the replacer costs ~2x on rejected-row batches).
 */
function isPlainRow(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array || value instanceof Decimal) return false;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const t = typeof v;
    if (v === null || t === 'string' || t === 'boolean') continue;
    if (t === 'number' && Number.isFinite(v)) continue;
    return false;
  }
  return true;
}
