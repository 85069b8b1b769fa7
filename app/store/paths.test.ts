import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStorePath, WorkbenchStore } from './index';
import { useTempDirs } from './test-helpers';

const tempDir = useTempDirs();

describe('defaultStorePath', () => {
  it('uses $SLUICE_HOME/workbench.db when set, on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultStorePath({ SLUICE_HOME: '/data/sluice-profile' }, platform, '/home/ana')).toBe(path.resolve('/data/sluice-profile', 'workbench.db'));
    }
  });

  it('resolves a relative SLUICE_HOME against the working folder', () => {
    expect(defaultStorePath({ SLUICE_HOME: '.sluice-home' }, 'linux', '/home/ana')).toBe(path.resolve('.sluice-home', 'workbench.db'));
  });

  it('follows XDG on Linux', () => {
    expect(defaultStorePath({}, 'linux', '/home/ana')).toBe('/home/ana/.local/share/sluice/workbench.db');
    expect(defaultStorePath({ XDG_DATA_HOME: '/xdg/data' }, 'linux', '/home/ana')).toBe('/xdg/data/sluice/workbench.db');
    // The XDG spec says relative paths are invalid and must be ignored.
    expect(defaultStorePath({ XDG_DATA_HOME: 'rel/data' }, 'linux', '/home/ana')).toBe('/home/ana/.local/share/sluice/workbench.db');
  });

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    expect(defaultStorePath({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Application Support/Sluice/workbench.db');
    expect(defaultStorePath({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming\\Sluice\\workbench.db');
    expect(defaultStorePath({}, 'win32', 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming\\Sluice\\workbench.db');
  });

  it('takes the home folder from HOME when no home is given', () => {
    expect(defaultStorePath({ HOME: '/home/bo' }, 'linux')).toBe('/home/bo/.local/share/sluice/workbench.db');
  });
});

describe('WorkbenchStore.open() without a path', () => {
  const saved = process.env.SLUICE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.SLUICE_HOME;
    else process.env.SLUICE_HOME = saved;
  });

  it('honours SLUICE_HOME', () => {
    const home = path.join(tempDir(), 'profile');
    process.env.SLUICE_HOME = home;
    const store = WorkbenchStore.open();
    expect(store.path).toBe(path.join(home, 'workbench.db'));
    store.saveConnection({ name: 'shop', url: 'sqlite:./shop.db' });
    store.close();
    expect(fs.existsSync(path.join(home, 'workbench.db'))).toBe(true);
    const again = WorkbenchStore.open();
    expect(again.getConnection('shop')?.url).toBe('sqlite:./shop.db');
    again.close();
  });
});
