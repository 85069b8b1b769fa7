import { ApiError, METHOD_NAMES, type Handlers } from '../contract';

/** Handlers for transport tests that need no core: every method answers 'unsupported' unless overridden. */
export function stubHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const all = Object.fromEntries(
    METHOD_NAMES.map((m) => [
      m,
      async () => {
        throw new ApiError('unsupported', `${m} is not implemented by this stub`);
      },
    ]),
  ) as unknown as Handlers;
  return { ...all, ...overrides };
}
