import { Decimal } from '../../model/decimal';
import type { LogicalType } from '../../model/types';
import type { Value } from '../../model/values';
import { converterFor, decimalConverter, explain, inferType, toBigint, toBoolean, toFloat, toInt } from './convert';
import { ExactNumber, jsonText, kindOf } from './json-values';

/**
 * JSON values (from NDJSON / JSON-array files) -> Sluice values. Strings go through the
 * text conversions of convert.ts (a date is a string in JSON); numbers, booleans and
 * nested values map directly; a json column takes any value as its JSON text.
 * A converter returns undefined when the value does not fit the type.
 */
export type JsonConverter = (v: unknown) => Value | undefined;

function integerConverter(text: (s: string) => Value | undefined): JsonConverter {
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return Number.isInteger(v) ? text(String(v)) : undefined;
    if (v instanceof ExactNumber) return text(v.text);
    return typeof v === 'string' ? text(v) : undefined;
  };
}

export function jsonConverterFor(t: LogicalType): JsonConverter {
  switch (t.kind) {
    case 'text':
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        return jsonText(v);
      };
    case 'json':
      return (v) => (v === null || v === undefined ? null : jsonText(v));
    case 'int':
      return integerConverter(toInt);
    case 'bigint':
      return integerConverter(toBigint);
    case 'decimal': {
      const fromText = decimalConverter(t);
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) return undefined;
          return t.precision === undefined ? (Decimal.fromNumber(v) ?? undefined) : fromText(String(v));
        }
        if (v instanceof ExactNumber) return fromText(v.text);
        return typeof v === 'string' ? fromText(v) : undefined;
      };
    }
    case 'float':
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'number') return v;
        if (v instanceof ExactNumber) return Number(v.text);
        return typeof v === 'string' ? toFloat(v) : undefined;
      };
    case 'boolean':
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'boolean') return v;
        if (v === 0 || v === 1) return v === 1;
        return typeof v === 'string' ? toBoolean(v) : undefined;
      };
    default: {
      // Dates, times, uuid, bytes: strings in JSON.
      const fromText = converterFor(t)!;
      return (v) => {
        if (v === null || v === undefined) return null;
        return typeof v === 'string' ? fromText(v) : undefined;
      };
    }
  }
}

export function explainJson(v: unknown, t: LogicalType): string {
  if (typeof v === 'string') return explain(v, t);
  const shown = v instanceof ExactNumber ? v.text : jsonText(v);
  return `${shown.length > 60 ? shown.slice(0, 59) + '…' : shown} (${kindOf(v)}) is not a valid ${t.kind}`;
}

/**
 * The type of a column from sampled JSON values: booleans -> boolean; integers -> bigint
 * (decimal beyond 64 bits); numbers with a fraction -> decimal (float when one is in
 * exponent form or does not fit a double's digits); strings -> date, timestamp... when they
 * all read as one, else text; objects and arrays -> json. Mixed kinds: json when any value
 * is nested, else text.
 */
export function inferJsonType(values: readonly unknown[]): LogicalType {
  let bools = 0;
  let ints = 0;
  let fracs = 0;
  let floats = 0;
  let strings = 0;
  let nested = 0;
  let bigInts = 0;
  const texts: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'boolean') bools++;
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && !String(v).includes('e')) ints++;
      else if (String(v).includes('e')) floats++;
      else fracs++;
    } else if (v instanceof ExactNumber) {
      if (/[eE]/.test(v.text)) floats++;
      else if (v.text.includes('.')) fracs++;
      else if (toBigint(v.text) !== undefined) ints++;
      else bigInts++;
    } else if (typeof v === 'string') {
      strings++;
      texts.push(v);
    } else nested++;
  }
  const total = bools + ints + fracs + floats + strings + nested + bigInts;
  if (total === 0) return { kind: 'text' };
  if (nested > 0) return { kind: 'json' };
  if (bools === total) return { kind: 'boolean' };
  if (ints === total) return { kind: 'bigint' };
  if (ints + fracs + bigInts === total) return { kind: 'decimal' };
  if (ints + fracs + floats + bigInts === total) return { kind: 'float' };
  if (strings === total) {
    const t = inferType(texts);
    // Strings stay text unless they are dates or times: "42" in JSON is meant as text.
    return t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamptz' || t.kind === 'time' ? t : { kind: 'text' };
  }
  return { kind: 'text' };
}
