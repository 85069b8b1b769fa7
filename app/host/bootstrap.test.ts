import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findShipped } from './bootstrap';

describe('findShipped', () => {
  let root: string;
  let cwd: string;

  beforeAll(() => {
    // A checkout several folders deep, its bundle in dist/chunks, run from elsewhere.
    root = path.join(mkdtempSync(path.join(tmpdir(), 'sluice-shipped-')), 'a', 'b', 'checkout');
    mkdirSync(path.join(root, 'dist', 'chunks'), { recursive: true });
    mkdirSync(path.join(root, 'out', 'renderer'), { recursive: true });
    writeFileSync(path.join(root, 'out', 'renderer', 'index.html'), '<!doctype html>');
    cwd = process.cwd();
    process.chdir(tmpdir());
  });

  afterAll(() => {
    process.chdir(cwd);
    rmSync(path.dirname(path.dirname(path.dirname(root))), { recursive: true, force: true });
  });

  const rel = path.join('out', 'renderer', 'index.html');
  const expected = () => path.join(root, 'out', 'renderer', 'index.html');

  it("finds a file above a module given by its URL (import.meta.url), from a chunk's folder", () => {
    const chunk = path.join(root, 'dist', 'chunks', 'chunk-X.mjs');
    expect(findShipped(rel, pathToFileURL(chunk).href)).toBe(expected());
    expect(findShipped(rel, pathToFileURL(chunk))).toBe(expected());
  });

  it("finds it from a file's path, and answers undefined where no folder above has it", () => {
    expect(findShipped(rel, path.join(root, 'dist', 'cli.mjs'))).toBe(expected());
    expect(findShipped(path.join('out', 'nothing-here'), pathToFileURL(path.join(root, 'dist', 'chunks', 'c.mjs')).href)).toBeUndefined();
  });
});
