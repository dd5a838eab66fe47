/**
 * Issue 10 point 2: `--no-proof` opts a run out of the R1 proof (R1_PROOF=off for that run only), and
 * such a run says plainly that its days are unproven: at its start, on each day line, in its end line
 * and in `gapctl status` (dist/cli.js on a tiny simulated market, plain output).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { runEnv } from '../helpers/outcome.js';
import { gapctlInProcess } from '../helpers/cli-inprocess.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function gapctl(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--no-proof', () => {
  it('backfill --no-proof: said at start, on each day, at the end and in status; the state file records proof off', () => {
    const { env, dirs } = runEnv(tempDir(), { SIM_TICKERS: '300' });
    const r = gapctl(
      env,
      'backfill',
      '--market',
      'sim:3',
      '--start',
      '2024-01-02',
      '--end',
      '2024-01-03',
      '--validate',
      'none',
      '--skip-phase0',
      '--no-proof',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    // at start, before any day line
    const start = lines.findIndex((l) =>
      /^\[backfill\] proof off for this run \(--no-proof or R1_PROOF=off\): the days it scans stay UNPROVEN/.test(
        l,
      ),
    );
    const firstDay = lines.findIndex((l) => /^2024-01-02 COMPLETE/.test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(firstDay).toBeGreaterThan(start);
    expect(r.out).toMatch(/^\[backfill\] start 2024-01-02\.\.2024-01-03 .* proof=off$/m);
    // each day
    expect(r.out).toMatch(
      /^2024-01-02 COMPLETE  hits \d+ \(R1 \d+ R2 \d+ R3 \d+ R4 \d+\)  UNPROVEN \(sampled\)  /m,
    );
    expect(r.out).toMatch(
      /^2024-01-03 COMPLETE  hits \d+ \(R1 \d+ R2 \d+ R3 \d+ R4 \d+\)  UNPROVEN \(sampled\)  /m,
    );
    // the end
    expect(lines.at(-1)).toMatch(
      /^end DONE  2\/2 days  hits R1 \d+ R2 \d+ R3 \d+ R4 \d+  UNPROVEN 2 of 2 complete days \(proof off: --no-proof or R1_PROOF=off\)$/,
    );
    const state = JSON.parse(readFileSync(join(dirs.stateDir, 'current_state.json'), 'utf8')) as {
      proof?: string;
    };
    expect(state.proof).toBe('off');
    // status
    const st = gapctl(env, 'status');
    expect(st.code).toBe(0);
    expect(st.out).toMatch(/^market\s+sim:3\s+R1 mode prefilter\s+proof off$/m);
    expect(st.out).toMatch(
      /^ {2}note {8}proof was OFF for this backfill \(--no-proof or R1_PROOF=off\): the days it scanned are UNPROVEN/m,
    );
    expect(st.out).toMatch(
      /^proof\s+proven 0 of 2 scanned days \(sampled 2\); unproven: 2024-01-02\.\.2024-01-03$/m,
    );
  }, 60_000);

  it('scan-day --no-proof: the day is COMPLETE and says UNPROVEN; backfill --help documents the flag', async () => {
    const { env } = runEnv(tempDir(), { SIM_TICKERS: '300' });
    const r = gapctl(env, 'scan-day', '--market', 'sim:3', '--date', '2024-01-03', '--no-proof');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^proof off for this run/m);
    expect(r.out).toMatch(/^2024-01-03 COMPLETE +hits \d+ .*  UNPROVEN \(sampled\)$/m);
    // The help texts through the CLI's main in this process (their subject is the text).
    expect((await gapctlInProcess(['backfill', '--help'], { env })).out).toMatch(
      /--no-proof +opt out of the R1 proof for this run \(R1_PROOF=off\)/,
    );
    expect((await gapctlInProcess(['scan-range', '--help'], { env })).out).toContain('--no-proof');
  }, 60_000);
});
