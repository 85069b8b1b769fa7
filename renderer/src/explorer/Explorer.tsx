import type { ReactNode } from 'react';
import { newPipeline } from '../actions';
import { SyncsSection, SyncsSectionActions } from '../jobs/sync/SyncsSection';
import { syncsStore, useSyncs } from '../jobs/sync/store';
import { filesStore } from '../stores/files';
import { uiStore, useUi, type ExplorerSection } from '../stores/ui';
import { ConnectionsSection } from './ConnectionsSection';
import { Palette } from './Palette';
import { PipelinesSection } from './PipelinesSection';

/**
 * A collapsible part of the explorer. Its open state is remembered with the layout (ui store),
 * or, for a section the layout does not know (Syncs: its store remembers it), given by `open` and `onToggle`.
 */
function Section(props: { id: ExplorerSection | 'syncs'; title: string; action?: ReactNode; children: ReactNode; open?: boolean; onToggle?(): void }) {
  const { id, title, action, children } = props;
  const layoutId = id === 'syncs' ? undefined : id;
  const remembered = useUi((s) => (layoutId ? s.openSections[layoutId] : false));
  const open = props.open ?? remembered;
  const toggle = props.onToggle ?? (() => layoutId && uiStore.getState().toggleSection(layoutId));
  return (
    <section className={`explorer-section${open ? ' open' : ''}`} aria-labelledby={`explorer-${id}`}>
      <h2 className="section-head">
        <button type="button" id={`explorer-${id}`} aria-expanded={open} data-testid={`section-${id}`} onClick={toggle}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {title}
        </button>
        {action}
      </h2>
      {open && <div className="section-body">{children}</div>}
    </section>
  );
}

/** The left panel: pipelines, syncs, connections (with their schema browsers) and the node palette. */
export function Explorer() {
  const syncsOpen = useSyncs((s) => s.sectionOpen);
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
      <Section id="syncs" title="Syncs" open={syncsOpen} onToggle={() => syncsStore.getState().toggleSection()} action={<SyncsSectionActions />}>
        <SyncsSection />
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
