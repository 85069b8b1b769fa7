// `npm test`: build, typecheck, lint, unit/integration tests (vitest), e2e (Playwright, once
// it exists). Every step runs even when an earlier one failed, so one run shows every
// problem; test-results/summary.json and the last line sum them up as "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const only = process.argv.slice(2);
mkdirSync('test-results', { recursive: true });

const steps = [
  { name: 'build', cmd: ['node', 'scripts/build.mjs'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', cmd: ['npx', 'eslint', '--max-warnings', '0', '.'] },
  {
    name: 'vitest',
    cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
    results: 'test-results/vitest.json',
  },
].filter((s) => only.length === 0 || only.includes(s.name));

let passed = 0;
let failed = 0;
const summary = [];
for (const step of steps) {
  if (step.results) rmSync(step.results, { force: true });
  const started = Date.now();
  console.log(`\n▶ ${step.name}: ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  let counts = { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  if (step.results && existsSync(step.results)) {
    const j = JSON.parse(readFileSync(step.results, 'utf8'));
    counts = { passed: j.numPassedTests ?? 0, failed: (j.numFailedTests ?? 0) + (ok || j.numFailedTests ? 0 : 1) };
  }
  passed += counts.passed;
  failed += counts.failed;
  summary.push({ step: step.name, ok, ...counts, seconds: Math.round((Date.now() - started) / 1000) });
  console.log(`${ok ? '✔' : '✘'} ${step.name}: ${counts.passed} passed, ${counts.failed} failed (${Math.round((Date.now() - started) / 1000)} s)`);
}
writeFileSync('test-results/summary.json', JSON.stringify({ passed, failed, steps: summary }, null, 2));
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
