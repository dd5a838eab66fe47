/**
 * Issue 13 point 4, "when the console closes on DONE it leaves only 'backfill DONE: N/N days'": a
 * real console (`gapctl backfill` in a node-pty pseudo-terminal) on a short simulated range closes
 * by itself once the range is DONE, leaves the alternate screen, and the lines it prints after that
 * (what stays in the operator's scrollback) are the short summary of ui/summary.ts: the end state
 * and days, hits per rule, proven days, validations, alerts and where the exports are. The summary's
 * wording is tested in test/ui/instant.test.tsx; this tests that the closing console prints it.
 * Needs `npm run build` (dist/cli.js).
 */
import pty from 'node-pty';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { startConsole, type PtyConsole } from './pty-console.js';

const running: PtyConsole[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of running.splice(0)) await c.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the console closing on DONE', () => {
  it('prints the short summary after leaving the alternate screen: hits per rule, proven days, validations, alerts, exports', async () => {
    const dir = tempDir('gapctl-pty-done-');
    dirs.push(dir);
    const c = startConsole({
      spawn: pty.spawn,
      root: REPO_ROOT,
      dir,
      cols: 120,
      rows: 40,
      // two trading days, no validation: DONE in seconds; the console closes by itself
      args: [
        'backfill',
        '--market',
        'sim:5',
        '--start',
        '2024-01-02',
        '--end',
        '2024-01-03',
        '--validate',
        'none',
        '--skip-phase0',
      ],
      env: { SIM_TICKERS: '1000' },
    });
    running.push(c);
    const exit = await c.exited;
    const raw = c.raw();
    expect(exit.exitCode).toBe(0);
    // what was written after the console last left the alternate screen
    const left = raw.lastIndexOf('\x1b[?1049l');
    expect(left).toBeGreaterThan(-1);
    const after = raw
      .slice(left)
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
      .replace(/\r/g, '');
    expect(after).toMatch(/backfill DONE: 2\/2 days {2}2024-01-02 -> 2024-01-03 {2}market sim:5/);
    expect(after).toMatch(/^ {2}hits {9}R1 \d+ {2}R2 \d+ {2}R3 \d+ {2}R4 \d+ {2}\(\d+ discover/m);
    expect(after).toMatch(/^ {2}proven {7}\d+\/2 complete days/m);
    expect(after).toMatch(/^ {2}validations {2}none in this run/m);
    expect(after).toMatch(/^ {2}alerts {7}/m);
    expect(after).toMatch(/^ {2}exports {6}\S*exports \(2024-01\)/m);
  }, 120_000);
});
