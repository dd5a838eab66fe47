#!/usr/bin/env node
/**
 * Keypress-to-screen latency of the console in a real terminal, outside vitest (after
 * `npm run build`): runs the key sequence of test/terminal/sequence.ts (p r ← R y v e y ? q q s) on
 * `gapctl backfill --market sim:5 ...` in a node-pty pseudo-terminal, `--runs` times, and prints the
 * latency of every key and the p50/p95/max of each key and over all presses (issue 13: p95 under
 * 50 ms for every key). Nothing here asserts on time.
 *
 * Latency of a key = time from pty.write(key) to the first output chunk after which the key's
 * expected text is on the parsed screen (emulator: test/terminal/screen.ts). Keys whose expected
 * text comes from the engine (p -> PAUSING, r -> RUNNING, y/v/e -> "N queued") include the round
 * trip through the engine worker and its 150 ms snapshot cadence; the others (R, e prompts, ?, q)
 * are the UI alone. Ink draws at most 12 frames a second, so up to ~83 ms of any figure is the
 * frame throttle.
 *
 * The shared TypeScript (test/terminal/{screen,pty-console,sequence}.ts) is transpiled with the
 * TypeScript compiler (a devDependency) into a temp folder and imported, so the bench runs exactly
 * the test's sequence. node-pty and @xterm/headless (the emulator) are devDependencies too: this
 * bench needs a dev install.
 *
 * Options: --runs N (default 3), --cols C --rows R (default 120x40), --latency MS (emulated Theta
 * latency, default 20), --json PATH (also write the figures as JSON).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { recordRun } from './history.js';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import pty from 'node-pty';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    cols: { type: 'string', default: '120' },
    rows: { type: 'string', default: '40' },
    latency: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const runs = Number(args.runs);
const cols = Number(args.cols);
const rows = Number(args.rows);
if (!(runs >= 1 && cols >= 80 && rows >= 24)) {
  console.error('console-keys: --runs must be >= 1 and the terminal at least 80x24');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist/cli.js'))) {
  console.error('console-keys: dist/cli.js is missing: run npm run build first');
  process.exit(2);
}

/**
 * Transpiles the shared test modules into a temp folder and imports the sequence module. The folder
 * is inside node_modules/.cache so that screen.js resolves its `@xterm/headless` import.
 */
async function loadShared() {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'gapctl-console-keys-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  for (const name of ['screen', 'pty-console', 'sequence']) {
    const src = readFileSync(join(ROOT, 'test/terminal', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(out, `${name}.js`), js);
  }
  const pc = await import(pathToFileURL(join(out, 'pty-console.js')).href);
  const seq = await import(pathToFileURL(join(out, 'sequence.js')).href);
  return { out, pc, seq };
}

const { out, pc, seq } = await loadShared();
const ARGS = [...seq.CONSOLE_ARGS];
const { KEYMAP } = await import(pathToFileURL(join(ROOT, 'dist/ui/keymap.js')).href);
const helpTexts = KEYMAP.filter(
  (b) =>
    b.scope === 'main' &&
    ['pause', 'resume', 'rerun', 'validate', 'export', 'help', 'quit'].includes(b.action),
).map((b) => b.help);

/**
 * The console process's main (UI) thread times, ns: on CPU and waiting for a CPU (run queue), from
 * /proc/PID/task/PID/schedstat (Linux; null elsewhere).
 */
function threadTimes(pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return { run, wait };
  } catch {
    return null;
  }
}

/**
 * Adds to every measured press the UI thread's CPU time and its run-queue wait between the write
 * and the satisfying chunk (ms), so a figure taken on a busy machine says how much of it was the
 * console's own work and how much was waiting for a CPU.
 */
function withThreadTimes(c, pidOf) {
  const press = c.press;
  c.press = async (...a) => {
    const t0 = threadTimes(pidOf());
    const r = await press(...a);
    const t1 = threadTimes(pidOf());
    if (t0 && t1) {
      r.uiCpuMs = Math.round((t1.run - t0.run) / 1e5) / 10;
      r.uiWaitMs = Math.round((t1.wait - t0.wait) / 1e5) / 10;
    }
    return r;
  };
}

const all = [];
const perRun = [];
try {
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'gapctl-console-keys-run-'));
    mkdirSync(dir, { recursive: true });
    let pid = null;
    const spawn = (file, a, o) => {
      const p = pty.spawn(file, a, o);
      pid = p.pid;
      return p;
    };
    const c = pc.startConsole({
      spawn,
      root: ROOT,
      dir,
      cols,
      rows,
      args: ARGS,
      env: { EMU_THETA_LATENCY_MS: args.latency },
    });
    withThreadTimes(c, () => pid);
    try {
      const t0 = performance.now();
      const r = await seq.runKeySequence(c, { helpTexts });
      const tStop = performance.now();
      const exit = await c.exited;
      const exitMs = Math.round(performance.now() - tStop);
      perRun.push({
        run: i + 1,
        presses: r.presses,
        exitCode: exit.exitCode,
        sToExitMs: exitMs,
        sequenceMs: Math.round(tStop - t0),
      });
      all.push(...r.presses);
      console.log(
        `run ${i + 1}: ${r.presses.map((p) => `${p.key} ${p.latencyMs}${p.uiCpuMs !== undefined ? ` (cpu ${p.uiCpuMs} wait ${p.uiWaitMs})` : ''}`).join('  ')}  | exit ${exit.exitCode} ${exitMs} ms after s`,
      );
    } finally {
      await c.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const byKey = new Map();
for (const p of all) {
  const list = byKey.get(p.key) ?? { expect: p.expect, presses: [] };
  list.presses.push(p);
  byKey.set(p.key, list);
}
const machine = { cpus: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
console.log(
  `\nkeypress-to-screen latency, ${cols}x${rows}, ${runs} run(s), EMU_THETA_LATENCY_MS=${args.latency}, ${machine.cpus} CPUs, load ${machine.loadavg.join(' ')}`,
);
console.log(
  '(ms from pty.write(key) to the first output chunk after which the expected text is on the parsed screen;',
);
console.log(
  " cpu = the UI thread on a CPU meanwhile, wait = the UI thread ready but waiting for a CPU: the machine's load)",
);
const keys = [];
const mean = (xs) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;
for (const [key, { expect, presses }] of byKey) {
  const s = seq.latencySummary(presses);
  const cpu = mean(presses.filter((p) => p.uiCpuMs !== undefined).map((p) => p.uiCpuMs));
  const wait = mean(presses.filter((p) => p.uiWaitMs !== undefined).map((p) => p.uiWaitMs));
  keys.push({ key, expect, ...s, uiCpuMsMean: cpu, uiWaitMsMean: wait });
  console.log(
    `  ${key.padEnd(15)} p50 ${String(s.p50).padStart(6)}  p95 ${String(s.p95).padStart(6)}  max ${String(s.max).padStart(6)}  n ${s.n}  cpu ${String(cpu ?? '-').padStart(5)}  wait ${String(wait ?? '-').padStart(5)}   ${expect}`,
  );
}
const summary = seq.latencySummary(all);
summary.uiCpuMsMean = mean(all.filter((p) => p.uiCpuMs !== undefined).map((p) => p.uiCpuMs));
summary.uiWaitMsMean = mean(all.filter((p) => p.uiWaitMs !== undefined).map((p) => p.uiWaitMs));
console.log(
  `  ${'all keys'.padEnd(15)} p50 ${String(summary.p50).padStart(6)}  p95 ${String(summary.p95).padStart(6)}  max ${String(summary.max).padStart(6)}  n ${summary.n}  cpu ${String(summary.uiCpuMsMean ?? '-').padStart(5)}  wait ${String(summary.uiWaitMsMean ?? '-').padStart(5)}`,
);
const worst = keys.reduce((a, k) => (k.p95 > a.p95 ? k : a), keys[0]);
console.log(
  `  worst key p95 ${worst.p95} ms (${worst.key})${worst.p95 < 50 ? '  < 50 ms' : '  NOT under 50 ms'}`,
);
const figures = { cols, rows, latencyMs: Number(args.latency), summary, keys, runs: perRun };
if (args.json)
  writeFileSync(
    args.json,
    JSON.stringify(
      { at: new Date().toISOString(), node: process.version, machine, ...figures },
      null,
      2,
    ) + '\n',
  );
recordRun('console-keys', figures);
