// Shared benchmark helpers: run a command under GNU time (wall time and peak RSS), repeat,
// take medians, print a table, install reference tools from Debian's packages when missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WORK = process.env.SLUICE_BENCH_DIR ?? join(ROOT, 'bench', '.work');
mkdirSync(WORK, { recursive: true });

export function sh(cmd, opts = {}) {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`command failed (${r.status}): ${cmd}\n${r.stderr}`);
  return r;
}

/** Installs Debian packages providing the given commands, once. */
export function ensureTools(tools) {
  const missing = Object.entries(tools).filter(([cmd]) => sh(`command -v ${cmd}`, { allowFail: true }).status !== 0);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  console.error(`installing ${pkgs} from Debian's packages…`);
  sh(`(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs}`, { stdio: 'inherit' });
}

/**
 * Runs a shell command under /usr/bin/time: seconds, peak RSS in MB, CPU seconds (user +
 * system: what the run itself cost, whatever else the machine was doing) and the 1-minute
 * load average after it.
 */
export function measure(cmd, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'bash', '-c', cmd], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`benchmark command failed (${r.status}): ${cmd}\n${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').pop();
  const [secs, kb, user, sys] = last.split(' ').map(Number);
  return { seconds: secs, peakMB: Math.round(kb / 1024), cpu: user + sys, load: Math.round(loadavg()[0] * 10) / 10 };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs each candidate `runs` times, interleaved so machine noise hits all alike. */
export function compare(candidates, runs, prepare) {
  const samples = new Map(candidates.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of candidates) {
      prepare?.(c);
      samples.get(c.name).push(measure(c.cmd, c.env));
    }
  }
  return candidates.map((c) => {
    const s = samples.get(c.name);
    return {
      name: c.name,
      runs: s.length,
      seconds: median(s.map((x) => x.seconds)),
      cpuSeconds: median(s.map((x) => x.cpu)),
      peakMB: median(s.map((x) => x.peakMB)),
      all: s.map((x) => x.seconds),
      load: s.map((x) => x.load),
      rows: c.rows,
    };
  });
}

export function printTable(title, results, baseline) {
  const base = results.find((r) => r.name === baseline) ?? results[0];
  console.log(`\n## ${title}\n`);
  console.log('| tool | median s | rows/s | peak MB | × baseline | runs |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of results) {
    const rps = r.rows ? Math.round(r.rows / r.seconds).toLocaleString('en-US') : '';
    console.log(
      `| ${r.name} | ${r.seconds.toFixed(2)} | ${rps} | ${r.peakMB} | ${(r.seconds / base.seconds).toFixed(2)} | ${r.all.map((x) => x.toFixed(2)).join(', ')} |`,
    );
  }
}

export function saveResults(name, data) {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.json`), JSON.stringify({ at: new Date().toISOString(), ...data }, null, 2));
}

export function cached(path, make) {
  if (!existsSync(path)) make(path);
  return path;
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
