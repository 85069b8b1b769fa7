import { open } from 'node:fs/promises';
import { ConnectorError } from '../types';
import { ChunkDecoder, type BomHandling, type Decoded, type FileEncoding } from './decode';

/**
 * Read size. Measured on the 1M-row CSV pipeline: 1 MiB reads cost ~60% more CPU than
 * 64-512 KiB (more of each chunk's strings and records outlive a young-generation GC and
 * get promoted) and ~80 MB more RSS; 128 KiB was the best.
 *
 * Just under 128 KiB rather than exactly: V8 puts an object above 128 KiB (a 131072-byte
 * chunk decodes to a string of 131072 characters plus its header) in the large-object
 * space, which only a full GC frees. Those chunk texts piled up between full GCs, and the
 * longer the run the later V8 scheduled them: peak RSS grew with the file (~135 MB at 1M
 * rows, ~200-220 MB at 10M). Below the limit the text is an ordinary young object that
 * dies in the next scavenge: 4x fewer bytes promoted, ~110 MB at 1M and at 10M rows.
 */
export const CHUNK_BYTES = 128 * 1024 - 1024;

export async function openForReading(path: string, connector: string) {
  try {
    return await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConnectorError(`${path}: ${why}`, { connector, file: path, cause: e });
  }
}

/**
 * The decoded text of a file, chunk by chunk; the last chunk has `final` set (it may be
 * empty). Two read buffers are reused, so memory does not grow with the file.
 */
export async function* readTextChunks(
  path: string,
  opts: { encoding: FileEncoding; bom: BomHandling; connector: string; signal?: AbortSignal; chunkBytes?: number },
): AsyncGenerator<Decoded & { final: boolean }> {
  const fh = await openForReading(path, opts.connector);
  // Two buffers: the next read runs (on libuv's thread pool) while the caller parses the
  // chunk just decoded, instead of the parser waiting for each read in turn. The decoder
  // copies what it keeps, so a buffer is free again once its chunk is decoded.
  const size = opts.chunkBytes ?? CHUNK_BYTES;
  const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let which = 0;
  let position = 0;
  const readInto = (b: Buffer) => {
    const p = fh.read(b, 0, size, position).then((r) => ((position += r.bytesRead), r.bytesRead));
    // Handled here too: a caller that stops iterating without return() must not leave an
    // unhandled rejection behind; whoever awaits it still sees the error.
    p.catch(() => undefined);
    return p;
  };
  let pending = readInto(bufs[0]);
  let inFlight = true;
  try {
    const decoder = new ChunkDecoder(opts.encoding, opts.bom);
    for (;;) {
      opts.signal?.throwIfAborted();
      const bytesRead = await pending;
      inFlight = false;
      if (bytesRead === 0) {
        yield { ...decoder.decode(new Uint8Array(0), true), final: true };
        return;
      }
      const current = bufs[which];
      which ^= 1;
      pending = readInto(bufs[which]);
      inFlight = true;
      yield { ...decoder.decode(current.subarray(0, bytesRead), false), final: false };
    }
  } finally {
    // A read still in flight must finish before its file handle closes.
    if (inFlight) await pending.catch(() => undefined);
    await fh.close();
  }
}
