import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as in ULID
const RANDOM_MAX = (1n << 80n) - 1n;

let lastTime = -1;
let lastRandom = 0n;

/**
 * A ULID: 10 characters of millisecond time then 16 of randomness, so ids sort by creation
 * time as plain text (listRuns orders by id). Within one millisecond, or when the clock
 * steps back, the previous id's random part is incremented, so ids made by one process
 * are strictly increasing. Ids from different processes in the same millisecond are
 * unique but in no particular order.
 */
export function newRunId(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    // Leave headroom so incrementing within a millisecond can never overflow.
    lastRandom = BigInt('0x' + randomBytes(10).toString('hex')) >> 1n;
  } else {
    lastRandom = lastRandom === RANDOM_MAX ? 0n : lastRandom + 1n;
    if (lastRandom === 0n) lastTime++;
  }
  return encode(BigInt(lastTime), 10) + encode(lastRandom, 16);
}

function encode(n: bigint, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s = ALPHABET[Number(n & 31n)] + s;
    n >>= 5n;
  }
  return s;
}

/** The time a run id was made (ms since 1970), or undefined when it is not a ULID. */
export function runIdTime(id: string): number | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return undefined;
  let t = 0;
  for (const ch of id.slice(0, 10)) t = t * 32 + ALPHABET.indexOf(ch);
  return t;
}
