import { createRequire } from 'node:module';
import type AjvDraft7 from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type AjvDraft2019 from 'ajv/dist/2019.js';
import type AjvDraft2020 from 'ajv/dist/2020.js';
import type addFormatsPlugin from 'ajv-formats';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';
import type { RejectReason } from '../types';

// ajv and its formats take ~40 ms to load, a tenth of `sluice run`'s start-up, and most
// pipelines have no JSON Schema: they are required on first use, not imported.
const requireHere = createRequire(import.meta.url);

function load<T>(id: string): T {
  const m = requireHere(id) as T & { default?: T };
  return m.default ?? m;
}

/**
 * JSON Schema validation of rows with ajv. A row becomes a plain object for validation
 * only: NULL columns are left out (so `required` means "not NULL" and `type` constraints
 * skip NULLs), bigint and decimal values become numbers, bytes become base64 text, and a
 * json column is parsed so its structure can be checked. The row itself is never changed.
 */
export function compileRowSchema(schema: Record<string, unknown>): ValidateFunction {
  const addFormats = load<typeof addFormatsPlugin>('ajv-formats');
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = {
    allErrors: true,
    // Unknown keywords are typos ("requried"): fail at plan. Type-strictness warnings would only go to the console.
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false as const,
  };
  const ajv = draft.includes('2020-12')
    ? new (load<typeof AjvDraft2020>('ajv/dist/2020.js'))(options)
    : draft.includes('2019-09')
      ? new (load<typeof AjvDraft2019>('ajv/dist/2019.js'))(options)
      : new (load<typeof AjvDraft7>('ajv'))(options);
  addFormats(ajv);
  return ajv.compile(schema);
}

function plain(v: Value, json: boolean): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (json && typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

export function rowObject(schema: Schema, row: Row): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const cols = schema.columns;
  for (let i = 0; i < cols.length; i++) {
    const v = row[i];
    if (v !== null) o[cols[i].name] = plain(v, cols[i].type.kind === 'json');
  }
  return o;
}

function unpointer(seg: string): string {
  return seg.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** One ajv error as a reason: the column concerned, its value, and ajv's message led by the field. */
export function reasonOf(e: ErrorObject, schema: Schema, row: Row, severity: 'error' | 'warning'): RejectReason {
  const path = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(unpointer);
  let column: string | undefined = path[0];
  let message: string;
  if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
    const field = [...path, e.params.missingProperty].join('.');
    column ??= e.params.missingProperty;
    message = path.length === 0 ? `${field} is required but is NULL` : `${field} is required`;
  } else if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
    const field = [...path, e.params.additionalProperty].join('.');
    column ??= e.params.additionalProperty;
    message = `${field} is not allowed (additionalProperties)`;
  } else {
    message = `${path.length ? path.join('.') : 'row'} ${e.message ?? `fails ${e.keyword}`}`;
  }
  const index = column === undefined ? -1 : schema.columns.findIndex((c) => c.name === column);
  const reason: RejectReason = { rule: `schema:${e.keyword}`, message, severity };
  if (column !== undefined) reason.column = column;
  if (index >= 0) reason.value = row[index];
  return reason;
}
