// @ts-check
import tseslint from 'typescript-eslint';

// Layering: app/ is the core and must run in Node tests, the CLI, worker threads and the
// Electron main process alike, so it may not reach into the shells around it.
const appMayNotImport = {
  paths: [
    { name: 'electron', message: 'app/ must stay free of Electron (see DESIGN.md: the layers).' },
    { name: 'react', message: 'app/ must stay free of React (see DESIGN.md: the layers).' },
    { name: 'react-dom', message: 'app/ must stay free of React (see DESIGN.md: the layers).' },
  ],
  patterns: [
    { group: ['react/*', 'react-dom/*', 'electron/*', '@xyflow/*'], message: 'app/ must stay free of Electron and React.' },
    // The top-level main/ and renderer/ folders (a regex: a glob like '**/main' also caught app/cli/main.ts).
    { regex: '^(\\.\\./)+(main|renderer)(/|$)', message: 'app/ may not import main/ or renderer/.' },
  ],
};

// The renderer reaches the core through the API only: from app/ it may import the contract and
// the pure model at run time, anything else for its types alone (erased from the bundle).
// One exception: app/nodes/map/auto-map (pure: it imports app/model only), so the mapping
// editor matches columns exactly as the map node does, as you drag, without a round trip.
const rendererMayNotImport = {
  paths: [{ name: 'electron', message: 'the renderer talks to the host through renderer/src/api.ts, never Electron itself.' }],
  patterns: [
    {
      group: ['**/app/*', '!**/app/contract', '!**/app/contract/*', '!**/app/model', '!**/app/model/*', '!**/app/nodes'],
      allowTypeImports: true,
      message: 'the renderer may import app/contract and app/model; reach everything else through the API (type-only imports are fine).',
    },
    {
      regex: '(^|/)app/nodes($|/(?!map/auto-map$))',
      allowTypeImports: true,
      message: 'of app/nodes the renderer may import only map/auto-map (pure); reach the rest through the API (type-only imports are fine).',
    },
    { group: ['**/main/**', '**/main'], message: 'the renderer may not import the main process.' },
    { group: ['node:*'], message: 'the renderer runs in a sandboxed page: no Node modules.' },
  ],
};

// The main process is a thin shell (windows, menus, dialogs, safeStorage, IPC): its business
// goes through app/host's handlers. So from app/ it may import only the contract and the host.
const mainMayNotImport = {
  patterns: [
    {
      group: ['**/app/*', '!**/app/contract', '!**/app/contract/*', '!**/app/host', '!**/app/host/*'],
      allowTypeImports: true,
      message: 'main/ holds no business logic: call app/host (handlers, bootstrap) instead of the core.',
    },
    { group: ['**/renderer/**', '**/renderer'], message: 'main/ may not import the renderer.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-results/**', 'playwright-report/**', 'resources/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-eval': 'error',
      'no-new-func': 'off',
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', appMayNotImport] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', rendererMayNotImport] },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', mainMayNotImport] },
  },
);
