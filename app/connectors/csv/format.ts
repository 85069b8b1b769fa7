import { stat } from 'node:fs/promises';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import type { FileFormat } from '../files/file-connection';
import { endsWithLineFeed, type AppendPlan, type FormatWriter, type WritableFormat } from '../files/file-writer';
import { ConnectorError } from '../types';
import { delimiterOf, type CsvOptions } from './options';
import { readCsv } from './reader';
import { CsvSerializer } from './serializer';

function serializer(o: CsvOptions): CsvSerializer {
  return new CsvSerializer({ delimiter: delimiterOf(o), quote: o.quote, escape: o.escape, lineEnding: o.lineEnding === 'crlf' ? '\r\n' : '\n' });
}

function writerFor(o: CsvOptions, schema: Schema, withHeader: boolean, order?: number[]): FormatWriter {
  const s = serializer(o);
  return {
    start: () => (withHeader ? s.header(schema.columns.map((c) => c.name)) : ''),
    rows: order ? (rows: readonly Row[]) => s.rows(rows.map((r) => order.map((i) => r[i]))) : (rows: readonly Row[]) => s.rows(rows),
    finish: () => '',
  };
}

/** Appending: the rows must have the file's columns (in any order; they are written in the file's). */
async function appendTo(path: string, o: CsvOptions, schema: Schema): Promise<AppendPlan> {
  const existing = await readCsv(path, { ...o, infer: false, types: {} }, { limit: 0 }, {});
  const fileCols = existing.schema.columns.map((c) => c.name);
  const rowCols = schema.columns.map((c) => c.name);
  let order: number[] | undefined;
  if (o.header) {
    const missing = fileCols.filter((c) => !rowCols.includes(c));
    const extra = rowCols.filter((c) => !fileCols.includes(c));
    if (missing.length > 0 || extra.length > 0) {
      throw new ConnectorError(
        `${path}: cannot append: the file's columns are ${fileCols.join(', ')}` +
          `${missing.length ? `; the rows lack ${missing.join(', ')}` : ''}${extra.length ? `; the file lacks ${extra.join(', ')}` : ''} (use truncate-insert or replace to overwrite)`,
        { connector: 'csv', file: path },
      );
    }
    if (fileCols.some((c, i) => c !== rowCols[i])) order = fileCols.map((c) => rowCols.indexOf(c));
  } else if (fileCols.length !== rowCols.length) {
    throw new ConnectorError(`${path}: cannot append ${rowCols.length} columns to a file of ${fileCols.length}`, { connector: 'csv', file: path });
  }
  // A last line without its line break gets one before the new rows.
  const lastIsLf = await endsWithLineFeed(path, o.encoding);
  return {
    writer: writerFor(o, schema, false, order),
    keepBytes: (await stat(path)).size,
    prefix: lastIsLf ? '' : o.lineEnding === 'crlf' ? '\r\n' : '\n',
  };
}

export const csvFormat: FileFormat<CsvOptions> = {
  id: 'csv',
  read: readCsv,
  writable: (o): WritableFormat => ({
    id: 'csv',
    newFile: (schema) => writerFor(o, schema, o.header),
    appendTo: (path, schema) => appendTo(path, o, schema),
  }),
  headerLines: (o) => (o.header ? 1 : 0),
};
