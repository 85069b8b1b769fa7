import { open } from 'node:fs/promises';
import { delimiterOf, type CsvOptions } from '../../connectors/csv/options';
import { BLANK_LINE, CsvTokenizer, type CsvRecord } from '../../connectors/csv/parser';
import { converterFor, explain, type TextConverter } from '../../connectors/files/convert';
import { ChunkDecoder } from '../../connectors/files/decode';
import { BadItem } from '../../connectors/files/row-stream';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';

/**
 * CSV files split by byte ranges. A range must start at the start of a record, and a line
 * break inside a quoted field is not one: so the boundaries are found by one pass over the
 * bytes that tracks whether it is inside quotes — with the RFC 4180 dialect the tokenizer
 * reads (parser.ts: a field is quoted when it starts with the quote character, a doubled
 * quote stands for one), every quote character toggles the state, so "inside quotes" is
 * the parity of the quotes seen so far, and a line feed at even parity ends a record. The
 * pass looks only at quote and LF bytes (Buffer.indexOf), far cheaper than tokenizing.
 *
 * Only for byte encodings where those characters are single bytes that occur nowhere else
 * (UTF-8, windows-1252/latin1), the default quote and escape, and quote characters only at
 * field starts; otherwise (another escape character, UTF-16) the caller splits by rows.
 */

const READ = 1 << 20;

export function canSplitCsv(o: CsvOptions): boolean {
  const d = delimiterOf(o);
  return (
    (o.encoding === 'utf-8' || o.encoding === 'windows-1252' || o.encoding === 'latin1') &&
    (o.quote === '"' || o.quote === '') &&
    (o.escape === o.quote || o.escape === '"') &&
    d.length === 1 &&
    d.charCodeAt(0) < 128
  );
}

/** The file holds a quote character inside an unquoted field: quote parity says nothing there. */
export class IrregularQuotes extends Error {
  override name = 'IrregularQuotes';
}

/**
 * Record boundaries near `parts` equal slices of the file: [start, end) byte ranges that
 * cover it, the first one holding the header (when there is one). Fewer ranges come back
 * when records are longer than a slice.
 */
export async function csvByteRanges(path: string, o: CsvOptions, parts: number): Promise<Array<{ start: number; end: number }>> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const quote = o.quote === '' ? -1 : o.quote.charCodeAt(0);
    const delim = delimiterOf(o).charCodeAt(0);
    // An opening quote must start a field (the tokenizer takes any other one literally).
    let prev = 10;
    const opens = (b: Buffer, q: number) => {
      const before = q > 0 ? b[q - 1] : prev;
      // After a quote: a doubled quote inside a quoted field ("" stands for one).
      if (before !== delim && before !== 10 && before !== 13 && before !== quote) throw new IrregularQuotes(`a quote character inside an unquoted field (byte ${q})`);
    };
    const targets = Array.from({ length: parts - 1 }, (_, i) => Math.floor(((i + 1) * size) / parts));
    const cuts: number[] = [];
    const buf = Buffer.allocUnsafe(READ);
    let inQuotes = false;
    let t = 0;
    for (let at = 0; at < size && t < targets.length; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ, size - at), at);
      if (bytesRead === 0) break;
      const b = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      let i = 0;
      while (i < b.length && t < targets.length) {
        const q = quote < 0 ? -1 : b.indexOf(quote, i);
        if (at + i < targets[t]) {
          // Before the next cut only the parity matters: jump from quote to quote.
          const limit = targets[t] - at;
          if (q >= 0 && q < limit) {
            if (!inQuotes) opens(b, q);
            inQuotes = !inQuotes;
            i = q + 1;
          } else i = Math.min(limit, b.length);
          continue;
        }
        // Past the cut: the first line feed outside quotes ends the record.
        const lf = b.indexOf(10, i);
        if (q >= 0 && (lf < 0 || q < lf)) {
          if (!inQuotes) opens(b, q);
          inQuotes = !inQuotes;
          i = q + 1;
        } else if (lf >= 0) {
          i = lf + 1;
          if (!inQuotes) {
            const cut = at + i;
            if (cut < size && cut > (cuts.at(-1) ?? 0)) cuts.push(cut);
            // Every target this record boundary passes is served by it.
            while (t < targets.length && targets[t] < cut) t++;
          }
        } else i = b.length;
      }
      prev = b[b.length - 1];
      at += bytesRead;
    }
    const bounds = [0, ...cuts, size];
    return bounds.slice(1).map((end, k) => ({ start: bounds[k], end }));
  } finally {
    await fh.close();
  }
}

export interface CsvChunkRead {
  /** Column names of the file (the header's, or column1, column2 …). */
  names: string[];
  /** The columns the source reads (its planned schema). */
  schema: Schema;
  header: boolean;
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The rows of byte ranges, typed as the whole file was planned (inference saw the first
 * rows of the file, not of the chunk). Ranges are taken from `ranges` one at a time, each
 * only once every row of the one before has been yielded (a batch job claims its next
 * chunk then, and counts the rows against the chunk being read); a range that follows on
 * from the one before is read on with the same tokenizer. Bad records go to `onBad` (the
 * source's onError decides what that means).
 */
export async function* readCsvRange(
  path: string,
  o: CsvOptions,
  ranges: ByteRange | Iterable<ByteRange>,
  c: CsvChunkRead,
  onBad: (message: string, raw?: string) => void,
  signal?: AbortSignal,
): AsyncGenerator<Row[]> {
  const width = c.names.length;
  const picked = c.schema.columns.map((col) => c.names.indexOf(col.name));
  const convs: Array<TextConverter | undefined> = c.schema.columns.map((col) => converterFor(col.type));
  let skipHeader = false;
  const toRows = (records: Array<CsvRecord | BadItem>): Row[] => {
    const rows: Row[] = [];
    for (const rec of records) {
      if (rec instanceof BadItem) {
        onBad(rec.message, rec.raw);
        continue;
      }
      if (rec === BLANK_LINE) {
        if (width !== 1) continue;
      } else if (skipHeader) {
        skipHeader = false;
        continue;
      }
      const fields = rec === BLANK_LINE ? [o.emptyAsNull ? null : ''] : rec;
      if (fields.length !== width) {
        onBad(`expected ${width} fields, found ${fields.length}`, fields.join(delimiterOf(o)));
        continue;
      }
      const row: Row = new Array(picked.length);
      let bad: string | undefined;
      for (let k = 0; k < picked.length; k++) {
        const f = fields[picked[k]];
        const conv = convs[k];
        if (f === null || !conv) {
          row[k] = f;
          continue;
        }
        const v = conv(f);
        if (v === undefined) {
          bad = `column '${c.schema.columns[k].name}': ${explain(f, c.schema.columns[k].type)}`;
          break;
        }
        row[k] = v;
      }
      if (bad) onBad(bad, fields.join(delimiterOf(o)));
      else rows.push(row);
    }
    return rows;
  };
  let tokenizer: CsvTokenizer | undefined;
  let decoder: ChunkDecoder | undefined;
  // The records left in the tokenizer and decoder at the end of a run of adjoining ranges.
  const finish = (): Row[] => {
    if (!tokenizer || !decoder) return [];
    const last = decoder.decode(new Uint8Array(0), true);
    tokenizer.push(last.text, last.bad.length > 0 ? last.bad : undefined);
    tokenizer.end();
    const rows = toRows(tokenizer.take().records);
    tokenizer = decoder = undefined;
    return rows;
  };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(128 * 1024);
    let readTo = -1;
    for (const range of Symbol.iterator in ranges ? ranges : [ranges]) {
      if (range.start !== readTo) {
        const rest = finish();
        if (rest.length > 0) yield rest;
        tokenizer = new CsvTokenizer({ delimiter: delimiterOf(o), quote: o.quote, escape: o.escape }, { emptyAsNull: o.emptyAsNull });
        // Only the first range can start with a byte-order mark or the header.
        decoder = new ChunkDecoder(o.encoding, range.start === 0 ? o.bom : 'keep');
        skipHeader = c.header && range.start === 0;
      }
      const t = tokenizer!;
      for (let at = range.start; at < range.end; ) {
        signal?.throwIfAborted();
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, range.end - at), at);
        if (bytesRead === 0) break;
        at += bytesRead;
        const d = decoder!.decode(buf.subarray(0, bytesRead), false);
        t.push(d.text, d.bad.length > 0 ? d.bad : undefined);
        if (t.pending > 0) {
          const rows = toRows(t.take().records);
          if (rows.length > 0) yield rows;
        }
      }
      readTo = range.end;
    }
    const rows = finish();
    if (rows.length > 0) yield rows;
  } finally {
    await fh.close();
  }
}
