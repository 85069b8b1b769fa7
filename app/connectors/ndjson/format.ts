import { stat } from 'node:fs/promises';
import type { Schema } from '../../model/schema';
import type { FileFormat } from '../files/file-connection';
import { endsWithLineFeed, type FormatWriter } from '../files/file-writer';
import { jsonObjectRenderer } from '../files/json-render';
import type { NdjsonOptions } from './options';
import { readNdjson } from './reader';

function writer(schema: Schema): FormatWriter {
  const render = jsonObjectRenderer(schema);
  return {
    start: () => '',
    rows: (rows) => {
      let out = '';
      for (const r of rows) out += render(r) + '\n';
      return out;
    },
    finish: () => '',
  };
}

export const ndjsonFormat: FileFormat<NdjsonOptions> = {
  id: 'ndjson',
  read: readNdjson,
  writable: (o) => ({
    id: 'ndjson',
    newFile: writer,
    async appendTo(path, schema) {
      const lastIsLf = await endsWithLineFeed(path, o.encoding);
      return { writer: writer(schema), keepBytes: (await stat(path)).size, prefix: lastIsLf ? '' : '\n' };
    },
  }),
  headerLines: () => 0,
};
