/**
 * Crash safety of a backfill (issue 4), shared by test/engine/crash-points-stages.test.ts and
 * test/engine/crash-points-io.test.ts: a real `gapctl backfill` child process is SIGKILLed at 26
 * points spread over every stage of a day (each of the ten stages, a provider reply half read,
 * inside a day's transaction) and of a month (export files half written, spot validation, the task
 * log, the resume pointer), then the same command is run again. Each resumed run must end with
 * exactly the outcome of one uninterrupted run: the same store content, the same export files byte
 * for byte, the same provider-overlap reports, state file and task-log entries
 * (test/helpers/outcome.ts).
 *
 * The 26 points are split over two files of 13 (the day's stages; replies, commits, files and the
 * month's steps) so that vitest's two workers run them side by side instead of one file holding a
 * worker for the whole of them; each file makes its own clean reference run once (beforeAll) and
 * compares every resumed run of its points with it. No point, run or assertion was dropped by the
 * split: {@link KILL_POINTS} lists all 26, and each file takes its half by name
 * (crash-points-stages: the `stage:` points; crash-points-io: the others).
 *
 * The market is the small replay dataset derived from the bundled sample without its quiet filler
 * (test/helpers/small-sample.ts, `fillerEvery: 0`: the same days, only the ~170 tickers that can hit
 * a rule or have premarket rows), so each run costs a fraction of a full-sample run (a third less
 * than with the filler: the baseline's per-symbol lookups shrink with the universe); what is
 * compared is two runs of the same data, which no universe size changes.
 *
 * The kill points are failpoints (source/util/failpoint.ts): the process kills itself with SIGKILL
 * the N-th time it passes a named point, so every kill lands exactly where the test says. A point
 * that is never reached makes the child finish normally, and the test fails.
 *
 * The children run `node --no-opt dist/cli.js ...` ({@link NODE_FLAGS}): V8 then does not compile
 * hot functions with its optimizing compiler (TurboFan), whose background compilations cost more
 * CPU than they return in a child that lives 2-5 s (a whole reference run: 2.77 -> 2.34 s of CPU,
 * -15%, mean of 4 interleaved runs at load 12). What is tested, the files, rows and renames left at
 * each failpoint, does not depend on the JIT tier: the same code runs, interpreted or baseline-compiled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { backfillOutcome, runEnv, type BackfillOutcomeDump } from '../helpers/outcome.js';
import { smallSample } from '../helpers/small-sample.js';

/**
 * The validation baseline by per-symbol Polygon lookups (not the day's flat file, the default since
 * 454c181): the kill points counted in HTTP responses (http.response:270) fall in its lookups.
 */
const PINNED = { BASELINE_PM_SOURCE: 'polygon' };

const CLI = join(REPO_ROOT, 'dist/cli.js');
/** V8 flags of every child (see the module comment): no optimizing compiler in a short process. */
const NODE_FLAGS = ['--no-opt'];
/** Three days over a month end: two month exports, every day spot-validated (two a month at most). */
const ARGS = [
  'backfill',
  '--start',
  '2018-01-31',
  '--end',
  '2018-02-02',
  '--validate',
  'spot',
  '--skip-phase0',
  '--market',
  `replay:${smallSample({ fillerEvery: 0 })}`,
];

/**
 * `name:N`: the N-th pass of failpoint `name`. Days: 1 = 2018-01-31, 2 = 2018-02-01, 3 = 2018-02-02.
 * Provider replies: the 3rd and the 60th land in day 1 (its scan makes 68), the 270th in February's
 * spot validation, among the per-symbol baseline lookups of day 2 (after the three scans, ~235
 * replies, and before day 2's validation passes; a clean run makes about 340).
 */
export const KILL_POINTS = [
  'stage:UNIVERSE:1',
  'stage:UNIVERSE:3',
  'stage:GROUPED:2',
  'stage:PREV:1',
  'stage:R2R3:2',
  'stage:R1:1',
  'stage:R1:3',
  'stage:R4:2',
  'stage:PERSIST:1',
  'stage:ENRICH:3',
  'stage:AUDIT:2',
  'stage:REPORT:1',
  'stage:REPORT:3',
  'http.response:3',
  'http.response:60',
  'http.response:270',
  'store.commit:1',
  'store.commit:2',
  'store.commit:3',
  'file.rename:1',
  'file.rename:4',
  'month.export:2',
  'month.validate:1',
  'month.validate:3',
  'tasklog.append:1',
  'state.advance:2',
] as const;

function run(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...ARGS], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

/**
 * Declares one file's crash tests: the clean reference run (beforeAll) and its completeness test,
 * then for each of `points` (a subset of {@link KILL_POINTS}) a run SIGKILLed at it and a resumed
 * run whose outcome must equal the reference's.
 */
export function crashPointSuite(title: string, points: readonly string[]): void {
  let reference: BackfillOutcomeDump;

  beforeAll(async () => {
    const { env, dirs } = runEnv(tempDir(), PINNED);
    const r = await run(env);
    expect(r.code, r.out).toBe(0);
    reference = backfillOutcome(dirs);
  }, 120_000);

  describe(title, () => {
    it('the reference run is complete: three days, two months, hits and exports', () => {
      expect(reference.state).toMatchObject({
        status: 'DONE',
        last_completed_day: '2018-02-02',
        last_completed_month: '2018-02',
      });
      expect(reference.taskLogHeadings).toHaveLength(2);
      expect(reference.store.day_completeness).toHaveLength(3);
      expect(reference.store.discovery_hits!.length).toBeGreaterThan(0);
      expect(reference.store.diffs).toHaveLength(3);
      expect(Object.keys(reference.exports).length).toBeGreaterThan(2);
      // Per day: the spec's provider_overlap_<date>.csv and the proof's premarket overlap (flat file vs Theta).
      const overlap = Object.keys(reference.overlap);
      expect(overlap.filter((n) => !n.includes('provider_overlap_pm_'))).toHaveLength(3);
      expect(overlap.filter((n) => n.includes('provider_overlap_pm_'))).toHaveLength(3);
    });

    it.each(points)(
      'killed at %s, resumed: the same outcome as one clean run',
      async (point) => {
        const { env, dirs } = runEnv(tempDir(), { ...PINNED, GAPCTL_FAILPOINT: point });
        const killed = await run(env);
        expect(killed.signal, `failpoint ${point} was not reached: ${killed.out.slice(-300)}`).toBe(
          'SIGKILL',
        );
        const { env: again } = runEnv(join(dirs.db, '..', '..'), PINNED);
        const resumed = await run(again);
        expect(resumed.code, resumed.out).toBe(0);
        expect(backfillOutcome(dirs)).toEqual(reference);
      },
      240_000,
    );
  });
}
