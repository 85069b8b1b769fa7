import { describe, expect, it } from 'vitest';
import type { QueueEntryInput } from '../../store';
import { QueueTail } from './queue-tail';

const entry = (op: QueueEntryInput['op'], key: string, bytes = 10): QueueEntryInput => ({ op, key, row: new Uint8Array(bytes) });

describe('QueueTail', () => {
  it('gives the changes in queue order once the tentative deletes are settled, if they are all that is pending', () => {
    const tail = new QueueTail(1000);
    tail.add([5, 6], [entry('upsert', 'a'), entry('tentative-delete', 'b')], [[1], [2]]);
    tail.add([9], [entry('tentative-delete', 'c')], [[3]]);
    tail.settle(new Set(['c']));
    expect(tail.changes(2)).toEqual([
      { id: 5, op: 'upsert', key: 'a', row: [1], hash: undefined },
      { id: 6, op: 'delete', key: 'b', row: [2], hash: undefined },
    ]);
    // Another change pending in the store (an earlier run's): not all of them are here.
    expect(tail.changes(3)).toBeUndefined();
  });

  it('lets go of everything past its size, on ids out of order, or ids unknown', () => {
    const over = new QueueTail(25);
    over.add([1, 2], [entry('upsert', 'a'), entry('upsert', 'b')], [[1], [2]]);
    expect(over.changes(2)).toHaveLength(2);
    over.add([3], [entry('upsert', 'c')], [[3]]);
    expect(over.changes(3)).toBeUndefined();
    over.add([4], [entry('upsert', 'd', 1)], [[4]]);
    expect(over.changes(1)).toBeUndefined();

    const unordered = new QueueTail(1000);
    unordered.add([7], [entry('upsert', 'a')], [[1]]);
    unordered.add([6], [entry('upsert', 'b')], [[2]]);
    expect(unordered.changes(2)).toBeUndefined();

    const unknown = new QueueTail(1000);
    unknown.add(undefined, [entry('upsert', 'a')], [[1]]);
    expect(unknown.changes(1)).toBeUndefined();
  });
});
