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
 *    as a whole process: wall and CPU seconds, peak RSS, database size, hits per rule, and how
 *    many of its days are proven (day_completeness.proof) by which source; then the same with
 *    R1_PROOF=off (the opt-out: days unproven, as `npm start` ran before the proof) to compare.
 * 3. The proof of one simulated day (issue 10): (a) by flat file (the embedded emulator's S3, signed
 *    with its own credentials) at zero latency: the file read alone, the day with the proof and the
 *    same day without it (the proof's cost is the difference); (b) by Theta when flat files are
 *    refused (EMU_FAULTS=flatFilesForbidden) at --latency / --cap, next to its lower bound
 *    (Theta requests x latency / cap).
 * 4. The validation of one simulated day (after its scan) with the baseline's second source by flat
 *    file (BASELINE_PM_SOURCE=flatfile: one object) next to today's (polygon: a minute-aggregates
 *    request per symbol, Theta when Polygon cannot serve one), Polygon latency --polygon-latency.
 *
 * 5. One real day (issue 13 point 3): 2018-02-06 of the bundled replay sample at Theta --latency /
 *    --cap, cold (a fresh store: the first day of a run; the process itself warmed up by a day of
 *    another month in a throwaway store, so module loading and JIT are not counted) and warm (the
 *    same session scanned the previous trading day first, as a running backfill does: the R4
 *    window's grouped dailies are stored) and backfill (warm, and the previous day was scanned with
 *    this one as its next: ScanDayOptions.next, the prefetch of engine/stages/prefetch.ts). Per run: the day's wall, the Theta bound (Theta requests x latency / cap), the Polygon
 *    work (the day's Polygon pulls and stores alone, one after another, in a twin store in the same
 *    state: universe pin, grouped daily, previous close with splits, R4's window pulls), the ratio
 *    wall / max(Theta bound, Polygon work) (target at most 1.10) and the fixed per-day cost per stage
 *    (day_completeness.stage_ms).
 *
 * Options: --only sim|backfill|proof|validate|day (comma list allowed), --latency MS (default 100),
 * --cap N (default 4), --day YYYY-MM-DD (default 2024-01-16), --polygon-latency MS (default 0),
 * --real-day YYYY-MM-DD (default 2018-02-06).
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
    'polygon-latency': { type: 'string', default: '0' },
    'real-day': { type: 'string', default: '2018-02-06' },
  },
});
const only = args.only ? new Set(args.only.split(',')) : null;
const wanted = (name) => !only || only.has(name);
const results = { at: new Date().toISOString(), node: process.version };

async function simDay(mode) {
  const { loadConfig } = await import(join(ROOT, 'dist/config/index.js'));
  const { openSession, parseMarket } = await import(join(ROOT, 'dist/runtime/session.js'));
  const { scanDay } = await import(join(ROOT, 'dist/engine/day.js'));
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-'));
  const latency = Number(args.latency);
  const cap = Number(args.cap);
  const cfg = loadConfig(
    {},
    {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      R1_MODE: mode,
      THETA_V3_MAX_OUTSTANDING: String(cap),
      THETA_V1_MAX_OUTSTANDING: String(cap),
      EMU_THETA_LATENCY_MS: String(latency),
    },
  );
  const session = await openSession({
    cfg,
    market: parseMarket('sim:42'),
    dbPath: join(dir, 's.db'),
    emit: () => {},
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await scanDay(session.ctx, args.day);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = session.emulator.stats();
  const requests = stats.theta.v3.requests + stats.theta.v1.requests;
  const lowerBoundS = (requests * latency) / 1000 / cap;
  const dc = session.ctx.store.dayCompleteness(args.day);
  await session.close();
  rmSync(dir, { recursive: true, force: true });
  const out = {
    mode,
    day: args.day,
    status: r.status,
    proof: dc?.proof ?? null,
    proofSource: dc?.proof_source ?? null,
    hits: r.discoveries,
    thetaRequests: requests,
    latencyMs: latency,
    cap,
    wallS: round(wallS),
    lowerBoundS: round(lowerBoundS),
    overheadPct: round((wallS / lowerBoundS - 1) * 100),
    maxInFlight: stats.theta.v3.maxInFlight,
    rejected429: stats.theta.v3.rejected429,
    cpuS: round((cpu.user + cpu.system) / 1e6),
  };
  console.log(
    `sim day ${out.day} ${mode.padEnd(10)} ${out.status} (proof ${out.proof}/${out.proofSource})  theta requests ${requests}  wall ${out.wallS}s  lower bound ${out.lowerBoundS}s (requests x ${latency} ms / ${cap})  overhead ${out.overheadPct}%  max in flight ${out.maxInFlight}  429s ${out.rejected429}`,
  );
  return out;
}

async function backfill(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-'));
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    CI: 'true',
    GAPCTL_DB: join(dir, 'scanner.db'),
    GAPCTL_STATE_DIR: join(dir, 'ps'),
    GAPCTL_EXPORT_DIR: join(dir, 'ex'),
    GAPCTL_REPORTS_DIR: join(dir, 'rep'),
    GAPCTL_LOG_DIR: join(dir, 'logs'),
    ...extraEnv,
  };
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S %M',
      process.execPath,
      join(ROOT, 'dist/cli.js'),
      'backfill',
      '--market',
      'replay',
      '--start',
      '2018-01-03',
      '--end',
      '2018-04-10',
      '--no-tui',
    ],
    { env, encoding: 'utf8' },
  );
  const timeLine = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, maxKb] = timeLine.split(' ').map(Number);
  const end = r.stdout.split('\n').find((l) => l.startsWith('end ')) ?? '';
  const dbBytes = ['scanner.db', 'scanner.db-wal'].reduce((a, f) => {
    try {
      return a + statSync(join(dir, f)).size;
    } catch {
      return a;
    }
  }, 0);
  const proof = await proofCounts(join(dir, 'scanner.db'));
  const out = {
    exitCode: r.status,
    wallS: wall,
    cpuS: round(user + sys),
    userS: user,
    sysS: sys,
    maxRssMb: round(maxKb / 1024),
    dbMb: round(dbBytes / 1048576),
    summary: end,
    proof,
  };
  console.log(
    `bundled backfill 67 days${extraEnv.R1_PROOF === 'off' ? ' (R1_PROOF=off: unproven, as before the proof)' : ''}: exit ${out.exitCode}  wall ${out.wallS}s  cpu ${out.cpuS}s (user ${user} sys ${sys})  max RSS ${out.maxRssMb} MB  db ${out.dbMb} MB  ${end}`,
  );
  console.log(
    `  proven ${proof.proven} of ${proof.days} days (${
      Object.entries(proof.bySource)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    })`,
  );
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function round(x) {
  return Math.round(x * 100) / 100;
}

/** Days of a store by proof: `{ days, proven, bySource: { 'exhaustive/flatfile': n, ... } }`. */
async function proofCounts(dbPath) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT proof, proof_source, COUNT(*) AS n FROM day_completeness GROUP BY proof, proof_source',
      )
      .all();
    const bySource = {};
    let days = 0;
    let proven = 0;
    for (const r of rows) {
      days += r.n;
      if (r.proof === 'exhaustive' || r.proof === 'baseline') proven += r.n;
      bySource[`${r.proof ?? 'none'}/${r.proof_source ?? '-'}`] = r.n;
    }
    return { days, proven, bySource };
  } finally {
    db.close();
  }
}

/** An engine session on `market` in a fresh temp folder with `env` on top of the bench defaults. */
async function benchSession(market, env) {
  const { loadConfig } = await import(join(ROOT, 'dist/config/index.js'));
  const { openSession, parseMarket } = await import(join(ROOT, 'dist/runtime/session.js'));
  const dir = mkdtempSync(join(tmpdir(), 'gapctl-bench-'));
  const cfg = loadConfig(
    {},
    {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      ...env,
    },
  );
  const session = await openSession({
    cfg,
    market: parseMarket(market),
    dbPath: join(dir, 's.db'),
    emit: () => {},
  });
  return {
    session,
    async close() {
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wall and CPU seconds of `fn()`, with its result. */
async function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return {
    value,
    wallS: round((performance.now() - t0) / 1000),
    cpuS: round((cpu.user + cpu.system) / 1e6),
  };
}

/** Theta requests served by the emulator so far (v3 + v1). */
const thetaRequests = (em) => em.stats().theta.v3.requests + em.stats().theta.v1.requests;

/** 3. The proof of one simulated day, by flat file at zero latency and by Theta at --latency / --cap. */
async function proofBench() {
  const { scanDay } = await import(join(ROOT, 'dist/engine/day.js'));
  const day = args.day;
  const out = [];

  // (a) by flat file, zero latency.
  {
    const a = await benchSession('sim:42', { EMU_THETA_LATENCY_MS: '0' });
    try {
      const ff = a.session.ctx.flatFiles;
      const cold = await timed(() => ff.premarketHighs(day));
      const warm = await timed(() => ff.premarketHighs(day));
      const t0 = thetaRequests(a.session.emulator);
      const scan = await timed(() => scanDay(a.session.ctx, day));
      const dc = a.session.ctx.store.dayCompleteness(day);
      const b = await benchSession('sim:42', { EMU_THETA_LATENCY_MS: '0' });
      let noProof;
      try {
        noProof = await timed(() => scanDay(b.session.ctx, day, { proof: false }));
      } finally {
        await b.close();
      }
      const r = {
        key: 'flatfile',
        day,
        latencyMs: 0,
        status: scan.value.status,
        proof: dc.proof,
        proofSource: dc.proof_source,
        proofChecked: dc.proof_checked,
        fileMb: round(warm.value.bytes / 1048576),
        fileRows: warm.value.rows,
        premarketRows: warm.value.premarketRows,
        tickers: warm.value.highs.size,
        fileFirstReadS: cold.wallS,
        fileReadS: warm.wallS,
        fileReadCpuS: warm.cpuS,
        dayWallS: scan.wallS,
        dayCpuS: scan.cpuS,
        dayNoProofWallS: noProof.wallS,
        proofCostS: round(scan.wallS - noProof.wallS),
        thetaRequests: thetaRequests(a.session.emulator) - t0,
        hits: scan.value.discoveries,
      };
      console.log(
        `proof by flat file  sim day ${day} at 0 ms: ${r.status} proof ${r.proof}/${r.proofSource} over ${r.proofChecked} symbols  file ${r.fileMb} MB ${r.fileRows} rows (${r.premarketRows} premarket, ${r.tickers} tickers) read in ${r.fileReadS}s (first read ${r.fileFirstReadS}s: the emulator builds the object unless an earlier part of this run did)  day ${r.dayWallS}s vs ${r.dayNoProofWallS}s without the proof (proof ${r.proofCostS}s)  theta requests ${r.thetaRequests}`,
      );
      out.push(r);
    } finally {
      await a.close();
    }
  }

  // (b) by Theta: flat files refused, the proof asks Theta for every eligible symbol.
  {
    const latency = Number(args.latency);
    const cap = Number(args.cap);
    const c = await benchSession('sim:42', {
      EMU_FAULTS: 'flatFilesForbidden',
      EMU_THETA_LATENCY_MS: String(latency),
      THETA_V3_MAX_OUTSTANDING: String(cap),
      THETA_V1_MAX_OUTSTANDING: String(cap),
    });
    try {
      const t0 = thetaRequests(c.session.emulator);
      const scan = await timed(() => scanDay(c.session.ctx, day));
      const dc = c.session.ctx.store.dayCompleteness(day);
      const requests = thetaRequests(c.session.emulator) - t0;
      const lowerBoundS = round((requests * latency) / 1000 / cap);
      const st = c.session.emulator.stats().theta.v3;
      const r = {
        key: 'theta',
        day,
        latencyMs: latency,
        cap,
        status: scan.value.status,
        proof: dc.proof,
        proofSource: dc.proof_source,
        proofChecked: dc.proof_checked,
        thetaRequests: requests,
        dayWallS: scan.wallS,
        dayCpuS: scan.cpuS,
        lowerBoundS,
        overheadPct: round((scan.wallS / lowerBoundS - 1) * 100),
        maxInFlight: st.maxInFlight,
        rejected429: st.rejected429,
        hits: scan.value.discoveries,
      };
      console.log(
        `proof by Theta      sim day ${day} at ${latency} ms / cap ${cap}: ${r.status} proof ${r.proof}/${r.proofSource} over ${r.proofChecked} symbols  theta requests ${requests}  day ${r.dayWallS}s  lower bound ${lowerBoundS}s (requests x ${latency} ms / ${cap})  overhead ${r.overheadPct}%  max in flight ${r.maxInFlight}  429s ${r.rejected429}`,
      );
      out.push(r);
    } finally {
      await c.close();
    }
  }
  return out;
}

/** 4. Validation of one simulated day: the baseline's premarket highs by flat file vs per symbol (today's). */
async function validateBench() {
  const { scanDay } = await import(join(ROOT, 'dist/engine/day.js'));
  const { validateDay } = await import(join(ROOT, 'dist/engine/validate.js'));
  const day = args.day;
  const polygonLatency = Number(args['polygon-latency']);
  const v = await benchSession('sim:42', { EMU_POLYGON_LATENCY_MS: String(polygonLatency) });
  const out = [];
  try {
    const scan = await scanDay(v.session.ctx, day);
    const base = v.session.ctx.cfg;
    for (const source of ['polygon', 'flatfile']) {
      v.session.ctx.cfg = { ...base, BASELINE_PM_SOURCE: source };
      const p0 = v.session.emulator.stats().polygon.requests;
      const t0 = thetaRequests(v.session.emulator);
      const f0 = v.session.emulator.stats().flatFiles.served;
      const r = await timed(() => validateDay(v.session.ctx, day));
      const detail = JSON.parse(
        v.session.ctx.store.db.prepare('SELECT detail FROM diffs WHERE date = ?').get(day)
          ?.detail ?? '{}',
      );
      const row = {
        key: source,
        day,
        scanStatus: scan.status,
        polygonLatencyMs: polygonLatency,
        passed: r.value.passed,
        gate: r.value.gate ?? null,
        wallS: r.wallS,
        cpuS: r.cpuS,
        polygonRequests: v.session.emulator.stats().polygon.requests - p0,
        thetaRequests: thetaRequests(v.session.emulator) - t0,
        flatFilesRead: v.session.emulator.stats().flatFiles.served - f0,
        baselineHits: r.value.baselineHits,
        premarketSources: detail.premarket_sources ?? null,
      };
      console.log(
        `validate sim day ${day} baseline by ${source.padEnd(8)}: ${row.passed ? 'PASS' : `FAIL ${row.gate}`}  wall ${row.wallS}s  cpu ${row.cpuS}s  polygon requests ${row.polygonRequests}  theta requests ${row.thetaRequests}  flat files read ${row.flatFilesRead}  baseline hits ${row.baselineHits}  premarket by ${JSON.stringify(row.premarketSources)}`,
      );
      out.push(row);
    }
  } finally {
    await v.close();
  }
  return out;
}

/**
 * The Polygon work of one day alone (seconds): what the day's Polygon stages do (reference tickers
 * and the universe pin, the day's and the previous day's grouped daily, splits, R4's window pulls),
 * one after another, on `ctx` (a store in the same state as the scanned day's).
 */
async function polygonWork(ctx, day) {
  const { loadGrouped } = await import(join(ROOT, 'dist/engine/day.js'));
  const { loadSplits } = await import(join(ROOT, 'dist/engine/splits.js'));
  const { lastNTradingDays, nextTradingDay } = await import(join(ROOT, 'dist/calendar/index.js'));
  const { R4_WINDOW_DAYS } = await import(join(ROOT, 'dist/engine/rules.js'));
  const t0 = performance.now();
  if (!ctx.store.getUniverse(day))
    ctx.store.pinUniverse(day, await ctx.polygon.referenceTickers(day, ctx.signal));
  const window = lastNTradingDays(day, R4_WINDOW_DAYS);
  await loadGrouped(ctx, day, true);
  await loadSplits(ctx, window[0], nextTradingDay(day));
  for (const d of [...window].reverse()) if (d !== day) await loadGrouped(ctx, d, false);
  return (performance.now() - t0) / 1000;
}

/** 5. The real day 2018-02-06 (replay) at --latency / --cap, cold and warm: wall vs its bounds. */
async function realDayBench() {
  const { scanDay } = await import(join(ROOT, 'dist/engine/day.js'));
  const { prevTradingDay } = await import(join(ROOT, 'dist/calendar/index.js'));
  const day = args['real-day'];
  const latency = Number(args.latency);
  const cap = Number(args.cap);
  const env = {
    EMU_THETA_LATENCY_MS: String(latency),
    THETA_V3_MAX_OUTSTANDING: String(cap),
    THETA_V1_MAX_OUTSTANDING: String(cap),
  };
  const out = [];
  const w = await benchSession('replay', { ...env, EMU_THETA_LATENCY_MS: '0' });
  try {
    await scanDay(w.session.ctx, '2018-03-06');
  } finally {
    await w.close();
  }
  for (const kind of ['cold', 'warm', 'backfill']) {
    const a = await benchSession('replay', env);
    const b = await benchSession('replay', env);
    try {
      if (kind !== 'cold') {
        // backfill: the previous day was scanned as a backfill does, with this day as its next
        // (its reference tickers and grouped daily fetched ahead, in memory, during that day's R1).
        await scanDay(a.session.ctx, prevTradingDay(day), kind === 'backfill' ? { next: day } : {});
        await scanDay(b.session.ctx, prevTradingDay(day));
      }
      const t0 = thetaRequests(a.session.emulator);
      const scan = await timed(() => scanDay(a.session.ctx, day));
      const requests = thetaRequests(a.session.emulator) - t0;
      const dc = a.session.ctx.store.dayCompleteness(day);
      const polygonS = round(await polygonWork(b.session.ctx, day));
      const thetaBoundS = round((requests * latency) / 1000 / cap);
      const stageMs = JSON.parse(dc.stage_ms || '{}');
      const r = {
        key: kind,
        day,
        latencyMs: latency,
        cap,
        status: scan.value.status,
        proof: dc.proof,
        hits: scan.value.discoveries,
        wallS: scan.wallS,
        cpuS: scan.cpuS,
        thetaRequests: requests,
        thetaBoundS,
        polygonWorkS: polygonS,
        ratio: round(scan.wallS / Math.max(thetaBoundS, polygonS)),
        stageMs,
      };
      console.log(
        `real day ${day} ${kind}: ${r.status} proof ${r.proof}  wall ${r.wallS}s (cpu ${r.cpuS}s)  theta bound ${thetaBoundS}s (${requests} requests x ${latency} ms / ${cap})  polygon work ${polygonS}s  ratio ${r.ratio} (target <= 1.10)`,
      );
      console.log(
        `  stage ms: ${Object.entries(stageMs)
          .map(([k, v]) => `${k} ${v}`)
          .join('  ')}`,
      );
      out.push(r);
    } finally {
      await a.close();
      await b.close();
    }
  }
  return out;
}

if (wanted('day')) results.realDay = await realDayBench();
if (wanted('backfill')) {
  results.backfill = await backfill();
  // The same without the proof (the opt-out), as `npm start` ran before every day was proven.
  results.backfillNoProof = await backfill({ R1_PROOF: 'off' });
}
if (wanted('sim')) results.simDay = [await simDay('prefilter'), await simDay('exhaustive')];
if (wanted('proof')) results.proof = await proofBench();
if (wanted('validate')) results.validate = await validateBench();
recordRun('latest', results);
