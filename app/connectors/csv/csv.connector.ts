import { FileConnection } from '../files/file-connection';
import { ConnectorError, type ConnectorModule } from '../types';
import { parseConnectionUrl, resolveFilePath, resolveOptions } from '../url';
import { csvFormat } from './format';
import { csvOptions, delimiterOf, type CsvOptions } from './options';

function checkDialect(o: CsvOptions): void {
  const d = delimiterOf(o);
  const bad = (m: string) => new ConnectorError(`csv: ${m}`, { connector: 'csv' });
  if (/[\r\n]/.test(d)) throw bad('the delimiter may not contain a line break');
  if (o.quote && d.includes(o.quote)) throw bad(`the delimiter ${JSON.stringify(d)} may not contain the quote character`);
}

export const csvConnector: ConnectorModule = {
  id: 'csv',
  title: 'CSV file',
  description: 'A delimited text file (CSV, TSV, ...): one table named after the file. Streams rows; writes through a temporary file renamed on commit.',
  kind: 'file',
  schemes: ['csv'],
  options: csvOptions,
  examples: ['csv:./orders.csv', 'csv:./export.csv?delimiter=;&header=false', 'csv:/data/latin1.csv?encoding=windows-1252'],
  async open(config, ctx) {
    const url = parseConnectionUrl(config.url);
    const path = resolveFilePath(url.body, ctx.baseDir);
    const o = resolveOptions(csvOptions, url.query, config.options, 'csv');
    checkDialect(o);
    return new FileConnection(csvFormat, path, o);
  },
};
