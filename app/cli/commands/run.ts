import { runPipeline, PipelineInvalidError, type RunResult } from '../../engine/run';
import { runBatch } from '../../jobs/batch/batch-run';
import { openRunHistory, type RunHistory } from '../../jobs/history/recorder';
import { toJsonValue } from '../../model/values';
import { WorkbenchStore } from '../../store';
import { duration, formatCount, formatProblems, rowsTable, table } from '../format';
import { EXIT, loadPipelineFile, parseParams, UsageError, type Io } from '../io';
import { ProgressLine } from '../progress';

export interface RunFlags {
  param: string[];
  store?: string | boolean;
  json?: boolean;
  quiet?: boolean;
  /** Run as a batch job on this many workers (`--workers N`). */
  workers?: string;
  chunks?: string;
  retries?: string;
}

function positive(name: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number of at least ${min}, got '${text}'`);
  return n;
}

export interface PreviewFlags {
  node: string;
  limit: string;
  param: string[];
  json?: boolean;
}

function openStore(flag: string | boolean | undefined): WorkbenchStore | undefined {
  if (flag === false) return undefined;
  return WorkbenchStore.open(typeof flag === 'string' ? flag : undefined);
}

function summary(result: Pick<RunResult, 'nodes'>, types: Map<string, string>): string {
  return table(
    ['node', 'type', 'rows in', 'rows out', 'rejected', 'time'],
    result.nodes.map((n) => [n.nodeId, types.get(n.nodeId) ?? '', n.rowsIn, n.rowsOut, n.rejected, duration(n.durationMs)]),
  );
}

export async function runCommand(file: string, flags: RunFlags, io: Io): Promise<number> {
  const loaded = loadPipelineFile(file);
  if (!loaded.document) {
    io.err(formatProblems(loaded.problems, file));
    return EXIT.invalid;
  }
  const doc = loaded.document;
  const store = openStore(flags.store);
  const progress = new ProgressLine();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let history: RunHistory | undefined;
  try {
    const params = parseParams(flags.param);
    const workers = positive('workers', flags.workers);
    const batch = workers !== undefined ? { workers, chunks: positive('chunks', flags.chunks), retries: positive('retries', flags.retries, 0) } : undefined;
    // Recorded before it starts, with its log: `sluice runs` and `sluice logs` find it later.
    history = store ? openRunHistory(store, { kind: batch ? 'batch' : 'pipeline', name: doc.name, params, pipelinePath: loaded.path }) : undefined;
    const common = {
      baseDir: loaded.baseDir,
      params,
      recorder: history?.recorder,
      pipelinePath: loaded.path,
      signal: controller.signal,
      logger: history?.log.engineLogger(),
      onProgress: flags.quiet || flags.json ? undefined : (p: Parameters<ProgressLine['update']>[0]) => progress.update(p, doc.name),
    };
    // --workers: the same pipeline as a batch job (split, process in a worker pool, combine).
    const result = batch ? await runBatch(doc, { ...common, runId: history?.runId, ...batch }) : await runPipeline(doc, common);
    if ('chunks' in result) {
      for (const c of result.chunks.filter((x) => x.status === 'failed')) io.err(`chunk ${c.index} (${c.range}) failed after ${c.attempts} attempt(s): ${c.error}`);
    }
    history?.finish({ status: result.status, error: result.error, rowsIn: result.rowsRead, rowsOut: result.rowsWritten, rejected: result.rejected });
    progress.clear();
    const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
    if (flags.json) io.out(JSON.stringify(result, null, 2));
    else if (!flags.quiet) {
      io.out(summary(result, types));
      io.out(
        `\n${result.status} in ${duration(result.durationMs)}: ${formatCount(result.rowsRead)} rows read, ` +
          `${formatCount(result.rowsWritten)} written, ${formatCount(result.rejected)} rejected` +
          (result.runId ? ` (run ${result.runId})` : ''),
      );
    }
    if (result.status === 'failed') {
      io.err(`error: ${result.error}`);
      return EXIT.failed;
    }
    if (result.status === 'cancelled') {
      io.err('cancelled: nothing was committed by the sinks of this run');
      return EXIT.cancelled;
    }
    return result.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } catch (e) {
    progress.clear();
    history?.finish({ status: 'failed', error: e instanceof Error ? e.message : String(e) });
    if (e instanceof PipelineInvalidError) {
      io.err(formatProblems(e.problems, file));
      return EXIT.invalid;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    store?.close();
  }
}

export async function previewCommand(file: string, flags: PreviewFlags, io: Io): Promise<number> {
  const loaded = loadPipelineFile(file);
  if (!loaded.document) {
    io.err(formatProblems(loaded.problems, file));
    return EXIT.invalid;
  }
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    io.err(`--limit takes a positive whole number, got '${flags.limit}'`);
    return EXIT.invalid;
  }
  try {
    const result = await runPipeline(loaded.document, {
      baseDir: loaded.baseDir,
      params: parseParams(flags.param),
      preview: { node: flags.node, limit },
    });
    if (result.status === 'failed') {
      io.err(`error: ${result.error}`);
      return EXIT.failed;
    }
    const p = result.preview!;
    if (flags.json) {
      io.out(JSON.stringify({ columns: p.schema.columns, rows: p.rows.map((r) => r.map(toJsonValue)), sampled: p.sampled }, null, 2));
    } else {
      io.out(rowsTable(p.schema, p.rows));
      io.out(`\n${p.rows.length} row(s) at '${flags.node}'${p.sampled ? ' (sources were sampled)' : ''}`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof PipelineInvalidError) {
      io.err(formatProblems(e.problems, file));
      return EXIT.invalid;
    }
    throw e;
  }
}

