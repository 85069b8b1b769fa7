import { useStore } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';

export type Theme = 'light' | 'dark';
export type BottomTab = 'preview' | 'problems' | 'runs' | 'logs';
export type ExplorerSection = 'pipelines' | 'connections' | 'palette';

/** The workbench's layout and theme, remembered across sessions (localStorage). */
export interface UiState {
  theme: Theme;
  explorerWidth: number;
  inspectorWidth: number;
  bottomHeight: number;
  explorerCollapsed: boolean;
  inspectorCollapsed: boolean;
  bottomCollapsed: boolean;
  bottomTab: BottomTab;
  openSections: Record<ExplorerSection, boolean>;
  snapToGrid: boolean;
  showMinimap: boolean;
  helpOpen: boolean;
  setTheme(theme: Theme): void;
  toggleTheme(): void;
  resize(panel: 'explorer' | 'inspector' | 'bottom', size: number): void;
  toggle(panel: 'explorer' | 'inspector' | 'bottom'): void;
  showTab(tab: BottomTab): void;
  toggleSection(section: ExplorerSection): void;
  setSnap(on: boolean): void;
  setMinimap(on: boolean): void;
  setHelp(open: boolean): void;
}

const LIMITS = { explorer: [180, 520], inspector: [260, 720], bottom: [120, 640] } as const;

export const clampPanel = (panel: keyof typeof LIMITS, size: number) => Math.round(Math.min(LIMITS[panel][1], Math.max(LIMITS[panel][0], size)));

function prefersDark(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export const uiStore = createStore<UiState>()(
  persist(
    (set, get) => ({
      theme: prefersDark() ? 'dark' : 'light',
      explorerWidth: 240,
      inspectorWidth: 340,
      bottomHeight: 320,
      explorerCollapsed: false,
      inspectorCollapsed: false,
      bottomCollapsed: false,
      bottomTab: 'preview',
      openSections: { pipelines: true, connections: true, palette: true },
      snapToGrid: true,
      showMinimap: true,
      helpOpen: false,
      setTheme: (theme) => set({ theme }),
      toggleTheme: () => set({ theme: get().theme === 'dark' ? 'light' : 'dark' }),
      resize(panel, size) {
        const value = clampPanel(panel, size);
        if (panel === 'explorer') set({ explorerWidth: value });
        else if (panel === 'inspector') set({ inspectorWidth: value });
        else set({ bottomHeight: value });
      },
      toggle(panel) {
        if (panel === 'explorer') set({ explorerCollapsed: !get().explorerCollapsed });
        else if (panel === 'inspector') set({ inspectorCollapsed: !get().inspectorCollapsed });
        else set({ bottomCollapsed: !get().bottomCollapsed });
      },
      showTab: (tab) => set({ bottomTab: tab, bottomCollapsed: false }),
      toggleSection: (section) => set({ openSections: { ...get().openSections, [section]: !get().openSections[section] } }),
      setSnap: (snapToGrid) => set({ snapToGrid }),
      setMinimap: (showMinimap) => set({ showMinimap }),
      setHelp: (helpOpen) => set({ helpOpen }),
    }),
    {
      name: 'sluice.ui',
      storage: createJSONStorage(() => localStorage),
      partialize: ({ helpOpen: _h, ...rest }) => rest,
      version: 1,
    },
  ),
);

export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(uiStore, selector);
}
