import { describe, expect, it } from 'vitest';
import { WorkbenchStore } from '../../store';
import { RangeRecorder, sideChanges, unionKeys, type Summaries } from './key-ranges';
import { int64Text, keyHashBatches } from './pg-diff';
import { decodeBlock, encodeBlock, EntryWriter, guardsProblem, newGuards, PartReader } from './row-versions';
import type { SideState } from './row-version-scan';

/**
 * The cache without a database: the block encoding, the guards, the binary COPY of
 * (key, hash), and the key-range bitmaps (a side's candidates from its summaries and the
 * recorded bitmaps; the bitmaps of a run that reads every key).
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
});

/** Binary COPY messages of (key, hash) rows (key int4 or int8); `fields` overrides the field count written. */
function copyData(rows: ReadonlyArray<readonly [bigint, bigint]>, keyWidth: 4 | 8, fields = 2): Buffer {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const payloads = rows.map(([k, h]) => {
    const b = Buffer.alloc(2 + 4 + keyWidth + 12);
    b.writeInt16BE(fields, 0);
    b.writeInt32BE(keyWidth, 2);
    if (keyWidth === 8) b.writeBigInt64BE(k, 6);
    else b.writeInt32BE(Number(k), 6);
    b.writeInt32BE(8, 6 + keyWidth);
    b.writeBigInt64BE(h, 10 + keyWidth);
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

async function decode(data: Buffer, batch = 2): Promise<string[]> {
  const out: string[] = [];
  async function* one(): AsyncGenerator<Buffer> {
    yield data;
  }
  for await (const b of keyHashBatches(one(), batch, 'test')) {
    for (let i = 0; i < b.n; i++) out.push(`${int64Text(b.keyHi[i], b.keyLo[i])}:${BigInt.asIntN(64, (BigInt(b.hashHi[i]) << 32n) | BigInt(b.hashLo[i] >>> 0))}`);
  }
  return out;
}

describe('binary COPY of (key, hash)', () => {
  it('reads int4 and int8 keys and hashes', async () => {
    const rows = [[-5n, -1n], [7n, 2n ** 62n], [2n ** 40n, -(2n ** 63n)]] as const;
    expect(await decode(copyData(rows, 8))).toEqual(['-5:-1', `7:${2n ** 62n}`, `${2n ** 40n}:${-(2n ** 63n)}`]);
    expect(await decode(copyData(rows.slice(0, 2), 4), 1)).toEqual(['-5:-1', `7:${2n ** 62n}`]);
    expect(await decode(copyData([], 8))).toEqual([]);
  });

  it('refuses rows of another shape', async () => {
    await expect(decode(copyData([[1n, 1n]], 8, 3))).rejects.toThrow(/a row of 3 fields/);
  });
});

/** Keys as (range words, bitmap words) entries: r = key >> 6, bit key & 63. */
function ranges(keys: readonly bigint[]): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>();
  for (const k of keys) m.set(k >> 6n, (m.get(k >> 6n) ?? 0n) | (1n << (k & 63n)));
  return m;
}

function summaries(present: readonly bigint[], changed: readonly bigint[]): Summaries {
  const p = ranges(present);
  const c = ranges(changed);
  const rs = [...new Set([...p.keys(), ...c.keys()])].sort((a, b) => (a < b ? -1 : 1));
  const out: Summaries = { n: rs.length, rows: present.length, rHi: new Int32Array(rs.length), rLo: new Uint32Array(rs.length), present: new Int32Array(2 * rs.length), changed: new Int32Array(2 * rs.length) };
  rs.forEach((r, i) => {
    out.rHi[i] = Number(BigInt.asIntN(32, r >> 32n));
    out.rLo[i] = Number(BigInt.asUintN(32, r));
    for (const [bits, into] of [[p.get(r) ?? 0n, out.present], [c.get(r) ?? 0n, out.changed]] as const) {
      into[2 * i] = Number(BigInt.asIntN(32, bits));
      into[2 * i + 1] = Number(BigInt.asIntN(32, bits >> 32n));
    }
  });
  return out;
}

const keyOf = (hi: number, lo: number) => (BigInt(hi) << 32n) + BigInt(lo >>> 0);

describe('key-range bitmaps', () => {
  /** The keys of a side, recorded as a run that reads every key does; then one side's candidates from summaries of `now`. */
  function candidates(before: readonly bigint[], now: readonly bigint[], changed: readonly bigint[]): { keys: bigint[]; recorded: bigint[]; deleted: number } {
    const store = WorkbenchStore.open(':memory:');
    try {
      const seq = store.syncs.ensure('m', 'fp', 'full').state.seq;
      const repo = store.syncs.rowVersions;
      const gen = repo.begin(seq);
      // Blocks of two entries: the ranges span several.
      const rec = new RangeRecorder(new EntryWriter(repo, seq, gen, 0, 2));
      for (const k of [...before].sort((a, b) => (a < b ? -1 : 1))) rec.add(Number(BigInt.asIntN(32, k >> 32n)), Number(BigInt.asUintN(32, k)));
      rec.finish();
      repo.commit(seq, gen, '{}', 0);
      const next = repo.begin(seq);
      const out = new EntryWriter(repo, seq, next, 0, 2);
      const r = sideChanges(summaries(now, changed), new PartReader(repo, seq, gen, 0), out, 1000);
      if ('reason' in r) throw new Error(r.reason);
      // What the run recorded: the bitmaps of the keys present now.
      const recorded: bigint[] = [];
      const reader = new PartReader(repo, seq, next, 0);
      while (!reader.done) {
        const w = reader.words.subarray(reader.i * 4, reader.i * 4 + 4);
        const rr = keyOf(w[0], w[1]);
        const bits = BigInt.asUintN(32, BigInt(w[2])) | (BigInt.asUintN(32, BigInt(w[3])) << 32n);
        for (let o = 0n; o < 64n; o++) if ((bits >> o) & 1n) recorded.push(rr * 64n + o);
        reader.advance();
      }
      const keys: bigint[] = [];
      for (let i = 0; i < r.keys.length; i += 2) keys.push(keyOf(r.keys[i], r.keys[i + 1]));
      return { keys, recorded, deleted: r.deleted };
    } finally {
      store.close();
    }
  }

  it('names the keys changed, inserted or deleted since (across ranges, words and signs), and records the keys present now', () => {
    const big = 2n ** 62n;
    const before = [-(2n ** 63n), -65n, -64n, -1n, 0n, 1n, 31n, 32n, 63n, 64n, 127n, 1000n, 4095n, big, big + 63n, 2n ** 63n - 1n];
    // Deleted: -64, 32, 127, the whole range of 4095 and the last key; inserted: -2, 200 (a new
    // range), 2^62 + 1; changed: 1, 63, 2^62 (and 200 and 2^62 + 1, new ones, are in the window too).
    const gone = new Set([-64n, 32n, 127n, 4095n, 2n ** 63n - 1n]);
    const inserted = [-2n, 200n, big + 1n];
    const now = [...before.filter((k) => !gone.has(k)), ...inserted].sort((a, b) => (a < b ? -1 : 1));
    const r = candidates(before, now, [1n, 63n, big, 200n, big + 1n, -2n]);
    expect(r.keys).toEqual([-64n, -2n, 1n, 32n, 63n, 127n, 200n, 4095n, big, big + 1n, 2n ** 63n - 1n]);
    expect(r.recorded).toEqual(now);
    expect(r.deleted).toBe(5);
  });

  it('a key present now but neither before nor in the window is compared all the same', () => {
    expect(candidates([1n, 2n], [1n, 2n, 3n], []).keys).toEqual([3n]);
    expect(candidates([], [5n], []).keys).toEqual([5n]);
    expect(candidates([5n, 6n], [], []).keys).toEqual([5n, 6n]);
  });

  it('merges two sides\' candidates in key order without repeats', () => {
    const pairs = (ks: bigint[]) => ks.flatMap((k) => [Number(BigInt.asIntN(32, k >> 32n)), Number(BigInt.asUintN(32, k))]);
    expect(unionKeys(pairs([-1n, 3n, 2n ** 32n]), pairs([-5n, 3n, 4n, 2n ** 32n + 1n]))).toEqual(pairs([-5n, -1n, 3n, 4n, 2n ** 32n, 2n ** 32n + 1n]));
  });
});
