import { z } from 'zod';
import type { EventName } from './names';
import { AppCommandSchema, JobInfoSchema, JobStatusSchema, QueuePositionSchema, RunProgressSchema } from './schemas';

/** Everything the host pushes to the UI without being asked. */
export const EVENTS = {
  /** A job changed state (queued, started) or reported progress (a few times a second at most). */
  'job/progress': z.object({
    jobId: z.string(),
    kind: z.string(),
    status: JobStatusSchema,
    progress: RunProgressSchema.optional(),
    /** While queued behind the limit of concurrent jobs: its place in the queue. */
    queue: QueuePositionSchema.optional(),
  }),
  /** A log line from a running job. */
  'job/log': z.object({
    jobId: z.string(),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
    time: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  /** A job ended: succeeded, failed or cancelled. */
  'job/finished': z.object({ jobId: z.string(), job: JobInfoSchema }),
  /** A menu command of the desktop app, for the UI to carry out (the browser host never sends it). */
  'app/command': z.object({ command: AppCommandSchema, pipelineId: z.string().optional() }),
} satisfies Record<EventName, z.ZodType>;

export type Events = typeof EVENTS;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** One pushed event, as both transports carry it. */
export type EventMessage = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
