import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PipelineDocument } from '../model/document';
import { loadDocument } from '../model/document-io';
import type { Problem } from '../model/problems';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

/** Documented exit codes of the `sluice` command. */
export const EXIT = {
  ok: 0,
  /** The run failed (a node or connection failed), or a command could not do its work. */
  failed: 1,
  /** Bad usage, or the pipeline document is invalid (every problem is printed). */
  invalid: 2,
  /** The run succeeded but rejected rows (see `sluice` output or the Problems panel). */
  rejected: 3,
  /** Interrupted (Ctrl-C). */
  cancelled: 130,
} as const;

export interface LoadedPipeline {
  path: string;
  baseDir: string;
  text: string;
  document?: PipelineDocument;
  problems: Problem[];
}

export function loadPipelineFile(file: string): LoadedPipeline {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    return { path, baseDir: dirname(path), text: '', problems: [{ path: '(file)', severity: 'error', message: `${file}: ${why}` }] };
  }
  const loaded = loadDocument(text, file);
  return { path, baseDir: dirname(path), text, document: loaded.document, problems: loaded.problems };
}

/** `name=value` pairs from --param options. */
export function parseParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes name=value, got '${p}'`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
