import { useStore } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';
import type { PipelineSummary } from '../../../app/contract';
import { api } from '../api';

/** The workspace's pipeline files and the recently opened ones (remembered). */
export interface FilesState {
  pipelines: PipelineSummary[];
  loaded: boolean;
  recent: string[];
  error: string | undefined;
  refresh(): Promise<void>;
  touchRecent(id: string): void;
}

const MAX_RECENT = 8;

export const filesStore = createStore<FilesState>()(
  persist(
    (set, get) => ({
      pipelines: [],
      loaded: false,
      recent: [],
      error: undefined,
      async refresh() {
        try {
          const { pipelines } = await api.call('pipelines/list');
          set({ pipelines, loaded: true, error: undefined });
        } catch (e) {
          set({ error: (e as Error).message, loaded: true });
        }
      },
      touchRecent(id) {
        set({ recent: [id, ...get().recent.filter((r) => r !== id)].slice(0, MAX_RECENT) });
      },
    }),
    { name: 'sluice.files', storage: createJSONStorage(() => localStorage), partialize: (s) => ({ recent: s.recent }) },
  ),
);

export function useFiles<T>(selector: (s: FilesState) => T): T {
  return useStore(filesStore, selector);
}
