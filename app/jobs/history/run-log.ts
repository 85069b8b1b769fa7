import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from '../../nodes/types';

/**
 * The structured log of one run: pino writing NDJSON to a file of its own,
 * `<store folder>/logs/<run id>.ndjson`, whose path the run record keeps (runs.log_path).
 *
 * Why a file per run rather than a table in the store: the store is one SQLite file with
 * one writer at a time, and a sync or a batch job writes to it heavily (its change queue,
 * rejected rows) from a worker thread or another process; log lines written by the host
 * into the same file would wait for that lock on the host's event loop. An append-only
 * file never waits, pino writes it natively (no transport thread, no parsing back), a
 * line written is on disk at once (sync writes: what a killed process logged before it
 * died is kept), `tail -f` works, and deleting old logs is deleting files.
 *
 * Lines: {"level":"info","time":"2026-…Z","msg":"…","data":{…}} (data only when given).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogLine {
  time: string;
  level: LogLevel;
  msg: string;
  data?: Record<string, unknown>;
}

/** Where logs of a store live; an in-memory store (tests, previews) logs to a temporary folder. */
export function logsFolder(storePath: string): string {
  return storePath === ':memory:' ? path.join(tmpdir(), `sluice-logs-${process.pid}`) : path.join(path.dirname(storePath), 'logs');
}

/** The path a run's log is recorded under: relative to the store's folder when it is in the logs folder. */
export function logPathFor(storePath: string, runId: string): { file: string; stored: string } {
  const file = path.join(logsFolder(storePath), `${runId}.ndjson`);
  return { file, stored: storePath === ':memory:' ? file : path.join('logs', `${runId}.ndjson`) };
}

/** The file a run record's log_path names. */
export function resolveLogPath(storePath: string, stored: string): string {
  return path.isAbsolute(stored) ? stored : path.join(path.dirname(storePath), stored);
}

export class RunLog {
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly dest: pino.DestinationStream & { flushSync(): void; end(): void },
    readonly logger: pino.Logger,
  ) {}

  static open(file: string): RunLog {
    // sync: each line is written before the call returns, so a crash loses nothing logged.
    const dest = pino.destination({ dest: file, sync: true, mkdir: true, append: true });
    const logger = pino(
      {
        level: 'debug',
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      dest,
    );
    return new RunLog(file, dest, logger);
  }

  write(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    if (this.closed) return;
    if (data && Object.keys(data).length > 0) this.logger[level]({ data }, msg);
    else this.logger[level](msg);
  }

  info(msg: string, data?: Record<string, unknown>): void {
    this.write('info', msg, data);
  }

  warn(msg: string, data?: Record<string, unknown>): void {
    this.write('warn', msg, data);
  }

  error(msg: string, data?: Record<string, unknown>): void {
    this.write('error', msg, data);
  }

  /** The engine's logger interface, writing here (and to `also`, e.g. a job's live log events). */
  engineLogger(also?: Logger): Logger {
    return {
      info: (m, d) => {
        this.info(m, d);
        also?.info(m, d);
      },
      warn: (m, d) => {
        this.warn(m, d);
        also?.warn(m, d);
      },
      error: (m, d) => {
        this.error(m, d);
        also?.error(m, d);
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.dest.flushSync();
    } catch {
      // Nothing buffered (sync destination) or the file is gone: nothing to save.
    }
    this.dest.end();
  }
}

export interface ReadLogOptions {
  /** Lines at this level or above (default debug: all). */
  level?: LogLevel;
  limit?: number;
  offset?: number;
}

/**
 * The lines of a run's log, oldest first, with the number that matched. A line that is not
 * JSON (a log cut short by a crash mid-line) is shown as an error line with its text.
 */
export function readRunLog(file: string, opts: ReadLogOptions = {}): { lines: LogLine[]; total: number } {
  if (!existsSync(file)) return { lines: [], total: 0 };
  const min = LEVELS.indexOf(opts.level ?? 'debug');
  const text = readText(file);
  const all: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = parseLine(raw);
    if (LEVELS.indexOf(line.level) >= min) all.push(line);
  }
  const offset = opts.offset ?? 0;
  const end = opts.limit === undefined ? undefined : offset + opts.limit;
  return { lines: all.slice(offset, end), total: all.length };
}

function readText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}

function parseLine(raw: string): LogLine {
  try {
    const j = JSON.parse(raw) as { time?: unknown; level?: unknown; msg?: unknown; data?: unknown };
    const level = LEVELS.includes(j.level as LogLevel) ? (j.level as LogLevel) : 'info';
    const line: LogLine = { time: String(j.time ?? ''), level, msg: String(j.msg ?? '') };
    if (j.data && typeof j.data === 'object') line.data = j.data as Record<string, unknown>;
    return line;
  } catch {
    return { time: '', level: 'error', msg: `(unreadable log line) ${raw.slice(0, 500)}` };
  }
}
