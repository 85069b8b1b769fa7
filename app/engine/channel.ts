import type { Row } from '../model/values';

/**
 * A queue of row batches between two nodes. Bounded by default, so a fast producer waits
 * for a slow consumer (back-pressure) and memory stays flat. The consumer may stop early
 * (`cancel`), after which pushes are dropped and the producer sees `cancelled`.
 */
export class Channel implements AsyncIterable<Row[]> {
  private readonly queue: Row[][] = [];
  private closed = false;
  private failure: unknown = undefined;
  private failed = false;
  cancelled = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducers: Array<() => void> = [];

  /** @param capacity batches held before push waits; Infinity for an unbounded channel. */
  constructor(readonly capacity = 4) {}

  get size(): number {
    return this.queue.length;
  }

  async push(rows: Row[]): Promise<void> {
    if (this.cancelled || this.closed) return;
    this.queue.push(rows);
    this.wakeConsumer?.();
    while (this.queue.length > this.capacity && !this.cancelled && !this.failed) {
      await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
    }
  }

  close(): void {
    this.closed = true;
    this.wakeConsumer?.();
  }

  /** Ends the stream with an error the consumer will see after the queued batches. */
  fail(error: unknown): void {
    this.failed = true;
    this.failure = error;
    this.closed = true;
    this.wakeConsumer?.();
    this.releaseProducers();
  }

  /** The consumer wants no more rows. */
  cancel(): void {
    this.cancelled = true;
    this.queue.length = 0;
    this.releaseProducers();
  }

  private releaseProducers(): void {
    const waiting = this.wakeProducers;
    this.wakeProducers = [];
    for (const w of waiting) w();
  }

  private async next(): Promise<Row[] | undefined> {
    for (;;) {
      if (this.queue.length > 0) {
        const rows = this.queue.shift()!;
        if (this.queue.length <= this.capacity) this.releaseProducers();
        return rows;
      }
      if (this.failed) throw this.failure;
      if (this.closed || this.cancelled) return undefined;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = undefined;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Row[]> {
    return {
      next: async () => {
        const value = await this.next();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }
}
