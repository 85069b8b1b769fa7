import type { Schema } from '../../model/schema';
import type { FileEncoding } from '../files/decode';
import { unitBytes } from '../files/encode';
import type { FileFormat } from '../files/file-connection';
import { readTail, type AppendPlan, type FormatWriter } from '../files/file-writer';
import { jsonObjectRenderer } from '../files/json-render';
import { ConnectorError } from '../types';
import type { JsonOptions } from './options';
import { readJsonArray } from './reader';

/** One element per line: `[`, `{...},` lines, `]`; so line numbers in errors stay meaningful. */
function writer(schema: Schema, elementsBefore: boolean): FormatWriter {
  const render = jsonObjectRenderer(schema);
  let any = elementsBefore;
  return {
    start: () => '[',
    rows: (rows) => {
      let out = '';
      for (const r of rows) {
        out += (any ? ',\n' : '\n') + render(r);
        any = true;
      }
      return out;
    },
    finish: () => (any ? '\n]\n' : ']\n'),
  };
}

/** ASCII code of the code unit at byte i, or -1 for a non-ASCII unit. */
function asciiAt(bytes: Uint8Array, i: number, encoding: FileEncoding): number {
  if (unitBytes(encoding) === 1) return bytes[i] < 128 ? bytes[i] : -1;
  const [lo, hi] = encoding === 'utf-16le' ? [bytes[i], bytes[i + 1]] : [bytes[i + 1], bytes[i]];
  return hi === 0 && lo < 128 ? lo : -1;
}

const WS = new Set([32, 9, 10, 13]);

/** Appending: drop the closing bracket, add the new elements, close again. */
async function appendTo(path: string, o: JsonOptions, schema: Schema): Promise<AppendPlan> {
  const unit = unitBytes(o.encoding);
  const { bytes, start } = await readTail(path, 64 * 1024);
  let i = bytes.length - unit;
  while (i >= 0 && WS.has(asciiAt(bytes, i, o.encoding))) i -= unit;
  if (i < 0 || asciiAt(bytes, i, o.encoding) !== 93) {
    throw new ConnectorError(`${path}: cannot append: the file does not end with the ']' of a JSON array`, { connector: 'json', file: path });
  }
  i -= unit;
  while (i >= 0 && WS.has(asciiAt(bytes, i, o.encoding))) i -= unit;
  if (i < 0) throw new ConnectorError(`${path}: cannot append: the end of the array is not where it was expected`, { connector: 'json', file: path });
  const empty = asciiAt(bytes, i, o.encoding) === 91;
  // Cut after the last element (or the '['), so the new elements follow it as if written together.
  return { writer: writer(schema, !empty), keepBytes: start + i + unit, prefix: '' };
}

export const jsonFormat: FileFormat<JsonOptions> = {
  id: 'json',
  read: readJsonArray,
  writable: (o) => ({
    id: 'json',
    newFile: (schema) => writer(schema, false),
    appendTo: (path, schema) => appendTo(path, o, schema),
  }),
  headerLines: () => 2,
};
