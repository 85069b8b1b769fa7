import path from 'node:path';
import { formatFromPath, parseDocumentText } from '../../model/document-io';
import type { Problem } from '../../model/problems';
import { loadSyncDocument, looksLikeSync, parseSyncValue, serializeSyncDocument, type SyncDocument } from '../../jobs/sync/definition';
import type { SyncJobParams } from '../../jobs/sync/sync-job';
import { ApiError, type Handlers, type SyncSummary } from '../../contract';
import { workbenchConnections } from '../connections';
import type { HostDeps } from '../deps';
import { baseName, PIPELINE_FILE_RE, problemsAsIssues } from '../pipelines';

/**
 * Sync definitions are workspace files like pipelines (YAML or JSON, `kind: sync`): listed,
 * read, saved canonically and exported the same way; a run is a job (kind sync) in a
 * worker, recorded in the history; the scheduler runs those with a schedule.
 */

const MAX_BYTES = 2 * 1024 * 1024;

export interface LoadedSyncFile {
  id: string;
  text: string;
  document?: SyncDocument;
  problems: Problem[];
  name: string;
}

export async function readSyncFile(deps: HostDeps, id: string): Promise<LoadedSyncFile> {
  const text = (await deps.workspace.readFile(id, MAX_BYTES)).toString('utf8');
  const loaded = loadSyncDocument(text, id);
  const raw = loaded.raw as { name?: unknown } | undefined;
  return { id, text, document: loaded.document, problems: loaded.problems, name: loaded.document?.name ?? (typeof raw?.name === 'string' ? raw.name : baseName(id)) };
}

/** The workspace's files that say `kind: sync` (whether or not they are valid). */
export async function listSyncFiles(deps: HostDeps): Promise<string[]> {
  const out: string[] = [];
  for (const id of await deps.workspace.findFiles(PIPELINE_FILE_RE)) {
    try {
      const { size } = await deps.workspace.modifiedAt(id);
      if (size > MAX_BYTES) continue;
      const text = (await deps.workspace.readFile(id, MAX_BYTES)).toString('utf8');
      if (!/\bsync\b/.test(text)) continue;
      const parsed = parseDocumentText(text, id);
      if (parsed.problems.length > 0 ? /^\s*kind\s*:\s*sync\b/m.test(text) : looksLikeSync(parsed.value)) out.push(id);
    } catch {
      // A file that vanished or cannot be read is not listed.
    }
  }
  return out;
}

function summaryOf(deps: HostDeps, f: LoadedSyncFile): SyncSummary {
  const state = f.document ? deps.store.syncs.get(f.document.name) : undefined;
  return {
    id: f.id,
    name: f.name,
    description: f.document?.description,
    loads: f.document !== undefined,
    mode: f.document?.mode,
    schedule: f.document?.schedule,
    ...nextRunAt(deps, f.id),
    state: state
      ? { highWater: state.highWater, pending: deps.store.syncs.pendingCount(state.seq), lastRunId: state.lastRunId, running: state.leaseOwner !== undefined && Date.parse(state.leaseUntil ?? '') > Date.now() }
      : undefined,
  };
}

function nextRunAt(deps: HostDeps, id: string): { nextRunAt?: string } {
  const at = deps.schedules?.nextRunAt(id);
  return at === undefined ? {} : { nextRunAt: new Date(at).toISOString() };
}

function invalid(what: string, problems: Problem[]): ApiError {
  const errors = problems.filter((p) => p.severity === 'error');
  return new ApiError('invalid-document', `${what} is not a valid sync definition: ${errors.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problemsAsIssues(errors));
}

/** What a sync job needs: the document with the saved connections added, and decrypted secrets in memory. */
export function syncJobParams(deps: HostDeps, doc: SyncDocument, file: string | undefined, reset?: boolean): SyncJobParams {
  if (deps.store.path === ':memory:') throw new ApiError('unsupported', 'a sync keeps its state in the workbench store: it needs a store on disk');
  const saved = workbenchConnections(deps);
  return {
    document: { ...doc, connections: { ...saved.named, ...doc.connections } },
    baseDir: file ? path.dirname(file) : deps.workspace.root,
    definitionPath: file,
    storePath: deps.store.path,
    env: saved.secrets,
    reset,
  };
}

/** Starts a run of a sync as a job; the scheduler uses it too. */
export async function startSync(deps: HostDeps, input: { id?: string; document?: unknown; reset?: boolean }, trigger = 'on demand'): Promise<string> {
  let doc: SyncDocument;
  let file: string | undefined;
  if (input.document !== undefined) {
    const parsed = parseSyncValue(input.document);
    if (!parsed.document) throw invalid('the document', parsed.problems);
    doc = parsed.document;
    file = input.id !== undefined ? await deps.workspace.resolve(input.id) : undefined;
  } else {
    const f = await readSyncFile(deps, input.id!);
    if (!f.document) throw invalid(input.id!, f.problems);
    doc = f.document;
    file = await deps.workspace.resolve(input.id!);
  }
  const params = syncJobParams(deps, doc, file, input.reset);
  return deps.jobs.start({
    kind: 'sync',
    title: `sync ${doc.name}`,
    params,
    labels: { ...(input.id ? { syncId: input.id } : {}), trigger },
    record: { name: doc.name, params: { mode: doc.mode, conflicts: doc.conflicts, deletes: doc.deletes, trigger }, file },
  });
}

export function syncHandlers(deps: HostDeps): Pick<Handlers, 'syncs/list' | 'syncs/get' | 'syncs/save' | 'syncs/export' | 'syncs/run' | 'syncs/reset'> {
  return {
    'syncs/list': async () => {
      const out: SyncSummary[] = [];
      for (const id of await listSyncFiles(deps)) out.push(summaryOf(deps, await readSyncFile(deps, id)));
      return { syncs: out };
    },
    'syncs/get': async ({ id }) => {
      const f = await readSyncFile(deps, id);
      return { ...summaryOf(deps, f), text: f.text, document: f.document, problems: f.problems };
    },
    'syncs/save': async ({ id, text, document, createOnly }) => {
      let out: string;
      if (document !== undefined) {
        const parsed = parseSyncValue(document);
        if (!parsed.document) throw invalid('the document', parsed.problems);
        out = serializeSyncDocument(parsed.document, formatFromPath(id));
      } else out = text!;
      await deps.workspace.writeFile(id, out, { createOnly, createFolders: true });
      // A schedule saved (or removed) takes effect now, not at the next rescan.
      await deps.schedules?.rescan();
      return summaryOf(deps, await readSyncFile(deps, id));
    },
    'syncs/export': async ({ id, format }) => {
      const f = await readSyncFile(deps, id);
      if (!f.document) throw invalid(id, f.problems);
      return { fileName: `${baseName(id)}.${format === 'json' ? 'json' : 'yaml'}`, text: serializeSyncDocument(f.document, format) };
    },
    'syncs/run': async (input) => ({ jobId: await startSync(deps, input) }),
    'syncs/reset': async ({ id }) => {
      const f = await readSyncFile(deps, id);
      if (!f.document) throw invalid(id, f.problems);
      return { reset: deps.store.syncs.reset(f.document.name) };
    },
  };
}
