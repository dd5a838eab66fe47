/**
 * Real-terminal test of the console (issue 5): `gapctl backfill` on a simulated market in a
 * node-pty pseudo-terminal, its screen read by the emulator of ./screen.ts. At 120x40 it runs the
 * key sequence of ./sequence.ts (p r ← R y v e y ? q q s) and checks each screen (PAUSING/PAUSED,
 * RUNNING, the rerun confirmation naming the COMPLETE day, "N queued" after each command, the export
 * confirmation with its range and day count, the help listing the keys, the quit prompt); the process exits
 * with backfillCommand's contract for a stopped backfill (1, "backfill STOPPED"), the engine got
 * the rerun/validate/export commands, and the terminal is restored: the stream leaves the alternate
 * screen after it last entered it, shows the cursor, and `stty` in the same pty afterwards shows the
 * settings from before (icanon, echo). At 80x24 the dashboard fits in 23 rows; at 60x20 the
 * too-small screen shows and q still quits.
 *
 * The simulated universe is SIM_TICKERS=1000 (not 11,000): the console's screens and keys do not
 * depend on its size, and each simulated day costs about a fifth of the CPU (days still take about
 * a second: the emulated Theta latency of 20 ms paces them, see ./pty-console.ts).
 *
 * Keypress-to-screen latencies are written as JSON to $GAPCTL_PTY_METRICS when that is set; the
 * test never asserts on time. Needs `npm run build` (dist/cli.js).
 */
import pty from 'node-pty';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KEYMAP } from '../../source/ui/keymap.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { startConsole, type KeyPress, type PtyConsole } from './pty-console.js';
import {
  CONSOLE_ARGS,
  headerState,
  latencySummary,
  quitPromptShown,
  runKeySequence,
} from './sequence.js';

const ARGS = [...CONSOLE_ARGS];
/** Help texts of the keys the sequence presses: the `?` overlay must list them. */
const HELP_TEXTS = KEYMAP.filter(
  (b) =>
    b.scope === 'main' &&
    ['pause', 'resume', 'rerun', 'validate', 'export', 'help', 'quit'].includes(b.action),
).map((b) => b.help);

const running: PtyConsole[] = [];
const dirs: string[] = [];
const metrics: { run: string; presses: KeyPress[]; sToExitMs: number }[] = [];

function start(cols: number, rows: number): PtyConsole {
  const dir = tempDir('gapctl-pty-');
  dirs.push(dir);
  const c = startConsole({
    spawn: pty.spawn,
    root: REPO_ROOT,
    dir,
    cols,
    rows,
    args: ARGS,
    ttyProbe: true,
    env: { SIM_TICKERS: '1000' },
  });
  running.push(c);
  return c;
}

afterEach(async () => {
  for (const c of running.splice(0)) await c.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

afterAll(() => {
  const path = process.env.GAPCTL_PTY_METRICS;
  if (!path) return;
  const all = metrics.flatMap((m) => m.presses);
  const machine = { cpus: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
  writeFileSync(
    path,
    JSON.stringify(
      { at: new Date().toISOString(), machine, summary: latencySummary(all), runs: metrics },
      null,
      2,
    ) + '\n',
  );
});

/**
 * Waits for the exit and checks the contract of a stopped backfill and the restored terminal.
 * Returns ms from the call (just after `s` left the alternate screen) to the exit.
 */
async function expectStoppedAndRestored(c: PtyConsole): Promise<number> {
  const t0 = performance.now();
  const exit = await Promise.race([
    c.exited,
    new Promise<never>((_, rej) =>
      setTimeout(() => rej(new Error(`no exit within 60 s\n${c.screen.text()}`)), 60_000).unref(),
    ),
  ]);
  // backfillCommand returns 0 only for DONE; a backfill stopped by the operator is STOPPED -> 1
  expect(exit.exitCode).toBe(1);
  expect(c.screen.text()).toMatch(/backfill STOPPED/);
  const raw = c.raw();
  expect(raw.lastIndexOf('\x1b[?1049h')).toBeGreaterThanOrEqual(0);
  expect(raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(raw.lastIndexOf('\x1b[?1049h'));
  expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'));
  expect(c.screen.altScreen).toBe(false);
  expect(c.screen.cursorVisible).toBe(true);
  const tty = c.ttyProbe();
  expect(tty.before).toBeTruthy();
  expect(tty.after).toBe(tty.before);
  expect(tty.flagsAfter).toContain('icanon');
  expect(tty.flagsAfter).toContain('echo');
  expect(tty.flagsAfter).not.toContain('-icanon');
  expect(tty.flagsAfter).not.toContain('-echo');
  return Math.round(performance.now() - t0);
}

describe('console in a real terminal (node-pty)', () => {
  it('120x40: p r R v e ? q each change the screen; stop exits 1 and restores the terminal', async () => {
    const c = start(120, 40);
    const r = await runKeySequence(c, { helpTexts: HELP_TEXTS });

    expect(r.pausedHeader).toMatch(/PAUSED|PAUSING +pausing, \d+ in flight/);
    expect(r.rerunPrompt).toContain(`rerun ${r.day}`);
    expect(r.rerunPrompt).toMatch(/COMPLETE/);
    expect(r.exportRange.start.slice(0, 7)).toBe(r.day.slice(0, 7));
    expect(r.exportRange.end >= r.exportRange.start).toBe(true);
    // a confirmation, when there is one, previews the day count
    if (r.exportPrompt !== null) expect(r.exportRange.days).toBeGreaterThan(0);
    expect(r.quitPrompt).toMatch(/\[s\]top|\bstop/);
    expect(r.quitPrompt).toMatch(/\[d\]etach|\bdetach/);
    // every frame at most rows - 1 lines: no full-screen clear, no scrolling on the alternate screen
    expect(c.maxAltRowsUsed()).toBeLessThanOrEqual(39);
    expect(c.screen.stats.altScrolls).toBe(0);
    expect(c.screen.stats.clears).toBe(0);

    metrics.push({
      run: '120x40',
      presses: r.presses,
      sToExitMs: await expectStoppedAndRestored(c),
    });
    // the engine received the commands the keys sent (rerun, validate, export queue behind the backfill)
    const appLog = join(c.dir, 'logs', 'gapctl.log');
    expect(existsSync(appLog)).toBe(true);
    const log = readFileSync(appLog, 'utf8');
    expect(log).toContain(`rerun ${r.day} queued`);
    expect(log).toContain(`validate ${r.day} queued`);
    expect(log).toContain(`export ${r.exportRange.start}..${r.exportRange.end} queued`);
    // quit + stop stops the engine: the queued commands are dropped, not run after the console closed
    expect(log).toContain('[console] quit: 3 queued command(s) dropped');
    expect(log).not.toContain(`[console] rerun ${r.day} COMPLETE`);
  });

  it('80x24: the dashboard fits in 23 rows; q, s exits and restores the terminal', async () => {
    const c = start(80, 24);
    await c.waitFor(headerState('RUNNING'), 'the dashboard with RUNNING', 60_000);
    // watch several frames (two days finish) before judging the height
    await c.waitFor((s) => /\b([2-9]|\d\d+)\/\d+ days\b/.test(s.text()), 'two days done', 60_000);
    const s = c.screen;
    expect(s.line(0)).toMatch(/\? help/);
    expect(s.lines().some((l) => /\bq quit\b/.test(l))).toBe(true);
    expect(c.maxAltRowsUsed()).toBeLessThanOrEqual(23);
    expect(s.stats.altScrolls).toBe(0);
    expect(s.stats.clears).toBe(0);
    const presses: KeyPress[] = [];
    presses.push(await c.press('q', 'q', quitPromptShown, 'quit prompt'));
    presses.push(await c.press('s', 's (stop)', (x) => !x.altScreen, 'alternate screen left'));
    metrics.push({ run: '80x24', presses, sToExitMs: await expectStoppedAndRestored(c) });
  });

  it('60x20: the too-small screen names both sizes; q still quits and restores the terminal', async () => {
    const c = start(60, 20);
    await c.waitFor(
      (s) => /too small/.test(s.text()) && s.text().includes('60x20') && s.text().includes('80x24'),
      'the too-small screen',
      60_000,
    );
    const presses: KeyPress[] = [];
    presses.push(
      await c.press(
        'q',
        'q',
        (x) => quitPromptShown(x) && /too small/.test(x.text()),
        'quit prompt on the too-small screen',
      ),
    );
    presses.push(await c.press('s', 's (stop)', (x) => !x.altScreen, 'alternate screen left'));
    metrics.push({ run: '60x20', presses, sToExitMs: await expectStoppedAndRestored(c) });
  });
});
