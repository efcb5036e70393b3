import { defineConfig } from 'vitest/config';
import { HeaviestFirst } from './test/heaviest-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Forks keep emulators and DuckDB in separate processes. Three workers on the 2-core machines the
    // suite is held to: many files wait on servers, clients, child processes and timers, and with two
    // workers a core sat idle meanwhile (2,900 tests: 343 s with two, 281 s with three, same CPU).
    pool: 'forks',
    maxWorkers: 3,
    // Each worker process runs file after file: a fresh process per file loaded the driver, the
    // emulator and DuckDB again each time (about 2 s of CPU per file, two thirds of the suite's
    // 144 smaller files). Test files close what they start (afterAll) and leave no global state.
    isolate: false,
    // the longest files start first (test/heaviest-first.ts): no worker ends the run alone on one
    sequence: { sequencer: HeaviestFirst },
  },
});
