import { z } from 'zod';
import { didYouMean } from '../../model/problems';
import { formatType, parseType, type LogicalType } from '../../model/types';
import { ConnectorError } from '../types';
import { ENCODINGS } from './decode';

/** Options every file connector shares (CSV adds its dialect). */
export const fileOptionFields = {
  encoding: z
    .enum(ENCODINGS)
    .default('utf-8')
    .describe('Text encoding of the file. latin1 means windows-1252, as on the web (bytes 0x80-0x9F are €, „, … and not control codes).'),
  bom: z
    .enum(['auto', 'keep'])
    .default('auto')
    .describe('Reading: auto lets a byte-order mark at the start choose the encoding (UTF-8, UTF-16LE/BE) and drops it; keep leaves it in the text.'),
  writeBom: z
    .boolean()
    .optional()
    .describe('Writing: start a new file with a byte-order mark. Default: yes for UTF-16, no for UTF-8 and windows-1252.'),
  types: z
    .record(z.string(), z.string())
    .default({})
    .describe('Column types to use instead of inferring them, e.g. { "id": "bigint", "price": "decimal(10,2)" }; in a URL: types=id:bigint;price:decimal(10,2).')
    .meta({ examples: [{ id: 'bigint', price: 'decimal(10,2)', day: 'date' }] }),
  infer: z.boolean().default(true).describe('Infer column types from the first rows; false reads every column as text (unless listed in types).'),
  inferRows: z.number().int().min(1).max(1_000_000).default(1000).describe('How many rows the type inference looks at.'),
  onError: z
    .enum(['stop', 'skip'])
    .default('stop')
    .describe('A record that cannot be read or converted: stop (after delivering the rows before it) or skip it and report it as rejected.'),
};

export interface FileTypingOptions {
  types: Record<string, string>;
  infer: boolean;
}

/** Parses the declared types and checks they name real columns. */
export function declaredTypes(types: Record<string, string>, columns: readonly string[], file: string): Map<string, LogicalType> {
  const out = new Map<string, LogicalType>();
  for (const [name, text] of Object.entries(types)) {
    const t = parseType(text);
    if (!t) throw new ConnectorError(`${file}: option types: ${JSON.stringify(text)} (column '${name}') is not a type`, { file });
    if (!columns.includes(name)) {
      const hint = didYouMean(name, columns);
      throw new ConnectorError(`${file}: option types names column '${name}', which the file does not have${hint ? ` (did you mean '${hint}'?)` : ''}`, {
        file,
      });
    }
    out.set(name, t);
  }
  return out;
}

/** Canonical type text for options.types, e.g. to read back a file written with a schema. */
export function typesOption(columns: readonly { name: string; type: LogicalType }[]): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c.name, formatType(c.type)]));
}
