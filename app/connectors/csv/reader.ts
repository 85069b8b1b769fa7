import type { Column, Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import { readTextChunks } from '../files/byte-source';
import { converterFor, explain, inferType, type TextConverter } from '../files/convert';
import { declaredTypes } from '../files/options';
import { BadItem, streamRows, type ItemChunk, type ItemSource, type RowPlan } from '../files/row-stream';
import { uniqueNames } from '../names';
import { SourceReadError, type ReadOptions, type RowStream } from '../types';
import { delimiterOf, type CsvOptions } from './options';
import { BLANK_LINE, CsvTokenizer, type CsvField, type CsvRecord } from './parser';

/**
 * Streaming CSV reader: bytes -> text (strict decoding) -> records (CsvTokenizer) ->
 * typed rows in batches. Memory holds one 128 KiB read buffer, its text, the records of
 * that chunk and the inference sample, whatever the file size.
 *
 * Parser choice, measured on a generated 1M-row, 10-column file (120 MB; quoted fields
 * with commas, doubled quotes and line breaks; every 10th row CRLF, the rest LF), Node 20
 * on this 2-core VM, 128 KiB reads for every candidate; rows/s and peak RSS, best of 3:
 *   node csv-bench.mjs repeat bench-1m.csv csv-parse,csv-parse+info,papaparse,udsv,sluice,sluice-reader-text,sluice-reader 3
 * (bench.ts says how to build and generate)
 *   csv-parse 7 (stream, both line ends)      177k rows/s   76 MB  correct
 *   csv-parse 7 with info (line numbers)      121k rows/s  129 MB  correct
 *   papaparse 5.7                             744k rows/s  101 MB  8% of fields keep a stray CR
 *   uDSV 0.7                                  942k rows/s   94 MB  a CR left in the last field of CRLF rows
 *   this tokenizer                           1.11M rows/s   96 MB  correct, lines and quoting kept
 *   this reader, all text (infer=false)      1.03M rows/s  101 MB
 *   this reader, typed (inferred types)       721k rows/s  106 MB
 * Only csv-parse and this tokenizer read the file correctly, and csv-parse is 6x slower
 * (9x when asked for line numbers, which error reports need). No fallback is kept: the
 * tokenizer passes csv-spectrum and covers the dialect options.
 */

export interface CsvReadRequest {
  columns?: string[];
  limit?: number;
}

class CsvSource implements ItemSource<CsvRecord> {
  private done = false;
  private closed = false;

  constructor(
    private readonly chunks: AsyncGenerator<{ text: string; bad: { at: number; message: string }[]; final: boolean }>,
    readonly tokenizer: CsvTokenizer,
  ) {}

  async next(): Promise<ItemChunk<CsvRecord> | undefined> {
    while (!this.done) {
      const r = await this.chunks.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const c = r.value;
      this.tokenizer.push(c.text, c.bad.length > 0 ? c.bad : undefined);
      if (c.final) {
        this.tokenizer.end();
        this.done = true;
      }
      if (this.tokenizer.pending > 0) {
        const { records, lines } = this.tokenizer.take();
        return { items: records, lines };
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

/** Blank lines are no records, except in a one-column file where they hold one empty field. */
function withoutBlankLines(chunk: ItemChunk<CsvRecord>, width: number, empty: CsvField): ItemChunk<CsvRecord> {
  if (!chunk.items.includes(BLANK_LINE)) return chunk;
  const out: ItemChunk<CsvRecord> = { items: [], lines: [] };
  chunk.items.forEach((it, i) => {
    if (it === BLANK_LINE && width !== 1) return;
    out.items.push(it === BLANK_LINE ? [empty] : it);
    out.lines.push(chunk.lines[i]);
  });
  return out;
}

/** Takes the first record (the header, or the first data row) off the source; blank lines before it are skipped. */
async function firstRecord(source: CsvSource, file: string): Promise<{ rec: CsvRecord; rest: ItemChunk<CsvRecord> } | undefined> {
  for (;;) {
    const chunk = await source.next();
    if (!chunk) return undefined;
    const k = chunk.items.findIndex((it) => it !== BLANK_LINE);
    if (k < 0) continue;
    const first = chunk.items[k];
    if (first instanceof BadItem) {
      throw new SourceReadError({ file, line: first.line, record: 0, message: `the first line cannot be read: ${first.message}`, raw: first.raw });
    }
    return { rec: first, rest: { items: chunk.items.slice(k), lines: chunk.lines.slice(k) } };
  }
}

export async function readCsv(path: string, o: CsvOptions, req: CsvReadRequest, read: ReadOptions): Promise<RowStream> {
  const file = path;
  const tokenizer = new CsvTokenizer({ delimiter: delimiterOf(o), quote: o.quote, escape: o.escape }, { emptyAsNull: o.emptyAsNull });
  const source = new CsvSource(readTextChunks(path, { encoding: o.encoding, bom: o.bom, connector: 'csv', signal: read.signal }), tokenizer);
  let first: Awaited<ReturnType<typeof firstRecord>>;
  try {
    first = await firstRecord(source, file);
  } catch (e) {
    await source.close();
    throw e;
  }
  if (!first) {
    // An empty file: no columns, no rows.
    await source.close();
    return { schema: { columns: [] }, batches: (async function* () {})() };
  }
  const names = o.header ? uniqueNames(first.rec) : first.rec.map((_, i) => `column${i + 1}`);
  const width = names.length;
  const empty: CsvField = o.emptyAsNull ? null : '';
  // The header leaves the chunk; without a header the first record is data.
  let pending: ItemChunk<CsvRecord> | undefined = first.rest;
  if (o.header) {
    pending.items.shift();
    pending.lines.shift();
  }
  const records: ItemSource<CsvRecord> = {
    next: async () => {
      const chunk = pending ?? (await source.next());
      pending = undefined;
      return chunk && withoutBlankLines(chunk, width, empty);
    },
    close: () => source.close(),
  };
  return streamRows<CsvRecord>({
    file,
    source: records,
    sample: o.infer ? o.inferRows : 0,
    limit: req.limit,
    read,
    onErrorDefault: o.onError,
    plan: (sample) => planRows(names, sample, o, req, file),
  });
}

function planRows(names: string[], sample: readonly CsvRecord[], o: CsvOptions, req: CsvReadRequest, file: string): RowPlan<CsvRecord> {
  const width = names.length;
  const declared = declaredTypes(o.types, names, file);
  const good = sample.filter((r) => r.length === width);
  const types: LogicalType[] = names.map((n, i) => declared.get(n) ?? (o.infer ? inferType(good.map((r) => r[i])) : { kind: 'text' }));
  let picked = names.map((_, i) => i);
  if (req.columns) {
    picked = req.columns.map((c) => {
      const i = names.indexOf(c);
      if (i < 0) throw new SourceReadError({ file, message: `no column '${c}' (the columns are ${names.join(', ')})` });
      return i;
    });
  }
  const columns: Column[] = picked.map((i) => ({ name: names[i], type: types[i], nullable: true }));
  const schema: Schema = { columns };
  const convs: (TextConverter | undefined)[] = types.map(converterFor);
  const delimiter = delimiterOf(o);
  const raw = (rec: CsvRecord) => rec.map((f) => f ?? '').join(delimiter);
  const fieldError = (rec: CsvRecord, i: number) => `column '${names[i]}': ${explain(rec[i] as string, types[i])}`;
  const ragged = (rec: CsvRecord) => `expected ${width} fields, found ${rec.length}`;

  if (picked.length === width && picked.every((p, i) => p === i)) {
    // All columns in file order: convert in place (no new array per row).
    const conv = convs.map((c, i) => (c ? i : -1)).filter((i) => i >= 0);
    const fns = conv.map((i) => convs[i]!);
    const nconv = conv.length;
    // The texts replaced so far in the current record, to restore it when a later field fails.
    const orig: CsvField[] = new Array<CsvField>(nconv);
    return {
      schema,
      raw,
      toRow(rec) {
        if (rec.length !== width) return ragged(rec);
        const row = rec as Row;
        for (let k = 0; k < nconv; k++) {
          const i = conv[k];
          const f = rec[i];
          orig[k] = f;
          if (f === null) continue;
          const v = fns[k](f);
          if (v === undefined) {
            for (let j = 0; j < k; j++) rec[conv[j]] = orig[j];
            return fieldError(rec, i);
          }
          row[i] = v;
        }
        return row;
      },
    };
  }
  return {
    schema,
    raw,
    toRow(rec) {
      if (rec.length !== width) return ragged(rec);
      const row: Row = new Array<Value>(picked.length);
      for (let k = 0; k < picked.length; k++) {
        const i = picked[k];
        const f = rec[i];
        const c = convs[i];
        if (f === null || !c) {
          row[k] = f;
          continue;
        }
        const v = c(f);
        if (v === undefined) return fieldError(rec, i);
        row[k] = v;
      }
      return row;
    },
  };
}
