import os from 'node:os';
import path from 'node:path';

export const STORE_FILE_NAME = 'workbench.db';

/**
 * Where the workbench store lives: `$SLUICE_HOME/workbench.db` when SLUICE_HOME is set
 * (tests, portable installs, several profiles), else the platform's per-user data folder.
 * `platform` and `home` are parameters so every platform's answer can be tested anywhere.
 */
export function defaultStorePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || env.USERPROFILE || os.homedir(),
): string {
  if (env.SLUICE_HOME) return path.join(path.resolve(env.SLUICE_HOME), STORE_FILE_NAME);
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(dataFolder(env, platform, home), STORE_FILE_NAME);
}

/** The per-user data folder for Sluice on a platform. */
export function dataFolder(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') {
    // win32 paths are built with path.win32 so the answer is right even when computed elsewhere.
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Sluice');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Sluice');
  // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  return path.posix.join(xdg ?? path.posix.join(home, '.local', 'share'), 'sluice');
}
