import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ConnectionInfo, MethodInput, MethodOutput } from '../../../app/contract';
import { api } from '../api';

export type TableInfo = MethodOutput<'connections/tables'>['tables'][number];
export type TableDescription = MethodOutput<'connections/describe'>;
export type ConnectionTest = MethodOutput<'connections/test'>;

/** Saved connections, their tables and table descriptions (cached), and their last test. */
export interface ConnectionsState {
  connections: ConnectionInfo[];
  tables: Record<string, TableInfo[] | { error: string }>;
  descriptions: Record<string, TableDescription | { error: string }>;
  tests: Record<string, ConnectionTest>;
  error: string | undefined;
  refresh(): Promise<void>;
  save(input: MethodInput<'connections/save'>): Promise<ConnectionInfo>;
  remove(name: string): Promise<void>;
  test(input: MethodInput<'connections/test'>, label?: string): Promise<ConnectionTest>;
  loadTables(connection: string, force?: boolean): Promise<void>;
  describe(connection: string, table: string): Promise<TableDescription>;
}

export const describeKey = (connection: string, table: string) => `${connection}\u0000${table}`;

export const connectionsStore = createStore<ConnectionsState>()((set, get) => ({
  connections: [],
  tables: {},
  descriptions: {},
  tests: {},
  error: undefined,
  async refresh() {
    try {
      const { connections } = await api.call('connections/list');
      set({ connections, error: undefined });
    } catch (e) {
      set({ error: (e as Error).message });
    }
  },
  async save(input) {
    const saved = await api.call('connections/save', input);
    const { [saved.name]: _t, ...tables } = get().tables;
    set({ tables });
    await get().refresh();
    return saved;
  },
  async remove(name) {
    await api.call('connections/delete', { name });
    await get().refresh();
  },
  async test(input, label) {
    const result = await api.call('connections/test', input);
    set({ tests: { ...get().tests, [label ?? input.name ?? input.url ?? '']: result } });
    return result;
  },
  async loadTables(connection, force = false) {
    if (!force && get().tables[connection]) return;
    try {
      const { tables } = await api.call('connections/tables', { connection });
      set({ tables: { ...get().tables, [connection]: tables } });
    } catch (e) {
      set({ tables: { ...get().tables, [connection]: { error: (e as Error).message } } });
    }
  },
  async describe(connection, table) {
    const key = describeKey(connection, table);
    const known = get().descriptions[key];
    if (known && !('error' in known)) return known;
    try {
      const d = await api.call('connections/describe', { connection, table });
      set({ descriptions: { ...get().descriptions, [key]: d } });
      return d;
    } catch (e) {
      set({ descriptions: { ...get().descriptions, [key]: { error: (e as Error).message } } });
      throw e;
    }
  },
}));

export function useConnections<T>(selector: (s: ConnectionsState) => T): T {
  return useStore(connectionsStore, selector);
}
