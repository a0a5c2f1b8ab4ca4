import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Renderer component tests under tests/ use JSX too.
  esbuild: { jsx: 'automatic' },
  test: {
    include: [
      'tests/unit/**/*.test.ts',
      'tests/unit/**/*.test.tsx',
      'tests/integration/**/*.test.ts',
      'tests/e2e/**/*.test.ts',
    ],
    pool: 'forks',
    // Two cores: integration suites start servers and child processes; keep them from starving each other.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
