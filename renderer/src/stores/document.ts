import { temporal, type TemporalState } from 'zundo';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConnectionDoc, EdgeDoc, NodeDoc, PipelineDocument } from '../../../app/model/document';
import { edgeKey, makeEdge, renameEdge, sourceOf, targetOf, type Endpoint } from '../lib/edges';
import { uniqueId } from '../lib/ids';

/**
 * The pipeline being edited: the single source of truth of the canvas, the inspector and
 * every panel. React Flow's nodes and edges are derived from `doc` (canvas/derive.ts).
 * Every action is one undoable step (zundo records `doc` only); a drag is one step too
 * (beginGesture / endGesture).
 */
export interface Position {
  x: number;
  y: number;
}

export interface PastedElements {
  nodes: NodeDoc[];
  edges: EdgeDoc[];
  connections?: Record<string, ConnectionDoc>;
}

export interface DocumentState {
  doc: PipelineDocument;
  /** The workspace file it was opened from or saved to; undefined for a new pipeline. */
  pipelineId: string | undefined;
  /** The document as last loaded or saved: `doc !== savedDoc` means unsaved changes. */
  savedDoc: PipelineDocument | undefined;

  load(doc: PipelineDocument, pipelineId?: string): void;
  /** Replaces the document with an empty one named `name`. */
  reset(name?: string): void;
  markSaved(pipelineId: string, doc?: PipelineDocument): void;
  setName(name: string): void;
  setDescription(description: string): void;
  addNode(type: string, position: Position, config?: Record<string, unknown>, idHint?: string): string;
  updateConfig(nodeId: string, config: Record<string, unknown>): void;
  updateNode(nodeId: string, patch: { title?: string; description?: string }): void;
  /** Renames a node and every edge that refers to it; false when the id is taken or invalid. */
  renameNode(oldId: string, newId: string): boolean;
  removeElements(nodeIds: readonly string[], edgeKeys?: readonly string[]): void;
  moveNodes(positions: Record<string, Position>): void;
  connect(from: Endpoint, to: Endpoint, opts?: { replaceInput?: boolean }): boolean;
  /** Adds nodes, edges and missing connections in one step (paste, templates). */
  insert(elements: PastedElements): void;
  /** Puts a node between an existing node's input and its upstream (for "add a rule" fixes). */
  insertBefore(nodeId: string, type: string, config: Record<string, unknown>, idHint?: string): string;
  setConnection(name: string, connection: ConnectionDoc): void;
  /** Starts a gesture (a drag): the changes until endGesture become one undo step. */
  beginGesture(): void;
  endGesture(): void;
}

export type DocumentStore = StoreApi<DocumentState> & { temporal: StoreApi<TemporalState<Pick<DocumentState, 'doc'>>> };

export function emptyDocument(name = 'untitled'): PipelineDocument {
  return { version: 1, name, nodes: [], edges: [] };
}

function mapNode(doc: PipelineDocument, nodeId: string, fn: (n: NodeDoc) => NodeDoc): PipelineDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== nodeId) return n;
    const next = fn(n);
    changed ||= next !== n;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

const samePosition = (a: Position | undefined, b: Position) => a !== undefined && a.x === b.x && a.y === b.y;

export function createDocumentStore(initial: PipelineDocument = emptyDocument()): DocumentStore {
  let gestureStart: PipelineDocument | undefined;
  const store = createStore<DocumentState>()(
    temporal(
      (set, get) => ({
        doc: initial,
        pipelineId: undefined,
        savedDoc: initial,

        load(doc, pipelineId) {
          set({ doc, pipelineId, savedDoc: doc });
          store.temporal.getState().clear();
        },
        reset(name = 'untitled') {
          get().load(emptyDocument(name));
        },
        markSaved(pipelineId, doc = get().doc) {
          set({ pipelineId, savedDoc: doc, doc });
        },
        setName(name) {
          if (name && name !== get().doc.name) set({ doc: { ...get().doc, name } });
        },
        setDescription(description) {
          const doc = get().doc;
          if ((doc.description ?? '') === description) return;
          const next = { ...doc, description: description || undefined };
          if (!description) delete next.description;
          set({ doc: next });
        },

        addNode(type, position, config, idHint) {
          const doc = get().doc;
          const id = uniqueId(idHint ?? type, new Set(doc.nodes.map((n) => n.id)));
          const node: NodeDoc = { id, type, config: config ?? {}, position: { x: Math.round(position.x), y: Math.round(position.y) } };
          set({ doc: { ...doc, nodes: [...doc.nodes, node] } });
          return id;
        },

        updateConfig(nodeId, config) {
          set({ doc: mapNode(get().doc, nodeId, (n) => (n.config === config ? n : { ...n, config })) });
        },

        updateNode(nodeId, patch) {
          set({
            doc: mapNode(get().doc, nodeId, (n) => {
              const next: NodeDoc = { ...n };
              for (const key of ['title', 'description'] as const) {
                if (!(key in patch)) continue;
                const v = patch[key];
                if (v) next[key] = v;
                else delete next[key];
              }
              return next.title === n.title && next.description === n.description ? n : next;
            }),
          });
        },

        renameNode(oldId, newId) {
          const doc = get().doc;
          if (oldId === newId) return true;
          if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(newId) || doc.nodes.some((n) => n.id === newId)) return false;
          const rename = (id: string) => (id === oldId ? newId : id);
          set({
            doc: {
              ...doc,
              nodes: doc.nodes.map((n) => (n.id === oldId ? { ...n, id: newId } : n)),
              edges: doc.edges.map((e) => (sourceOf(e).node === oldId || targetOf(e).node === oldId ? renameEdge(e, rename) : e)),
            },
          });
          return true;
        },

        removeElements(nodeIds, edgeKeys = []) {
          const doc = get().doc;
          const gone = new Set(nodeIds);
          const goneEdges = new Set(edgeKeys);
          const nodes = doc.nodes.filter((n) => !gone.has(n.id));
          const edges = doc.edges.filter((e) => !goneEdges.has(edgeKey(e)) && !gone.has(sourceOf(e).node) && !gone.has(targetOf(e).node));
          if (nodes.length === doc.nodes.length && edges.length === doc.edges.length) return;
          set({ doc: { ...doc, nodes, edges } });
        },

        moveNodes(positions) {
          const doc = get().doc;
          let changed = false;
          const nodes = doc.nodes.map((n) => {
            const p = positions[n.id];
            if (!p) return n;
            const rounded = { x: Math.round(p.x), y: Math.round(p.y) };
            if (samePosition(n.position, rounded)) return n;
            changed = true;
            return { ...n, position: rounded };
          });
          if (changed) set({ doc: { ...doc, nodes } });
        },

        connect(from, to, opts) {
          const doc = get().doc;
          if (from.node === to.node) return false;
          if (!doc.nodes.some((n) => n.id === from.node) || !doc.nodes.some((n) => n.id === to.node)) return false;
          const edge = makeEdge(from, to);
          if (doc.edges.some((e) => e.from === edge.from && e.to === edge.to)) return false;
          const edges = opts?.replaceInput
            ? doc.edges.filter((e) => {
                const t = targetOf(e);
                return !(t.node === to.node && t.port === to.port);
              })
            : doc.edges;
          set({ doc: { ...doc, edges: [...edges, edge] } });
          return true;
        },

        insert({ nodes, edges, connections }) {
          const doc = get().doc;
          const merged = { ...doc.connections };
          let addedConnection = false;
          for (const [name, c] of Object.entries(connections ?? {})) {
            if (!merged[name]) {
              merged[name] = c;
              addedConnection = true;
            }
          }
          set({
            doc: {
              ...doc,
              ...(addedConnection ? { connections: merged } : {}),
              nodes: [...doc.nodes, ...nodes],
              edges: [...doc.edges, ...edges],
            },
          });
        },

        insertBefore(nodeId, type, config, idHint) {
          const doc = get().doc;
          const target = doc.nodes.find((n) => n.id === nodeId);
          if (!target) return '';
          const id = uniqueId(idHint ?? type, new Set(doc.nodes.map((n) => n.id)));
          const incoming = doc.edges.find((e) => targetOf(e).node === nodeId && targetOf(e).port === 'in');
          const pos = target.position ?? { x: 0, y: 0 };
          const up = incoming ? doc.nodes.find((n) => n.id === sourceOf(incoming).node)?.position : undefined;
          // Between the upstream node and this one, a little lower, so both edges stay readable.
          const x = up ? Math.round((up.x + pos.x) / 2) : pos.x - 240;
          const node: NodeDoc = { id, type, config, position: { x, y: Math.max(pos.y, up?.y ?? pos.y) + 110 } };
          const edges = doc.edges.filter((e) => e !== incoming);
          if (incoming) edges.push(makeEdge(sourceOf(incoming), { node: id, port: 'in' }));
          edges.push(makeEdge({ node: id, port: 'out' }, { node: nodeId, port: 'in' }));
          set({ doc: { ...doc, nodes: [...doc.nodes, node], edges } });
          return id;
        },

        setConnection(name, connection) {
          const doc = get().doc;
          set({ doc: { ...doc, connections: { ...doc.connections, [name]: connection } } });
        },

        beginGesture() {
          if (gestureStart) return;
          gestureStart = get().doc;
          store.temporal.getState().pause();
        },
        endGesture() {
          const start = gestureStart;
          if (!start) return;
          gestureStart = undefined;
          const end = get().doc;
          const t = store.temporal.getState();
          if (end === start) {
            t.resume();
            return;
          }
          // Record the whole gesture as one step: from the document before it to the one after.
          set({ doc: start });
          t.resume();
          set({ doc: end });
        },
      }),
      {
        partialize: (s) => ({ doc: s.doc }),
        equality: (a, b) => a.doc === b.doc,
        limit: 200,
      },
    ),
  ) as DocumentStore;
  return store;
}

/** The app's document store (one pipeline open at a time). */
export const documentStore = createDocumentStore();

export function useDocument<T>(selector: (s: DocumentState) => T): T {
  return useStore(documentStore, selector);
}

export function useHistory<T>(selector: (s: TemporalState<Pick<DocumentState, 'doc'>>) => T): T {
  return useStore(documentStore.temporal, selector);
}

export const isDirty = (s: Pick<DocumentState, 'doc' | 'savedDoc'>) => s.doc !== s.savedDoc;

/** Undoes the last step; an edit still in progress (a focused field) is closed as a step first. */
export function undo(): void {
  documentStore.getState().endGesture();
  documentStore.temporal.getState().undo();
}

export function redo(): void {
  documentStore.getState().endGesture();
  documentStore.temporal.getState().redo();
}
