// Keyboard focus in the sync editor's dialog.
import { type MouseEvent } from 'react';

/**
 * A button that cannot act now, but keeps the focus: a `disabled` button that was just
 * pressed (Save once saved, Run now once running) would drop the focus out of the dialog.
 */
export function unavailable(off: boolean, onClick?: () => void): { 'aria-disabled'?: true; onClick?: (e: MouseEvent<HTMLButtonElement>) => void } {
  return {
    ...(off ? { 'aria-disabled': true as const } : {}),
    onClick: (e) => {
      if (off) e.preventDefault();
      else onClick?.();
    },
  };
}

/** Runs an action that may ask a question (a choice dialog takes the focus), then gives the focus back. */
export async function keepingFocus<T>(action: () => Promise<T>): Promise<T> {
  const had = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  try {
    return await action();
  } finally {
    if (had?.isConnected && (document.activeElement === document.body || document.activeElement === null)) had.focus();
  }
}

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')].filter((el) => !el.hasAttribute('disabled') && el.offsetParent !== null);
}
