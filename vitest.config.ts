import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Replays of the corpus with --db would ask the OS resolver for the PTR names of real addresses:
    // the tests send no traffic off this machine (the PTR tests use their own DNS server on loopback
    // and turn lookups on explicitly).
    env: { DECKSCOPE_PTR: 'off' },
    reporters: ['default'],
  },
});
