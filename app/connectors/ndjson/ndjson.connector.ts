import { FileConnection } from '../files/file-connection';
import type { ConnectorModule } from '../types';
import { parseConnectionUrl, resolveFilePath, resolveOptions } from '../url';
import { ndjsonFormat } from './format';
import { ndjsonOptions } from './options';

export const ndjsonConnector: ConnectorModule = {
  id: 'ndjson',
  title: 'NDJSON file',
  description: 'Newline-delimited JSON (JSON Lines): one object per line, one table named after the file.',
  kind: 'file',
  schemes: ['ndjson', 'jsonl'],
  options: ndjsonOptions,
  examples: ['ndjson:./events.ndjson', 'jsonl:./events.jsonl?types=id:bigint'],
  async open(config, ctx) {
    const url = parseConnectionUrl(config.url);
    return new FileConnection(ndjsonFormat, resolveFilePath(url.body, ctx.baseDir), resolveOptions(ndjsonOptions, url.query, config.options, 'ndjson'));
  },
};
