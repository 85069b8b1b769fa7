import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { electronBinary } from './fixtures/electron';
import { E2E_DEMO_DIR, ELECTRON_MAIN, ROOT } from './fixtures/paths';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/**
 * Before the specs: what the hosts under test need is built, and the demo workspace they
 * copy on first start is prepared — resources/demo, plus the e2e fixture pipelines for as
 * long as the demo ships no pipeline of its own.
 */
export default function globalSetup(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'cli.cjs')) || !existsSync(path.join(ROOT, 'dist', 'worker.mjs'))) run('node', ['scripts/build.mjs']);
  if (!existsSync(path.join(ROOT, 'out', 'renderer', 'index.html')) || process.env.SLUICE_E2E_REBUILD) {
    run('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  }
  if (electronBinary() && (!existsSync(ELECTRON_MAIN) || process.env.SLUICE_E2E_REBUILD)) run('npx', ['electron-vite', 'build']);

  rmSync(E2E_DEMO_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DEMO_DIR, { recursive: true });
  const demo = path.join(ROOT, 'resources', 'demo');
  if (existsSync(demo)) cpSync(demo, E2E_DEMO_DIR, { recursive: true });
  const hasPipelines = readdirSync(E2E_DEMO_DIR).some((f) => /\.(ya?ml|json)$/.test(f));
  if (!hasPipelines) cpSync(path.join(ROOT, 'e2e', 'fixtures', 'demo-pipelines'), E2E_DEMO_DIR, { recursive: true });
}
