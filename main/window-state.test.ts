import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAppState, saveAppState, withRecent } from './window-state';

describe('the remembered window state', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-state-'));

  it('round-trips bounds, maximized and recent pipelines', () => {
    const file = path.join(dir, 'a', 'window-state.json');
    saveAppState(file, { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true, recent: ['a.yaml'] });
    expect(loadAppState(file)).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true, recent: ['a.yaml'] });
  });

  it('starts fresh from a missing, corrupt or absurd file', () => {
    expect(loadAppState(path.join(dir, 'none.json'))).toEqual({ recent: [] });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(loadAppState(bad)).toEqual({ recent: [] });
    writeFileSync(bad, JSON.stringify({ bounds: { width: 5, height: 'x' }, recent: [1, 'ok.yaml'] }));
    expect(loadAppState(bad)).toEqual({ bounds: undefined, maximized: false, recent: ['ok.yaml'] });
  });

  it('keeps the ten most recent pipelines, newest first, without duplicates', () => {
    let s = { recent: [] as string[] };
    for (let i = 0; i < 12; i++) s = withRecent(s, `p${i}.yaml`);
    s = withRecent(s, 'p5.yaml');
    expect(s.recent[0]).toBe('p5.yaml');
    expect(s.recent).toHaveLength(10);
    expect(new Set(s.recent).size).toBe(10);
    const file = path.join(dir, 'r.json');
    saveAppState(file, s);
    expect(JSON.parse(readFileSync(file, 'utf8')).recent[0]).toBe('p5.yaml');
  });
});
