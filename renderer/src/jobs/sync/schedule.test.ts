import { describe, expect, it } from 'vitest';
import { describeEvery, nextRun } from './schedule';

const MIN = 60_000;

describe('the next scheduled run', () => {
  it('follows the rhythm of the runs the host started', () => {
    expect(nextRun({ everyMs: 15 * MIN, lastTick: 0, now: 5 * MIN })).toEqual({ at: 15 * MIN, approximate: false });
    // Ticks missed while the window was closed: the next one on the same rhythm.
    expect(nextRun({ everyMs: 15 * MIN, lastTick: 0, now: 46 * MIN })).toEqual({ at: 60 * MIN, approximate: false });
    expect(nextRun({ everyMs: 15 * MIN, lastTick: 0, now: 0 })).toEqual({ at: 15 * MIN, approximate: false });
  });

  it('after a save, one interval from the host picking the schedule up (within a minute)', () => {
    expect(nextRun({ everyMs: 15 * MIN, savedAt: 10 * MIN, now: 11 * MIN })).toEqual({ at: 25 * MIN, approximate: true });
    // A tick from before the save does not count: the save restarted the interval.
    expect(nextRun({ everyMs: 15 * MIN, lastTick: 5 * MIN, savedAt: 10 * MIN, now: 11 * MIN })).toEqual({ at: 25 * MIN, approximate: true });
    expect(nextRun({ everyMs: 15 * MIN, lastTick: 26 * MIN, savedAt: 10 * MIN, now: 27 * MIN })).toEqual({ at: 41 * MIN, approximate: false });
    expect(nextRun({ everyMs: 5 * MIN, savedAt: 0, now: 12 * MIN })).toEqual({ at: 15 * MIN, approximate: true });
  });

  it('unknown without either', () => {
    expect(nextRun({ everyMs: 15 * MIN, now: 0 })).toBeUndefined();
    expect(nextRun({ everyMs: 0, lastTick: 0, now: 0 })).toBeUndefined();
  });

  it('says the interval as people do', () => {
    expect(describeEvery('15m')).toBe('every 15 min');
    expect(describeEvery('1d')).toBe('every 1 day');
    expect(describeEvery('2h')).toBe('every 2 h');
  });
});
