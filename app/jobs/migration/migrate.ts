import type { Connection } from '../../connectors/types';
import { redactUrl } from '../../engine/connections';
import type { WorkbenchStore } from '../../store';
import { openRunLog } from '../history/recorder';
import type { RunLog } from '../history/run-log';
import { backupSqliteTarget, createSqliteTargetForLoad } from './backup';
import { MigrationCheckpoints, ownerAlive, ownerId, type TableCheckpoint } from './checkpoints';
import { copyTable } from './copy';
import { dropTableSql } from './ddl';
import { buildPlan } from './plan';
import { ProgressTracker } from './progress';
import { executor } from './query';
import type { MigrationOptions, MigrationProgress, MigrationReport, Plan, PlannedTable, StepReport, TableReport, TableVerify } from './types';
import { verifyTable } from './verify';

/**
 * One migration, start to end: open both databases (a bad address or password fails here,
 * before anything changes), plan (or, for a resume, take the stored plan), back a SQLite
 * target up, create the tables, copy them in load order with checkpoints, then add
 * indexes, foreign keys and sequence positions, and verify when asked. The CLI calls it
 * in-process; the workbench runs it in a job worker (migration-job.ts).
 */

export interface ConnectionSource {
  open(nameOrUrl: string): Promise<Connection>;
  /** How a connection is shown: its URL without a password. */
  describe(nameOrUrl: string): string;
  closeAll(): Promise<void>;
}

export interface MigrationRequest {
  /** Connection names or URLs. */
  from: string;
  to: string;
  options: MigrationOptions;
  /** Plan only: print what would happen, change nothing. */
  dryRun?: boolean;
  /** Continue this migration run from its checkpoints (its stored plan is followed). */
  resume?: string;
  /** Compare source and target only (with `resume`: the tables of that run). */
  verifyOnly?: boolean;
}

export interface MigrationRuntime {
  connections: ConnectionSource;
  /** Where checkpoints and rejected rows go; needed unless dry run or verify only. */
  store?: WorkbenchStore;
  signal?: AbortSignal;
  onProgress?(p: MigrationProgress): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
  progressIntervalMs?: number;
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (e as Error)?.name === 'AbortError';
}

const ALREADY_THERE = /already exists|duplicate key name|duplicate foreign key|errno: 121|multiple primary key/i;

class Migration {
  readonly report: MigrationReport;
  private readonly started = Date.now();
  private source!: Connection;
  private target!: Connection;
  /** The run's structured log in the store's logs folder (`sluice logs RUN_ID`), once the run is recorded. */
  private runLog: RunLog | undefined;

  constructor(
    private readonly req: MigrationRequest,
    private readonly rt: MigrationRuntime,
  ) {
    this.report = {
      status: 'failed',
      durationMs: 0,
      source: rt.connections.describe(req.from),
      target: rt.connections.describe(req.to),
      tables: [],
      steps: [],
      warnings: [],
      rowsCopied: 0,
      rejected: 0,
      resumable: false,
    };
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.rt.log?.(level, message);
    this.runLog?.write(level, message);
  }

  /** Opens the run's log (a resumed run goes on in the file it has) and says what runs. */
  private startRunLog(store: WorkbenchStore, runId: string, resumed: boolean): void {
    this.runLog = openRunLog(store, runId);
    this.runLog.info(`migration ${this.report.source} -> ${this.report.target} ${resumed ? 'resumed' : 'started'}`, { runId, pid: process.pid });
  }

  /** The run's last line and the end of its log. */
  private closeRunLog(): void {
    const log = this.runLog;
    if (!log) return;
    this.runLog = undefined;
    const counts = { rowsCopied: this.report.rowsCopied, rejected: this.report.rejected };
    if (this.report.status === 'succeeded') log.info('migration succeeded', counts);
    else if (this.report.status === 'cancelled') log.warn('migration cancelled', counts);
    else log.error(`migration failed: ${this.report.error ?? 'unknown error'}`, counts);
    log.close();
  }

  private fail(error: string): MigrationReport {
    this.report.status = 'failed';
    this.report.error = error;
    return this.done();
  }

  private done(): MigrationReport {
    this.report.durationMs = Date.now() - this.started;
    return this.report;
  }

  async run(): Promise<MigrationReport> {
    const { req, rt } = this;
    try {
      try {
        this.source = await rt.connections.open(req.from);
        this.target = await rt.connections.open(req.to);
      } catch (e) {
        return this.fail(`${(e as Error).message} (nothing was changed)`);
      }
      if (req.resume) return await this.resume(req.resume);
      const plan = await buildPlan({ source: this.source, target: this.target, sourceUrl: this.report.source, targetUrl: this.report.target, options: req.verifyOnly ? { ...req.options, ifExists: 'append' } : req.options });
      this.report.plan = plan;
      this.report.warnings = plan.warnings;
      if (req.verifyOnly) return await this.verifyOnly(plan);
      if (req.dryRun) {
        this.report.status = 'planned';
        if (plan.problems.length) this.report.error = `the migration cannot run as asked:\n- ${plan.problems.join('\n- ')}`;
        this.report.tables = plan.tables.map((t) => tableReport(t));
        return this.done();
      }
      if (plan.problems.length) return this.fail(`the migration cannot run as asked (nothing was changed):\n- ${plan.problems.join('\n- ')}`);
      return await this.start(plan);
    } catch (e) {
      if (isAbort(e, rt.signal)) {
        this.report.status = 'cancelled';
        this.report.error = 'cancelled';
        return this.done();
      }
      return this.fail((e as Error).message);
    } finally {
      this.closeRunLog();
      await rt.connections.closeAll();
    }
  }

  private needStore(): WorkbenchStore {
    if (!this.rt.store) throw new Error('a migration records its checkpoints in the workbench store: give one');
    return this.rt.store;
  }

  private async start(plan: Plan): Promise<MigrationReport> {
    const store = this.needStore();
    // The run remembers how the endpoints were named (a saved connection's name, or the
    // URL without its password), so a resume can open them the same way.
    const runId = store.startRun({ kind: 'migration', name: `${this.report.source} -> ${this.report.target}`, params: { from: redactUrl(this.req.from), to: redactUrl(this.req.to), options: plan.options } });
    this.report.runId = runId;
    this.startRunLog(store, runId, false);
    let backupPath: string | undefined;
    try {
      backupPath = await backupSqliteTarget(this.target, runId);
    } catch (e) {
      store.finishRun(runId, { status: 'failed', error: `backup failed: ${(e as Error).message}` });
      return this.fail(`could not back the SQLite target up before changing it: ${(e as Error).message} (nothing was changed)`);
    }
    if (backupPath) {
      this.report.backupPath = backupPath;
      this.log('info', `the target was backed up to ${backupPath}`);
    } else if (createSqliteTargetForLoad(this.target)) this.log('info', 'the target file is new: it is loaded with the rollback journal and switched to WAL at the end');
    const owner = ownerId();
    store.beginMigration(runId, { source: this.report.source, target: this.report.target, plan, backupPath, owner, tables: plan.tables.map((t) => ({ name: t.name, rowsTotal: t.rows })) });
    return this.execute(plan, new MigrationCheckpoints(store, runId), owner, false);
  }

  private async resume(runId: string): Promise<MigrationReport> {
    const store = this.needStore();
    const m = store.getMigration(runId);
    if (!m) return this.fail(`no migration run ${runId} in the workbench store ${store.path}`);
    this.report.runId = runId;
    const plan = m.plan as Plan;
    this.report.plan = plan;
    this.report.warnings = plan.warnings;
    this.report.backupPath = m.backupPath;
    if (m.source !== this.report.source || m.target !== this.report.target) {
      return this.fail(`run ${runId} migrates ${m.source} -> ${m.target}, not ${this.report.source} -> ${this.report.target}`);
    }
    if (this.req.verifyOnly) return this.verifyOnly(plan);
    if (m.status === 'succeeded') return this.fail(`run ${runId} has already finished successfully: there is nothing to resume`);
    if (m.status === 'running' && ownerAlive(m.owner, m.heartbeatAt)) return this.fail(`run ${runId} is still running (process ${m.owner}); cancel it first`);
    if (m.status !== 'running') store.reopenRun(runId);
    const owner = ownerId();
    store.claimMigration(runId, owner);
    this.startRunLog(store, runId, true);
    this.log('info', `resuming run ${runId}`);
    return this.execute(plan, new MigrationCheckpoints(store, runId), owner, true);
  }

  private async execute(plan: Plan, cps: MigrationCheckpoints, owner: string, resumed: boolean): Promise<MigrationReport> {
    const store = this.rt.store!;
    const runId = cps.runId;
    const states = cps.tables();
    const progress = new ProgressTracker(
      plan.tables.map((t) => {
        const cp = states.get(t.name);
        return { name: t.name, rows: t.rows, done: cp ? cp.rowsCopied + cp.rowsRejected : 0, rejected: cp?.rowsRejected ?? 0, phase: cp?.state === 'loaded' ? 'loaded' : 'pending' };
      }),
      this.rt.onProgress,
      this.rt.progressIntervalMs,
    );
    progress.runId = runId;
    progress.backupPath = this.report.backupPath;
    const beat = setInterval(() => {
      try {
        cps.heartbeat(owner);
      } catch {
        // The store is busy: the next beat will do.
      }
    }, 5000);
    beat.unref();
    let loadStarted = resumed;
    const seconds = new Map<string, { seconds: number; rows: number }>();
    try {
      progress.setPhase('create');
      await this.createTables(plan, cps, resumed);
      loadStarted = true;
      progress.setPhase('load');
      for (const t of plan.tables) {
        const cp = states.get(t.name) ?? { state: 'pending', chunks: 0, rowsCopied: 0, rowsRejected: 0 };
        if (cp.state === 'loaded') continue;
        this.rt.signal?.throwIfAborted();
        progress.startTable(t.name);
        const t0 = Date.now();
        const r = await copyTable(
          {
            source: this.source,
            target: this.target,
            checkpoints: cps,
            chunkRows: plan.options.chunkRows,
            onError: plan.options.onError,
            resumed,
            signal: this.rt.signal,
            onRows: (rows, rejected) => progress.rows(t.name, rows, rejected),
            log: (level, message) => this.log(level, message),
          },
          t,
          cp as TableCheckpoint,
        );
        seconds.set(t.name, { seconds: (Date.now() - t0) / 1000, rows: r.copied + r.rejected });
        this.runLog?.info(`table '${t.name}' loaded: ${r.copied} row(s) copied, ${r.rejected} rejected`, { table: t.name, copied: r.copied, rejected: r.rejected, seconds: (Date.now() - t0) / 1000 });
        progress.endTable(t.name);
      }
      progress.setPhase('finish');
      const failedSteps = await this.runSteps(plan, cps, resumed);
      let verify: TableVerify[] | undefined;
      if (plan.options.verify) {
        progress.setPhase('verify');
        verify = await this.verifyTables(plan, progress);
      }
      this.fillTables(plan, cps, seconds, verify);
      const diffs = verify?.filter((v) => !v.ok).map((v) => v.table) ?? [];
      if (failedSteps > 0 || diffs.length > 0) {
        const why = [
          failedSteps > 0 ? `${failedSteps} step(s) after the load failed (see steps); the rows are in` : '',
          diffs.length > 0 ? `verification found differences in: ${diffs.join(', ')}` : '',
        ].filter(Boolean);
        this.report.status = 'failed';
        this.report.error = why.join('; ');
        this.report.resumable = failedSteps > 0;
      } else this.report.status = 'succeeded';
      store.finishRun(runId, { status: this.report.status === 'succeeded' ? 'succeeded' : 'failed', error: this.report.error, rowsIn: this.report.rowsCopied + this.report.rejected, rowsOut: this.report.rowsCopied, rejected: this.report.rejected });
      return this.done();
    } catch (e) {
      const cancelled = isAbort(e, this.rt.signal);
      this.fillTables(plan, cps, seconds, undefined);
      this.report.status = cancelled ? 'cancelled' : 'failed';
      // Plain words: the CLI adds how to resume (sluice migrate --resume), the workbench a Resume button.
      this.report.error = cancelled ? 'cancelled' : (e as Error).message;
      this.report.resumable = loadStarted;
      store.finishRun(runId, { status: this.report.status === 'cancelled' ? 'cancelled' : 'failed', error: this.report.error, rowsIn: this.report.rowsCopied + this.report.rejected, rowsOut: this.report.rowsCopied, rejected: this.report.rejected });
      return this.done();
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * Creates the tables the plan creates. A table a resumed run finds already there was
   * created by it (the plan refused existing tables it would create). When a CREATE fails
   * in a first attempt, the tables it created are dropped again: no partial state.
   */
  private async createTables(plan: Plan, cps: MigrationCheckpoints, resumed: boolean): Promise<string[]> {
    const exec = executor(this.target, 'the target');
    const done = cps.doneSteps();
    const existing = resumed ? new Set((await this.target.listTables()).map((t) => t.name)) : new Set<string>();
    const created: string[] = [];
    for (const t of plan.tables) {
      if (t.action !== 'create' || !t.create) continue;
      const step = `create:${t.name}`;
      if (done.has(step)) continue;
      this.rt.signal?.throwIfAborted();
      if (resumed && (existing.has(t.name) || [...existing].some((n) => n.toLowerCase() === t.name.toLowerCase() && plan.target.dialect === 'sqlite'))) {
        cps.stepDone(step);
        continue;
      }
      try {
        await exec(t.create);
      } catch (e) {
        if (!resumed) {
          for (const name of created.reverse()) await exec(dropTableSql(name, plan.target.dialect)).catch(() => {});
          throw new Error(`could not create table '${t.name}': ${(e as Error).message} (the tables created before it were dropped again; nothing is left behind)`);
        }
        throw new Error(`could not create table '${t.name}': ${(e as Error).message}`);
      }
      created.push(t.name);
      cps.stepDone(step);
    }
    return created;
  }

  /** The steps after the load, each once; a failing step is reported and the others still run. Returns how many failed. */
  private async runSteps(plan: Plan, cps: MigrationCheckpoints, resumed: boolean): Promise<number> {
    const exec = executor(this.target, 'the target');
    const done = cps.doneSteps();
    let failed = 0;
    for (const s of plan.steps) {
      const r: StepReport = { id: s.id, description: s.description, status: 'done' };
      this.report.steps.push(r);
      if (done.has(s.id)) continue;
      this.rt.signal?.throwIfAborted();
      try {
        await exec(s.sql);
        cps.stepDone(s.id);
      } catch (e) {
        const message = (e as Error).message;
        if (resumed && ALREADY_THERE.test(message)) {
          // Done by the interrupted attempt just before it stopped.
          cps.stepDone(s.id);
          continue;
        }
        r.status = 'failed';
        r.error = message;
        failed++;
        this.log('error', `${s.description}: ${message}`);
      }
    }
    return failed;
  }

  private async verifyTables(plan: Plan, progress?: ProgressTracker): Promise<TableVerify[]> {
    const out: TableVerify[] = [];
    for (const t of plan.tables) {
      this.rt.signal?.throwIfAborted();
      progress?.setPhase('verify', t.name);
      out.push(await verifyTable({ source: this.source, target: this.target, signal: this.rt.signal }, t));
    }
    return out;
  }

  private async verifyOnly(plan: Plan): Promise<MigrationReport> {
    const blocking = plan.problems.filter((p) => !/^target table .* (has no primary key or unique|is NOT NULL)/.test(p));
    if (blocking.length) return this.fail(`cannot verify:\n- ${blocking.join('\n- ')}`);
    const verify = await this.verifyTables(plan);
    this.report.verify = verify;
    this.report.tables = plan.tables.map((t) => ({ ...tableReport(t), verify: verify.find((v) => v.table === t.name) }));
    const diffs = verify.filter((v) => !v.ok).map((v) => v.table);
    this.report.status = diffs.length ? 'failed' : 'succeeded';
    if (diffs.length) this.report.error = `verification found differences in: ${diffs.join(', ')}`;
    return this.done();
  }

  private fillTables(plan: Plan, cps: MigrationCheckpoints, timing: Map<string, { seconds: number; rows: number }>, verify: TableVerify[] | undefined): void {
    const states = cps.tables();
    this.report.tables = plan.tables.map((t) => {
      const r = tableReport(t, states.get(t.name), timing.get(t.name));
      const v = verify?.find((x) => x.table === t.name);
      if (v) r.verify = v;
      return r;
    });
    this.report.rowsCopied = this.report.tables.reduce((s, t) => s + t.copied, 0);
    this.report.rejected = this.report.tables.reduce((s, t) => s + t.rejected, 0);
    if (verify) this.report.verify = verify;
  }
}

/** A table's line of the report: totals over every attempt, speed of this one. */
function tableReport(t: PlannedTable, cp?: TableCheckpoint, timing?: { seconds: number; rows: number }): TableReport {
  const seconds = timing?.seconds ?? 0;
  return {
    name: t.name,
    action: t.action,
    rows: t.rows,
    copied: cp?.rowsCopied ?? 0,
    rejected: cp?.rowsRejected ?? 0,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: seconds > 0 ? Math.round((timing?.rows ?? 0) / seconds) : 0,
  };
}

/** How a migration run named its endpoints (see start()): the defaults of a resume. */
export function recordedEndpoints(store: WorkbenchStore, runId: string): { from: string; to: string } | undefined {
  const m = store.getMigration(runId);
  if (!m) return undefined;
  const p = store.getRun(runId)?.params as { from?: unknown; to?: unknown } | undefined;
  return { from: typeof p?.from === 'string' ? p.from : m.source, to: typeof p?.to === 'string' ? p.to : m.target };
}

export async function runMigration(req: MigrationRequest, rt: MigrationRuntime): Promise<MigrationReport> {
  return new Migration(req, rt).run();
}
