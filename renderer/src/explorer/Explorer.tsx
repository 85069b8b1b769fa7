import type { ReactNode } from 'react';
import { newPipeline } from '../actions';
import { filesStore } from '../stores/files';
import { uiStore, useUi, type ExplorerSection } from '../stores/ui';
import { ConnectionsSection } from './ConnectionsSection';
import { Palette } from './Palette';
import { PipelinesSection } from './PipelinesSection';

function Section({ id, title, action, children }: { id: ExplorerSection; title: string; action?: ReactNode; children: ReactNode }) {
  const open = useUi((s) => s.openSections[id]);
  return (
    <section className={`explorer-section${open ? ' open' : ''}`} aria-labelledby={`explorer-${id}`}>
      <h2 className="section-head">
        <button type="button" id={`explorer-${id}`} aria-expanded={open} data-testid={`section-${id}`} onClick={() => uiStore.getState().toggleSection(id)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {title}
        </button>
        {action}
      </h2>
      {open && <div className="section-body">{children}</div>}
    </section>
  );
}

/** The left panel: pipelines, connections (with their schema browsers) and the node palette. */
export function Explorer() {
  return (
    <nav className="explorer" aria-label="Explorer" data-testid="explorer">
      <Section
        id="pipelines"
        title="Pipelines"
        action={
          <>
            <button type="button" className="icon" aria-label="Refresh the pipeline list" title="Refresh" data-testid="refresh-pipelines" onClick={() => void filesStore.getState().refresh()}>
              ↻
            </button>
            <button type="button" className="icon" aria-label="New pipeline" title="New pipeline" data-testid="new-pipeline" onClick={() => void newPipeline()}>
              +
            </button>
          </>
        }
      >
        <PipelinesSection />
      </Section>
      <Section id="connections" title="Connections">
        <ConnectionsSection />
      </Section>
      <Section id="palette" title="Nodes">
        <Palette />
      </Section>
    </nav>
  );
}
