import { FileConnection } from '../files/file-connection';
import type { ConnectorModule } from '../types';
import { parseConnectionUrl, resolveFilePath, resolveOptions } from '../url';
import { jsonFormat } from './format';
import { jsonOptions } from './options';

export const jsonConnector: ConnectorModule = {
  id: 'json',
  title: 'JSON array file',
  description: 'A JSON file holding one array of objects, read element by element (never whole); one table named after the file.',
  kind: 'file',
  schemes: ['json'],
  options: jsonOptions,
  examples: ['json:./customers.json', 'json:./export.json?types=id:bigint;joined:date'],
  async open(config, ctx) {
    const url = parseConnectionUrl(config.url);
    return new FileConnection(jsonFormat, resolveFilePath(url.body, ctx.baseDir), resolveOptions(jsonOptions, url.query, config.options, 'json'));
  },
};
