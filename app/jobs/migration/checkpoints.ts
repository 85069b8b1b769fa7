import { hostname } from 'node:os';
import type { MigrationRecord, MigrationTableState, RejectedRowInput, WorkbenchStore } from '../../store';
import { decodeKey, encodeKey, type Key } from './keys';

/**
 * The migration job's access to its checkpoints in the workbench store. The rule that
 * makes a resume exact: a chunk is recorded only after the target committed it, and its
 * rejected rows are recorded in the same store transaction, so a chunk is either fully
 * recorded (rows, rejects, new last key) or not at all. What the target may hold beyond the
 * last recorded key (a chunk committed in the instant before the process died) is
 * overwritten by the resume, which writes its first chunk of each table with upsert
 * (copy.ts).
 */

export interface TableCheckpoint {
  state: MigrationTableState;
  chunks: number;
  lastKey?: Key;
  rowsCopied: number;
  rowsRejected: number;
}

export interface ChunkRecord {
  table: string;
  chunk: number;
  firstKey?: Key;
  lastKey?: Key;
  rows: number;
  rejected: RejectedRowInput[];
}

/** 'host:pid' of this process. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** True when `owner` names a live process other than this one on this machine (another host: unknown, so assumed alive). */
export function ownerAlive(owner: string | undefined, heartbeatAt: string | undefined, staleMs = 30_000): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host === hostname()) {
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      // EPERM: the process exists but belongs to someone else.
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return heartbeatAt !== undefined && Date.now() - Date.parse(heartbeatAt) < staleMs;
}

export class MigrationCheckpoints {
  constructor(
    private readonly store: WorkbenchStore,
    readonly runId: string,
  ) {}

  record(): MigrationRecord {
    const m = this.store.getMigration(this.runId);
    if (!m) throw new Error(`run ${this.runId} is not a migration`);
    return m;
  }

  tables(): Map<string, TableCheckpoint> {
    const out = new Map<string, TableCheckpoint>();
    for (const t of this.record().tables) {
      out.set(t.name, {
        state: t.state,
        chunks: t.chunks,
        lastKey: t.lastKey === undefined || t.lastKey === null ? undefined : decodeKey(t.lastKey),
        rowsCopied: t.rowsCopied,
        rowsRejected: t.rowsRejected,
      });
    }
    return out;
  }

  /** After the target's commit: the chunk with its rejected rows, in one store transaction. */
  recordChunk(c: ChunkRecord): void {
    this.store.transaction(() => {
      this.store.addRejectedRows(this.runId, c.rejected);
      this.store.recordMigrationChunk(this.runId, {
        table: c.table,
        chunk: c.chunk,
        firstKey: c.firstKey && encodeKey(c.firstKey),
        lastKey: c.lastKey && encodeKey(c.lastKey),
        rows: c.rows,
        rejected: c.rejected.length,
      });
    });
  }

  tableState(table: string, state: MigrationTableState): void {
    this.store.setMigrationTableState(this.runId, table, state);
  }

  resetTable(table: string): void {
    this.store.resetMigrationTable(this.runId, table);
  }

  doneSteps(): Set<string> {
    return new Set(this.record().steps);
  }

  stepDone(step: string): void {
    this.store.migrationStepDone(this.runId, step);
  }

  heartbeat(owner: string): void {
    this.store.migrationHeartbeat(this.runId, owner);
  }
}
