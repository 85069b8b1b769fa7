import type { JobInfo } from '../../../app/contract';

/** A job that has ended (it will not change again: a resume is another job). */
export const isFinished = (status: JobInfo['status'] | undefined) => status === 'succeeded' || status === 'failed' || status === 'cancelled';
