import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import * as actions from './actions';
import { api } from './api';
import { Canvas } from './canvas/Canvas';
import { Explorer } from './explorer/Explorer';
import { Inspector } from './inspector/Inspector';
import { Splitter } from './layout/Splitter';
import { contentKey } from './lib/content';
import { BottomPanel } from './panels/BottomPanel';
import { MigrationWizard } from './jobs/migration/MigrationWizard';
import { SyncEditorHost } from './jobs/sync/SyncEditor';
import { followSyncs } from './jobs/sync/store';
import { HelpOverlay } from './shortcuts/HelpOverlay';
import { useShortcuts } from './shortcuts/useShortcuts';
import { catalogStore } from './stores/catalog';
import { connectionsStore } from './stores/connections';
import { documentStore, isDirty, useDocument } from './stores/document';
import { filesStore } from './stores/files';
import { followJobEvents, runsStore } from './stores/runs';
import { uiStore, useUi } from './stores/ui';
import { useTheme } from './theme/useTheme';
import { DialogHost } from './toolbar/DialogHost';
import { StatusBar } from './toolbar/StatusBar';
import { Toolbar } from './toolbar/Toolbar';

const VALIDATE_DELAY_MS = 300;

/** Loads what the workbench needs and follows the host's events. */
function useWorkbenchStartup() {
  useEffect(() => {
    void catalogStore.getState().load();
    void filesStore.getState().refresh();
    void connectionsStore.getState().refresh();
    void runsStore.getState().refresh().catch(() => undefined);
    const offJobs = followJobEvents();
    // After the runs store's subscription: sync job events find their job recorded there.
    const offSyncs = followSyncs();
    const offCommands = api.on('app/command', ({ command, pipelineId }) => {
      switch (command) {
        case 'new':
          return void actions.newPipeline();
        case 'open':
          return void actions.openFile();
        case 'openRecent':
          return pipelineId ? void actions.openPipeline(pipelineId) : undefined;
        case 'save':
          return void actions.save();
        case 'saveAs':
          return void actions.saveAs();
        case 'export':
          return void actions.exportDocument('yaml');
        case 'undo':
          return actions.undo();
        case 'redo':
          return actions.redo();
      }
    });
    // In a browser, leaving with unsaved changes asks first. (Electron would cancel the close
    // silently instead of asking, so the desktop app leaves closing to its main process.)
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (api.transport === 'http' && isDirty(documentStore.getState())) e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      offJobs();
      offSyncs();
      offCommands();
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, []);
}

/** Validates the document a moment after each edit: badges, inline errors and Problems follow as you type. */
function useValidateAsYouEdit() {
  // Moving a node changes nothing to check: only the content counts.
  const content = useDocument((s) => (s.doc.nodes.length === 0 ? '' : contentKey(s.doc)));
  useEffect(() => {
    if (!content) return;
    const t = setTimeout(() => void actions.validateNow(), VALIDATE_DELAY_MS);
    return () => clearTimeout(t);
  }, [content]);
}

/** The workbench: toolbar, explorer | canvas | inspector, bottom panel, status bar. */
export function App() {
  useTheme();
  useShortcuts();
  useWorkbenchStartup();
  useValidateAsYouEdit();
  const ui = useUi((s) => s);
  const columns = [ui.explorerCollapsed ? '0px' : `${ui.explorerWidth}px`, ui.inspectorCollapsed ? '0px' : `${ui.inspectorWidth}px`];
  return (
    <ReactFlowProvider>
      <div className="app" data-testid="workbench">
        <Toolbar />
        <div className="workarea" style={{ gridTemplateColumns: `${columns[0]} 6px minmax(0, 1fr) 6px ${columns[1]}` }}>
          <div className="explorer-wrap" hidden={ui.explorerCollapsed}>
            <Explorer />
          </div>
          <Splitter
            orientation="vertical"
            label="Resize the explorer (Enter hides it)"
            size={ui.explorerWidth}
            direction={1}
            testId="splitter-explorer"
            onResize={(s) => uiStore.getState().resize('explorer', s)}
            onToggle={() => uiStore.getState().toggle('explorer')}
          />
          <main className="centre" style={{ gridTemplateRows: ui.bottomCollapsed ? 'minmax(0, 1fr) 0 28px' : `minmax(0, 1fr) 6px ${ui.bottomHeight}px` }}>
            <Canvas />
            {ui.bottomCollapsed ? (
              <span />
            ) : (
              <Splitter
                orientation="horizontal"
                label="Resize the bottom panel (Enter hides it)"
                size={ui.bottomHeight}
                direction={-1}
                testId="splitter-bottom"
                onResize={(s) => uiStore.getState().resize('bottom', s)}
                onToggle={() => uiStore.getState().toggle('bottom')}
              />
            )}
            {ui.bottomCollapsed ? (
              <button type="button" className="show-bottom" data-testid="show-bottom" onClick={() => uiStore.getState().toggle('bottom')}>
                ▴ Preview · Problems · Runs · Logs
              </button>
            ) : (
              <BottomPanel />
            )}
          </main>
          <Splitter
            orientation="vertical"
            label="Resize the inspector (Enter hides it)"
            size={ui.inspectorWidth}
            direction={-1}
            testId="splitter-inspector"
            onResize={(s) => uiStore.getState().resize('inspector', s)}
            onToggle={() => uiStore.getState().toggle('inspector')}
          />
          <div className="inspector-wrap" hidden={ui.inspectorCollapsed}>
            <Inspector />
          </div>
        </div>
        <StatusBar />
        <HelpOverlay />
        <MigrationWizard />
        <SyncEditorHost />
        <DialogHost />
      </div>
    </ReactFlowProvider>
  );
}
