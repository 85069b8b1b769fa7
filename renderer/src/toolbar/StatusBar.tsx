import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../app/contract';
import { api } from '../api';
import { useConnections } from '../stores/connections';
import { isRunning, useRuns } from '../stores/runs';

/** Bottom line: workspace, host, connection states, the running job's progress. */
export function StatusBar() {
  const [info, setInfo] = useState<MethodOutput<'workspace/info'>>();
  const connections = useConnections((s) => s.connections.length);
  const tests = useConnections((s) => s.tests);
  const failing = Object.entries(tests).filter(([k, t]) => k !== 'form' && !t.ok).length;
  const jobs = useRuns((s) => s.jobs);
  const running = Object.values(jobs).filter(isRunning);
  useEffect(() => {
    void api.call('workspace/info').then(setInfo, () => undefined);
  }, []);
  const job = running[0];
  return (
    <footer className="statusbar" data-testid="status-bar" role="status">
      <span data-testid="workspace-name" title={info?.root}>
        {info ? info.name : '…'}
      </span>
      <span className="muted">{info ? (info.host === 'electron' ? 'Desktop app' : 'Browser host') : 'connecting…'}</span>
      <span className="muted">
        {connections} connection{connections === 1 ? '' : 's'}
        {failing > 0 && <span className="bad"> · {failing} failing</span>}
      </span>
      <span className="spacer" />
      {job && (
        <span data-testid="status-job">
          {job.title}: {job.progress ? `${job.progress.rowsRead.toLocaleString('en-US')} rows · ${Math.round(job.progress.rowsPerSecond).toLocaleString('en-US')} rows/s` : job.status}
          {running.length > 1 ? ` (+${running.length - 1} more)` : ''}
        </span>
      )}
      <span className="muted">{info ? `Sluice ${info.version}` : ''}</span>
    </footer>
  );
}
