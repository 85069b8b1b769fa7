import type { DocumentFormat } from '../../app/model/document-io';
import { serializeDocument } from '../../app/model/document-io';
import { api, ApiError } from './api';
import { copyNodes, isClipboardPayload, preparePaste } from './canvas/clipboard';
import { canvas, ensureVisible, measuredSizes, viewportCentre } from './canvas/controller';
import { autoLayout as elkLayout } from './canvas/layout';
import { edgeKey } from './lib/edges';
import { dialogsStore, notify } from './stores/dialogs';
import { documentStore, isDirty, redo as redoDoc, undo as undoDoc } from './stores/document';
import { filesStore } from './stores/files';
import { previewStore } from './stores/preview';
import { runsStore } from './stores/runs';
import { selectionStore } from './stores/selection';
import { uiStore } from './stores/ui';
import { validationStore } from './stores/validation';

/**
 * What the workbench does, as plain functions: the toolbar, the keyboard shortcuts, the menu
 * commands of the desktop app and the explorer all call these.
 */

const CLIPBOARD_KEY = 'sluice.clipboard';

function message(e: unknown): string {
  if (e instanceof ApiError && e.issues?.length) return `${e.message}: ${e.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
  return e instanceof Error ? e.message : String(e);
}

/** Asks what to do with unsaved changes; false when the user cancels. */
export async function confirmDiscard(): Promise<boolean> {
  if (!isDirty(documentStore.getState())) return true;
  const answer = await dialogsStore.getState().choose('Unsaved changes', `Save the changes to '${documentStore.getState().doc.name}' first?`, [
    { id: 'save', label: 'Save', primary: true },
    { id: 'discard', label: "Don't save" },
    { id: 'cancel', label: 'Cancel' },
  ]);
  if (answer === 'save') return save();
  return answer === 'discard';
}

function afterLoad(): void {
  selectionStore.getState().clear();
  runsStore.getState().setActive(undefined);
  previewStore.setState({ result: undefined, nodeId: undefined, error: undefined });
  void validateNow();
  requestAnimationFrame(() => void canvas()?.fitView({ padding: 0.15, duration: 0, maxZoom: 1 }));
}

export async function openPipeline(id: string, { force = false } = {}): Promise<boolean> {
  if (!force && !(await confirmDiscard())) return false;
  try {
    const p = await api.call('pipelines/get', { id });
    if (!p.document) {
      notify(`${id} does not load: ${p.problems.map((x) => `${x.path}: ${x.message}`).join('; ')}`, 'error');
      return false;
    }
    documentStore.getState().load(p.document, id);
    filesStore.getState().touchRecent(id);
    afterLoad();
    return true;
  } catch (e) {
    notify(message(e), 'error');
    return false;
  }
}

export async function newPipeline(): Promise<void> {
  if (!(await confirmDiscard())) return;
  documentStore.getState().reset('untitled');
  afterLoad();
}

const fileNameOf = (name: string) => `${name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'pipeline'}.yaml`;

export async function save(): Promise<boolean> {
  const { pipelineId, doc } = documentStore.getState();
  if (!pipelineId) return saveAs();
  try {
    await api.call('pipelines/save', { id: pipelineId, document: doc });
    documentStore.getState().markSaved(pipelineId, doc);
    filesStore.getState().touchRecent(pipelineId);
    void filesStore.getState().refresh();
    notify(`Saved ${pipelineId}`);
    return true;
  } catch (e) {
    notify(`Could not save: ${message(e)}`, 'error');
    return false;
  }
}

export async function saveAs(): Promise<boolean> {
  const { doc, pipelineId } = documentStore.getState();
  const id = await dialogsStore.getState().prompt('Save pipeline as', 'File name in the workspace (.yaml or .json)', pipelineId ?? fileNameOf(doc.name), 'Save');
  if (!id) return false;
  const target = /\.(ya?ml|json)$/i.test(id) ? id : `${id}.yaml`;
  // A pipeline still called 'untitled' takes the name of its file.
  if (doc.name === 'untitled') documentStore.getState().setName(target.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, ''));
  return writeAs(target);
}

async function writeAs(target: string): Promise<boolean> {
  const doc = documentStore.getState().doc;
  try {
    await api.call('pipelines/save', { id: target, document: doc, createOnly: true });
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'conflict')) {
      notify(`Could not save: ${message(e)}`, 'error');
      return false;
    }
    const answer = await dialogsStore.getState().choose('Replace file?', `${target} exists already. Replace it?`, [
      { id: 'replace', label: 'Replace', primary: true },
      { id: 'cancel', label: 'Cancel' },
    ]);
    if (answer !== 'replace') return false;
    await api.call('pipelines/save', { id: target, document: doc });
  }
  documentStore.getState().markSaved(target, doc);
  filesStore.getState().touchRecent(target);
  void filesStore.getState().refresh();
  notify(`Saved ${target}`);
  return true;
}

/** Opens a pipeline file from outside the workspace (a copy is imported into it). */
export async function openFile(): Promise<void> {
  if (!(await confirmDiscard())) return;
  const info = await api.call('workspace/info');
  let picked: { fileName: string; text: string } | undefined;
  if (info.nativeDialogs) {
    const r = await api.call('dialogs/open', { title: 'Open pipeline' });
    if (!r.canceled && r.fileName && r.text !== undefined) picked = { fileName: r.fileName, text: r.text };
  } else {
    picked = await pickBrowserFile('.yaml,.yml,.json');
  }
  if (!picked) return;
  try {
    const summary = await api.call('pipelines/import', picked);
    await filesStore.getState().refresh();
    await openPipeline(summary.id, { force: true });
  } catch (e) {
    notify(`Could not open ${picked.fileName}: ${message(e)}`, 'error');
  }
}

function pickBrowserFile(accept: string): Promise<{ fileName: string; text: string } | undefined> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.style.display = 'none';
    input.dataset.testid = 'open-file-input';
    input.addEventListener('change', async () => {
      const f = input.files?.[0];
      input.remove();
      resolve(f ? { fileName: f.name, text: await f.text() } : undefined);
    });
    input.addEventListener('cancel', () => {
      input.remove();
      resolve(undefined);
    });
    document.body.append(input);
    input.click();
  });
}

export async function exportDocument(format: DocumentFormat): Promise<void> {
  const { doc } = documentStore.getState();
  const text = serializeDocument(doc, format);
  const name = fileNameOf(doc.name).replace(/\.yaml$/, format === 'json' ? '.json' : '.yaml');
  const info = await api.call('workspace/info');
  if (info.nativeDialogs) {
    const r = await api.call('dialogs/save', { title: 'Export pipeline', defaultName: name, text });
    if (!r.canceled) notify(`Exported to ${r.path}`);
    return;
  }
  const url = URL.createObjectURL(new Blob([text], { type: format === 'json' ? 'application/json' : 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function validateNow(): Promise<void> {
  const { doc, pipelineId } = documentStore.getState();
  await validationStore.getState().validate(doc, pipelineId);
}

export async function runPipeline(): Promise<void> {
  const { doc, pipelineId } = documentStore.getState();
  try {
    const { jobId } = await api.call('pipeline/run', { document: doc, ...(pipelineId ? { id: pipelineId } : {}) });
    const runs = runsStore.getState();
    runs.setActive(jobId);
    runs.upsertJob(await api.call('jobs/get', { id: jobId }));
  } catch (e) {
    notify(`Could not start the run: ${message(e)}`, 'error');
    uiStore.getState().showTab('problems');
  }
}

export async function stopRun(): Promise<void> {
  const id = runsStore.getState().activeJobId;
  if (id) await runsStore.getState().cancel(id);
}

export async function autoLayout(): Promise<void> {
  const { doc } = documentStore.getState();
  if (doc.nodes.length === 0) return;
  const positions = await elkLayout(doc, measuredSizes());
  documentStore.getState().moveNodes(positions);
  requestAnimationFrame(() => void canvas()?.fitView({ padding: 0.15, duration: 200, maxZoom: 1 }));
}

export function fitView(): void {
  void canvas()?.fitView({ padding: 0.15, duration: 200, maxZoom: 1 });
}

export function zoom(by: 'in' | 'out'): void {
  void (by === 'in' ? canvas()?.zoomIn({ duration: 150 }) : canvas()?.zoomOut({ duration: 150 }));
}

export function undo(): void {
  undoDoc();
}

export function redo(): void {
  redoDoc();
}

export function selectAll(): void {
  const { doc } = documentStore.getState();
  selectionStore.getState().select(
    doc.nodes.map((n) => n.id),
    doc.edges.map(edgeKey),
  );
}

export function deleteSelection(): void {
  const { nodes, edges } = selectionStore.getState();
  if (!nodes.size && !edges.size) return;
  documentStore.getState().removeElements([...nodes], [...edges]);
  selectionStore.getState().clear();
}

export function copySelection(): boolean {
  const ids = selectionStore.getState().nodes;
  if (ids.size === 0) return false;
  const payload = copyNodes(documentStore.getState().doc, ids);
  const text = JSON.stringify(payload);
  localStorage.setItem(CLIPBOARD_KEY, text);
  void navigator.clipboard?.writeText(text).catch(() => undefined);
  return true;
}

export function cutSelection(): void {
  if (copySelection()) deleteSelection();
}

export function paste(): void {
  const text = localStorage.getItem(CLIPBOARD_KEY);
  if (!text) return;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return;
  }
  if (!isClipboardPayload(payload)) return;
  const doc = documentStore.getState().doc;
  const sameSpot = payload.nodes.some((n) => doc.nodes.some((m) => m.id === n.id && m.position?.x === n.position?.x && m.position?.y === n.position?.y));
  let offset = { x: 40, y: 40 };
  if (!sameSpot) {
    // Into another pipeline: around the middle of the view.
    const c = viewportCentre();
    const minX = Math.min(...payload.nodes.map((n) => n.position?.x ?? 0));
    const minY = Math.min(...payload.nodes.map((n) => n.position?.y ?? 0));
    offset = { x: c.x - minX, y: c.y - minY };
  }
  const prepared = preparePaste(doc, payload, offset);
  documentStore.getState().insert(prepared);
  selectionStore.getState().select(prepared.nodes.map((n) => n.id));
}

export function duplicateSelection(): void {
  if (copySelection()) paste();
}

/** Adds a node of a type at a place (default: the middle of the view) and selects it. */
export function addNode(type: string, at?: { x: number; y: number }, config?: Record<string, unknown>, idHint?: string): string {
  const initial = config ?? starterConfig(type);
  const place = at ?? freeSpotNear(viewportCentre());
  const id = documentStore.getState().addNode(type, place, initial, idHint);
  selectionStore.getState().selectNode(id);
  if (!at) requestAnimationFrame(() => ensureVisible(place));
  return id;
}

/** The first place right of `p` (then below) where a new node does not cover another. */
function freeSpotNear(p: { x: number; y: number }): { x: number; y: number } {
  const nodes = documentStore.getState().doc.nodes;
  const taken = (x: number, y: number) => nodes.some((n) => n.position && Math.abs(n.position.x - x) < 220 && Math.abs(n.position.y - y) < 100);
  for (let row = 0; row < 6; row++) {
    for (let col = 0; col < 6; col++) {
      const x = p.x + col * 240;
      const y = p.y + row * 120;
      if (!taken(x, y)) return { x, y };
    }
  }
  return p;
}

/** A new node's config: empty, except what its type needs to be recognisable (no example values). */
function starterConfig(type: string): Record<string, unknown> {
  switch (type) {
    case 'derive':
      return { columns: [{ name: '', expr: '' }] };
    case 'filter':
      return { where: '' };
    case 'map':
      return { columns: [], auto: true };
    case 'route':
      return { routes: [{ name: 'route_1', when: '' }] };
    default:
      return {};
  }
}

export function previewNode(nodeId: string): void {
  const { doc, pipelineId } = documentStore.getState();
  uiStore.getState().showTab('preview');
  void previewStore.getState().load(doc, nodeId, { pipelineId });
}
