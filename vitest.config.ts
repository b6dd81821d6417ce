import { defineConfig } from 'vitest/config';

// One configuration for the whole monorepo, run from the root. Packages resolve to their sources through the
// `@envision/source` export condition, so the tests need no build.
export default defineConfig({
  resolve: { conditions: ['@envision/source'] },
  ssr: { resolve: { conditions: ['@envision/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
