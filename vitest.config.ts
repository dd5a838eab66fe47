import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Builds dist/ when stale and gives the run a private TMPDIR (removed at the end).
    globalSetup: ['test/global-setup.ts'],
    // Kept at 120 s: on a busy 2-CPU machine (load 25 and more) a spawned backfill's test takes over
    // a minute; a lower bound turns load into failures. Files that need less set nothing lower on
    // purpose: a timeout is a guard against a hang, not a performance assertion.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time at least (vitest's default is CPUs - 1: one file at a time, serially,
    // on a 2-CPU CI machine). The files are parallel-safe: every test works in its own temp folder
    // (TMPDIR is private to the run, test/global-setup.ts), servers listen on port 0, the small
    // replay dataset is built in a private folder and renamed into place (test/helpers/small-sample.ts).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
