#!/usr/bin/env node
/**
 * The console's own cost during a simulated backfill, in a real pseudo-terminal (node-pty):
 * `node bench/console-ui.js` (after `npm run build`). Not a test; prints figures and writes
 * bench/results/console-ui.json.
 *
 * 1. Runs `gapctl backfill --market sim:3 --start 2024-01-02 --end 2024-02-29 --validate none
 *    --skip-phase0` in a 120x40 pty with GAPCTL_UI_METRICS set: the console writes, when it closes
 *    (it closes by itself when the range is DONE), its frames, frames per second, the main (UI)
 *    thread's event-loop utilisation (perf_hooks) and the process CPU time (process.cpuUsage, every
 *    thread, the engine worker included). The UI thread's CPU share is its event-loop utilisation:
 *    the share of wall time the main thread was busy (rendering, reducing snapshots, following the
 *    day log); the engine runs in its worker thread.
 * 2. Runs the same backfill with --no-tui (plain lines, no Ink) under /usr/bin/time, to compare the
 *    process CPU with and without the console.
 *
 * Options: --cols N (120), --rows N (40), --market M (sim:3), --start D, --end D, --no-compare,
 * --timeout S (600: then q, s is pressed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { recordRun } from './history.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pty = require('node-pty');

const { values: args } = parseArgs({
  options: {
    cols: { type: 'string', default: '120' },
    rows: { type: 'string', default: '40' },
    market: { type: 'string', default: 'sim:3' },
    start: { type: 'string', default: '2024-01-02' },
    end: { type: 'string', default: '2024-02-29' },
    'no-compare': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
  },
});

const CLI = join(ROOT, 'dist/cli.js');
if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(2);
}
const backfillArgs = [
  'backfill',
  '--market',
  args.market,
  '--start',
  args.start,
  '--end',
  args.end,
  '--validate',
  'none',
  '--skip-phase0',
];

function envFor(dir) {
  const env = { ...process.env, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.NO_COLOR;
  return {
    ...env,
    GAPCTL_DB: join(dir, 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'ps'),
    GAPCTL_EXPORT_DIR: join(dir, 'ex'),
    GAPCTL_REPORTS_DIR: join(dir, 'rep'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
  };
}

function round(x, d = 2) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Runs the backfill in the console in a pty; resolves with the console's metrics and what the pty saw. */
function inConsole() {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-ui-'));
  const metricsPath = join(dir, 'ui-metrics.json');
  const cols = Number(args.cols);
  const rows = Number(args.rows);
  const t0 = performance.now();
  const child = pty.spawn(process.execPath, [CLI, ...backfillArgs], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: ROOT,
    env: { ...envFor(dir), GAPCTL_UI_METRICS: metricsPath },
  });
  let bytes = 0;
  let tail = '';
  child.onData((d) => {
    bytes += Buffer.byteLength(d);
    tail = (tail + d).slice(-4000);
  });
  return new Promise((resolveRun) => {
    const guard = setTimeout(
      () => {
        console.error(`console-ui: no end after ${args.timeout} s, pressing q then s`);
        child.write('q');
        setTimeout(() => child.write('s'), 500);
      },
      Number(args.timeout) * 1000,
    );
    child.onExit(({ exitCode }) => {
      clearTimeout(guard);
      const wallS = (performance.now() - t0) / 1000;
      const metrics = existsSync(metricsPath)
        ? JSON.parse(readFileSync(metricsPath, 'utf8'))
        : null;
      const last =
        tail
          .split('\n')
          .map((l) => l.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').trim())
          .filter(Boolean)
          .pop() ?? '';
      rmSync(dir, { recursive: true, force: true });
      resolveRun({
        exitCode,
        wallS: round(wallS),
        ptyBytes: bytes,
        bytesPerS: round(bytes / wallS, 0),
        lastLine: last,
        metrics,
      });
    });
  });
}

/** The same backfill with --no-tui under /usr/bin/time: wall and process CPU seconds without the console. */
function plain() {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-ui-'));
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S', process.execPath, CLI, ...backfillArgs, '--no-tui'],
    { env: envFor(dir), encoding: 'utf8', cwd: ROOT },
  );
  const [wall, user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  rmSync(dir, { recursive: true, force: true });
  return {
    exitCode: r.status,
    wallS: wall,
    cpuS: round(user + sys),
    cpuShare: round((user + sys) / wall, 3),
  };
}

const ui = await inConsole();
const m = ui.metrics;
if (!m) {
  console.error(
    `console-ui: the console wrote no metrics (exit ${ui.exitCode}; last line: ${ui.lastLine})`,
  );
  process.exit(1);
}
console.log(
  `console ${m.columns}x${m.rows}: ${args.market} ${args.start}..${args.end}  exit ${ui.exitCode}  wall ${ui.wallS}s (console up ${m.seconds}s)\n` +
    `  frames ${m.frames} (${m.fps}/s; Ink renders ${m.renders}, mean ${m.renderMsMean} ms)  tallest frame ${m.maxFrameLines} lines (rows - 1 = ${m.rows - 1})\n` +
    `  UI thread busy ${round(m.eventLoopUtilization * 100, 1)}% of wall time (event-loop utilisation)\n` +
    `  process CPU ${round((m.cpuUserMs + m.cpuSystemMs) / 1000)}s (user ${round(m.cpuUserMs / 1000)} sys ${round(m.cpuSystemMs / 1000)}) = ${round(m.processCpuShare * 100, 1)}% of one core, engine worker included\n` +
    `  terminal output ${ui.ptyBytes} bytes (${ui.bytesPerS} B/s)`,
);
const results = {
  at: new Date().toISOString(),
  node: process.version,
  args: backfillArgs,
  console: ui,
};
if (!args['no-compare']) {
  const p = plain();
  results.plain = p;
  const uiCpuS = (m.cpuUserMs + m.cpuSystemMs) / 1000;
  console.log(
    `  same backfill with --no-tui: wall ${p.wallS}s  process CPU ${p.cpuS}s (${round(p.cpuShare * 100, 1)}% of one core)  -> the console adds ~${round(uiCpuS - p.cpuS)}s CPU`,
  );
}
recordRun('console-ui', results);
