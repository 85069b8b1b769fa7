import * as actions from '../actions';
import { openMigrationWizard } from '../jobs/migration/store';
import { syncsStore } from '../jobs/sync/store';
import { selectionStore, singleSelectedNode } from '../stores/selection';
import { uiStore } from '../stores/ui';

/** A workbench command with its keyboard shortcut: the help overlay lists these. */
export interface Command {
  id: string;
  label: string;
  group: 'File' | 'Edit' | 'Canvas' | 'Run' | 'View';
  /** As shown: Mod is Ctrl (⌘ on a Mac). */
  keys: string[];
  run(): void;
  /** Also when the focus is in a text field (Save, Run…); otherwise the field keeps the key. */
  global?: boolean;
}

export const COMMANDS: Command[] = [
  { id: 'new', label: 'New pipeline', group: 'File', keys: ['Mod+Alt+N'], run: () => void actions.newPipeline(), global: true },
  { id: 'open', label: 'Open a pipeline file…', group: 'File', keys: ['Mod+O'], run: () => void actions.openFile(), global: true },
  { id: 'save', label: 'Save', group: 'File', keys: ['Mod+S'], run: () => void actions.save(), global: true },
  { id: 'saveAs', label: 'Save as…', group: 'File', keys: ['Mod+Shift+S'], run: () => void actions.saveAs(), global: true },
  { id: 'exportYaml', label: 'Export as YAML', group: 'File', keys: ['Mod+E'], run: () => void actions.exportDocument('yaml'), global: true },
  { id: 'exportJson', label: 'Export as JSON', group: 'File', keys: ['Mod+Shift+E'], run: () => void actions.exportDocument('json'), global: true },
  { id: 'undo', label: 'Undo', group: 'Edit', keys: ['Mod+Z'], run: actions.undo },
  { id: 'redo', label: 'Redo', group: 'Edit', keys: ['Mod+Shift+Z', 'Mod+Y'], run: actions.redo },
  { id: 'copy', label: 'Copy selected nodes', group: 'Edit', keys: ['Mod+C'], run: () => void actions.copySelection() },
  { id: 'cut', label: 'Cut selected nodes', group: 'Edit', keys: ['Mod+X'], run: actions.cutSelection },
  { id: 'paste', label: 'Paste nodes (also into another pipeline)', group: 'Edit', keys: ['Mod+V'], run: actions.paste },
  { id: 'duplicate', label: 'Duplicate selected nodes', group: 'Edit', keys: ['Mod+D'], run: actions.duplicateSelection },
  { id: 'selectAll', label: 'Select everything', group: 'Edit', keys: ['Mod+A'], run: actions.selectAll },
  { id: 'delete', label: 'Delete selected nodes and edges', group: 'Edit', keys: ['Delete', 'Backspace'], run: actions.deleteSelection },
  { id: 'layout', label: 'Auto-layout', group: 'Canvas', keys: ['Mod+Shift+L'], run: () => void actions.autoLayout() },
  { id: 'fit', label: 'Zoom to fit', group: 'Canvas', keys: ['Shift+1'], run: actions.fitView },
  { id: 'zoomIn', label: 'Zoom in', group: 'Canvas', keys: ['+', '='], run: () => actions.zoom('in') },
  { id: 'zoomOut', label: 'Zoom out', group: 'Canvas', keys: ['-'], run: () => actions.zoom('out') },
  { id: 'snap', label: 'Snap to grid on/off', group: 'Canvas', keys: ['Alt+G'], run: () => uiStore.getState().setSnap(!uiStore.getState().snapToGrid) },
  { id: 'minimap', label: 'Minimap on/off', group: 'Canvas', keys: ['Alt+M'], run: () => uiStore.getState().setMinimap(!uiStore.getState().showMinimap) },
  { id: 'palette', label: 'Search the node palette', group: 'Canvas', keys: ['Mod+K'], run: () => focusTestId('palette-search'), global: true },
  {
    id: 'canvas',
    label: 'Focus the canvas: Tab goes through the nodes, Enter selects, arrows move, Delete removes',
    group: 'Canvas',
    keys: ['Alt+1'],
    run: () => focusSelector('.react-flow__node.selected, .react-flow__node'),
    global: true,
  },
  { id: 'run', label: 'Run the pipeline', group: 'Run', keys: ['Mod+Enter', 'F5'], run: () => void actions.runPipeline(), global: true },
  { id: 'stop', label: 'Stop the run', group: 'Run', keys: ['Shift+F5'], run: () => void actions.stopRun(), global: true },
  { id: 'validate', label: 'Validate', group: 'Run', keys: ['Mod+Shift+V'], run: () => void actions.validateNow(), global: true },
  { id: 'preview', label: 'Preview the selected node', group: 'Run', keys: ['Mod+P'], run: () => previewSelected(), global: true },
  { id: 'migrate', label: 'Migrate tables between databases…', group: 'Run', keys: ['Mod+Alt+M'], run: openMigrationWizard, global: true },
  { id: 'newSync', label: 'New sync… (keep a table in step with another)', group: 'Run', keys: ['Mod+Alt+Y'], run: () => void syncsStore.getState().newSync(), global: true },
  { id: 'explorer', label: 'Show/hide the explorer', group: 'View', keys: ['Mod+B'], run: () => uiStore.getState().toggle('explorer'), global: true },
  { id: 'inspector', label: 'Show/hide the inspector', group: 'View', keys: ['Mod+I'], run: () => uiStore.getState().toggle('inspector'), global: true },
  { id: 'bottom', label: 'Show/hide the bottom panel', group: 'View', keys: ['Mod+J'], run: () => uiStore.getState().toggle('bottom'), global: true },
  { id: 'theme', label: 'Light/dark theme', group: 'View', keys: ['Alt+T'], run: () => uiStore.getState().toggleTheme(), global: true },
  { id: 'help', label: 'Keyboard shortcuts', group: 'View', keys: ['?', 'F1'], run: () => uiStore.getState().setHelp(!uiStore.getState().helpOpen) },
];

function focusTestId(id: string) {
  document.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.focus();
}

function focusSelector(sel: string) {
  document.querySelector<HTMLElement>(sel)?.focus();
}

function previewSelected() {
  const id = singleSelectedNode(selectionStore.getState());
  if (id) actions.previewNode(id);
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** `Mod+Shift+S` -> the same shortcut in a KeyboardEvent's terms. */
export function matches(shortcut: string, e: KeyboardEvent): boolean {
  const parts = shortcut.split('+');
  const key = parts.pop()!;
  const mods = new Set(parts);
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (mods.has('Mod') !== mod) return false;
  if (mods.has('Alt') !== e.altKey) return false;
  // Shift is implied by characters like ? and +; only named when it must be pressed.
  if (mods.has('Shift') !== e.shiftKey && !['?', '+'].includes(key)) return false;
  const pressed = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (key.length === 1) {
    if (/^[a-z0-9]$/i.test(key)) return e.code === (/\d/.test(key) ? `Digit${key}` : `Key${key.toUpperCase()}`);
    return pressed === key.toLowerCase();
  }
  return pressed === key;
}

export function displayKeys(shortcut: string): string {
  return shortcut.replace('Mod', isMac ? '⌘' : 'Ctrl');
}
