import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The slowest files first (measured in a whole-suite run), so that on a clean clone, which has no
 * vitest results cache, the long files do not start last and leave one worker idle at the end
 * (vitest's own order without a cache is the largest file first, and the crash-point files are
 * small files that spawn ~26 child processes each). Every other file keeps vitest's order after them.
 * validate-gates left the list when it moved to the small replay dataset (about 6 s instead of 15 s
 * in a quiet run, estimated from its CPU time); console-pty (about 15 s, paced by its emulated
 * latency) took its place.
 */
const SLOWEST_FIRST = [
  'test/engine/crash-points-io.test.ts',
  'test/engine/crash-points-stages.test.ts',
  'test/runtime/headless.test.ts',
  'test/engine/sample-chunks.test.ts',
  'test/engine/sim-zero-miss.test.ts',
  'test/runtime/worker.test.ts',
  'test/cli/validate-stop.test.ts',
  'test/terminal/console-pty.test.ts',
  'test/cli/backfill-input.test.ts',
  'test/cli/store-access.test.ts',
];

/** vitest's sequencer with {@link SLOWEST_FIRST} moved to the front, in that order. */
class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    return rest
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}

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
    sequence: { sequencer: SlowestFirstSequencer },
    // Two test files at a time at least (vitest's default is CPUs - 1: one file at a time, serially,
    // on a 2-CPU CI machine). The files are parallel-safe: every test works in its own temp folder
    // (TMPDIR is private to the run, test/global-setup.ts), servers listen on port 0, the small
    // replay dataset is built in a private folder and renamed into place (test/helpers/small-sample.ts).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
