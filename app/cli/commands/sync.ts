import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { openRunHistory } from '../../jobs/history/recorder';
import { loadSyncDocument } from '../../jobs/sync/definition';
import { runSync, type SyncProgress } from '../../jobs/sync/sync-run';
import { WorkbenchStore } from '../../store';
import { duration, formatCount, formatProblems } from '../format';
import { EXIT, type Io } from '../io';

export interface SyncFlags {
  store?: string;
  verbose?: boolean;
  reset?: boolean;
  rehash?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const n = formatCount;

/** A one-line progress display on a terminal (stderr); silent otherwise. */
function progressLine(name: string): { update(p: SyncProgress): void; clear(): void } {
  let width = 0;
  const enabled = process.stderr.isTTY === true;
  return {
    update(p) {
      if (!enabled) return;
      const s = p.sync;
      const line = `${name}: ${s.phase} · ${n(s.sourceRows)} source rows, ${n(s.targetRows)} target rows · ${n(s.inserts)} ins ${n(s.updates)} upd ${n(s.deletes)} del · ${n(s.applied)} applied · ${(p.elapsedMs / 1000).toFixed(1)} s`;
      const cut = line.slice(0, (process.stderr.columns ?? 100) - 1);
      process.stderr.write('\r' + cut + ' '.repeat(Math.max(0, width - cut.length)));
      width = cut.length;
    },
    clear() {
      if (enabled && width > 0) process.stderr.write('\r' + ' '.repeat(width) + '\r');
      width = 0;
    },
  };
}

function stderrLogger(io: Io) {
  const line = (level: string) => (m: string, d?: Record<string, unknown>) => io.err(`${new Date().toISOString()} ${level} ${m}${d && Object.keys(d).length ? ` ${JSON.stringify(d)}` : ''}`);
  return { info: line('INFO '), warn: line('WARN '), error: line('ERROR') };
}

/** `sluice sync <definition>`: one run of a sync, recorded (with its log) in the workbench store. */
export async function syncCommand(file: string, flags: SyncFlags, io: Io): Promise<number> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    io.err(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    return EXIT.invalid;
  }
  const loaded = loadSyncDocument(text, file);
  if (!loaded.document) {
    io.err(formatProblems(loaded.problems, file));
    return EXIT.invalid;
  }
  const doc = loaded.document;
  const store = WorkbenchStore.open(flags.store);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = progressLine(doc.name);
  try {
    const history = openRunHistory(store, { kind: 'sync', name: doc.name, params: { mode: doc.mode, conflicts: doc.conflicts, deletes: doc.deletes, pid: process.pid, host: hostname() }, pipelinePath: path });
    const result = await runSync(doc, {
      baseDir: dirname(path),
      store,
      runId: history.runId,
      reset: flags.reset,
      rehash: flags.rehash,
      signal: controller.signal,
      // --verbose: the run's log lines on stderr too, as they are written.
      logger: history.log.engineLogger(flags.verbose ? stderrLogger(io) : undefined),
      onProgress: flags.quiet || flags.json ? undefined : (p) => progress.update(p),
    });
    progress.clear();
    history.finish({ status: result.status, error: result.error, rowsIn: result.rowsRead, rowsOut: result.rowsWritten, rejected: result.rejected, details: result.sync });
    if (result.problems) {
      io.err(formatProblems(result.problems, file));
      return EXIT.invalid;
    }
    const s = result.sync;
    if (flags.json) io.out(JSON.stringify(result, null, 2));
    else if (!flags.quiet) {
      io.out(
        `${result.status} in ${duration(result.durationMs)}: ${n(s.sourceRows)} source rows read, ${n(s.targetRows)} target rows; ` +
          `${n(s.inserts)} insert(s), ${n(s.updates)} update(s), ${n(s.deletes)} delete(s), ${n(s.conflicts)} conflict(s); ` +
          `${n(s.applied)} applied${s.recovered ? `, ${n(s.recovered)} recovered from an earlier run` : ''} (run ${result.runId})`,
      );
    }
    if (result.status === 'failed') {
      io.err(`error: ${result.error}`);
      return EXIT.failed;
    }
    if (result.status === 'cancelled') {
      io.err('cancelled: what was queued but not applied is applied by the next run');
      return EXIT.cancelled;
    }
    return result.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    progress.clear();
    process.off('SIGINT', onSigint);
    store.close();
  }
}
