import type { JobRecord } from '../../jobs/runner';
import { ApiError, type Handlers, type JobInfo, type ApiProblem } from '../../contract';
import type { HostDeps } from '../deps';

/** The runner's record as the contract shows it (dispatch checks and trims the result). */
export function jobInfo(r: JobRecord): JobInfo {
  const problems = (r.details as { problems?: ApiProblem[] } | undefined)?.problems;
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    pipelineId: r.labels.pipelineId,
    progress: r.progress as JobInfo['progress'],
    result: r.result as JobInfo['result'],
    error: r.error,
    problems,
    runId: r.runId,
    queue: r.queue,
  };
}

export function jobHandlers(deps: HostDeps): Pick<Handlers, 'jobs/list' | 'jobs/get' | 'jobs/cancel'> {
  const mustGet = (id: string) => {
    const job = deps.jobs.get(id);
    if (!job) throw new ApiError('not-found', `no job ${id} in this session`);
    return job;
  };
  return {
    'jobs/list': async () => ({ jobs: deps.jobs.list().map(jobInfo) }),
    'jobs/get': async ({ id }) => jobInfo(mustGet(id)),
    'jobs/cancel': async ({ id }) => {
      mustGet(id);
      return jobInfo(deps.jobs.cancel(id)!);
    },
  };
}
