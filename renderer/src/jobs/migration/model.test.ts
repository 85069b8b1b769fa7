import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../../app/contract';
import {
  choicesKey,
  cleanRules,
  defaultSelection,
  dialectOfUrl,
  endpointKey,
  existingInTarget,
  formatDuration,
  formatKey,
  formatKeys,
  formatRange,
  mergeJobInfo,
  migrationRunId,
  outcomeOf,
  overallProgress,
  planDdl,
  planInput,
  ruleMessages,
  sameDatabase,
  selectable,
  selectionSummary,
  tableProgress,
  typeChanges,
  uiWording,
  type MigrationPlan,
  type MigrationProgress,
  type MigrationReport,
  type TableVerify,
  type WizardChoices,
} from './model';

const choices = (o: Partial<WizardChoices> = {}): WizardChoices => ({
  from: 'shop',
  to: 'copy',
  selected: ['customers', 'orders'],
  includeViews: false,
  ifExists: 'fail',
  typeRules: [],
  onError: 'stop',
  ...o,
});

const column = (name: string, sourceType: string, targetType: string, extra: { rule?: string; warning?: string } = {}) => ({
  name,
  sourceType,
  sourceLogical: { kind: 'text' },
  targetType,
  targetLogical: { kind: 'text' },
  nullable: true,
  sourceNullable: true,
  autoIncrement: false,
  ...extra,
});

function plan(o: Partial<MigrationPlan> = {}): MigrationPlan {
  return {
    version: 1,
    source: { url: 'sqlite:./shop.db', dialect: 'sqlite' },
    target: { url: 'postgres://me@db/shop', dialect: 'postgres' },
    options: { includeViews: false, ifExists: 'fail', typeRules: [], onError: 'stop', chunkRows: 50_000, verify: false },
    tables: [
      {
        name: 'customers',
        source: 'customers',
        kind: 'table',
        columns: [column('id', 'INTEGER', 'bigint'), column('name', 'TEXT', 'text')],
        key: ['id'],
        rows: 2000,
        action: 'create',
        create: 'CREATE TABLE "customers" (\n  "id" bigint NOT NULL\n)',
        foreignKeys: [],
      },
      {
        name: 'orders',
        source: 'orders',
        kind: 'table',
        columns: [
          column('unit_price', 'NUMERIC(10,2)', 'numeric(8,1)', { rule: 'sqlite NUMERIC -> postgres numeric(8,1)', warning: "column 'orders.unit_price': decimal(10,2) -> decimal(8,1): large values do not fit" }),
          column('note', 'TEXT', 'TEXT'),
        ],
        key: ['id'],
        rows: 20_000,
        action: 'create',
        create: 'CREATE TABLE "orders" ()',
        foreignKeys: [],
      },
    ],
    cycles: [],
    steps: [{ id: 'fk:orders:fk1', table: 'orders', kind: 'foreign-key', sql: 'ALTER TABLE "orders" ADD FOREIGN KEY ("customer_id") REFERENCES "customers" ("id")', description: 'foreign key orders (customer_id) -> customers' }],
    warnings: [],
    problems: [],
    ...o,
  };
}

const job = (o: Partial<JobInfo>): JobInfo => ({ id: 'j1', kind: 'migration', title: 'migrate shop -> copy', status: 'running', createdAt: '2025-01-01T00:00:00Z', ...o });

const progress = (o: Partial<MigrationProgress> = {}): MigrationProgress => ({
  runId: 'R1',
  phase: 'load',
  elapsedMs: 1500,
  current: 'orders',
  tables: [
    { name: 'customers', phase: 'loaded', rows: 2000, total: 2000, rejected: 0, rowsPerSecond: 4000 },
    { name: 'orders', phase: 'loading', rows: 5000, total: 20_000, rejected: 0, rowsPerSecond: 10_000, etaMs: 1500 },
  ],
  rowsCopied: 7000,
  rowsTotal: 22_000,
  rowsPerSecond: 9000,
  etaMs: 1700,
  ...o,
});

const verify = (table: string, ok: boolean, o: Partial<TableVerify> = {}): TableVerify => ({
  table,
  ok,
  sourceRows: 10,
  targetRows: ok ? 10 : 9,
  sourceChecksum: 'a',
  targetChecksum: ok ? 'a' : 'b',
  unstorable: 0,
  mismatches: [],
  ...o,
});

const report = (o: Partial<MigrationReport> = {}): MigrationReport => ({
  runId: 'R1',
  status: 'succeeded',
  durationMs: 1234,
  source: 'sqlite:./shop.db',
  target: 'sqlite:./copy.db',
  tables: [
    { name: 'customers', action: 'create', rows: 2000, copied: 2000, rejected: 0, seconds: 0.2, rowsPerSecond: 10_000, verify: verify('customers', true) },
    { name: 'orders', action: 'create', rows: 20_000, copied: 20_000, rejected: 0, seconds: 1, rowsPerSecond: 20_000, verify: verify('orders', true) },
  ],
  steps: [],
  warnings: [],
  rowsCopied: 22_000,
  rejected: 0,
  resumable: false,
  ...o,
});

const summary = (migration: MigrationReport) => ({ runId: migration.runId, status: migration.status === 'planned' ? ('succeeded' as const) : migration.status, durationMs: migration.durationMs, nodes: [], rowsRead: 0, rowsWritten: 0, rejected: 0, migration });

describe('endpoints', () => {
  it('knows the dialects migrations work with, and nothing else', () => {
    expect(dialectOfUrl('sqlite:./shop.db')).toBe('sqlite');
    expect(dialectOfUrl('postgresql://me@db/x')).toBe('postgres');
    expect(dialectOfUrl('mariadb://root@db/x')).toBe('mysql');
    expect(dialectOfUrl('csv:./orders.csv')).toBeUndefined();
  });

  it('tells the same database behind different spellings', () => {
    expect(endpointKey('sqlite:./shop.db')).toBe(endpointKey('sqlite:shop.db'));
    expect(endpointKey('sqlite://./data/./shop.db')).toBe(endpointKey('sqlite:data/shop.db'));
    expect(endpointKey('postgres://me@DB/shop')).toBe(endpointKey('postgresql://other@db:5432/shop?schema=public'));
    expect(endpointKey('postgres://me@db/shop?schema=music')).not.toBe(endpointKey('postgres://me@db/shop'));
    expect(endpointKey('mysql://root@db/shop')).not.toBe(endpointKey('mysql://root@db:3307/shop'));
    expect(sameDatabase({ name: 'a', url: 'sqlite:./shop.db' }, { name: 'b', url: 'sqlite:shop.db' })).toBe(true);
    expect(sameDatabase({ name: 'a', url: 'sqlite:./shop.db' }, { name: 'b', url: 'sqlite:./copy.db' })).toBe(false);
    expect(sameDatabase({ name: 'a', url: 'sqlite:./shop.db' }, undefined)).toBe(false);
  });
});

describe('choices', () => {
  it('sends the ticked tables explicitly and the rules trimmed', () => {
    expect(planInput(choices({ typeRules: ['  sqlite TEXT -> postgres text ', '', '   '] }))).toEqual({
      from: 'shop',
      to: 'copy',
      tables: ['customers', 'orders'],
      includeViews: false,
      ifExists: 'fail',
      typeRules: ['sqlite TEXT -> postgres text'],
      onError: 'stop',
    });
    expect(cleanRules(['a', ' ', ' b '])).toEqual(['a', 'b']);
  });

  it('keys a plan by what it was made for: an empty rule line does not make it stale, a policy does', () => {
    expect(choicesKey(choices({ typeRules: [''] }))).toBe(choicesKey(choices()));
    expect(choicesKey(choices({ ifExists: 'truncate' }))).not.toBe(choicesKey(choices()));
    expect(choicesKey(choices({ selected: ['orders'] }))).not.toBe(choicesKey(choices()));
  });

  it('selects tables by default; views only when copied as tables', () => {
    const tables = [
      { name: 'customers', kind: 'table' as const, rowEstimate: 2000 },
      { name: 'order_lines', kind: 'view' as const },
      { name: 'orders', kind: 'table' as const, rowEstimate: 20_000 },
    ];
    expect(defaultSelection(tables)).toEqual(['customers', 'orders']);
    expect(selectable(tables[1], false)).toBe(false);
    expect(selectable(tables[1], true)).toBe(true);
    expect(selectionSummary(tables, ['customers', 'orders'])).toEqual({ count: 2, of: 3, rows: 22_000, rowsKnown: true });
    expect(selectionSummary(tables, ['order_lines'])).toMatchObject({ count: 1, rowsKnown: false });
    expect(existingInTarget(['Orders', 'customers'], [{ name: 'orders' }])).toEqual(['Orders']);
  });
});

describe('the plan', () => {
  it('words command-line advice as the wizard controls', () => {
    expect(uiWording("target table 'products' exists; choose what to do with them: --if-exists truncate, append or upsert (the default, fail, changes nothing)")).toBe(
      `target table 'products' exists; choose Truncate, Append or Upsert under "If a target table exists" (the default, Fail, changes nothing)`,
    );
    expect(uiWording("table 'log' has no primary key: upsert needs one (choose --if-exists truncate or append)")).toBe(`table 'log' has no primary key: upsert needs one (choose truncate or append under "If a target table exists")`);
    expect(uiWording('there is nothing to migrate: the source has no tables (add --views to copy views as tables)')).toBe('there is nothing to migrate: the source has no tables (tick "Views as tables" to copy views)');
  });

  it('finds what the planner said about each rule, by the rule text it quotes', () => {
    const bad = 'sqlite NUMERIC postgres numeric';
    const p = plan({
      problems: [`type rule ${JSON.stringify(bad)}: it needs exactly one -> (expected e.g. 'sqlite NUMERIC -> postgres numeric(12,2)')`, "target table 'x' exists"],
      warnings: ["type rule 'sqlite BLOB -> postgres bytea' matched no column"],
    });
    expect(ruleMessages(bad, p)).toEqual({ errors: ["it needs exactly one -> (expected e.g. 'sqlite NUMERIC -> postgres numeric(12,2)')"], warnings: [] });
    expect(ruleMessages(' sqlite BLOB -> postgres bytea ', p)).toEqual({ errors: [], warnings: ['matched no column'] });
    expect(ruleMessages('sqlite TEXT -> postgres text', p)).toEqual({ errors: [], warnings: [] });
    expect(ruleMessages(bad, undefined)).toEqual({ errors: [], warnings: [] });
  });

  it('lists type changes (ignoring case and spacing), with the lossy ones naming their column', () => {
    const changes = typeChanges(plan());
    expect(changes.map((c) => `${c.table}.${c.column}`)).toEqual(['customers.id', 'orders.unit_price']);
    expect(changes[1]).toMatchObject({ sourceType: 'NUMERIC(10,2)', targetType: 'numeric(8,1)', rule: 'sqlite NUMERIC -> postgres numeric(8,1)', warning: expect.stringContaining("'orders.unit_price'") });
  });

  it('writes the DDL in load order, then the steps after the load', () => {
    const ddl = planDdl(plan({ tables: [plan().tables[0], { ...plan().tables[1], action: 'append', create: undefined }] }));
    expect(ddl.indexOf('CREATE TABLE "customers"')).toBeGreaterThan(-1);
    expect(ddl).toContain('"id" bigint NOT NULL\n);');
    expect(ddl).toContain('-- orders: exists in the target (append); no CREATE');
    expect(ddl.indexOf('-- after the load')).toBeGreaterThan(ddl.indexOf('orders'));
    expect(ddl).toMatch(/REFERENCES "customers" \("id"\);$/);
  });
});

describe('the run', () => {
  it('reads per-table and overall progress from the job/progress events', () => {
    const j = job({ progress: { elapsedMs: 1500, nodes: [], rowsRead: 7000, rowsPerSecond: 9000, migration: progress() } });
    expect(tableProgress(j)).toEqual([
      { name: 'customers', phase: 'loaded', rows: 2000, total: 2000, fraction: 1, rejected: 0, rowsPerSecond: 4000 },
      { name: 'orders', phase: 'loading', rows: 5000, total: 20_000, fraction: 0.25, rejected: 0, rowsPerSecond: 10_000, etaMs: 1500 },
    ]);
    expect(overallProgress(j)).toMatchObject({ phase: 'load', current: 'orders', rowsCopied: 7000, rowsTotal: 22_000, etaMs: 1700 });
    expect(overallProgress(j).fraction).toBeCloseTo(7000 / 22_000);
    // An empty table is done when loaded, unknown while pending.
    const empty = job({ progress: { elapsedMs: 1, nodes: [], rowsRead: 0, rowsPerSecond: 0, migration: progress({ tables: [{ name: 'e', phase: 'pending', rows: 0, total: 0, rejected: 0, rowsPerSecond: 0 }] }) } });
    expect(tableProgress(empty)[0].fraction).toBeUndefined();
  });

  it('takes the final numbers from the report once the job has ended', () => {
    const j = job({ status: 'succeeded', progress: { elapsedMs: 1, nodes: [], rowsRead: 1, rowsPerSecond: 1, migration: progress() }, result: summary(report()) });
    expect(tableProgress(j).map((t) => [t.name, t.phase, t.rows, t.fraction])).toEqual([
      ['customers', 'loaded', 2000, 1],
      ['orders', 'loaded', 20_000, 1],
    ]);
    expect(overallProgress(j)).toMatchObject({ rowsCopied: 22_000, rowsTotal: 22_000, fraction: 1, elapsedMs: 1234 });
    expect(migrationRunId(j)).toBe('R1');
    expect(migrationRunId(job({ progress: { elapsedMs: 1, nodes: [], rowsRead: 1, rowsPerSecond: 1, migration: progress({ runId: 'R9' }) } }))).toBe('R9');
  });

  it('never lets an older jobs/get answer undo a finish the events brought', () => {
    const finished = job({ status: 'succeeded', result: summary(report()), title: 'migration' });
    const fetched = job({ status: 'running', title: 'migrate shop -> copy' });
    expect(mergeJobInfo(finished, fetched)).toMatchObject({ status: 'succeeded', title: 'migrate shop -> copy', result: { migration: { status: 'succeeded' } } });
    const running = job({ status: 'running', progress: { elapsedMs: 9, nodes: [], rowsRead: 9, rowsPerSecond: 1 } });
    expect(mergeJobInfo(running, job({ status: 'queued' }))).toMatchObject({ status: 'running', progress: { rowsRead: 9 } });
    expect(mergeJobInfo(running, job({ status: 'failed' })).status).toBe('failed');
    expect(mergeJobInfo(undefined, fetched)).toBe(fetched);
  });
});

describe('the outcome', () => {
  it('says success with the verification', () => {
    const o = outcomeOf(job({ status: 'succeeded', result: summary(report()) }));
    expect(o).toMatchObject({ kind: 'succeeded', verify: 'ok', resumable: false });
    expect(o.headline).toBe('Migration succeeded: 22,000 rows copied in 1.2 s; verified: all 2 tables match (counts and checksums).');
    const withRejects = report({ rowsCopied: 1995, rejected: 5, durationMs: 104, tables: [] });
    expect(outcomeOf(job({ status: 'succeeded', result: summary(withRejects) })).headline).toBe('Migration succeeded: 1,995 rows copied and 5 rejected in 104 ms.');
  });

  it('says a verification that found differences, and a failure with its cause', () => {
    const differs = report({ status: 'failed', error: 'verification found differences in: customers', tables: [{ ...report().tables[0], verify: verify('customers', false) }] });
    const differsOutcome = outcomeOf(job({ status: 'failed', result: summary(differs) }));
    expect(differsOutcome).toMatchObject({ kind: 'failed', verify: 'differs', headline: 'Verification found differences in 1 table.' });
    expect(differsOutcome.detail).toBeUndefined();
    const failed = report({ status: 'failed', rowsCopied: 300, resumable: true, error: "customers: column 'signup_date': bad date", tables: [] });
    expect(outcomeOf(job({ status: 'failed', result: summary(failed) }))).toMatchObject({
      kind: 'failed',
      headline: 'Migration failed after 300 rows copied.',
      detail: "customers: column 'signup_date': bad date (fix the cause, then Resume)",
      resumable: true,
    });
    expect(outcomeOf(job({ status: 'failed', error: 'the worker died' }))).toMatchObject({ kind: 'failed', headline: 'Migration failed.', detail: 'the worker died', resumable: false });
    expect(outcomeOf(job({ status: 'failed', result: summary(report({ status: 'failed', rowsCopied: 0, tables: [] })) })).headline).toBe('Migration failed.');
  });

  it('says a cancelled run can resume', () => {
    const o = outcomeOf(job({ status: 'cancelled', result: summary(report({ status: 'cancelled', rowsCopied: 4000, resumable: true })) }));
    expect(o).toMatchObject({ kind: 'cancelled', resumable: true, headline: 'Migration cancelled after 4,000 rows copied.' });
    expect(outcomeOf(job({ status: 'queued' })).kind).toBe('running');
  });
});

describe('formatting', () => {
  it('durations, keys and key ranges', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
    expect(formatDuration(undefined)).toBe('');
    expect(formatKey([42])).toBe('42');
    expect(formatKey([7, 'EU', null])).toBe("(7, 'EU', NULL)");
    expect(formatRange(undefined, [100])).toBe('start … 100');
    expect(formatRange([100], undefined)).toBe('100 … end');
    expect(formatKeys([[1], [2], [3]], 2)).toBe('1, 2 and 1 more');
  });
});
