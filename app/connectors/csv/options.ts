import { z } from 'zod';
import { fileOptionFields } from '../files/options';

export const csvOptions = z.strictObject({
  delimiter: z
    .string()
    .min(1)
    .default(',')
    .describe('Field separator (one or more characters); "tab" or "\\t" for a tab.')
    .meta({ examples: [',', ';', 'tab', '|'] }),
  quote: z.string().max(1).default('"').describe('Quote character; empty for none.'),
  escape: z
    .string()
    .max(1)
    .default('"')
    .describe('Escape character inside quoted fields; the quote itself (the default) means a doubled quote "" stands for one.')
    .meta({ examples: ['"', '\\'] }),
  header: z.boolean().default(true).describe('The first line holds the column names. Without one, columns are named column1, column2, ...'),
  emptyAsNull: z
    .boolean()
    .default(true)
    .describe('An unquoted empty field is NULL (a quoted "" is always an empty string). false: read it as an empty string.'),
  lineEnding: z.enum(['lf', 'crlf']).default('lf').describe('Writing: line ends. (Reading accepts LF, CRLF and CR, mixed.)'),
  ...fileOptionFields,
});

export type CsvOptions = z.output<typeof csvOptions>;

/** The delimiter as written in options, with names for the invisible ones. */
export function delimiterOf(o: CsvOptions): string {
  const d = o.delimiter;
  return d === 'tab' || d === '\\t' ? '\t' : d;
}
