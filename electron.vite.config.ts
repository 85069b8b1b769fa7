// The desktop app's build (`electron-vite build`, no Electron binary needed): main process
// plus the job worker, the sandboxed preload, and the renderer, all under out/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The workers must sit beside the main bundle: app/jobs/worker-entry.ts looks for the
        // job worker there, and the batch pool, the sync's full diff and SQLite's page
        // encoder look for theirs beside the job worker (as in dist/, scripts/build.mjs).
        input: {
          index: resolve('main/main.ts'),
          worker: resolve('app/jobs/worker.ts'),
          'batch-worker': resolve('app/jobs/batch/chunk-worker.ts'),
          'sync-side-worker': resolve('app/jobs/sync/side-worker.ts'),
          'sqlite-pages-worker': resolve('app/connectors/sqlite/tab-text-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ES modules or node_modules: one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
