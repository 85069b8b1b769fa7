import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { workerBeside } from './worker-entry';

/**
 * Worker scripts are found beside the bundle that runs the code looking for them: dist/
 * (esbuild: one file per entry), or out/main/ (electron-vite), where shared code lands in
 * out/main/chunks/ and the entries (the workers) one level up.
 */
describe('workerBeside', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-worker-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'out', 'main', 'chunks'), { recursive: true });
  for (const f of ['out/main/batch-worker.js', 'out/main/chunks/shared.js', 'dist/cli.mjs', 'dist/batch-worker.mjs']) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), '');
  }
  const url = (f: string) => pathToFileURL(path.join(dir, f)).href;
  const names = ['./batch-worker.mjs', './batch-worker.js', './chunk-worker.ts'];

  it('finds the script in the module’s own folder, the first name that exists', () => {
    expect(workerBeside(url('dist/cli.mjs'), names)?.filename).toBe(path.join(dir, 'dist', 'batch-worker.mjs'));
  });

  it('finds it one level up from a chunks/ folder of shared code (electron-vite)', () => {
    expect(workerBeside(url('out/main/chunks/shared.js'), names)?.filename).toBe(path.join(dir, 'out', 'main', 'batch-worker.js'));
  });

  it('looks nowhere else', () => {
    expect(workerBeside(url('out/main/chunks/shared.js'), ['./sync-side-worker.js'])).toBeUndefined();
    expect(workerBeside(url('out/main/batch-worker.js'), ['./shared.js'])).toBeUndefined();
  });
});
