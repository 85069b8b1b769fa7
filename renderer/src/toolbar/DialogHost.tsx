import { useEffect, useRef, useState } from 'react';
import { dialogsStore, useDialogs } from '../stores/dialogs';

function PromptDialog({ title, label, initial, confirm }: { title: string; label: string; initial: string; confirm: string }) {
  const [value, setValue] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const close = dialogsStore.getState().close;
  return (
    <form
      className="dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby="prompt-title"
      data-testid="prompt-dialog"
      onSubmit={(e) => {
        e.preventDefault();
        close(value.trim() || undefined);
      }}
      onKeyDown={(e) => e.key === 'Escape' && close(undefined)}
    >
      <h2 id="prompt-title">{title}</h2>
      <label className="field-label" htmlFor="prompt-input">
        {label}
      </label>
      <input id="prompt-input" ref={input} data-testid="prompt-input" value={value} onChange={(e) => setValue(e.target.value)} />
      <div className="dialog-actions">
        <span className="spacer" />
        <button type="button" onClick={() => close(undefined)}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="prompt-ok">
          {confirm}
        </button>
      </div>
    </form>
  );
}

/** The modal question of the moment (prompt, choice) and the last notification. */
export function DialogHost() {
  const current = useDialogs((s) => s.current);
  const toast = useDialogs((s) => s.toast);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (current?.kind === 'choice') first.current?.focus();
  }, [current]);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => dialogsStore.getState().dismissToast(), toast.kind === 'error' ? 10_000 : 3500);
    return () => clearTimeout(t);
  }, [toast]);
  return (
    <>
      {current && (
        <div className="overlay">
          {current.kind === 'prompt' ? (
            <PromptDialog key={current.title} title={current.title} label={current.label} initial={current.initial} confirm={current.confirm} />
          ) : (
            <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="choice-title" aria-describedby="choice-message" data-testid="choice-dialog" onKeyDown={(e) => e.key === 'Escape' && dialogsStore.getState().close(undefined)}>
              <h2 id="choice-title">{current.title}</h2>
              <p id="choice-message">{current.message}</p>
              <div className="dialog-actions">
                <span className="spacer" />
                {current.choices.map((c, i) => (
                  <button key={c.id} ref={i === 0 ? first : undefined} type="button" className={c.primary ? 'primary' : undefined} data-testid={`choice-${c.id}`} onClick={() => dialogsStore.getState().close(c.id)}>
                    {c.label}
                  </button>
                ))}
              </div>
            </div>
          )}
        </div>
      )}
      {toast && (
        <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={toast.kind}>
          <span>{toast.message}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dialogsStore.getState().dismissToast()}>
            ✕
          </button>
        </div>
      )}
    </>
  );
}
