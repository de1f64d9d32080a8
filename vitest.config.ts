import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '~': path.resolve(import.meta.dirname, 'app') };
const exclude = ['**/node_modules/**', 'build/**', 'n8n-runtime/**', '.data/**'];
// Pure engines: no database, no services.
const pure = [
  'workflow-compiler/**/*.test.ts',
  'worker/enrichment/**/*.test.ts',
  'worker/scoring/**/*.test.ts',
  'app/lib/import/**/*.test.ts',
  'app/components/flow/**/*.test.ts',
  'app/lib/time-zone.test.ts',
];

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: ['./test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: pure, exclude, setupFiles: ['./test/setup.ts'], testTimeout: 30_000 } },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['**/*.test.ts', '**/*.test.tsx'],
          exclude: [...exclude, ...pure],
          globalSetup: ['./test/global-setup.ts'],
          setupFiles: ['./test/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
