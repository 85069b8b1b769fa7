import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../../app/contract';
import { api } from '../../api';
import { notify } from '../../stores/dialogs';
import { runsStore, useRuns } from '../../stores/runs';
import { isFinished } from '../status';
import { mergeJobInfo, migrationRunId } from './model';

/**
 * Resume for a cancelled or failed migration job in the run monitor. Whether the run can
 * still continue is the checkpoints' answer (migration/get), asked again whenever a
 * migration job ends, so the button leaves once a resume has finished the run.
 */
export function MigrationResumeButton({ job }: { job: JobInfo }) {
  const runId = job.kind === 'migration' && (job.status === 'failed' || job.status === 'cancelled') ? migrationRunId(job) : undefined;
  const ended = useRuns((s) => Object.values(s.jobs).filter((j) => j.kind === 'migration' && isFinished(j.status)).length);
  const [resumable, setResumable] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!runId) return;
    let live = true;
    api
      .call('migration/get', { runId })
      .then((m) => live && setResumable(m.resumable))
      .catch(() => live && setResumable(false));
    return () => {
      live = false;
    };
  }, [runId, ended]);
  if (!runId || !resumable) return null;
  return (
    <button
      type="button"
      data-testid="job-resume"
      disabled={busy}
      title={`Continue migration run ${runId} from its last checkpoint`}
      onClick={async () => {
        setBusy(true);
        try {
          const { jobId } = await api.call('migration/resume', { runId });
          const fetched = await api.call('jobs/get', { id: jobId });
          runsStore.getState().upsertJob(mergeJobInfo(runsStore.getState().jobs[jobId], fetched));
          setResumable(false);
        } catch (e) {
          notify(`Resume: ${(e as Error).message}`, 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      ↻ Resume
    </button>
  );
}
