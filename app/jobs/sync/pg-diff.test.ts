import { describe, expect, it } from 'vitest';
import type { DiffCounts } from './diff';
import { DELETE, INSERT, int64Text, keyHashBatches, mergeKeyHashes, UPDATE, type KeyBatch } from './pg-diff';

/**
 * The typed-array side of the PostgreSQL full diff, without a database: the binary COPY
 * decoder and the merge, at the edges (changes before the first and after the last key,
 * empty sides, batch and chunk boundaries, keys of every width and sign, bad order).
 */

/** A side as (key, hash) pairs, cut into batches of `size` rows. */
async function* batchesOf(pairs: ReadonlyArray<readonly [bigint, bigint]>, size: number): AsyncGenerator<KeyBatch> {
  for (let i = 0; i < pairs.length; i += size) {
    const part = pairs.slice(i, i + size);
    const [keyHi, keyLo, hashHi, hashLo] = [new Int32Array(part.length), new Uint32Array(part.length), new Int32Array(part.length), new Int32Array(part.length)];
    part.forEach(([k, h], j) => {
      keyHi[j] = Number(BigInt.asIntN(32, k >> 32n));
      keyLo[j] = Number(BigInt.asUintN(32, k));
      hashHi[j] = Number(BigInt.asIntN(32, h >> 32n));
      hashLo[j] = Number(BigInt.asIntN(32, h));
    });
    const b: KeyBatch = { n: part.length, keyHi, keyLo, hashHi, hashLo };
    yield b;
  }
}

const NAMES = { [INSERT]: 'insert', [UPDATE]: 'update', [DELETE]: 'delete' } as const;

async function merged(
  source: ReadonlyArray<readonly [bigint, bigint]>,
  target: ReadonlyArray<readonly [bigint, bigint]>,
  opts: { batch?: number; targetBatch?: number; chunk?: number; deletes?: boolean } = {},
): Promise<{ changes: string[]; chunks: number[]; counts: DiffCounts }> {
  const counts = { sourceRows: 0, targetRows: 0 };
  const changes: string[] = [];
  const chunks: number[] = [];
  const diff = mergeKeyHashes(batchesOf(source, opts.batch ?? 3), batchesOf(target, opts.targetBatch ?? opts.batch ?? 3), { deletes: opts.deletes ?? true, chunk: opts.chunk ?? 1000, counts });
  for await (const ck of diff) {
    chunks.push(ck.n);
    for (let i = 0; i < ck.n; i++) {
      const kind = ck.kind[i] as keyof typeof NAMES;
      const at = kind === DELETE ? `t${ck.targetAt[i]}` : kind === UPDATE ? `s${ck.sourceAt[i]}t${ck.targetAt[i]}` : `s${ck.sourceAt[i]}`;
      changes.push(`${NAMES[kind]} ${ck.key(i)} ${at}`);
    }
  }
  return { changes, chunks, counts };
}

const rows = (...keys: number[]) => keys.map((k) => [BigInt(k), BigInt(k) * 1000n] as const);

describe('merge of (key, hash) batches', () => {
  it('finds inserts, updates and deletes at both ends and in between, at every batch size', async () => {
    const source = [...rows(1, 2, 4, 5, 6, 9, 10), [11n, 1n] as const, ...rows(12)];
    const target = [...rows(3, 4, 5), [6n, 7n] as const, ...rows(7, 8, 9, 11, 12, 13, 14)];
    const expected = ['insert 1 s0', 'insert 2 s1', 'delete 3 t0', 'update 6 s4t3', 'delete 7 t4', 'delete 8 t5', 'insert 10 s6', 'update 11 s7t7', 'delete 13 t9', 'delete 14 t10'];
    for (const batch of [1, 2, 3, 5, 100]) {
      for (const targetBatch of [1, 4, 100]) {
        const r = await merged(source, target, { batch, targetBatch });
        expect(r.changes, `batches of ${batch} and ${targetBatch}`).toEqual(expected);
        expect(r.counts).toEqual({ sourceRows: 9, targetRows: 11 });
      }
    }
  });

  it('handles an empty side, equal sides and deletes left alone', async () => {
    expect((await merged([], rows(1, 2))).changes).toEqual(['delete 1 t0', 'delete 2 t1']);
    expect((await merged(rows(1, 2), [])).changes).toEqual(['insert 1 s0', 'insert 2 s1']);
    expect((await merged([], [])).changes).toEqual([]);
    expect((await merged(rows(1, 2, 3), rows(1, 2, 3))).changes).toEqual([]);
    expect((await merged(rows(2), rows(1, 2, 3), { deletes: false })).changes).toEqual([]);
  });

  it('yields full chunks, the rest last', async () => {
    const r = await merged(rows(...Array.from({ length: 10 }, (_, i) => i * 2)), rows(...Array.from({ length: 10 }, (_, i) => i * 2 + 1)), { chunk: 7, batch: 4 });
    expect(r.chunks).toEqual([7, 7, 6]);
    expect(r.changes[0]).toBe('insert 0 s0');
    expect(r.changes[19]).toBe('delete 19 t9');
  });

  it('orders keys as signed 64-bit integers and compares all 64 bits of the hashes', async () => {
    const keys = [-(2n ** 63n), -(2n ** 32n), -1n, 0n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n];
    const source = keys.map((k) => [k, 5n] as const);
    // Hashes that differ in the high word only, in the low word only, and in bit 31.
    const target = keys.map((k, i) => [k, i === 2 ? 5n + 2n ** 40n : i === 4 ? 4n : i === 6 ? 5n + 2n ** 31n : 5n] as const);
    const r = await merged(source, target, { batch: 2 });
    expect(r.changes).toEqual(['update -1 s2t2', 'update 2147483648 s4t4', 'update 4294967296 s6t6']);
    expect((await merged(source.slice(1), target.slice(0, 8), { batch: 2 })).changes).toEqual([
      `delete ${-(2n ** 63n)} t0`,
      'update -1 s1t2',
      'update 2147483648 s3t4',
      'update 4294967296 s5t6',
      `insert ${2n ** 63n - 1n} s7`,
    ]);
  });

  it('stops at a key met twice or out of order, on either side', async () => {
    await expect(merged(rows(1, 2, 2, 3), rows(1))).rejects.toThrow(/the source has the key \(2\) twice/);
    await expect(merged(rows(1), rows(1, 3, 2))).rejects.toThrow(/the target rows are not in key order at \(2\)/);
    await expect(merged(rows(1, 5), rows(1, 4, 4), { batch: 1 })).rejects.toThrow(/the target has the key \(4\) twice/);
  });
});

/** Binary COPY as the server sends it: CopyData messages, the header in the first. */
function copyData(keyWidth: 2 | 4 | 8, pairs: ReadonlyArray<readonly [bigint | null, bigint]>): Buffer {
  const messages: Buffer[] = [];
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const rowsOut = pairs.map(([k, h]) => {
    const b = Buffer.alloc(2 + 4 + (k === null ? 0 : keyWidth) + 4 + 8);
    b.writeInt16BE(2, 0);
    let p = 2;
    if (k === null) {
      b.writeInt32BE(-1, p);
      p += 4;
    } else {
      b.writeInt32BE(keyWidth, p);
      p += 4;
      if (keyWidth === 8) b.writeBigInt64BE(k, p);
      else if (keyWidth === 4) b.writeInt32BE(Number(k), p);
      else b.writeInt16BE(Number(k), p);
      p += keyWidth;
    }
    b.writeInt32BE(8, p);
    b.writeBigInt64BE(h, p + 4);
    return b;
  });
  const trailer = Buffer.from([0xff, 0xff]);
  const payloads = rowsOut.length > 0 ? [Buffer.concat([header, rowsOut[0]]), ...rowsOut.slice(1), trailer] : [Buffer.concat([header, trailer])];
  for (const p of payloads) {
    const m = Buffer.alloc(5 + p.length);
    m[0] = 0x64;
    m.writeUInt32BE(4 + p.length, 1);
    p.copy(m, 5);
    messages.push(m);
  }
  return Buffer.concat(messages);
}

/** Cuts a run of messages into chunks of whole messages (as the connection hands them over). */
async function* chunksOf(data: Buffer, messagesPerChunk: number): AsyncGenerator<Buffer> {
  let p = 0;
  let start = 0;
  let count = 0;
  while (p < data.length) {
    p += 1 + data.readUInt32BE(p + 1);
    if (++count === messagesPerChunk) {
      yield data.subarray(start, p);
      start = p;
      count = 0;
    }
  }
  if (start < p) yield data.subarray(start, p);
}

async function decoded(data: Buffer, batchRows: number, perChunk = 3): Promise<string[]> {
  const out: string[] = [];
  for await (const b of keyHashBatches(chunksOf(data, perChunk), batchRows, 'test')) {
    for (let i = 0; i < b.n; i++) out.push(`${int64Text(b.keyHi[i], b.keyLo[i])}:${BigInt.asUintN(64, (BigInt(b.hashHi![i]) << 32n) | BigInt(b.hashLo![i] >>> 0))}`);
  }
  return out;
}

describe('binary COPY of (key, hash) decoded into typed arrays', () => {
  it('reads int2, int4 and int8 keys, signed, and 64-bit hashes, across chunks and batches', async () => {
    const hashes = [0n, 2n ** 64n - 1n, 2n ** 63n, 12345678901234567n];
    const cases: Array<[2 | 4 | 8, bigint[]]> = [
      [2, [-32768n, -1n, 0n, 32767n]],
      [4, [-(2n ** 31n), -1n, 1n, 2n ** 31n - 1n]],
      [8, [-(2n ** 63n), -(2n ** 53n) - 1n, 2n ** 53n + 1n, 2n ** 63n - 1n]],
    ];
    for (const [width, keys] of cases) {
      const data = copyData(
        width,
        keys.map((k, i) => [k, BigInt.asIntN(64, hashes[i])]),
      );
      const want = keys.map((k, i) => `${k}:${hashes[i]}`);
      for (const [batch, perChunk] of [[1, 1], [3, 2], [100, 100]]) expect(await decoded(data, batch, perChunk), `int${width}, batches of ${batch}`).toEqual(want);
    }
  });

  it('reads an empty table, and refuses a NULL key, a missing trailer and other data', async () => {
    expect(await decoded(copyData(8, []), 4)).toEqual([]);
    await expect(decoded(copyData(4, [[1n, 1n], [null, 2n]]), 4)).rejects.toThrow(/has a row whose key is NULL/);
    const cut = copyData(8, [[1n, 1n]]);
    await expect(decoded(cut.subarray(0, cut.length - 7), 4)).rejects.toThrow(/ended without its trailer/);
    const bad = copyData(8, [[1n, 1n]]);
    bad[5] = 0x51; // the signature
    await expect(decoded(bad, 4)).rejects.toThrow(/no PGCOPY signature/);
  });
});
