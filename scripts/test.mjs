// `npm test`: build, typecheck, lint, unit/integration tests (vitest), the Electron security
// lint, e2e (Playwright). Every step runs even when an earlier one failed, so one run shows
// every problem; test-results/summary.json and the last line sum them up as "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const only = process.argv.slice(2);
mkdirSync('test-results', { recursive: true });

const steps = [
  { name: 'build', cmd: ['node', 'scripts/build.mjs'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'typecheck-renderer', cmd: ['npx', 'tsc', '-p', 'tsconfig.renderer.json', '--noEmit'] },
  { name: 'lint', cmd: ['npx', 'eslint', '--max-warnings', '0', '.'] },
  {
    name: 'vitest',
    cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    results: 'test-results/vitest.json',
  },
  // Electron's security checklist, by @doyensec/electronegativity: fails on HIGH or MEDIUM findings.
  { name: 'security', cmd: ['node', 'scripts/security-lint.mjs'] },
  {
    // SLUICE_E2E_REBUILD: the renderer (and the Electron build, where Electron is installed)
    // are rebuilt first, so the specs never drive a stale build.
    name: 'e2e',
    cmd: ['npx', 'playwright', 'test'],
    env: { SLUICE_E2E_REBUILD: '1' },
    results: 'test-results/e2e.json',
    format: 'playwright',
  },
].filter((s) => only.length === 0 || only.includes(s.name));

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  if (step.results) rmSync(step.results, { force: true });
  const started = Date.now();
  console.log(`\n▶ ${step.name}: ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...step.env } });
  const ok = r.status === 0;
  let counts = { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  if (step.results && existsSync(step.results)) {
    const j = JSON.parse(readFileSync(step.results, 'utf8'));
    if (step.format === 'playwright') {
      // Playwright's JSON report: expected = passed, unexpected = failed, flaky passed on retry.
      const st = j.stats ?? {};
      const bad = (st.unexpected ?? 0) + (j.errors?.length ?? 0);
      counts = { passed: (st.expected ?? 0) + (st.flaky ?? 0), failed: bad + (ok || bad ? 0 : 1), skipped: st.skipped ?? 0 };
    } else {
      counts = { passed: j.numPassedTests ?? 0, failed: (j.numFailedTests ?? 0) + (ok || j.numFailedTests ? 0 : 1) };
    }
  }
  passed += counts.passed;
  failed += counts.failed;
  summary.push({ step: step.name, ok, ...counts, seconds: Math.round((Date.now() - started) / 1000) });
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  console.log(`${ok ? '✔' : '✘'} ${step.name}: ${counts.passed} passed, ${counts.failed} failed${skipped} (${Math.round((Date.now() - started) / 1000)} s)`);
}
writeFileSync('test-results/summary.json', JSON.stringify({ passed, failed, steps: summary }, null, 2));
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
