import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../app/contract';
import { createRunsStore } from './runs';

const job = (o: Partial<JobInfo>): JobInfo => ({ id: 'J1', kind: 'migration', title: 'migrate shop -> archive', status: 'running', createdAt: '2026-01-01T00:00:00Z', ...o });

describe('runs store', () => {
  it('keeps a finished job finished when an older answer or event says it is running (out of order)', () => {
    const runs = createRunsStore();
    runs.setState({ refreshRuns: async () => undefined });
    runs.getState().upsertJob(job({}));
    runs.getState().applyFinished({ jobId: 'J1', job: job({ status: 'cancelled' }) });
    // jobs/cancel's answer was sent before the job ended, and arrives after the event.
    runs.getState().upsertJob(job({ status: 'running' }));
    expect(runs.getState().jobs.J1.status).toBe('cancelled');
    runs.getState().applyProgress({ jobId: 'J1', kind: 'migration', status: 'running' });
    expect(runs.getState().jobs.J1.status).toBe('cancelled');
    expect(runs.getState().order).toEqual(['J1']);
  });

  it('takes every later state of a job that has not finished, and a finished state over another', () => {
    const runs = createRunsStore();
    runs.setState({ refreshRuns: async () => undefined });
    runs.getState().upsertJob(job({ status: 'queued' }));
    runs.getState().applyProgress({ jobId: 'J1', kind: 'migration', status: 'running' });
    expect(runs.getState().jobs.J1.status).toBe('running');
    runs.getState().applyFinished({ jobId: 'J1', job: job({ status: 'failed', error: 'boom' }) });
    runs.getState().upsertJob(job({ status: 'failed', error: 'boom, with details' }));
    expect(runs.getState().jobs.J1).toMatchObject({ status: 'failed', error: 'boom, with details' });
  });
});
