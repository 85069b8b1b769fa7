import type { Row } from '../../model/values';
import { decodeRows, RowEncoder } from '../../nodes/sort/row-codec';

/**
 * Rows in the change queue: the spill files' binary row codec, exact for every value
 * (bigints, decimals with their scale, bytes, NaN), so what is applied after a crash is
 * bit for bit what was found before it.
 */
const encoder = new RowEncoder(1 << 12);

/**
 * Rows for the queue: one buffer copied out of the encoder (take() is a view of its own buffer,
 * valid until the next write), and a view of it per row, rather than a buffer per row.
 */
export function encodeRows(rows: readonly Row[]): Buffer[] {
  const ends = new Array<number>(rows.length);
  try {
    for (let i = 0; i < rows.length; i++) {
      encoder.write(rows[i]);
      ends[i] = encoder.length;
    }
  } catch (e) {
    // The next call starts afresh, not after this one's part.
    encoder.take();
    throw e;
  }
  const all = Buffer.from(encoder.take());
  const out = new Array<Buffer>(rows.length);
  for (let i = 0, start = 0; i < rows.length; start = ends[i++]) out[i] = all.subarray(start, ends[i]);
  return out;
}

export function decodeRow(bytes: Uint8Array): Row {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: Row[] = [];
  decodeRows(buf, rows);
  if (rows.length !== 1) throw new Error('the sync queue holds a damaged row');
  return rows[0];
}
