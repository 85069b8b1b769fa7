import { useEffect, useState } from 'react';
import type { JobInfo, RunProgress } from '../../app/contract';
import { api } from './api';

export interface JobView {
  status: JobInfo['status'];
  progress?: RunProgress;
  job?: JobInfo;
}

/** Follows one job through its events (and asks once, in case it finished before we listened). */
export function useJob(jobId: string | undefined): JobView | undefined {
  const [view, setView] = useState<JobView>();
  useEffect(() => {
    if (!jobId) {
      setView(undefined);
      return;
    }
    let finished = false;
    setView({ status: 'queued' });
    const offProgress = api.on('job/progress', (e) => {
      if (e.jobId === jobId && !finished) setView((v) => ({ ...v, status: e.status, progress: e.progress ?? v?.progress }));
    });
    const offFinished = api.on('job/finished', (e) => {
      if (e.jobId !== jobId) return;
      finished = true;
      setView({ status: e.job.status, progress: e.job.progress, job: e.job });
    });
    void api.call('jobs/get', { id: jobId }).then((job) => {
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
        finished = true;
        setView({ status: job.status, progress: job.progress, job });
      }
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [jobId]);
  return view;
}
