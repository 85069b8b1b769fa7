import { useEffect } from 'react';
import { COMMANDS, matches } from './commands';

function inTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes((t as HTMLInputElement).type));
}

/** Handles every command's shortcut; in text fields only the global ones (the field keeps its own undo, copy…). */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const inField = inTextField(e.target);
      const inDialog = e.target instanceof HTMLElement && !!e.target.closest('[role="dialog"]');
      for (const c of COMMANDS) {
        if (!c.keys.some((k) => matches(k, e))) continue;
        if ((inField || inDialog) && !c.global) return;
        // Deleting is React Flow's own key on the canvas; elsewhere it would delete by surprise.
        if (c.id === 'delete') return;
        e.preventDefault();
        c.run();
        return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
