import type { z } from 'zod';
// Type-only: the sync definition's schema lives in the core (app/jobs/sync/definition.ts,
// which needs Node); the form is typed against it so a new or changed field fails to compile here.
import type { SyncDocumentSchema } from '../../../../app/jobs/sync/definition';

/** A sync definition as written (defaults not yet applied): what the form produces. */
export type SyncDocumentInput = z.input<typeof SyncDocumentSchema>;
type TransformInput = NonNullable<SyncDocumentInput['transform']>;

export type SyncMode = 'full' | 'incremental';
export type ConflictPolicy = 'source-wins' | 'target-wins' | 'skip';
export type EveryUnit = 's' | 'm' | 'h' | 'd';

export interface EndpointForm {
  connection: string;
  table: string;
  /** The database schema (PostgreSQL) or database (MySQL), when the table is not in the connection's own. */
  schema: string;
}

/**
 * The sync editor's state. Text fields hold what was typed (a batch size of "12a" stays
 * "12a" and is reported); `documentFromForm` turns it into the definition document.
 */
export interface SyncForm {
  name: string;
  description: string;
  source: EndpointForm & { /** undefined: all columns. */ columns: string[] | undefined };
  target: EndpointForm & { create: boolean };
  mode: SyncMode;
  /** Kept while the mode is full, so switching back does not lose the choice; written only for incremental. */
  cursor: string;
  /** Empty: the source table's primary key (the schema's default). */
  key: string[];
  deletes: 'propagate' | 'ignore';
  conflicts: ConflictPolicy;
  batchSize: string;
  schedule: { on: boolean; amount: string; unit: EveryUnit };
  transform: { kind: 'none' } | { kind: 'pipeline'; pipeline: string } | { kind: 'inline' };
  /**
   * What the form does not edit, written back unchanged: the document's own connections
   * block, an inline transform's nodes and edges, a transform's parameter values, rehash.
   */
  kept: {
    rehash?: boolean;
    connections?: SyncDocumentInput['connections'];
    inline?: Pick<TransformInput, 'nodes' | 'edges'>;
    params?: TransformInput['params'];
    /** The file had a schedule: switched off, it is written paused rather than dropped. */
    hadSchedule?: boolean;
  };
}

export const DEFAULT_BATCH_SIZE = 5000;
export const MAX_BATCH_SIZE = 100_000;

export function emptyForm(): SyncForm {
  return {
    name: '',
    description: '',
    source: { connection: '', table: '', schema: '', columns: undefined },
    target: { connection: '', table: '', schema: '', create: true },
    mode: 'full',
    cursor: '',
    key: [],
    deletes: 'propagate',
    conflicts: 'source-wins',
    batchSize: String(DEFAULT_BATCH_SIZE),
    schedule: { on: false, amount: '15', unit: 'm' },
    transform: { kind: 'none' },
    kept: {},
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** `15m` -> { amount: '15', unit: 'm' }; undefined when it is not a duration. */
export function splitEvery(every: string): { amount: string; unit: EveryUnit } | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(every.trim());
  return m ? { amount: m[1], unit: m[2] as EveryUnit } : undefined;
}

const UNIT_MS: Record<EveryUnit, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** As the host's scheduler reads it (app/jobs/sync/scheduler.ts parseEvery): at least a second. */
export function everyMs(every: string): number | undefined {
  const s = splitEvery(every);
  return s ? Math.max(1000, Math.round(Number(s.amount) * UNIT_MS[s.unit])) : undefined;
}

/**
 * A definition (parsed, or the raw value of a file that does not load) -> the form. Lenient:
 * a field of the wrong type is left at its default, and the problems syncs/get reported say why.
 */
export function formFromDocument(value: unknown): SyncForm {
  const f = emptyForm();
  if (!isObject(value)) return f;
  f.name = str(value.name);
  f.description = str(value.description);
  const src = isObject(value.source) ? value.source : {};
  const tgt = isObject(value.target) ? value.target : {};
  f.source = { connection: str(src.connection), table: str(src.table), schema: str(src.schema), columns: strings(src.columns) };
  f.target = { connection: str(tgt.connection), table: str(tgt.table), schema: str(tgt.schema), create: typeof tgt.create === 'boolean' ? tgt.create : true };
  f.mode = value.mode === 'incremental' ? 'incremental' : 'full';
  f.cursor = str(value.cursor);
  f.key = strings(value.key) ?? [];
  f.deletes = value.deletes === 'ignore' ? 'ignore' : 'propagate';
  f.conflicts = value.conflicts === 'target-wins' || value.conflicts === 'skip' ? value.conflicts : 'source-wins';
  if (typeof value.batchSize === 'number') f.batchSize = String(value.batchSize);
  if (typeof value.rehash === 'boolean') f.kept.rehash = value.rehash;
  if (isObject(value.schedule)) {
    const every = splitEvery(str(value.schedule.every));
    f.schedule = { on: value.schedule.enabled !== false, amount: every?.amount ?? str(value.schedule.every), unit: every?.unit ?? 'm' };
    f.kept.hadSchedule = true;
  }
  if (isObject(value.connections)) f.kept.connections = value.connections as SyncDocumentInput['connections'];
  if (isObject(value.transform)) {
    const t = value.transform;
    if (isObject(t.params)) f.kept.params = t.params;
    if (typeof t.pipeline === 'string') f.transform = { kind: 'pipeline', pipeline: t.pipeline };
    else if (Array.isArray(t.nodes)) {
      f.transform = { kind: 'inline' };
      f.kept.inline = { nodes: t.nodes as TransformInput['nodes'], edges: t.edges as TransformInput['edges'] };
    }
  }
  return f;
}

const put = <T>(v: T | undefined | ''): T | undefined => (v === '' ? undefined : v);

/** A typed number or undefined: "5000" -> 5000, "5e3", "12a", "" -> NaN (reported by validateForm). */
function batchNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * The form -> the sync definition, exactly the fields of the schema (app/jobs/sync/definition.ts).
 * Optional fields left empty are left out, so a saved file says only what was chosen.
 */
export function documentFromForm(f: SyncForm): SyncDocumentInput {
  const transform: TransformInput | undefined =
    f.transform.kind === 'pipeline'
      ? { pipeline: f.transform.pipeline.trim(), ...(f.kept.params ? { params: f.kept.params } : {}) }
      : f.transform.kind === 'inline' && f.kept.inline
        ? { ...f.kept.inline, ...(f.kept.params ? { params: f.kept.params } : {}) }
        : undefined;
  const every = `${f.schedule.amount.trim()}${f.schedule.unit}`;
  const doc: SyncDocumentInput = {
    version: 1,
    kind: 'sync',
    name: f.name.trim(),
    description: put(f.description.trim()),
    connections: f.kept.connections,
    source: {
      connection: f.source.connection.trim(),
      schema: put(f.source.schema.trim()),
      table: f.source.table.trim(),
      columns: f.source.columns,
    },
    target: {
      connection: f.target.connection.trim(),
      schema: put(f.target.schema.trim()),
      table: f.target.table.trim(),
      create: f.target.create,
    },
    key: f.key.length > 0 ? [...f.key] : undefined,
    mode: f.mode,
    cursor: f.mode === 'incremental' ? put(f.cursor.trim()) : undefined,
    deletes: f.deletes,
    conflicts: f.conflicts,
    batchSize: batchNumber(f.batchSize),
    rehash: f.kept.rehash,
    // Switching off a schedule the file had pauses it (enabled: false) and keeps its interval.
    schedule: f.schedule.on ? { every, enabled: true } : f.kept.hadSchedule ? { every, enabled: false } : undefined,
    transform,
  };
  return stripUndefined(doc);
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && !Array.isArray(v) && k !== 'connections' && k !== 'params' ? stripUndefined(v) : v;
  }
  return out as T;
}

// --- checking -------------------------------------------------------------------------

/** A problem with a field of the form, by the definition's path of that field. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The fields the form shows problems beside (the definition's paths). */
export const FIELD_PATHS = [
  'name',
  'description',
  'source.connection',
  'source.table',
  'source.columns',
  'target.connection',
  'target.table',
  'mode',
  'cursor',
  'key',
  'deletes',
  'conflicts',
  'batchSize',
  'schedule.every',
  'transform.pipeline',
  'transform',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];

/** A problem's path as the core reports it (`key[0]`, `transform.nodes`, `schedule`) -> the field that shows it. */
export function fieldOf(path: string): FieldPath | undefined {
  const p = path.replace(/\[\d+\]/g, '');
  if ((FIELD_PATHS as readonly string[]).includes(p)) return p as FieldPath;
  if (p === 'schedule' || p.startsWith('schedule.')) return 'schedule.every';
  if (p.startsWith('transform.')) return 'transform';
  if (p === 'source' || p === 'source.schema') return 'source.table';
  if (p === 'target' || p === 'target.schema' || p === 'target.create') return 'target.table';
  return undefined;
}

/** Problems by field; the rest (connections block, the document as a whole) apart. */
export function groupProblems(problems: readonly FieldProblem[]): { byField: Partial<Record<FieldPath, string[]>>; general: FieldProblem[] } {
  const byField: Partial<Record<FieldPath, string[]>> = {};
  const general: FieldProblem[] = [];
  for (const p of problems) {
    const f = fieldOf(p.path);
    if (!f) general.push(p);
    else if (!(byField[f] ??= []).includes(p.message)) byField[f]!.push(p.message);
  }
  return { byField, general };
}

/** What the editor knows about the source table (connections/describe), for checks the schema cannot make. */
export interface SourceFacts {
  columns: string[];
  primaryKey: string[] | undefined;
}

/**
 * The checks the definition's schema makes (required fields, the cursor of an incremental
 * sync, the batch size's range, the interval's form), made as you type so the form can say
 * which field is wrong before saving; plus the ones a run would fail on when the source
 * table is known (a key or cursor column it does not have, no key at all).
 */
export function validateForm(f: SyncForm, source?: SourceFacts): FieldProblem[] {
  const out: FieldProblem[] = [];
  const need = (path: FieldPath, value: string, what: string) => {
    if (!value.trim()) out.push({ path, message: `${what} is required` });
  };
  need('name', f.name, 'a name');
  need('source.connection', f.source.connection, 'the source connection');
  need('source.table', f.source.table, 'the source table');
  need('target.connection', f.target.connection, 'the target connection');
  need('target.table', f.target.table, 'the target table');
  for (const side of ['source', 'target'] as const) {
    // A URL with a password would put the secret into the file in plain text.
    if (hasInlinePassword(f[side].connection)) out.push({ path: `${side}.connection`, message: 'a password in the URL would be saved in plain text: use a saved connection, or ${env:NAME} in the file\'s connections block' });
  }
  if (
    f.source.connection.trim() &&
    f.source.connection.trim() === f.target.connection.trim() &&
    f.source.table.trim() &&
    f.source.table.trim() === f.target.table.trim() &&
    f.source.schema.trim() === f.target.schema.trim()
  ) {
    out.push({ path: 'target.table', message: 'the target is the source table itself: choose another table or connection' });
  }
  if (f.mode === 'incremental' && !f.cursor.trim()) out.push({ path: 'cursor', message: 'an incremental sync needs a cursor column (e.g. updated_at)' });
  const batch = batchNumber(f.batchSize);
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH_SIZE) out.push({ path: 'batchSize', message: `a whole number from 1 to ${MAX_BATCH_SIZE.toLocaleString('en-US')}` });
  if (f.schedule.on || f.kept.hadSchedule) {
    const every = `${f.schedule.amount.trim()}${f.schedule.unit}`;
    if (!splitEvery(every) || Number(f.schedule.amount) <= 0) out.push({ path: 'schedule.every', message: 'a positive number of seconds, minutes, hours or days' });
  }
  if (f.transform.kind === 'pipeline' && !f.transform.pipeline.trim()) out.push({ path: 'transform.pipeline', message: 'choose the pipeline the rows pass through' });
  if (source) {
    const has = new Set(source.columns);
    for (const k of f.key) if (!has.has(k)) out.push({ path: 'key', message: `the source table has no column '${k}'` });
    if (f.key.length === 0 && !source.primaryKey?.length) out.push({ path: 'key', message: 'the source table has no primary key: choose the columns that identify a row' });
    if (f.mode === 'incremental' && f.cursor.trim() && !has.has(f.cursor.trim())) out.push({ path: 'cursor', message: `the source table has no column '${f.cursor.trim()}'` });
    for (const c of f.source.columns ?? []) if (!has.has(c)) out.push({ path: 'source.columns', message: `the source table has no column '${c}'` });
  }
  return out;
}

/** `postgres://user:secret@host/db` (but not `user:${env:PW}@`). */
export function hasInlinePassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url.trim());
  const userInfo = m?.[1] ?? '';
  const colon = userInfo.indexOf(':');
  return colon >= 0 && colon < userInfo.length - 1 && !/^\$\{env:[^}]+\}$/.test(userInfo.slice(colon + 1));
}

/** A workspace file name for a new sync: `customers-to-warehouse.sync.yaml`. */
export function syncFileName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `${slug || 'sync'}.sync.yaml`;
}

/** A file name as typed -> a workspace id with a definition's extension. */
export function normaliseFileId(text: string): string {
  const t = text.trim().replace(/^\.?\/+/, '');
  return /\.(ya?ml|json)$/i.test(t) ? t : `${t}.yaml`;
}

/** Stable text of the definition the form makes: equal texts, nothing to save. */
export function contentOf(f: SyncForm): string {
  return JSON.stringify(documentFromForm(f));
}

// --- tables ---------------------------------------------------------------------------

export interface TableRef {
  name: string;
  schema?: string;
}

/**
 * The definition names a table's schema only where the list of tables spans several (a
 * PostgreSQL database with more than `public`): otherwise the connection's own is meant and
 * the file stays portable.
 */
export function schemaFor(table: TableRef, all: readonly TableRef[]): string {
  const schemas = new Set(all.map((t) => t.schema ?? ''));
  return schemas.size > 1 ? (table.schema ?? '') : '';
}

/** The option value of a table in a list: `schema.table` where a schema is given. */
export function tableValue(t: TableRef): string {
  return t.schema ? `${t.schema}\u0000${t.name}` : t.name;
}
