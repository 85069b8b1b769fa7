import type { Row } from '../../model/values';
import type { OutputPort } from '../types';

/** Rows per batch for nodes that produce rows of their own (aggregate, sort, dedupe keep-last). */
export const BATCH_SIZE = 4096;

/**
 * Collects rows one at a time and pushes them in batches, for nodes that emit rows at the
 * end or out of step with their input. `add` returns false once the port wants no more.
 */
export class Emitter {
  private batch: Row[] = [];

  constructor(
    private readonly out: OutputPort,
    private readonly size = BATCH_SIZE,
  ) {}

  async add(row: Row): Promise<boolean> {
    this.batch.push(row);
    if (this.batch.length >= this.size) await this.flush();
    return !this.out.done;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    await this.out.push(rows);
  }
}

/** True when every output wants no more rows (a node with several outputs may stop then). */
export function allDone(outputs: OutputPort[]): boolean {
  return outputs.length > 0 && outputs.every((o) => o.done);
}
