import type { Db } from './database';

/**
 * The row-version cache of full-diff syncs (schema-v4.ts): generations of packed blocks.
 * The store knows nothing of the entries' format; it keeps blocks in order and makes a
 * generation current atomically. One run of a sync at a time (the lease), so a generation
 * being written has one writer.
 */

export interface RowVersionGeneration {
  generation: number;
  /** JSON text of the guards the generation was recorded under. */
  guards: string;
  entries: number;
}

/** A generation's two sorted parts (app/jobs/sync keeps the source's keys in 0, the target's in 1). */
export type RowVersionPart = 0 | 1;

export class RowVersionRepo {
  private readonly readBlockStmt;
  private readonly writeBlockStmt;

  constructor(private readonly db: Db) {
    this.readBlockStmt = db.prepare(`SELECT entries FROM sync_row_version_blocks WHERE sync_seq = ? AND generation = ? AND part = ? AND block = ?`).pluck();
    this.writeBlockStmt = db.prepare(`INSERT INTO sync_row_version_blocks (sync_seq, generation, part, block, entries) VALUES (?, ?, ?, ?, ?)`);
  }

  current(seq: number): RowVersionGeneration | undefined {
    const r = this.db.prepare(`SELECT generation, guards, entries FROM sync_row_versions WHERE sync_seq = ?`).get(seq) as RowVersionGeneration | undefined;
    return r && { generation: r.generation, guards: r.guards, entries: r.entries };
  }

  /**
   * Starts a new generation: the blocks of generations that never became current (a run
   * that failed or was killed while writing) are deleted first. Returns its number.
   */
  begin(seq: number): number {
    return this.db
      .transaction(() => {
        const cur = this.current(seq);
        this.db.prepare(`DELETE FROM sync_row_version_blocks WHERE sync_seq = ? AND generation <> ?`).run(seq, cur?.generation ?? -1);
        const max = this.db.prepare(`SELECT max(generation) FROM sync_row_version_blocks WHERE sync_seq = ?`).pluck().get(seq) as number | null;
        return Math.max(max ?? 0, cur?.generation ?? 0) + 1;
      })
      .immediate();
  }

  writeBlock(seq: number, generation: number, part: RowVersionPart, block: number, bytes: Uint8Array): void {
    this.writeBlockStmt.run(seq, generation, part, block, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** One block of a generation's part, or undefined past its last. */
  readBlock(seq: number, generation: number, part: RowVersionPart, block: number): Buffer | undefined {
    return this.readBlockStmt.get(seq, generation, part, block) as Buffer | undefined;
  }

  /** Makes `generation` the current one and deletes every other generation's blocks, in one transaction. */
  commit(seq: number, generation: number, guards: string, entries: number): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO sync_row_versions (sync_seq, generation, guards, entries, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (sync_seq) DO UPDATE SET generation = excluded.generation, guards = excluded.guards, entries = excluded.entries, created_at = excluded.created_at`,
          )
          .run(seq, generation, guards, entries, new Date().toISOString());
        this.db.prepare(`DELETE FROM sync_row_version_blocks WHERE sync_seq = ? AND generation <> ?`).run(seq, generation);
      })
      .immediate();
  }

  /** Deletes a generation that is not the current one (a run that did not finish its detection). */
  discard(seq: number, generation: number): void {
    if (this.current(seq)?.generation === generation) return;
    this.db.prepare(`DELETE FROM sync_row_version_blocks WHERE sync_seq = ? AND generation = ?`).run(seq, generation);
  }

  /** Forgets the sync's cache (a reset, a changed definition, guards that no longer hold). */
  drop(seq: number): void {
    // The current marker first: blocks left by a crash in between are never read, and the next run deletes them.
    this.db.prepare(`DELETE FROM sync_row_versions WHERE sync_seq = ?`).run(seq);
    this.db.prepare(`DELETE FROM sync_row_version_blocks WHERE sync_seq = ?`).run(seq);
  }
}
