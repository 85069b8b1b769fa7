import { autoLayout, exportDocument, fitView, newPipeline, openFile, redo, runPipeline, save, saveAs, stopRun, undo, validateNow } from '../actions';
import { openMigrationWizard } from '../jobs/migration/store';
import { isDirty, useDocument, useHistory } from '../stores/document';
import { isRunning, useRuns } from '../stores/runs';
import { uiStore, useUi } from '../stores/ui';
import { useValidation } from '../stores/validation';

function ToolButton(props: { label: string; keys?: string; icon: string; onClick(): void; disabled?: boolean; testId: string; primary?: boolean }) {
  return (
    <button
      type="button"
      className={`tool${props.primary ? ' primary' : ''}`}
      aria-label={props.label}
      title={props.keys ? `${props.label} (${props.keys})` : props.label}
      data-testid={props.testId}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.icon && (
        <span aria-hidden="true" className="tool-icon">
          {props.icon}
        </span>
      )}
      <span className="tool-text">{props.label}</span>
    </button>
  );
}

/** Closes the <details> menu an item belongs to, then runs the item. */
function closeMenu(item: HTMLElement, run: () => void): void {
  item.closest('details')?.removeAttribute('open');
  run();
}

/** Top bar: file commands, undo/redo, run/stop/validate, layout and zoom, the pipeline's name with its unsaved marker. */
export function Toolbar() {
  const name = useDocument((s) => s.doc.name);
  const pipelineId = useDocument((s) => s.pipelineId);
  const dirty = useDocument(isDirty);
  const canUndo = useHistory((s) => s.pastStates.length > 0);
  const canRedo = useHistory((s) => s.futureStates.length > 0);
  const running = useRuns((s) => isRunning(s.activeJobId ? s.jobs[s.activeJobId] : undefined));
  const checking = useValidation((s) => s.checking);
  const errors = useValidation((s) => s.problems.filter((p) => p.severity === 'error').length);
  const theme = useUi((s) => s.theme);
  return (
    <header className="toolbar" role="toolbar" aria-label="Workbench">
      <span className="brand">Sluice</span>
      <div className="tool-group file-group" aria-label="File">
        <ToolButton label="New" icon="" keys="Ctrl+Alt+N" testId="toolbar-new" onClick={() => void newPipeline()} />
        <ToolButton label="Open" icon="" keys="Ctrl+O" testId="toolbar-open" onClick={() => void openFile()} />
        <ToolButton label="Save" icon="" keys="Ctrl+S" testId="toolbar-save" onClick={() => void save()} />
        <ToolButton label="Save as" icon="" keys="Ctrl+Shift+S" testId="toolbar-save-as" onClick={() => void saveAs()} />
        <details className="menu">
          <summary className="tool" aria-label="Export" data-testid="toolbar-export">
            <span className="tool-text">Export ▾</span>
          </summary>
          <div className="menu-items" role="menu">
            <button type="button" role="menuitem" data-testid="export-yaml" onClick={(e) => closeMenu(e.currentTarget, () => void exportDocument('yaml'))}>
              YAML (Ctrl+E)
            </button>
            <button type="button" role="menuitem" data-testid="export-json" onClick={(e) => closeMenu(e.currentTarget, () => void exportDocument('json'))}>
              JSON (Ctrl+Shift+E)
            </button>
          </div>
        </details>
      </div>
      <div className="tool-group" aria-label="Edit">
        <ToolButton label="Undo" icon="↶" keys="Ctrl+Z" testId="toolbar-undo" disabled={!canUndo} onClick={undo} />
        <ToolButton label="Redo" icon="↷" keys="Ctrl+Shift+Z" testId="toolbar-redo" disabled={!canRedo} onClick={redo} />
      </div>
      <div className="tool-group" aria-label="Run">
        {running ? (
          <ToolButton label="Stop" icon="■" keys="Shift+F5" testId="toolbar-stop" onClick={() => void stopRun()} />
        ) : (
          <ToolButton label="Run" icon="▶" keys="Ctrl+Enter" testId="toolbar-run" primary onClick={() => void runPipeline()} />
        )}
        <ToolButton label={checking ? 'Validating…' : 'Validate'} icon="✓" keys="Ctrl+Shift+V" testId="toolbar-validate" onClick={() => void validateNow()} />
      </div>
      <div className="tool-group" aria-label="Canvas">
        <ToolButton label="Auto-layout" icon="⇶" keys="Ctrl+Shift+L" testId="toolbar-layout" onClick={() => void autoLayout()} />
        <ToolButton label="Zoom to fit" icon="⤢" keys="Shift+1" testId="toolbar-fit" onClick={fitView} />
      </div>
      <div className="tool-group data-group" aria-label="Data">
        <ToolButton label="Migrate…" icon="⇄" keys="Ctrl+Alt+M" testId="toolbar-migrate" onClick={openMigrationWizard} />
      </div>
      <div className="pipeline-name" data-testid="pipeline-title-bar">
        <span data-testid="pipeline-title">{name}</span>
        {dirty && (
          <span className="dirty-dot" data-testid="unsaved-marker" title="Unsaved changes" aria-label="unsaved changes">
            ●
          </span>
        )}
        <span className="muted small" data-testid="pipeline-file">
          {pipelineId ?? 'not saved yet'}
        </span>
        {errors > 0 && (
          <button type="button" className="link bad small" onClick={() => uiStore.getState().showTab('problems')}>
            {errors} problem{errors > 1 ? 's' : ''}
          </button>
        )}
      </div>
      <span className="spacer" />
      <ToolButton label={theme === 'dark' ? 'Light theme' : 'Dark theme'} icon={theme === 'dark' ? '☀' : '☾'} keys="Alt+T" testId="toolbar-theme" onClick={() => uiStore.getState().toggleTheme()} />
      <ToolButton label="Shortcuts" icon="?" keys="?" testId="toolbar-help" onClick={() => uiStore.getState().setHelp(true)} />
    </header>
  );
}
