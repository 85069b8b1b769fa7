import { useRuns, isRunning } from '../stores/runs';
import { useUi, uiStore, type BottomTab } from '../stores/ui';
import { useValidation } from '../stores/validation';
import { LogsPanel } from './LogsPanel';
import { PreviewPanel } from './PreviewPanel';
import { ProblemsPanel } from './ProblemsPanel';
import { RunsPanel } from './RunsPanel';

const TABS: Array<{ id: BottomTab; label: string }> = [
  { id: 'preview', label: 'Preview' },
  { id: 'problems', label: 'Problems' },
  { id: 'runs', label: 'Runs' },
  { id: 'logs', label: 'Logs' },
];

function TabBadge({ tab }: { tab: BottomTab }) {
  const errors = useValidation((s) => s.problems.filter((p) => p.severity === 'error').length);
  const running = useRuns((s) => Object.values(s.jobs).filter(isRunning).length);
  if (tab === 'problems' && errors > 0) return <span className="tab-badge bad">{errors}</span>;
  if (tab === 'runs' && running > 0) return <span className="tab-badge">{running}</span>;
  return null;
}

/** The bottom panel: Preview, Problems, Runs, Logs. */
export function BottomPanel() {
  const tab = useUi((s) => s.bottomTab);
  return (
    <section className="bottom-panel" aria-label="Bottom panel" data-testid="bottom-panel">
      <div className="tabs" role="tablist" aria-label="Panels">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            data-testid={`tab-${t.id}`}
            onClick={() => uiStore.getState().showTab(t.id)}
          >
            {t.label}
            <TabBadge tab={t.id} />
          </button>
        ))}
        <span className="spacer" />
        <button type="button" className="icon" aria-label="Hide the bottom panel" title="Hide (Ctrl+J)" onClick={() => uiStore.getState().toggle('bottom')}>
          ▾
        </button>
      </div>
      <div className="tab-body" role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'preview' && <PreviewPanel />}
        {tab === 'problems' && <ProblemsPanel />}
        {tab === 'runs' && <RunsPanel />}
        {tab === 'logs' && <LogsPanel />}
      </div>
    </section>
  );
}
