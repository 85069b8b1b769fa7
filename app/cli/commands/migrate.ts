import { RunConnections } from '../../engine/connections';
import { recordedEndpoints, runMigration } from '../../jobs/migration/migrate';
import { DIALECT_NAMES } from '../../jobs/migration/plan';
import { defaultOptions, IF_EXISTS, ON_ERROR, type IfExists, type KeyValue, type MigrationProgress, type MigrationReport, type OnError, type Plan, type TableVerify } from '../../jobs/migration/types';
import { formatType } from '../../model/types';
import { WorkbenchStore } from '../../store';
import { duration, formatCount, table } from '../format';
import { EXIT, UsageError, type Io } from '../io';
import { ProgressLine } from '../progress';

export interface MigrateFlags {
  from?: string;
  to?: string;
  tables?: string;
  views?: boolean;
  dryRun?: boolean;
  ifExists?: string;
  typeRule: string[];
  onError?: string;
  resume?: string;
  verify?: boolean;
  verifyOnly?: boolean;
  chunkRows?: string;
  store?: string | boolean;
  json?: boolean;
  quiet?: boolean;
}

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} takes ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive whole number; got '${value}'`);
  return n;
}

const n = formatCount;

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '?';
  return ms < 60_000 ? `${Math.ceil(ms / 1000)} s` : duration(ms);
}

export function progressText(p: MigrationProgress): string {
  const loaded = p.tables.filter((t) => t.phase === 'loaded').length;
  const cur = p.tables.find((t) => t.name === p.current);
  const head =
    p.phase === 'load' && cur
      ? `${cur.name}: ${n(cur.rows)}/${n(cur.total)} rows · ${n(cur.rowsPerSecond)} rows/s${cur.etaMs !== undefined ? ` · ETA ${seconds(cur.etaMs)}` : ''}`
      : `${p.phase}${p.current ? ` ${p.current}` : ''}`;
  const rejected = p.tables.reduce((s, t) => s + t.rejected, 0);
  return `migrate ${head} · tables ${loaded}/${p.tables.length} · ${n(p.rowsCopied)}/${n(p.rowsTotal)} rows${rejected ? ` · ${n(rejected)} rejected` : ''}${p.etaMs !== undefined ? ` · total ETA ${seconds(p.etaMs)}` : ''} · ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

/** The plan as a dry run prints it: tables in load order, DDL, type changes with warnings, steps, problems. */
export function formatPlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`Migration plan: ${plan.source.url} (${DIALECT_NAMES[plan.source.dialect]}) -> ${plan.target.url} (${DIALECT_NAMES[plan.target.dialect]})`);
  out.push('');
  out.push(`Tables in load order (${plan.tables.length}):`);
  out.push(table(['table', 'action', 'rows', 'key'], plan.tables.map((t) => [t.name, t.action === 'create' ? 'create' : `${t.action} existing`, t.rows, t.key?.join(', ') ?? '(none)'])));
  for (const t of plan.tables) {
    out.push('');
    out.push(`-- ${t.name}: ${n(t.rows)} rows${t.kind === 'view' ? ' (from a view)' : ''}`);
    if (t.create) out.push(`${t.create};`);
    out.push(
      table(
        ['column', 'source type', 'target type', 'note'],
        t.columns.map((c) => [
          c.name,
          `${c.sourceType || formatType(c.sourceLogical)}`,
          c.targetType,
          [c.rule ? `rule: ${c.rule}` : '', c.warning ? `LOSSY: ${c.warning.replace(/^column '[^']*': /, '')}` : ''].filter(Boolean).join('; '),
        ]),
      ).replace(/^/gm, '   '),
    );
  }
  if (plan.steps.length) {
    out.push('');
    out.push(`After the load (${plan.steps.length} steps):`);
    for (const s of plan.steps) out.push(`${s.sql};`);
  }
  if (plan.warnings.length) {
    out.push('');
    out.push(`Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings) out.push(`  ! ${w}`);
  }
  if (plan.problems.length) {
    out.push('');
    out.push(`Problems: the migration cannot run as asked (${plan.problems.length}):`);
    for (const p of plan.problems) out.push(`  x ${p}`);
  }
  return out.join('\n');
}

function verifyCell(v: TableVerify | undefined): string {
  if (!v) return '';
  if (v.ok) return v.unstorable ? `ok (${n(v.unstorable)} unstorable)` : 'ok';
  return `DIFFERS (${n(v.sourceRows)} vs ${n(v.targetRows)})`;
}

function keyText(k: KeyValue[] | undefined): string {
  return k === undefined ? '…' : k.map((v) => JSON.stringify(v)).join(', ');
}

export function formatReport(r: MigrationReport): string {
  const out: string[] = [];
  const verifying = r.tables.some((t) => t.verify);
  if (r.tables.length === 0 && r.verify) {
    out.push(table(['table', 'source rows', 'target rows', 'checksum', 'result'], r.verify.map((v) => [v.table, v.sourceRows, v.targetRows, v.targetChecksum, verifyCell(v)])));
  } else out.push(
    table(
      ['table', 'action', 'rows', 'copied', 'rejected', 'time', 'rows/s', ...(verifying ? ['verify'] : [])],
      r.tables.map((t) => [t.name, t.action, t.rows, t.copied, t.rejected, t.seconds ? duration(Math.round(t.seconds * 1000)) : '', t.rowsPerSecond || '', ...(verifying ? [verifyCell(t.verify)] : [])]),
    ),
  );
  for (const v of r.verify ?? []) {
    if (v.ok && !v.note) continue;
    out.push('');
    out.push(`${v.table}: ${v.ok ? 'same rows' : 'differs'} (source ${n(v.sourceRows)} rows, checksum ${v.sourceChecksum}; target ${n(v.targetRows)} rows, checksum ${v.targetChecksum})${v.note ? `: ${v.note}` : ''}`);
    for (const m of v.mismatches) {
      out.push(`  keys [${keyText(m.from)}] .. [${keyText(m.to)}): source ${n(m.sourceRows)} rows, target ${n(m.targetRows)}`);
      if (m.missing.length) out.push(`    missing in the target: ${m.missing.map((k) => `[${keyText(k)}]`).join(' ')}`);
      if (m.extra.length) out.push(`    only in the target: ${m.extra.map((k) => `[${keyText(k)}]`).join(' ')}`);
      if (m.changed.length) out.push(`    different content: ${m.changed.map((k) => `[${keyText(k)}]`).join(' ')}`);
    }
  }
  const failedSteps = r.steps.filter((s) => s.status === 'failed');
  if (failedSteps.length) {
    out.push('');
    out.push('Steps that failed:');
    for (const s of failedSteps) out.push(`  x ${s.description}: ${s.error}`);
  }
  return out.join('\n');
}

function openStore(flag: string | boolean | undefined): WorkbenchStore {
  // Without a store, checkpoints live in memory: the migration runs, but cannot be resumed.
  if (flag === false) return WorkbenchStore.openInMemory();
  return WorkbenchStore.open(typeof flag === 'string' ? flag : undefined);
}

export async function migrateCommand(flags: MigrateFlags, io: Io): Promise<number> {
  const ifExists = choice<IfExists>('--if-exists', flags.ifExists, IF_EXISTS, 'fail');
  const onError = choice<OnError>('--on-error', flags.onError, ON_ERROR, 'stop');
  const chunkRows = positive('--chunk-rows', flags.chunkRows);
  const tables = flags.tables
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (flags.dryRun && flags.resume) throw new UsageError('--dry-run and --resume do not go together: a resumed run follows its stored plan');
  const store = flags.dryRun && !flags.resume ? undefined : openStore(flags.store);
  let from = flags.from;
  let to = flags.to;
  try {
    if (flags.resume && (!from || !to)) {
      // The run knows its endpoints (without passwords): usable when no password was in them.
      const was = recordedEndpoints(store!, flags.resume);
      if (!was) throw new UsageError(`no migration run ${flags.resume} in the workbench store ${store!.path}`);
      if ((!from && was.from.includes('***')) || (!to && was.to.includes('***'))) throw new UsageError('this run had a password in its URLs: give --from and --to again');
      from ??= was.from;
      to ??= was.to;
    }
    if (!from || !to) throw new UsageError('give --from URL and --to URL (or --resume RUN_ID)');
    const connections = new RunConnections({}, { baseDir: process.cwd() });
    const progress = new ProgressLine();
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const live = !flags.quiet && !flags.json && !flags.dryRun;
    let announced = false;
    let report: MigrationReport;
    try {
      report = await runMigration(
        {
          from,
          to,
          options: defaultOptions({ tables, includeViews: flags.views, ifExists, typeRules: flags.typeRule, onError, chunkRows, verify: flags.verify }),
          dryRun: flags.dryRun,
          resume: flags.resume,
          verifyOnly: flags.verifyOnly,
        },
        {
          connections,
          store,
          signal: controller.signal,
          onProgress: (p) => {
            if (live && p.runId && !announced) {
              announced = true;
              if (!progress.enabled) io.err(`migration run ${p.runId}${flags.resume ? ' resumed' : ' started'}`);
            }
            if (live) progress.draw(`${progress.spinner()} ${progressText(p)}`);
          },
          log: (level, message) => {
            if (flags.quiet && level !== 'error') return;
            progress.clear();
            if (!flags.json) io.err(`${level === 'info' ? '' : `${level}: `}${message}`);
          },
        },
      );
    } finally {
      process.off('SIGINT', onSigint);
      progress.clear();
    }
    if (flags.json) io.out(JSON.stringify(report, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    else if (flags.dryRun) {
      if (report.plan) io.out(formatPlan(report.plan));
      else io.err(`error: ${report.error}`);
    } else if (!flags.quiet && flags.verifyOnly && report.verify) {
      io.out(formatReport({ ...report, tables: [] }).replace(/^\n/, ''));
      const same = report.verify.filter((v) => v.ok).length;
      io.out(`\nverified in ${duration(report.durationMs)}: ${same} of ${report.verify.length} table(s) the same on both sides`);
    } else if (!flags.quiet && report.runId) {
      if (report.tables.length) io.out(formatReport(report));
      io.out(
        `\n${report.status} in ${duration(report.durationMs)}: ${n(report.rowsCopied)} rows copied, ${n(report.rejected)} rejected` +
          (report.runId ? ` (run ${report.runId})` : '') +
          (report.warnings.length ? `, ${report.warnings.length} warning(s) (see --dry-run)` : ''),
      );
      if (report.backupPath) io.out(`the target was backed up before the migration to ${report.backupPath}`);
    }
    if (report.status === 'planned') return report.plan?.problems.length ? EXIT.invalid : EXIT.ok;
    if (report.status === 'cancelled') {
      io.err(`cancelled${report.runId && report.resumable ? `: continue with sluice migrate --resume ${report.runId}` : ''}`);
      return EXIT.cancelled;
    }
    if (report.status === 'failed') {
      if (!flags.json) io.err(`error: ${report.error}${report.runId && report.resumable ? ` (continue with sluice migrate --resume ${report.runId} once the cause is fixed)` : ''}`);
      return report.plan?.problems.length && !report.runId ? EXIT.invalid : EXIT.failed;
    }
    return report.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    store?.close();
  }
}
