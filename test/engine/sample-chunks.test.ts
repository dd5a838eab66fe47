/**
 * The bundled real sample backfilled in chunks, with SIGKILLs in between, ends byte-identical to one
 * clean run (issue 4, must hold): the same hits and rules (the whole store, less run times and
 * request counters), every export CSV byte for byte, the provider-overlap reports, the state file
 * and one task-log entry per month.
 *
 * Chunks: one month (--max-months 1, exit 0), then runs killed inside a day's transaction, in the
 * middle of a provider reply, while an export is half written and at the start of a day's R4 stage,
 * then a run that finishes. The first run sets the range; every later run is the same command
 * (`gapctl backfill`, spot validation, phase 0), so each is a resume from current_state.json.
 *
 * The range is the sample's first 31 trading days, 2018-01-03 .. 2018-02-15 (two months, the second
 * one cut in its middle like the sample's default range 2018-01-03 .. 2018-04-10), not all 67: the
 * chunking by month, the four kill points and the final resume all happen in it, and the clean
 * reference run costs half as much. The kill points count from each run's start (the 3rd store
 * commit, the 150th HTTP reply, the 3rd file rename, the 2nd R4 stage), so each kills the run within
 * a few days and leaves days for the next run (checked: each run is killed, not finished).
 *
 * The market is the small dataset derived from the bundled sample, without its quiet filler
 * (test/helpers/small-sample.ts, `fillerEvery: 0`): every day of the range and every ticker that can
 * hit a rule or has premarket rows, at a fraction of the cost; chunking and crash recovery do not
 * depend on how many quiet tickers a day has.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { backfillOutcome, runEnv } from '../helpers/outcome.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const MARKET = `replay:${smallSample({ fillerEvery: 0 })}`;
const RANGE = ['--start', '2018-01-03', '--end', '2018-02-15'];

function gapctl(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--market', MARKET], {
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

describe('the bundled sample in chunks with SIGKILL in between', () => {
  it('ends byte-identical to one clean run', async () => {
    const clean = runEnv(tempDir());
    const ref = await gapctl(clean.env, 'backfill', ...RANGE);
    expect(ref.code, ref.out.slice(-500)).toBe(0);
    const reference = backfillOutcome(clean.dirs);
    expect(reference.state).toMatchObject({
      status: 'DONE',
      range: { start: '2018-01-03', end: '2018-02-15' },
    });
    expect(reference.store.day_completeness).toHaveLength(31);
    expect(reference.taskLogHeadings).toHaveLength(2);

    const root = tempDir();
    const chunk = await gapctl(runEnv(root).env, 'backfill', ...RANGE, '--max-months', '1');
    expect(chunk.code, chunk.out.slice(-500)).toBe(0);
    expect(chunk.out).toContain('--max-months 1 reached');
    for (const point of ['store.commit:3', 'http.response:150', 'file.rename:3', 'stage:R4:2']) {
      const r = await gapctl(runEnv(root, { GAPCTL_FAILPOINT: point }).env, 'backfill');
      expect(r.signal, `${point} not reached: ${r.out.slice(-300)}`).toBe('SIGKILL');
    }
    const last = await gapctl(runEnv(root).env, 'backfill');
    expect(last.code, last.out.slice(-500)).toBe(0);
    expect(backfillOutcome(runEnv(root).dirs)).toEqual(reference);
  }, 240_000);
});
