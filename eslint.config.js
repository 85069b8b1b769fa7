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
    { group: ['**/main/**', '**/main', '**/renderer/**', '**/renderer'], message: 'app/ may not import main/ or renderer/.' },
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
);
