import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/**', 'public/build/**', 'node_modules/**', 'n8n-runtime/**', '.data/**', 'e2e/.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is read in one place (app/lib/env.server.ts).
      'no-restricted-properties': ['warn', { object: 'process', property: 'env', message: 'Read settings through app/lib/env.server.ts' }],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'e2e/**', 'bench/**', '**/*.test.ts', 'app/lib/env.server.ts', 'db/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
