import { useEffect, useRef } from 'react';
import { useUi, uiStore } from '../stores/ui';
import { COMMANDS, displayKeys, type Command } from './commands';

const GROUPS: Command['group'][] = ['File', 'Edit', 'Canvas', 'Run', 'View'];

/** Every keyboard shortcut, by group (? or F1). */
export function HelpOverlay() {
  const open = useUi((s) => s.helpOpen);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) closeRef.current?.focus();
  }, [open]);
  if (!open) return null;
  const close = () => uiStore.getState().setHelp(false);
  return (
    <div className="overlay" onClick={close}>
      <div
        className="dialog help-overlay"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        data-testid="help-overlay"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && close()}
      >
        <div className="dialog-head">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="icon" aria-label="Close" onClick={close}>
            ✕
          </button>
        </div>
        <div className="help-groups">
          {GROUPS.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <dl>
                {COMMANDS.filter((c) => c.group === g).map((c) => (
                  <div key={c.id} className="help-row">
                    <dt>{c.label}</dt>
                    <dd>
                      {c.keys.map((k) => (
                        <kbd key={k}>{displayKeys(k)}</kbd>
                      ))}
                    </dd>
                  </div>
                ))}
                {g === 'Canvas' && (
                  <>
                    <div className="help-row">
                      <dt>Select several nodes</dt>
                      <dd>
                        <kbd>Shift</kbd>+click, or <kbd>Shift</kbd>+drag a box
                      </dd>
                    </div>
                    <div className="help-row">
                      <dt>Drop a table as a sink (not a source)</dt>
                      <dd>
                        <kbd>Shift</kbd> while dropping
                      </dd>
                    </div>
                  </>
                )}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
