import { defineConfig } from '@playwright/test';
import type { WorkbenchOptions } from './e2e/fixtures/workbench';

/**
 * e2e: the same specs against the browser host in Debian's Chromium (always) and against
 * the desktop app through _electron.launch (skipped, saying why, where no Electron binary
 * is installed). Each test starts its own host on a fresh SLUICE_HOME.
 */
export default defineConfig<WorkbenchOptions>({
  testDir: 'e2e/specs',
  outputDir: 'test-results/e2e-artifacts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // Each test runs a host with worker threads: on two cores, one test at a time is fastest.
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: { trace: 'retain-on-failure', actionTimeout: 15_000 },
  projects: [
    {
      name: 'browser',
      use: {
        hostKind: 'browser',
        headless: true,
        launchOptions: {
          executablePath: process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    { name: 'electron', use: { hostKind: 'electron' } },
  ],
});
