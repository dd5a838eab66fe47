#!/usr/bin/env node
/**
 * gapctl benchmarks (`npm run bench`, after `npm run build`). Prints figures, writes them to
 * bench/results/latest.json and appends them, with the commit and the machine, to the committed
 * bench/results/history.jsonl, printing the change against the previous run (bench/history.js).
 * Never run by the tests; nothing here asserts on time.
 *
 * 1. One simulated trading day (sim:42, 2024-01-16) in prefilter and exhaustive R1 mode with an
 *    emulated Theta latency of 100 ms and a cap of 4, next to the lower bound
 *    (Theta requests x latency / cap).
 * 2. The bundled real backfill (2018-01-03 .. 2018-04-10, replay, validation on as in `npm start`)
 *    as a whole process: wall and CPU seconds, peak RSS, database size, hits per rule.
 *
 * Options: --only sim|backfill, --latency MS (default 100), --cap N (default 4), --day YYYY-MM-DD.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordRun } from './history.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    latency: { type: 'string', default: '100' },
    cap: { type: 'string', default: '4' },
    day: { type: 'string', default: '2024-01-16' },
  },
});
const results = { at: new Date().toISOString(), node: process.version };

async function simDay(mode) {
  const { loadConfig } = await import(join(ROOT, 'dist/config/index.js'));
  const { openSession, parseMarket } = await import(join(ROOT, 'dist/runtime/session.js'));
  const { scanDay } = await import(join(ROOT, 'dist/engine/day.js'));
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-'));
  const latency = Number(args.latency);
  const cap = Number(args.cap);
  const cfg = loadConfig({}, {
    GAPCTL_STATE_DIR: join(dir, 'ps'), GAPCTL_REPORTS_DIR: join(dir, 'rep'), GAPCTL_LOG_DIR: join(dir, 'logs'),
    R1_MODE: mode, THETA_V3_MAX_OUTSTANDING: String(cap), THETA_V1_MAX_OUTSTANDING: String(cap),
    EMU_THETA_LATENCY_MS: String(latency),
  });
  const session = await openSession({ cfg, market: parseMarket('sim:42'), dbPath: join(dir, 's.db'), emit: () => {} });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await scanDay(session.ctx, args.day);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = session.emulator.stats();
  const requests = stats.theta.v3.requests + stats.theta.v1.requests;
  const lowerBoundS = (requests * latency) / 1000 / cap;
  await session.close();
  rmSync(dir, { recursive: true, force: true });
  const out = {
    mode, day: args.day, status: r.status, hits: r.discoveries, thetaRequests: requests, latencyMs: latency, cap,
    wallS: round(wallS), lowerBoundS: round(lowerBoundS), overheadPct: round((wallS / lowerBoundS - 1) * 100),
    maxInFlight: stats.theta.v3.maxInFlight, rejected429: stats.theta.v3.rejected429, cpuS: round((cpu.user + cpu.system) / 1e6),
  };
  console.log(`sim day ${out.day} ${mode.padEnd(10)} ${out.status}  theta requests ${requests}  wall ${out.wallS}s  lower bound ${out.lowerBoundS}s (requests x ${latency} ms / ${cap})  overhead ${out.overheadPct}%  max in flight ${out.maxInFlight}  429s ${out.rejected429}`);
  return out;
}

function backfill() {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-'));
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env, CI: 'true',
    GAPCTL_DB: join(dir, 'scanner.db'), GAPCTL_STATE_DIR: join(dir, 'ps'), GAPCTL_EXPORT_DIR: join(dir, 'ex'),
    GAPCTL_REPORTS_DIR: join(dir, 'rep'), GAPCTL_LOG_DIR: join(dir, 'logs'),
  };
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, join(ROOT, 'dist/cli.js'), 'backfill', '--market', 'replay', '--start', '2018-01-03', '--end', '2018-04-10', '--no-tui'], { env, encoding: 'utf8' });
  const timeLine = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, maxKb] = timeLine.split(' ').map(Number);
  const end = r.stdout.split('\n').find((l) => l.startsWith('end ')) ?? '';
  const dbBytes = ['scanner.db', 'scanner.db-wal'].reduce((a, f) => { try { return a + statSync(join(dir, f)).size; } catch { return a; } }, 0);
  const out = { exitCode: r.status, wallS: wall, cpuS: round(user + sys), userS: user, sysS: sys, maxRssMb: round(maxKb / 1024), dbMb: round(dbBytes / 1048576), summary: end };
  console.log(`bundled backfill 67 days: exit ${out.exitCode}  wall ${out.wallS}s  cpu ${out.cpuS}s (user ${user} sys ${sys})  max RSS ${out.maxRssMb} MB  db ${out.dbMb} MB  ${end}`);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function round(x) {
  return Math.round(x * 100) / 100;
}

if (!args.only || args.only === 'backfill') results.backfill = backfill();
if (!args.only || args.only === 'sim') results.simDay = [await simDay('prefilter'), await simDay('exhaustive')];
recordRun('latest', results);
