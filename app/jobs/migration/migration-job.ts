import { RunConnections } from '../../engine/connections';
import type { ConnectionDoc } from '../../model/document';
import { WorkbenchStore } from '../../store';
import type { JobContext } from '../protocol';
import { runMigration, type MigrationRequest } from './migrate';
import type { MigrationProgress, MigrationReport } from './types';

/**
 * The `migration` job kind, run in a worker thread (worker.ts): plans (dry run), migrates,
 * resumes or verifies, as the request says. Progress and the result are shaped like a
 * pipeline run's (rows read and written, rows/s) with the migration's own detail under
 * `migration`, so the runs panel shows them like any other job.
 */
export interface MigrationJobParams {
  request: MigrationRequest;
  /** Saved workbench connections the request may name (passwords as ${env:…}). */
  named: Record<string, ConnectionDoc>;
  /** Relative file URLs resolve against it (the workspace folder). */
  baseDir: string;
  /** The workbench store for checkpoints and rejected rows (a dry run needs none). */
  storePath?: string;
  /** Decrypted secrets for ${env:…} references: in this message only, never on disk. */
  env?: Record<string, string>;
}

/** A run summary (the contract's RunSummary) with the migration report. */
export interface MigrationJobResult {
  runId?: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  durationMs: number;
  nodes: [];
  rowsRead: number;
  rowsWritten: number;
  rejected: number;
  migration: MigrationReport;
}

export function progressOf(p: MigrationProgress): { runId?: string; elapsedMs: number; nodes: []; rowsRead: number; rowsPerSecond: number; migration: MigrationProgress } {
  return { ...(p.runId ? { runId: p.runId } : {}), elapsedMs: p.elapsedMs, nodes: [], rowsRead: p.rowsCopied, rowsPerSecond: p.rowsPerSecond, migration: p };
}

export function summaryOf(r: MigrationReport): MigrationJobResult {
  const out: MigrationJobResult = {
    status: r.status === 'planned' ? 'succeeded' : r.status,
    durationMs: r.durationMs,
    nodes: [],
    rowsRead: r.rowsCopied + r.rejected,
    rowsWritten: r.rowsCopied,
    rejected: r.rejected,
    migration: r,
  };
  if (r.runId) out.runId = r.runId;
  // A dry run whose plan has problems still answers: its problems are the answer.
  if (r.error && r.status !== 'planned') out.error = r.error;
  return out;
}

export async function runMigrationJob(raw: unknown, ctx: JobContext): Promise<MigrationJobResult> {
  const p = raw as MigrationJobParams;
  const store = p.storePath ? WorkbenchStore.open(p.storePath) : undefined;
  const connections = new RunConnections(p.named, { baseDir: p.baseDir, env: { ...process.env, ...p.env }, signal: ctx.signal });
  try {
    const report = await runMigration(p.request, {
      connections,
      store,
      signal: ctx.signal,
      onProgress: (progress) => ctx.progress(progressOf(progress)),
      log: (level, message) => ctx.log(level, message),
    });
    return summaryOf(report);
  } finally {
    store?.close();
  }
}
