import { readTextChunks } from '../files/byte-source';
import type { DecodeIssue } from '../files/decode';
import { notAnObject, planJsonRows } from '../files/json-rows';
import { JsonSyntaxError, lineColumn, parseJsonExact, type JsonObject } from '../files/json-values';
import { BadItem, streamRows, type ItemChunk, type ItemSource } from '../files/row-stream';
import type { ReadOptions, RowStream } from '../types';
import type { JsonOptions } from './options';
import { JsonArraySplitter, type ElementText } from './splitter';

class JsonArraySource implements ItemSource<JsonObject> {
  private readonly splitter = new JsonArraySplitter();
  private done = false;
  private closed = false;

  constructor(private readonly chunks: AsyncGenerator<{ text: string; bad: DecodeIssue[]; final: boolean }>) {}

  async next(): Promise<ItemChunk<JsonObject> | undefined> {
    while (!this.done) {
      const r = await this.chunks.next();
      if (r.done) break;
      const c = r.value;
      this.splitter.push(c.text, c.bad.length > 0 ? c.bad : undefined);
      if (c.final) {
        this.splitter.end();
        this.done = true;
      }
      const parts = this.splitter.take();
      if (parts.length > 0) {
        return { items: parts.map(parseElement), lines: parts.map((p) => p.line) };
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chunks.return(undefined);
  }
}

function parseElement(e: ElementText | BadItem): JsonObject | BadItem {
  if (e instanceof BadItem) return e;
  try {
    const v = parseJsonExact(e.text);
    const why = notAnObject(v);
    return why ? new BadItem(e.line, why, e.text) : (v as JsonObject);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const at = lineColumn(e.text, err.offset);
    return new BadItem(e.line, `invalid JSON at line ${e.line + at.line - 1}, column ${at.column}: ${err.message}`, e.text);
  }
}

export function readJsonArray(path: string, o: JsonOptions, req: { columns?: string[]; limit?: number }, read: ReadOptions): Promise<RowStream> {
  const source = new JsonArraySource(readTextChunks(path, { encoding: o.encoding, bom: o.bom, connector: 'json', signal: read.signal }));
  return streamRows<JsonObject>({
    file: path,
    source,
    sample: o.inferRows,
    limit: req.limit,
    read,
    onErrorDefault: o.onError,
    plan: (sample) => planJsonRows(sample, o, req.columns, path),
  });
}
