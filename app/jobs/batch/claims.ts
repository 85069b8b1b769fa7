/**
 * Which chunks a batch task runs, shared between the coordinator and the task's worker
 * without messages: one Int32 word per task (at its first chunk's index) holding the next
 * chunk to claim (low 16 bits) and the end of its run (high 15 bits). The worker claims
 * chunks one at a time; the coordinator, when a worker is idle, takes the upper half of the
 * chunks a running task has not claimed yet for a new task — both by compare-and-swap on
 * the same word, so a chunk is claimed by one task only.
 */

/** Chunks in a job at most (the end of a run must fit the word's high bits). */
export const MAX_CHUNKS = 0x7fff;

export function setClaims(words: Int32Array, start: number, end: number): void {
  Atomics.store(words, start, (end << 16) | start);
}

/** The next chunk of the task at `start`, claimed; undefined when the task has none left. */
export function claimNext(words: Int32Array, start: number): number | undefined {
  for (;;) {
    const v = Atomics.load(words, start);
    const next = v & 0xffff;
    if (next >= v >>> 16) return undefined;
    if (Atomics.compareExchange(words, start, v, v + 1) === v) return next;
  }
}

/** Where the task at `start` stands: its next chunk to claim and the end of its run. */
export function claimState(words: Int32Array, start: number): { next: number; end: number } {
  const v = Atomics.load(words, start);
  return { next: v & 0xffff, end: v >>> 16 };
}

/**
 * Takes the upper half of the chunks the task at `start` has not claimed (it keeps the
 * lower half and the one it reads): the range taken, or undefined when fewer than
 * `least` are left.
 */
export function steal(words: Int32Array, start: number, least = 2): { start: number; end: number } | undefined {
  for (;;) {
    const v = Atomics.load(words, start);
    const next = v & 0xffff;
    const end = v >>> 16;
    const left = end - next;
    if (left < least) return undefined;
    const mid = end - Math.floor(left / 2);
    if (Atomics.compareExchange(words, start, v, (mid << 16) | next) === v) return { start: mid, end };
  }
}
