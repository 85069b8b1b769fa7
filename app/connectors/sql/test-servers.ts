import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';

/**
 * Test helpers for the server connectors' suites: each run gets its own schema or
 * database with a random name, dropped afterwards. When a server does not answer, the
 * suite is skipped with a message saying so, except under CI (process.env.CI set), where
 * a missing server fails the run: a green CI must mean the suites ran.
 */

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * Registers `body` when the server is reachable; otherwise a skipped suite (locally) or a
 * failing test (CI) that names the server and the reason.
 */
export function whenServer(name: string, reachable: { ok: true } | { ok: false; why: string }, body: () => void): void {
  if (reachable.ok) {
    body();
    return;
  }
  const message = `${name} is not reachable (${reachable.why})`;
  if (process.env.CI) {
    describe(name, () => {
      it('has its server (required under CI)', () => {
        throw new Error(`${message}: CI needs it; start it (see ENVIRONMENT.md / .ci/run)`);
      });
    });
    return;
  }
  console.warn(`skipping the ${name} suites: ${message}`);
  describe.skip(`${name}: ${message}`, () => {
    it('skipped', () => {});
  });
}
