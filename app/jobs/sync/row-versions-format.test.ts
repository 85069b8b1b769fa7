import { describe, expect, it } from 'vitest';
import { WorkbenchStore } from '../../store';
import { DELETE, INSERT, int64Text, UPDATE, type KeyBatch } from './pg-diff';
import { versionBatches } from './row-version-scan';
import { CacheCursor, decodeBlock, encodeBlock, EntryWriter, guardsProblem, mergeEntries, mergeRowVersions, newGuards, trustWindow, type RowVersionGuards } from './row-versions';
import type { SideState } from './row-version-scan';

/**
 * The row-version cache without a database: the block encoding, the guards and the trust
 * window, the merge of verified entries, and the binary COPY of (key, xmin[, hash]).
 */

const words = (entries: ReadonlyArray<readonly [bigint, number, number]>): Int32Array => {
  const w = new Int32Array(entries.length * 4);
  entries.forEach(([k, xs, xt], i) => {
    w[i * 4] = Number(BigInt.asIntN(32, k >> 32n));
    w[i * 4 + 1] = Number(BigInt.asIntN(32, k));
    w[i * 4 + 2] = xs | 0;
    w[i * 4 + 3] = xt | 0;
  });
  return w;
};

describe('row-version blocks', () => {
  it('round-trip keys of every sign and width, gaps, high-word changes and xmins that wrap', () => {
    const entries: Array<readonly [bigint, number, number]> = [
      [-(2n ** 63n), 0, 0xffffffff],
      [-(2n ** 32n) - 1n, 3, 3],
      [-1n, 0x7fffffff, 0x80000000],
      [0n, 0x80000000, 0x7fffffff],
      [1n, 5, 5],
      [2n, 5, 5],
      [1000n, 4, 6],
      [2n ** 32n - 1n, 4, 6],
      [2n ** 32n, 4, 6],
      [2n ** 53n + 1n, 1, 2],
      [2n ** 63n - 1n, 0xfffffffe, 1],
    ];
    const w = words(entries);
    const bytes = encodeBlock(w, entries.length, new Uint8Array(4));
    expect(decodeBlock(bytes)).toEqual(w);
    // Consecutive keys sharing xmins take 3 bytes each.
    const run = words(Array.from({ length: 1000 }, (_, i) => [BigInt(i + 1), 77, 99] as const));
    expect(encodeBlock(run, 1000, new Uint8Array(4 + 1000 * 19)).length).toBeLessThan(4 + 9 + 10 + 999 * 3 + 1);
    expect(decodeBlock(encodeBlock(run, 1000, new Uint8Array(1)))).toEqual(run);
  });

  it('refuses a damaged block', () => {
    const bytes = encodeBlock(words([[1n, 1, 1], [2n, 2, 2]]), 2, new Uint8Array(64)).slice();
    expect(() => decodeBlock(bytes.subarray(0, bytes.length - 1))).toThrow(/damaged block/);
    expect(() => decodeBlock(Uint8Array.from([...bytes, 0]))).toThrow(/damaged block/);
  });
});

describe('merged verified entries', () => {
  it('keeps key order, low words compared unsigned', () => {
    const a = [0, 1, 10, 10, 0, -1, 11, 11];
    const b = [0, 5, 20, 20, 1, 0, 21, 21];
    expect(mergeEntries(a, b)).toEqual([0, 1, 10, 10, 0, 5, 20, 20, 0, -1, 11, 11, 1, 0, 21, 21]);
    expect(mergeEntries([], b)).toEqual(b);
  });
});

const state = (over: Partial<SideState> = {}): SideState => ({
  system: '7711742739475982455',
  timeline: '1',
  walTimeline: '00000001',
  database: '16386',
  relation: '16684',
  filenode: '16684',
  relkind: 'r',
  snapshotXmin: '1000',
  snapshotXmax: '1010',
  ...over,
});

describe('guards', () => {
  const old = newGuards(state(), state(), 'SELECT s', 'SELECT t');
  it('hold for the same server, table and queries while ids advance less than 2^30', () => {
    expect(guardsProblem(old, newGuards(state({ snapshotXmax: '5000' }), state({ snapshotXmax: String(1000 + 2 ** 30 - 1) }), 'SELECT s', 'SELECT t'))).toBeUndefined();
  });

  it('fail for another server, timeline, database, table, file, queries, ids gone back or too far, another format', () => {
    const now = (s: Partial<SideState>, t: Partial<SideState> = {}, q = 'SELECT s') => guardsProblem(old, newGuards(state(s), state(t), q, 'SELECT t'));
    expect(now({ system: '1' })).toMatch(/server/);
    expect(now({}, { timeline: '2' })).toMatch(/timeline .* of the target/);
    expect(now({ walTimeline: '00000002' })).toMatch(/WAL/);
    expect(now({ database: '1' })).toMatch(/database/);
    expect(now({}, { relation: '1' })).toMatch(/dropped and created again/);
    expect(now({}, { filenode: '1' })).toMatch(/TRUNCATE/);
    expect(now({}, {}, 'SELECT s2')).toMatch(/columns or their types/);
    expect(now({ snapshotXmax: '1009' })).toMatch(/went back/);
    expect(now({}, { snapshotXmax: String(1000 + 2 ** 30) })).toMatch(/2\^30/);
    expect(guardsProblem({ ...old, format: 1 }, old)).toMatch(/another format/);
    expect(guardsProblem(undefined, old)).toMatch(/another format/);
  });

  it('the trust window covers the ids from the recorded snapshot xmin to the current xmax, modulo 2^32', () => {
    const g: RowVersionGuards = newGuards(state({ snapshotXmin: String(2n ** 33n + 0xfffffff0n) }), state({ snapshotXmin: '100' }), 's', 't');
    const w = trustWindow(g, 2n ** 33n + 2n ** 32n + 0x10n, 150n);
    const inWindow = (x: number, lo: number, width: number) => ((x - lo) >>> 0) < width;
    // Source: ids 0xfffffff0 .. 0x1000f wrap past 2^32.
    expect(inWindow(0xfffffff0 | 0, w.sourceLo, w.sourceWidth)).toBe(true);
    expect(inWindow(0x0f, w.sourceLo, w.sourceWidth)).toBe(true);
    expect(inWindow(0x10, w.sourceLo, w.sourceWidth)).toBe(false);
    expect(inWindow(0xffffffef | 0, w.sourceLo, w.sourceWidth)).toBe(false);
    expect(inWindow(149, w.targetLo, w.targetWidth)).toBe(true);
    expect(inWindow(99, w.targetLo, w.targetWidth)).toBe(false);
  });
});

/** Binary COPY messages of rows (key int4 or int8, xmin, optional hash). */
function copyData(rows: ReadonlyArray<readonly [bigint, number, bigint?]>, keyWidth: 4 | 8, withHash: boolean): Buffer {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const payloads = rows.map(([k, x, h]) => {
    const b = Buffer.alloc(2 + 4 + keyWidth + 8 + (withHash ? 12 : 0));
    b.writeInt16BE(withHash ? 3 : 2, 0);
    b.writeInt32BE(keyWidth, 2);
    if (keyWidth === 8) b.writeBigInt64BE(k, 6);
    else b.writeInt32BE(Number(k), 6);
    b.writeInt32BE(4, 6 + keyWidth);
    b.writeUInt32BE(x, 10 + keyWidth);
    if (withHash) {
      b.writeInt32BE(8, 14 + keyWidth);
      b.writeBigInt64BE(h ?? 0n, 18 + keyWidth);
    }
    return b;
  });
  const all = payloads.length > 0 ? [Buffer.concat([header, payloads[0]]), ...payloads.slice(1), Buffer.from([0xff, 0xff])] : [Buffer.concat([header, Buffer.from([0xff, 0xff])])];
  return Buffer.concat(
    all.map((p) => {
      const m = Buffer.alloc(5 + p.length);
      m[0] = 0x64;
      m.writeUInt32BE(4 + p.length, 1);
      p.copy(m, 5);
      return m;
    }),
  );
}

async function decode(data: Buffer, withHash: boolean, batch = 2): Promise<string[]> {
  const out: string[] = [];
  async function* one(): AsyncGenerator<Buffer> {
    yield data;
  }
  for await (const b of versionBatches(one(), batch, 'test', withHash)) {
    for (let i = 0; i < b.n; i++) out.push(`${int64Text(b.keyHi[i], b.keyLo[i])}:${b.xmin![i] >>> 0}${withHash ? `:${BigInt.asIntN(64, (BigInt(b.hashHi![i]) << 32n) | BigInt(b.hashLo![i] >>> 0))}` : ''}`);
  }
  return out;
}

describe('binary COPY of (key, xmin[, hash])', () => {
  it('reads int4 and int8 keys, xmins with the high bit set, and hashes', async () => {
    const rows = [[-5n, 0xffffffff, -1n], [7n, 3, 2n ** 62n], [2n ** 40n, 0x80000000, -(2n ** 63n)]] as const;
    expect(await decode(copyData(rows, 8, true), true)).toEqual([`-5:${0xffffffff}:-1`, `7:3:${2n ** 62n}`, `${2n ** 40n}:${0x80000000}:${-(2n ** 63n)}`]);
    expect(await decode(copyData(rows.slice(0, 2), 4, false), false, 1)).toEqual([`-5:${0xffffffff}`, '7:3']);
    expect(await decode(copyData([], 8, false), false)).toEqual([]);
  });

  it('refuses rows of another shape', async () => {
    await expect(decode(copyData([[1n, 1, 1n]], 8, true), false)).rejects.toThrow(/a row of 3 fields/);
    await expect(decode(copyData([[1n, 1]], 8, false), true)).rejects.toThrow(/a row of 2 fields/);
  });
});

describe('merge of (key, xmin) batches with the cache', () => {
  it('carries rows whose xmins are the cached ones outside the trust window; the others are candidates', async () => {
    const store = WorkbenchStore.open(':memory:');
    try {
      const seq = store.syncs.ensure('m', 'fp', 'full').state.seq;
      const repo = store.syncs.rowVersions;
      const gen = repo.begin(seq);
      // Blocks of two entries: the cache spans several; key 5 is cached but on no side any more.
      const base = new EntryWriter(repo, seq, gen, 0, 2);
      base.add(-1, -5, 1, 1);
      for (const [k, xs, xt] of [[1, 10, 20], [2, 11, 21], [3, 500, 22], [5, 13, 23]]) base.add(0, k, xs, xt);
      base.flush();
      const verified = new EntryWriter(repo, seq, gen, 1, 2);
      verified.add(0, 4, 14, 24);
      verified.flush();
      repo.commit(seq, gen, '{}', 6);
      const batch = (rows: number[][]): KeyBatch => ({
        n: rows.length,
        keyHi: Int32Array.from(rows.map((r) => (r[0] < 0 ? -1 : 0))),
        keyLo: Uint32Array.from(rows.map((r) => r[0] >>> 0)),
        xmin: Int32Array.from(rows.map((r) => r[1])),
      });
      async function* one(b: KeyBatch): AsyncGenerator<KeyBatch> {
        yield b;
      }
      // Key 2: the target's xmin moved; key 3: its cached source xmin is in the window [490, 510);
      // key 4: the source's xmin moved (outside the window); key 6: new; key 7: only on the target.
      // Key -5 (a negative key first in the cache) is unchanged.
      const source = batch([[-5, 1], [1, 10], [2, 11], [3, 500], [4, 15], [6, 1]]);
      const target = batch([[-5, 1], [1, 20], [2, 99], [3, 22], [4, 24], [7, 1]]);
      const out = new EntryWriter(repo, seq, repo.begin(seq), 0);
      const stats = { carried: 0, equalByHash: 0, candidates: 0, rehashedEqual: 0, untrusted: 0 };
      const changes: string[] = [];
      const window = { sourceLo: 490, sourceWidth: 20, targetLo: 0, targetWidth: 0 };
      for await (const ck of mergeRowVersions(one(source), one(target), { cache: { entries: new CacheCursor(repo, seq, gen), window }, base: out, deletes: true, chunk: 10, counts: { sourceRows: 0, targetRows: 0 }, stats })) {
        for (let i = 0; i < ck.n; i++) changes.push(`${ck.kind[i] === UPDATE ? 'update' : ck.kind[i] === INSERT ? 'insert' : ck.kind[i] === DELETE ? 'delete' : '?'} ${ck.key(i)}`);
      }
      expect(changes).toEqual(['update 2', 'update 3', 'update 4', 'insert 6', 'delete 7']);
      expect(stats).toMatchObject({ carried: 2, candidates: 3, untrusted: 1 });
      expect(out.count).toBe(2);
    } finally {
      store.close();
    }
  });
});
