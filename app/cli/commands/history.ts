import { readRunLog, resolveLogPath, type LogLevel, type LogLine } from '../../jobs/history/run-log';
import { WorkbenchStore, type RunRecord } from '../../store';
import { duration, table } from '../format';
import { EXIT, UsageError, type Io } from '../io';

export interface RunsFlags {
  limit: string;
  kind?: string;
  status?: string;
  store?: string;
  json?: boolean;
}

export interface LogsFlags {
  level?: string;
  store?: string;
  json?: boolean;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function openStore(path: string | undefined): WorkbenchStore {
  return WorkbenchStore.open(path);
}

/** `sluice runs`: the run history, newest first. */
export function runsCommand(flags: RunsFlags, io: Io): number {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a positive whole number, got '${flags.limit}'`);
  const store = openStore(flags.store);
  try {
    const runs = store.listRuns({ limit, kind: flags.kind, status: flags.status });
    if (flags.json) {
      io.out(JSON.stringify(runs.map(({ logPath, ...r }) => ({ ...r, hasLog: logPath !== undefined })), null, 2));
      return EXIT.ok;
    }
    if (runs.length === 0) {
      io.out('no runs recorded yet');
      return EXIT.ok;
    }
    io.out(
      table(
        ['run', 'kind', 'name', 'status', 'started', 'time', 'rows in', 'rows out', 'rejected', 'error'],
        runs.map((r) => [
          r.id,
          r.kind,
          r.name,
          r.status,
          r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
          r.durationMs !== undefined ? duration(r.durationMs) : '',
          r.rowsIn ?? '',
          r.rowsOut ?? '',
          r.rejected ?? '',
          (r.error ?? '').split('\n')[0].slice(0, 60),
        ]),
      ),
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** A run by its id, or by the start of it when that is unique among recent runs. */
function findRun(store: WorkbenchStore, id: string): RunRecord {
  const exact = store.getRun(id);
  if (exact) return exact;
  const matches = store.listRuns({ limit: 10_000 }).filter((r) => r.id.startsWith(id.toUpperCase()));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new UsageError(`'${id}' matches ${matches.length} runs; give more of the id`);
  throw new UsageError(`no run '${id}' in ${store.path} (\`sluice runs\` lists them)`);
}

/** `sluice logs RUN_ID`: a run's structured log, readable after its process has ended. */
export function logsCommand(id: string, flags: LogsFlags, io: Io): number {
  if (flags.level !== undefined && !LEVELS.includes(flags.level as LogLevel)) {
    throw new UsageError(`--level is one of ${LEVELS.join(', ')}, not '${flags.level}'`);
  }
  const store = openStore(flags.store);
  try {
    const run = findRun(store, id);
    if (!run.logPath) {
      io.err(`run ${run.id} has no log (it was recorded before logs were kept, or by a job that keeps none)`);
      return EXIT.failed;
    }
    const { lines } = readRunLog(resolveLogPath(store.path, run.logPath), { level: flags.level as LogLevel | undefined });
    if (flags.json) {
      for (const l of lines) io.out(JSON.stringify(l));
      return EXIT.ok;
    }
    io.out(`${run.kind} '${run.name}' — run ${run.id} — ${run.status}`);
    for (const l of lines) io.out(formatLine(l));
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function formatLine(l: LogLine): string {
  const data = l.data && Object.keys(l.data).length > 0 ? `  ${JSON.stringify(l.data)}` : '';
  return `${l.time.replace('T', ' ').replace('Z', '')}  ${l.level.toUpperCase().padEnd(5)}  ${l.msg}${data}`;
}
