// Electron security lint: runs @doyensec/electronegativity over main/ and renderer/ together
// (its global checks — navigation limits, permission handlers — need to see both) and fails
// on any finding of HIGH or MEDIUM severity. The tool exits 0 whatever it finds, so this
// script reads its CSV report (test-results/electronegativity.csv) instead.
// Run: node scripts/security-lint.mjs
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const TOOL = '@doyensec/electronegativity@1.10.3';
const ELECTRON_VERSION = '41.0.0';
const OUT_DIR = 'test-results';
const INPUT = path.join(OUT_DIR, 'electronegativity-input');
const REPORT = path.join(OUT_DIR, 'electronegativity.csv');

/**
 * Findings a person has reviewed and accepted, each with the reason. Keep this list short:
 * a new finding fails the build until it is fixed or reviewed here.
 */
const REVIEWED = [
  {
    check: 'PRELOAD_JS_CHECK',
    file: 'main.ts',
    reason:
      'Fires on every window that has a preload ("review the use of preload scripts"). Ours is sandboxed and ' +
      'exposes exactly the contract methods and events through contextBridge (main/preload.test.ts checks it).',
  },
];

/** Splits one CSV line with double-quoted fields ("" inside quotes is a quote). */
export function parseCsvLine(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

rmSync(INPUT, { recursive: true, force: true });
rmSync(REPORT, { force: true }); // the tool does not truncate an existing report
mkdirSync(INPUT, { recursive: true });
for (const dir of ['main', 'renderer']) {
  cpSync(dir, path.join(INPUT, dir), { recursive: true, filter: (src) => !/\.test\.ts$/.test(src) });
}

const r = spawnSync('npx', ['-y', TOOL, '-i', INPUT, '-e', ELECTRON_VERSION, '-r', '-o', REPORT], { encoding: 'utf8' });
if (!existsSync(REPORT)) {
  console.error(`electronegativity wrote no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  process.exit(1);
}
const lines = readFileSync(REPORT, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
const header = parseCsvLine(lines[0]).map((h) => h.toLowerCase());
const col = (name) => header.indexOf(name);
if (col('issue') < 0 || col('severity') < 0) {
  console.error(`unexpected report header: ${lines[0]}`);
  process.exit(1);
}
const findings = lines.slice(1).map((l) => {
  const f = parseCsvLine(l);
  return { check: f[col('issue')], severity: f[col('severity')], file: f[col('filename')], location: f[col('location')], description: f[col('description')] };
});
const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
const reviewed = serious.filter((f) => REVIEWED.some((x) => x.check === f.check && path.basename(f.file) === x.file));
const failing = serious.filter((f) => !reviewed.includes(f));

for (const f of findings) {
  const mark = failing.includes(f) ? '✘' : reviewed.includes(f) ? '≈' : '·';
  console.log(`${mark} ${f.severity.padEnd(6)} ${f.check} ${f.file}:${f.location} ${f.description}`);
}
for (const f of reviewed) console.log(`  reviewed: ${f.check}: ${REVIEWED.find((x) => x.check === f.check).reason}`);
console.log(
  `electronegativity: ${findings.length} finding(s), ${serious.length} HIGH/MEDIUM, ${reviewed.length} reviewed, ${failing.length} failing (report: ${REPORT})`,
);
process.exit(failing.length > 0 ? 1 : 0);
