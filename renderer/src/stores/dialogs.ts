import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

/** One modal question at a time: a text prompt or a choice between buttons. */
export type DialogRequest =
  | { kind: 'prompt'; title: string; label: string; initial: string; confirm: string; resolve(v: string | undefined): void }
  | { kind: 'choice'; title: string; message: string; choices: Array<{ id: string; label: string; primary?: boolean }>; resolve(v: string | undefined): void };

export interface DialogsState {
  current: DialogRequest | undefined;
  toast: { message: string; kind: 'info' | 'error' } | undefined;
  prompt(title: string, label: string, initial?: string, confirm?: string): Promise<string | undefined>;
  choose(title: string, message: string, choices: Array<{ id: string; label: string; primary?: boolean }>): Promise<string | undefined>;
  close(value: string | undefined): void;
  notify(message: string, kind?: 'info' | 'error'): void;
  dismissToast(): void;
}

export const dialogsStore = createStore<DialogsState>()((set, get) => ({
  current: undefined,
  toast: undefined,
  prompt(title, label, initial = '', confirm = 'OK') {
    return new Promise((resolve) => set({ current: { kind: 'prompt', title, label, initial, confirm, resolve } }));
  },
  choose(title, message, choices) {
    return new Promise((resolve) => set({ current: { kind: 'choice', title, message, choices, resolve } }));
  },
  close(value) {
    const c = get().current;
    set({ current: undefined });
    c?.resolve(value);
  },
  notify(message, kind = 'info') {
    set({ toast: { message, kind } });
  },
  dismissToast() {
    set({ toast: undefined });
  },
}));

export function useDialogs<T>(selector: (s: DialogsState) => T): T {
  return useStore(dialogsStore, selector);
}

export const notify = (message: string, kind: 'info' | 'error' = 'info') => dialogsStore.getState().notify(message, kind);
