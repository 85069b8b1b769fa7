import type { MigrationPhase, MigrationProgress, TablePhase, TableProgress } from './types';

/**
 * Progress of a migration: per table rows handled, rows/s and ETA, and the totals.
 * Speeds are measured over this attempt only (a resumed table starts at its checkpoint's
 * count but its speed from zero). Reports at most every `intervalMs`, plus at each phase
 * or table change, so a fast copy does not flood the worker's message port.
 */
export class ProgressTracker {
  private readonly tables: TableProgress[];
  private readonly startedRows = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly t0 = Date.now();
  private phase: MigrationPhase = 'plan';
  private current: string | undefined;
  private lastEmit = 0;
  runId: string | undefined;
  backupPath: string | undefined;

  constructor(
    tables: { name: string; rows: number; done?: number; rejected?: number; phase?: TablePhase }[],
    private readonly emit: ((p: MigrationProgress) => void) | undefined,
    private readonly intervalMs = 250,
  ) {
    this.tables = tables.map((t) => ({ name: t.name, phase: t.phase ?? 'pending', rows: t.done ?? 0, total: t.rows, rejected: t.rejected ?? 0, rowsPerSecond: 0 }));
  }

  setPhase(phase: MigrationPhase, current?: string): void {
    this.phase = phase;
    this.current = current;
    this.report(true);
  }

  private table(name: string): TableProgress {
    const t = this.tables.find((x) => x.name === name);
    if (!t) throw new Error(`no table '${name}' in the progress`);
    return t;
  }

  startTable(name: string): void {
    const t = this.table(name);
    t.phase = 'loading';
    this.startedRows.set(name, t.rows);
    this.startedAt.set(name, Date.now());
    this.current = name;
    this.report(true);
  }

  rows(name: string, rows: number, rejected: number): void {
    const t = this.table(name);
    t.rows += rows;
    t.rejected += rejected;
    this.report(false);
  }

  endTable(name: string, phase: TablePhase = 'loaded'): void {
    const t = this.table(name);
    t.phase = phase;
    if (t.total < t.rows) t.total = t.rows;
    this.updateSpeed(t);
    t.etaMs = undefined;
    this.report(true);
  }

  private updateSpeed(t: TableProgress): void {
    const at = this.startedAt.get(t.name);
    if (at === undefined) return;
    const seconds = (Date.now() - at) / 1000;
    const done = t.rows - (this.startedRows.get(t.name) ?? 0);
    t.rowsPerSecond = seconds > 0 ? Math.round(done / seconds) : 0;
    t.etaMs = t.rowsPerSecond > 0 && t.total > t.rows ? Math.round(((t.total - t.rows) / t.rowsPerSecond) * 1000) : undefined;
  }

  snapshot(): MigrationProgress {
    for (const t of this.tables) if (t.phase === 'loading') this.updateSpeed(t);
    const rowsCopied = this.tables.reduce((s, t) => s + t.rows, 0);
    const rowsTotal = this.tables.reduce((s, t) => s + Math.max(t.total, t.rows), 0);
    const elapsedMs = Date.now() - this.t0;
    const doneThisAttempt = this.tables.reduce((s, t) => s + t.rows - (this.startedRows.get(t.name) ?? t.rows), 0);
    const loadStart = Math.min(...[...this.startedAt.values(), Date.now()]);
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const rowsPerSecond = loadSeconds > 0 ? Math.round(doneThisAttempt / loadSeconds) : 0;
    const p: MigrationProgress = {
      phase: this.phase,
      elapsedMs,
      tables: this.tables.map((t) => ({ ...t })),
      rowsCopied,
      rowsTotal,
      rowsPerSecond,
    };
    if (this.runId) p.runId = this.runId;
    if (this.backupPath) p.backupPath = this.backupPath;
    if (this.current) p.current = this.current;
    if (this.phase === 'load' && rowsPerSecond > 0 && rowsTotal > rowsCopied) p.etaMs = Math.round(((rowsTotal - rowsCopied) / rowsPerSecond) * 1000);
    return p;
  }

  report(force: boolean): void {
    if (!this.emit) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.emit(this.snapshot());
  }
}
