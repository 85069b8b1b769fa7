import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ConnectorInfo, FunctionDocInfo, NodeTypeInfo } from '../../../app/contract';
import { api } from '../api';

/** What the host can do: node types (palette, forms), connectors and expression functions. */
export interface CatalogState {
  nodeTypes: NodeTypeInfo[];
  byType: Record<string, NodeTypeInfo>;
  connectors: ConnectorInfo[];
  functions: FunctionDocInfo[];
  loaded: boolean;
  error?: string;
  setNodeTypes(nodeTypes: NodeTypeInfo[]): void;
  load(): Promise<void>;
}

export const catalogStore = createStore<CatalogState>()((set, get) => ({
  nodeTypes: [],
  byType: {},
  connectors: [],
  functions: [],
  loaded: false,
  setNodeTypes(nodeTypes) {
    set({ nodeTypes, byType: Object.fromEntries(nodeTypes.map((t) => [t.type, t])) });
  },
  async load() {
    if (get().loaded) return;
    try {
      const [nodes, connectors] = await Promise.all([api.call('catalog/nodes'), api.call('catalog/connectors')]);
      get().setNodeTypes(nodes.nodes);
      set({ connectors: connectors.connectors, loaded: true, error: undefined });
      // Completion works without the function list; a host without it still gets the palette.
      const { functions } = await api.call('catalog/functions');
      set({ functions });
    } catch (e) {
      set({ error: (e as Error).message });
    }
  },
}));

export function useCatalog<T>(selector: (s: CatalogState) => T): T {
  return useStore(catalogStore, selector);
}
