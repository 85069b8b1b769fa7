import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * bin/code-cache.mjs: the CLI's bundle run with V8's code cache. What must hold: a cache is
 * used only for the very bundle it was made from (V8 itself checks only the source's
 * length), anything else is compiled afresh and the cache rewritten, and the bundle runs as
 * a CommonJS module either way.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sluice-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = join(dir, 'bundle.cjs');
const cache = `${bundle}.v8cache`;
const runner = join(dir, 'run.mjs');
writeFileSync(runner, `import { runCached } from ${JSON.stringify(pathToFileURL(join(ROOT, 'bin', 'code-cache.mjs')).href)};\nconst file = process.argv.splice(2, 1)[0];\nprocess.stderr.write(runCached(file));\n`);

/** A bundle printing `word`, its file name and whether require works; the same length for every 5-letter word. */
function writeBundle(word: string): void {
  writeFileSync(bundle, `const path = require('node:path');\nfunction answer() { return { word: ${JSON.stringify(word)}, file: path.basename(__filename), exported: typeof module.exports }; }\nconsole.log(JSON.stringify(answer()));\n`);
}

function run(): { how: string; out: unknown } {
  const r = spawnSync(process.execPath, [runner, bundle], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { how: r.stderr, out: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('the code cache', () => {
  it('compiles and writes the cache on the first run, and runs from it on the next', () => {
    writeBundle('first');
    expect(run()).toEqual({ how: 'compiled', out: { word: 'first', file: 'bundle.cjs', exported: 'object' } });
    expect(readFileSync(cache, 'latin1')).toMatch(/^sluice-code-cache 1 [0-9a-f]{64} node v\d+/);
    expect(run()).toEqual({ how: 'cached', out: { word: 'first', file: 'bundle.cjs', exported: 'object' } });
  });

  it('never runs a cache made for another bundle of the same length', () => {
    const length = readFileSync(bundle).length;
    writeBundle('other');
    expect(readFileSync(bundle).length).toBe(length);
    expect(run()).toEqual({ how: 'compiled', out: { word: 'other', file: 'bundle.cjs', exported: 'object' } });
    expect(run().how).toBe('cached');
  });

  it('compiles afresh when V8 rejects the data after a fitting header, and writes it anew', () => {
    const bytes = readFileSync(cache);
    const head = bytes.indexOf(10) + 1;
    writeFileSync(cache, Buffer.concat([bytes.subarray(0, head), Buffer.alloc(bytes.length - head, 7)]));
    expect(run()).toEqual({ how: 'compiled', out: { word: 'other', file: 'bundle.cjs', exported: 'object' } });
    expect(run().how).toBe('cached');
  });

  it('answers missing, running nothing, when there is no bundle', () => {
    rmSync(bundle);
    expect(run()).toEqual({ how: 'missing', out: undefined });
  });

  it('the built CLI (npm test builds it first) carries a cache that fits it', () => {
    const cli = join(ROOT, 'dist', 'cli.cjs');
    expect(existsSync(cli), 'dist/cli.cjs: run `npm run build`').toBe(true);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'sluice.mjs'), '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const probe = spawnSync(process.execPath, [runner, cli, '--version'], { encoding: 'utf8' });
    expect(probe.stdout).toBe(r.stdout);
    expect(probe.stderr).toBe('cached');
  });
});
