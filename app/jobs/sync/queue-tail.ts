import type { Row } from '../../model/values';
import type { QueueEntryInput, SyncOp } from '../../store';

/** A queued change as the apply takes it: its row decoded. */
export interface QueuedChange {
  id: number;
  op: 'upsert' | 'delete';
  key: string;
  hash?: string;
  row: Row;
}

interface Kept {
  id: number;
  op: SyncOp | 'held';
  key: string;
  hash?: string;
  row: Row;
}

/**
 * The changes a run queued, kept in memory as well (up to `maxBytes` of encoded rows), so
 * that its apply takes them from here instead of reading the store's copy back and decoding
 * it (~35 ms of a 10,000-change run). The store's copy stays the durable one: a run that dies
 * is re-applied from it by the next. Used only while it holds exactly the changes pending in
 * the store (the apply checks their count).
 */
export class QueueTail {
  private kept: Kept[] = [];
  private bytes = 0;
  private dropped = false;

  constructor(private readonly maxBytes: number) {}

  /** Entries just queued (`ids` as the store's enqueue gave them), with their rows decoded. */
  add(ids: readonly number[] | undefined, entries: readonly QueueEntryInput[], rows: readonly Row[]): void {
    if (this.dropped) return;
    let last = this.kept.at(-1)?.id ?? -Infinity;
    for (const e of entries) this.bytes += e.row?.byteLength ?? 0;
    if (!ids || ids.length !== entries.length || this.bytes > this.maxBytes) return this.drop();
    for (let i = 0; i < entries.length; i++) {
      // In queue order, or not at all.
      if (ids[i] <= last) return this.drop();
      last = ids[i];
      const e = entries[i];
      this.kept.push({ id: ids[i], op: e.op, key: e.key, hash: e.hash, row: rows[i] });
    }
  }

  /** As the store's settleTentative: the tentative deletes of `held` keys are never applied, the others are deletes. */
  settle(held: ReadonlySet<string>): void {
    for (const e of this.kept) if (e.op === 'tentative-delete') e.op = held.has(e.key) ? 'held' : 'delete';
  }

  /** The changes to apply, in queue order, when they are all of the `pending` ones in the store; else undefined. */
  changes(pending: number): QueuedChange[] | undefined {
    if (this.dropped) return undefined;
    const out = this.kept.filter((e): e is Kept & QueuedChange => e.op === 'upsert' || e.op === 'delete');
    return out.length === pending ? out : undefined;
  }

  private drop(): void {
    this.dropped = true;
    this.kept = [];
  }
}
