// `npm start`: builds the desktop app (electron-vite) and launches it on the embedded default
// workspace. Where no Electron binary is installed (an offline install with
// ELECTRON_SKIP_BINARY_DOWNLOAD), it says so in one line and points to `npm run serve`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
if (!electron) {
  console.error(
    'sluice: no Electron binary is installed (node_modules/electron/dist is missing); get it with `npm install` run without ELECTRON_SKIP_BINARY_DOWNLOAD (or `npx electron@41 out/main/index.js` after `npm run build:electron`) — meanwhile `npm run serve` runs the same app in your browser.',
  );
  process.exit(1);
}

const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const app = spawn(electron, ['out/main/index.js', ...process.argv.slice(2)], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
