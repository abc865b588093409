import { defineConfig } from 'vitest/config';

// Unit and property tests: they sit next to their source in every package and in the site.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'site/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
