// Runs a CommonJS bundle (the CLI's, dist/cli.cjs) with V8's code cache beside it
// (FILE.v8cache): compiling the bundle's ~2.5 MB afresh costs every command ~30-40 ms of its
// start. Node 20 offers no code cache for ES modules, hence one CommonJS file run through
// vm.Script. The cache file is a header line, then V8's data. The header names the bundle by
// its SHA-256 (V8 checks its own version and flags, but of the source only its length: a
// rebuilt bundle of the same length would otherwise run stale code) and Node's version. When
// no cache fits (none yet, a rebuild, another Node), the bundle is compiled as usual and the
// cache written at exit, atomically; where its folder is read-only, not at all.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The header line a cache of these bundle bytes must start with. */
export function cacheHeader(bundleBytes) {
  const digest = createHash('sha256').update(bundleBytes).digest('hex');
  return `sluice-code-cache 1 ${digest} node ${process.version} ${process.arch}\n`;
}

/** V8's data from `cacheFile` when its header is `header`; undefined when there is none or it fits another bundle. */
export function readCache(cacheFile, header) {
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const head = Buffer.from(header, 'latin1');
  return bytes.length > head.length && bytes.subarray(0, head.length).equals(head) ? bytes.subarray(head.length) : undefined;
}

/**
 * Runs `bundle` as Node runs a CommonJS main module. Answers how: 'cached' (from a cache that
 * fits), 'compiled' (none fit: one is written at exit), or 'missing' (no bundle: nothing ran).
 */
export function runCached(bundle, cacheFile = `${bundle}.v8cache`) {
  let bytes;
  try {
    bytes = readFileSync(bundle);
  } catch {
    return 'missing';
  }
  const header = cacheHeader(bytes);
  const cachedData = readCache(cacheFile, header);
  // esbuild writes ASCII (non-ASCII characters escaped): latin1 reads it without UTF-8 decoding.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // Node's CommonJS wrapper, on the bundle's first line: stack traces keep its line numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: bundle, cachedData });
  const fits = cachedData !== undefined && !script.cachedDataRejected;
  if (!fits) process.once('exit', () => writeCache(script, cacheFile, header));
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return fits ? 'cached' : 'compiled';
}

function writeCache(script, cacheFile, header) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only install runs without the cache.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}
