import { readTextChunks } from '../files/byte-source';
import type { DecodeIssue } from '../files/decode';
import { planJsonRows, notAnObject } from '../files/json-rows';
import { JsonSyntaxError, parseJsonExact, type JsonObject } from '../files/json-values';
import { BadItem, streamRows, type ItemChunk, type ItemSource } from '../files/row-stream';
import type { ReadOptions, RowStream } from '../types';
import type { NdjsonOptions } from './options';

/**
 * Newline-delimited JSON: one object per line (LF or CRLF), blank lines ignored. Each line
 * is parsed on its own, so a bad line is one bad record with its exact line number and the
 * lines after it still read.
 */
class NdjsonSource implements ItemSource<JsonObject> {
  private rest = '';
  private restBad: DecodeIssue[] = [];
  private line = 1;
  private done = false;
  private closed = false;

  constructor(private readonly chunks: AsyncGenerator<{ text: string; bad: DecodeIssue[]; final: boolean }>) {}

  async next(): Promise<ItemChunk<JsonObject> | undefined> {
    while (!this.done) {
      const r = await this.chunks.next();
      if (r.done) break;
      const c = r.value;
      const base = this.rest.length;
      const text = this.rest + c.text;
      const bad = c.bad.length > 0 ? [...this.restBad, ...c.bad.map((b) => ({ at: b.at + base, message: b.message }))] : this.restBad;
      if (c.final) this.done = true;
      const out: ItemChunk<JsonObject> = { items: [], lines: [] };
      let pos = 0;
      let b = 0;
      for (;;) {
        let nl = text.indexOf('\n', pos);
        if (nl === -1) {
          if (!c.final || pos >= text.length) break;
          nl = text.length;
        }
        const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const line = this.line++;
        let badHere: DecodeIssue | undefined;
        while (b < bad.length && bad[b].at < nl) badHere ??= bad[b++];
        if (badHere) {
          out.items.push(new BadItem(line, badHere.message, text.slice(pos, end)));
          out.lines.push(line);
        } else if (!isBlank(text, pos, end)) {
          out.items.push(parseLine(text.slice(pos, end), line));
          out.lines.push(line);
        }
        pos = nl + 1;
      }
      this.rest = pos < text.length ? text.slice(pos) : '';
      this.restBad = bad.slice(b).map((x) => ({ at: x.at - pos, message: x.message }));
      if (out.items.length > 0) return out;
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chunks.return(undefined);
  }
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function parseLine(text: string, line: number): JsonObject | BadItem {
  try {
    const v = parseJsonExact(text);
    const why = notAnObject(v);
    return why ? new BadItem(line, why, text) : (v as JsonObject);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return new BadItem(line, `invalid JSON at column ${e.offset + 1}: ${e.message}`, text);
    throw e;
  }
}

export function readNdjson(path: string, o: NdjsonOptions, req: { columns?: string[]; limit?: number }, read: ReadOptions): Promise<RowStream> {
  const source = new NdjsonSource(readTextChunks(path, { encoding: o.encoding, bom: o.bom, connector: 'ndjson', signal: read.signal }));
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
