import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

/** What is selected on the canvas: node ids and edge keys (`from->to`). */
export interface SelectionState {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
  select(nodes: Iterable<string>, edges?: Iterable<string>): void;
  selectNode(id: string, additive?: boolean): void;
  setNodeSelected(id: string, selected: boolean): void;
  setEdgeSelected(key: string, selected: boolean): void;
  clear(): void;
  /** Drops ids that no longer exist (after undo, delete, load). */
  retain(nodeIds: ReadonlySet<string>, edgeKeys: ReadonlySet<string>): void;
}

const EMPTY: ReadonlySet<string> = new Set();

function toggled(set: ReadonlySet<string>, id: string, on: boolean): ReadonlySet<string> {
  if (set.has(id) === on) return set;
  const next = new Set(set);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

export function createSelectionStore() {
  return createStore<SelectionState>()((set, get) => ({
    nodes: EMPTY,
    edges: EMPTY,
    select(nodes, edges = []) {
      set({ nodes: new Set(nodes), edges: new Set(edges) });
    },
    selectNode(id, additive = false) {
      set(additive ? { nodes: toggled(get().nodes, id, true) } : { nodes: new Set([id]), edges: EMPTY });
    },
    setNodeSelected(id, selected) {
      set({ nodes: toggled(get().nodes, id, selected) });
    },
    setEdgeSelected(key, selected) {
      set({ edges: toggled(get().edges, key, selected) });
    },
    clear() {
      if (get().nodes.size || get().edges.size) set({ nodes: EMPTY, edges: EMPTY });
    },
    retain(nodeIds, edgeKeys) {
      const { nodes, edges } = get();
      const n = [...nodes].filter((id) => nodeIds.has(id));
      const e = [...edges].filter((k) => edgeKeys.has(k));
      if (n.length !== nodes.size || e.length !== edges.size) set({ nodes: new Set(n), edges: new Set(e) });
    },
  }));
}

export const selectionStore = createSelectionStore();

export function useSelection<T>(selector: (s: SelectionState) => T): T {
  return useStore(selectionStore, selector);
}

/** The one selected node, when exactly one is selected (the inspector shows it). */
export const singleSelectedNode = (s: SelectionState): string | undefined => (s.nodes.size === 1 ? [...s.nodes][0] : undefined);
