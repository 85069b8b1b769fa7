/**
 * Pure helpers of the migration wizard: what the API is asked, how its plan, progress and
 * report are read for display. No React, no API calls: unit-tested in model.test.ts.
 */
import type { ConnectionInfo, JobInfo, MethodInput, MethodOutput, RunProgress, RunSummary } from '../../../../app/contract';
import { isFinished } from '../status';

export type MigrationPlan = MethodOutput<'migration/plan'>['plan'];
export type PlannedTable = MigrationPlan['tables'][number];
export type MigrationReport = NonNullable<RunSummary['migration']>;
export type MigrationProgress = NonNullable<RunProgress['migration']>;
export type TableVerify = NonNullable<MigrationReport['verify']>[number];
export type IfExists = MigrationPlan['options']['ifExists'];
export type OnError = MigrationPlan['options']['onError'];
export type MigrationState = MethodOutput<'migration/get'>;
export type TableInfo = MethodOutput<'connections/tables'>['tables'][number];
export type Dialect = MigrationPlan['source']['dialect'];

export const DIALECT_LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' };

/** The policies for a target table that exists, each with the one line the Options step shows. */
export const IF_EXISTS_CHOICES: ReadonlyArray<{ id: IfExists; label: string; help: string }> = [
  { id: 'fail', label: 'Fail', help: 'Change nothing and stop before the load if any chosen table exists in the target (the safe default).' },
  { id: 'truncate', label: 'Truncate', help: 'Empty the existing table (its definition stays), then load the source rows into it.' },
  { id: 'append', label: 'Append', help: 'Keep the rows already there and add the source rows after them.' },
  { id: 'upsert', label: 'Upsert', help: 'Insert new rows and overwrite rows whose primary key is already there (needs a primary key).' },
];

export const ON_ERROR_CHOICES: ReadonlyArray<{ id: OnError; label: string; help: string }> = [
  { id: 'stop', label: 'Stop', help: 'Stop at the first row the target cannot hold (e.g. an invalid date); fix it and resume.' },
  { id: 'reject', label: 'Reject and go on', help: 'Record such rows as rejected, with the reason, and copy the others.' },
];

/** The dialect a connection URL names, when it is one a migration can use. */
export function dialectOfUrl(url: string): Dialect | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase();
  if (scheme === 'sqlite' || scheme === 'sqlite3') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  return undefined;
}

/**
 * A URL reduced to what names the database, so two spellings of one database compare equal:
 * `sqlite:./shop.db` = `sqlite:shop.db`, `postgres://u@Host/db` = `postgresql://u@host:5432/db`.
 * The user and password are left out (the same database under two logins is still the same).
 */
export function endpointKey(url: string): string {
  const u = url.trim();
  const dialect = dialectOfUrl(u);
  if (dialect === 'sqlite') {
    let p = u.replace(/^sqlite3?:(\/\/)?/i, '').split('?')[0];
    p = p.replace(/\\/g, '/').replace(/\/\.\//g, '/').replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
    return `sqlite:${p}`;
  }
  if (dialect) {
    const m = /^[a-z]+:\/\/(?:[^@/]*@)?([^:/?]+)(?::(\d+))?\/([^?]*)(?:\?(.*))?$/i.exec(u);
    if (!m) return u;
    const port = m[2] ?? (dialect === 'postgres' ? '5432' : '3306');
    // PostgreSQL's schema parameter picks where the tables go: a different schema is a different target.
    const schema = dialect === 'postgres' ? (new URLSearchParams(m[4] ?? '').get('schema') ?? 'public') : '';
    return `${dialect}://${m[1].toLowerCase()}:${port}/${decodeURIComponent(m[3])}${schema ? `?schema=${schema}` : ''}`;
  }
  return u;
}

/** True when both ends name the same database (by connection name, or by what their URLs point at). */
export function sameDatabase(a: Pick<ConnectionInfo, 'name' | 'url'> | undefined, b: Pick<ConnectionInfo, 'name' | 'url'> | undefined): boolean {
  if (!a || !b) return false;
  return a.name === b.name || endpointKey(a.url) === endpointKey(b.url);
}

/** The rules as sent: trimmed, empty lines left out. */
export function cleanRules(rules: readonly string[]): string[] {
  return rules.map((r) => r.trim()).filter((r) => r.length > 0);
}

export interface WizardChoices {
  from: string;
  to: string;
  selected: readonly string[];
  includeViews: boolean;
  ifExists: IfExists;
  typeRules: readonly string[];
  onError: OnError;
}

/** The input of migration/plan (and, with verify and chunkRows, of migration/start). */
export function planInput(c: WizardChoices): MethodInput<'migration/plan'> {
  return {
    from: c.from,
    to: c.to,
    // Always the explicit list: the plan then covers exactly the boxes ticked (views included).
    tables: [...c.selected],
    includeViews: c.includeViews,
    ifExists: c.ifExists,
    typeRules: cleanRules(c.typeRules),
    onError: c.onError,
  };
}

/** Identifies a set of choices: a plan is current while the key it was made for is. */
export function choicesKey(c: WizardChoices): string {
  const i = planInput(c);
  return JSON.stringify([i.from, i.to, i.tables, i.includeViews, i.ifExists, i.typeRules, i.onError]);
}

/** The tables a user may tick: tables always, views only when they are copied as tables. */
export function selectable(t: Pick<TableInfo, 'kind'>, includeViews: boolean): boolean {
  return t.kind === 'table' || (t.kind === 'view' && includeViews);
}

/** The default selection for a source: every table (views wait for "views as tables"). */
export function defaultSelection(tables: readonly TableInfo[]): string[] {
  return tables.filter((t) => t.kind === 'table').map((t) => t.name);
}

export function selectionSummary(tables: readonly TableInfo[], selected: readonly string[]): { count: number; of: number; rows: number; rowsKnown: boolean } {
  const chosen = tables.filter((t) => selected.includes(t.name));
  return {
    count: chosen.length,
    of: tables.filter((t) => t.kind === 'table' || t.kind === 'view').length,
    rows: chosen.reduce((n, t) => n + (t.rowEstimate ?? 0), 0),
    rowsKnown: chosen.every((t) => t.rowEstimate !== undefined),
  };
}

/** Names of the chosen tables that the target holds already (as the planner matches them: ignoring case). */
export function existingInTarget(selected: readonly string[], target: readonly Pick<TableInfo, 'name'>[]): string[] {
  const there = new Set(target.map((t) => t.name.toLowerCase()));
  return selected.filter((s) => there.has(s.toLowerCase()));
}

/**
 * The planner words its problems for the command line (`--if-exists truncate`, `--views`);
 * here they name the wizard's own controls instead.
 */
export function uiWording(message: string): string {
  return message
    .replace(/choose what to do with (them|it): --if-exists ([a-z, ]+?) \(the default, fail, changes nothing\)/g, 'choose Truncate, Append or Upsert under "If a target table exists" (the default, Fail, changes nothing)')
    .replace(/\(choose --if-exists ([a-z]+) or ([a-z]+)\)/g, '(choose $1 or $2 under "If a target table exists")')
    .replace(/\(add --views to copy views as tables\)/g, '(tick "Views as tables" to copy views)')
    .replace(/--if-exists (\w+)/g, '"If a target table exists: $1"')
    .replace(/--on-error (\w+)/g, '"Rows the target cannot hold: $1"');
}

/** The plan's problems and warnings about one type rule (the parser and the planner quote the rule's text). */
export function ruleMessages(rule: string, plan: Pick<MigrationPlan, 'problems' | 'warnings'> | undefined): { errors: string[]; warnings: string[] } {
  const text = rule.trim();
  if (!plan || !text) return { errors: [], warnings: [] };
  const quoted = [`type rule ${JSON.stringify(text)}`, `type rule '${text}'`];
  const about = (m: string) => quoted.some((q) => m.startsWith(q));
  // The parser's message repeats the rule; what follows the first ': ' is the reason.
  const reason = (m: string) => {
    const q = quoted.find((x) => m.startsWith(x))!;
    return m.slice(q.length).replace(/^[:\s]+/, '');
  };
  return { errors: plan.problems.filter(about).map(reason), warnings: plan.warnings.filter(about).map(reason) };
}

export interface TypeChange {
  table: string;
  column: string;
  sourceType: string;
  targetType: string;
  rule?: string;
  /** What may be lost (the planner's text names table.column). */
  warning?: string;
}

function normalizeType(t: string): string {
  return t.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
}

/** Columns whose type changes on the way (or that a rule or a warning concerns), in load order. */
export function typeChanges(plan: Pick<MigrationPlan, 'tables'>): TypeChange[] {
  const out: TypeChange[] = [];
  for (const t of plan.tables) {
    for (const c of t.columns) {
      if (normalizeType(c.sourceType) === normalizeType(c.targetType) && !c.rule && !c.warning) continue;
      out.push({ table: t.name, column: c.targetName ?? c.name, sourceType: c.sourceType, targetType: c.targetType, ...(c.rule ? { rule: c.rule } : {}), ...(c.warning ? { warning: c.warning } : {}) });
    }
  }
  return out;
}

/** The DDL the migration runs, as one script: CREATE TABLE in load order, then the steps after the load. */
export function planDdl(plan: Pick<MigrationPlan, 'tables' | 'steps'>): string {
  const parts: string[] = [];
  for (const t of plan.tables) {
    if (t.create) parts.push(`-- ${t.name}: create\n${t.create.trim().replace(/;?$/, ';')}`);
    else parts.push(`-- ${t.name}: exists in the target (${t.action}); no CREATE`);
  }
  if (plan.steps.length > 0) {
    parts.push('-- after the load');
    for (const s of plan.steps) parts.push(`-- ${s.description}\n${s.sql.trim().replace(/;?$/, ';')}`);
  }
  return parts.join('\n\n');
}

export function planTotals(plan: Pick<MigrationPlan, 'tables'>): { tables: number; rows: number } {
  return { tables: plan.tables.length, rows: plan.tables.reduce((n, t) => n + t.rows, 0) };
}

// --- the run ---------------------------------------------------------------------------

/** The migration run of a job (its checkpoints; what migration/get and migration/resume take). */
export function migrationRunId(job: JobInfo | undefined): string | undefined {
  return job?.result?.migration?.runId ?? job?.result?.runId ?? job?.progress?.migration?.runId;
}

/**
 * A job as jobs/get returned it, merged with what the runs store already knows from events.
 * Events may have overtaken the answer (a job that finished while jobs/get was on its way),
 * so a finished state is never replaced by an older running one.
 */
export function mergeJobInfo(known: JobInfo | undefined, fetched: JobInfo): JobInfo {
  if (!known) return fetched;
  if (isFinished(known.status) && !isFinished(fetched.status)) return { ...fetched, ...known, title: fetched.title };
  if (isFinished(fetched.status)) return fetched;
  return { ...fetched, status: known.status, progress: known.progress ?? fetched.progress };
}

export type TablePhase = MigrationProgress['tables'][number]['phase'];

export interface TableProgressRow {
  name: string;
  phase: TablePhase;
  rows: number;
  total: number;
  /** 0..1; undefined while the total is unknown. */
  fraction: number | undefined;
  rejected: number;
  rowsPerSecond: number;
  etaMs?: number;
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/** Per table: rows so far of the total, from the report once the job ended, else from its latest progress. */
export function tableProgress(job: JobInfo | undefined): TableProgressRow[] {
  const report = job?.result?.migration;
  const progress = job?.progress?.migration;
  if (report && report.tables.length > 0) {
    return report.tables.map((t) => {
      const live = progress?.tables.find((p) => p.name === t.name);
      const done = t.copied + t.rejected;
      const phase: TablePhase = done >= t.rows || report.status === 'succeeded' ? 'loaded' : (live?.phase ?? (done > 0 ? 'loading' : 'pending'));
      return {
        name: t.name,
        phase,
        rows: t.copied,
        total: t.rows,
        fraction: t.rows > 0 ? clamp01(done / t.rows) : phase === 'loaded' ? 1 : 0,
        rejected: t.rejected,
        rowsPerSecond: t.rowsPerSecond,
      };
    });
  }
  return (progress?.tables ?? []).map((t) => ({
    name: t.name,
    phase: t.phase,
    rows: t.rows,
    total: t.total,
    fraction: t.total > 0 ? clamp01((t.rows + t.rejected) / t.total) : t.phase === 'loaded' || t.phase === 'skipped' ? 1 : undefined,
    rejected: t.rejected,
    rowsPerSecond: t.rowsPerSecond,
    ...(t.etaMs !== undefined ? { etaMs: t.etaMs } : {}),
  }));
}

export const PHASES: ReadonlyArray<{ id: MigrationProgress['phase']; label: string }> = [
  { id: 'plan', label: 'Plan' },
  { id: 'backup', label: 'Backup' },
  { id: 'create', label: 'Create' },
  { id: 'load', label: 'Load' },
  { id: 'finish', label: 'Indexes & keys' },
  { id: 'verify', label: 'Verify' },
];

export interface OverallProgress {
  phase: MigrationProgress['phase'] | undefined;
  current?: string;
  rowsCopied: number;
  rowsTotal: number;
  fraction: number | undefined;
  rowsPerSecond: number;
  etaMs?: number;
  elapsedMs: number;
}

export function overallProgress(job: JobInfo | undefined): OverallProgress {
  const p = job?.progress?.migration;
  const report = job?.result?.migration;
  if (report && isFinished(job?.status)) {
    const total = report.tables.reduce((n, t) => n + t.rows, 0);
    const done = report.rowsCopied + report.rejected;
    return {
      phase: p?.phase,
      rowsCopied: report.rowsCopied,
      rowsTotal: total,
      fraction: report.status === 'succeeded' ? 1 : total > 0 ? clamp01(done / total) : undefined,
      rowsPerSecond: report.durationMs > 0 ? (report.rowsCopied / report.durationMs) * 1000 : 0,
      elapsedMs: report.durationMs,
    };
  }
  return {
    phase: p?.phase,
    ...(p?.current ? { current: p.current } : {}),
    rowsCopied: p?.rowsCopied ?? 0,
    rowsTotal: p?.rowsTotal ?? 0,
    fraction: p && p.rowsTotal > 0 ? clamp01(p.rowsCopied / p.rowsTotal) : undefined,
    rowsPerSecond: p?.rowsPerSecond ?? 0,
    ...(p?.etaMs !== undefined ? { etaMs: p.etaMs } : {}),
    elapsedMs: p?.elapsedMs ?? 0,
  };
}

/** The verification of every table that has one. */
export function verifyOf(report: MigrationReport | undefined): TableVerify[] {
  if (!report) return [];
  if (report.verify && report.verify.length > 0) return report.verify;
  return report.tables.flatMap((t) => (t.verify ? [t.verify] : []));
}

export type OutcomeKind = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Outcome {
  kind: OutcomeKind;
  headline: string;
  detail?: string;
  verify: 'ok' | 'differs' | 'none';
  resumable: boolean;
}

/** One sentence for how the migration ended (or that it has not), and whether it may continue. */
export function outcomeOf(job: JobInfo | undefined): Outcome {
  if (!job || !isFinished(job.status)) return { kind: 'running', headline: job?.status === 'queued' ? 'Waiting for a free job slot…' : 'Migrating…', verify: 'none', resumable: false };
  const report = job.result?.migration;
  const checks = verifyOf(report);
  const bad = checks.filter((v) => !v.ok);
  const verify = checks.length === 0 ? 'none' : bad.length > 0 ? 'differs' : 'ok';
  // "after 0 rows copied" says nothing: a run that copied nothing just failed (or was cancelled).
  const copied = report && report.rowsCopied > 0 ? `${formatCount(report.rowsCopied)} row${report.rowsCopied === 1 ? '' : 's'} copied` : '';
  const rejected = report && report.rejected > 0 ? ` and ${formatCount(report.rejected)} rejected` : '';
  const took = report ? ` in ${formatDuration(report.durationMs)}` : '';
  const error = report?.error ?? job.result?.error ?? job.error;
  const resumable = report?.resumable ?? false;
  if (job.status === 'succeeded') {
    const v = verify === 'ok' ? `; verified: ${checks.length === 1 ? 'the table matches' : `all ${checks.length} tables match`} (counts and checksums)` : '';
    return { kind: 'succeeded', headline: `Migration succeeded: ${copied || 'no rows copied'}${rejected}${took}${v}.`, verify, resumable: false };
  }
  if (job.status === 'cancelled') {
    return { kind: 'cancelled', headline: `Migration cancelled${copied ? ` after ${copied}` : ''}.`, detail: resumable ? 'Resume continues from the last checkpoint.' : undefined, verify, resumable };
  }
  const headline = verify === 'differs' ? `Verification found differences in ${bad.length} table${bad.length === 1 ? '' : 's'}.` : `Migration failed${copied ? ` after ${copied}${rejected}` : ''}.`;
  // The job's own "verification found differences in: …" would only repeat the headline.
  const said = error && !(verify === 'differs' && /^verification found differences/i.test(error)) ? uiWording(error) : undefined;
  const detail = said && resumable ? `${said} (fix the cause, then Resume)` : said;
  return { kind: 'failed', headline, ...(detail ? { detail } : {}), verify, resumable };
}

// --- formatting ------------------------------------------------------------------------

export const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

type KeyValue = string | number | boolean | null;

/** A key as analysts read it: `42`, `(7, 'EU')`. */
export function formatKey(key: readonly KeyValue[] | undefined): string {
  if (!key) return '…';
  const one = (v: KeyValue) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));
  return key.length === 1 ? one(key[0]) : `(${key.map(one).join(', ')})`;
}

/** A key range of a verify mismatch: `42 … 1,041`, `start … 99`. */
export function formatRange(from: readonly KeyValue[] | undefined, to: readonly KeyValue[] | undefined): string {
  return `${from ? formatKey(from) : 'start'} … ${to ? formatKey(to) : 'end'}`;
}

/** Up to `max` keys, then how many more. */
export function formatKeys(keys: ReadonlyArray<readonly KeyValue[]>, max = 8): string {
  if (keys.length === 0) return '';
  const shown = keys.slice(0, max).map((k) => formatKey(k)).join(', ');
  return keys.length > max ? `${shown} and ${formatCount(keys.length - max)} more` : shown;
}
