import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests in test/ talk to the real QuestDB and Redis
// (`npm test` starts them first through scripts/services.sh).
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'training/**/*.test.ts',
      'datasets/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
