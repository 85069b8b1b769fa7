import path from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { RunConnections } from '../../engine/connections';
import { WorkbenchStore } from '../../store';
import { readRunLog, resolveLogPath } from '../history/run-log';
import { runMigration } from './migrate';
import { chinookCopy, tempDir } from './test-env';
import { defaultOptions } from './types';

/**
 * A migration keeps a structured log per run, like every job (`sluice logs RUN_ID`): what it
 * did table by table and how it ended; a resumed run goes on in the same log.
 */
describe('migration run log', () => {
  const tmp = tempDir('sluice-migrate-log-');
  afterAll(() => tmp.remove());

  it('records the run, its tables and its end; a cancelled run and its resume share one log', async () => {
    const store = WorkbenchStore.open(path.join(tmp.dir, 'workbench.db'));
    const from = `sqlite:${chinookCopy(tmp.dir)}`;
    const to = `sqlite:${path.join(tmp.dir, 'out.db')}`;
    const options = defaultOptions({ chunkRows: 500 });
    const connections = () => new RunConnections({}, { baseDir: tmpdir() });
    try {
      // Cancelled once some rows are in.
      const controller = new AbortController();
      const first = await runMigration(
        { from, to, options },
        { connections: connections(), store, signal: controller.signal, progressIntervalMs: 0, onProgress: (p) => p.rowsCopied > 3000 && controller.abort() },
      );
      expect(first.status).toBe('cancelled');
      const second = await runMigration({ from, to, options, resume: first.runId }, { connections: connections(), store });
      expect(second.status, second.error).toBe('succeeded');

      const run = store.getRun(first.runId!)!;
      expect(run.logPath).toBeDefined();
      const { lines } = readRunLog(resolveLogPath(store.path, run.logPath!));
      const messages = lines.map((l) => `${l.level} ${l.msg}`);
      const at = (re: RegExp) => messages.findIndex((m) => re.test(m));
      expect(at(/^info migration .* started$/)).toBe(0);
      expect(at(/^warn migration cancelled$/)).toBeGreaterThan(0);
      expect(at(/^info migration .* resumed$/)).toBeGreaterThan(at(/^warn migration cancelled$/));
      expect(at(/^info migration succeeded$/)).toBe(messages.length - 1);
      // Every table's load is there, with its counts (Chinook: 11 tables, 15,607 rows in all).
      const loaded = lines.filter((l) => l.msg.startsWith('table '));
      expect(new Set(loaded.map((l) => l.data!.table)).size).toBe(11);
      expect(lines.at(-1)!.data).toEqual({ rowsCopied: second.rowsCopied, rejected: 0 });
    } finally {
      store.close();
    }
  });
});
