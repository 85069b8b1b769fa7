import type { Row } from '../../model/values';
import { decodeRows, RowEncoder } from '../../nodes/sort/row-codec';

/**
 * Rows in the change queue: the spill files' binary row codec, exact for every value
 * (bigints, decimals with their scale, bytes, NaN), so what is applied after a crash is
 * bit for bit what was found before it.
 */
const encoder = new RowEncoder(1 << 12);

export function encodeRow(row: Row): Buffer {
  encoder.write(row);
  // take() is a view of the encoder's buffer: copy it out before the next write.
  return Buffer.from(encoder.take());
}

export function decodeRow(bytes: Uint8Array): Row {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: Row[] = [];
  decodeRows(buf, rows);
  if (rows.length !== 1) throw new Error('the sync queue holds a damaged row');
  return rows[0];
}
