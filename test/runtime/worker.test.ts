/**
 * The engine worker thread as the console drives it (interactive job): the backfill runs to DONE,
 * then a rerun (exhaustive), a validation, a validate-range and exports are served in order, day
 * details are read through the worker's connection, and quit ends the thread after it closed the
 * store. Waits are on snapshots and log lines, never on time.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEngineWorker, type EngineHost } from '../../source/runtime/host.js';
import type { BackfillSnapshot } from '../../source/contracts/events.js';
import { tempDir } from '../helpers/paths.js';

function until(
  host: EngineHost,
  pred: (s: BackfillSnapshot) => boolean,
): Promise<BackfillSnapshot> {
  return new Promise((resolve) => {
    const cur = host.current();
    if (cur && pred(cur)) return resolve(cur);
    const off = host.subscribe((s) => {
      if (pred(s)) {
        off();
        resolve(s);
      }
    });
  });
}

function logLine(host: EngineHost, re: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const off = host.onLog((l) => {
      if (re.test(l)) {
        off();
        resolve(l);
      }
    });
  });
}

describe('engine worker (interactive)', () => {
  it('serves rerun, validate and export after the backfill, then quits cleanly', async () => {
    const dir = tempDir();
    const env = {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
    };
    const host = startEngineWorker({
      kind: 'backfill',
      start: '2018-03-01',
      end: '2018-03-02',
      market: 'replay',
      dbPath: join(dir, 's.db'),
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env,
    });
    const done = await until(host, (s) => s.state === 'DONE');
    expect(done.days.map((d) => d.status)).toEqual(['COMPLETE', 'COMPLETE']);

    const validated = logLine(host, /^\[validate\] 2018-03-01 (PASS|FAIL)/);
    const rerun = logLine(
      host,
      /^\[console\] rerun 2018-03-01 COMPLETE; re-exported \d+ file\(s\)/,
    );
    const exported = logLine(
      host,
      /^\[console\] exported 2018-03-01\.\.2018-03-02: \d+ file\(s\), \d+ hits in /,
    );
    host.send({ type: 'rerun', date: '2018-03-01', exhaustive: true });
    host.send({ type: 'validate', date: '2018-03-01' });
    host.send({ type: 'export', start: '2018-03-01', end: '2018-03-02' });
    await rerun;
    expect(await validated).toMatch(/PASS/);
    expect(await exported).toContain('discovery_hits_2018-03-01_2018-03-02.csv');
    host.send({ type: 'quit' });
    const end = await host.done;
    expect(end.outcome.state).toBe('DONE');

    // The worker closed the store: it opens read-only and shows the exhaustive rerun.
    const db = new Database(join(dir, 's.db'), { readonly: true });
    const row = db
      .prepare("SELECT r1_mode, status, r1_checked FROM day_completeness WHERE date = '2018-03-01'")
      .get() as { r1_mode: string; status: string; r1_checked: number };
    db.close();
    expect(row).toMatchObject({ r1_mode: 'exhaustive', status: 'COMPLETE' });
    expect(row.r1_checked).toBeGreaterThan(1000);
    expect(existsSync(join(dir, 'ex/discovery_hits_2018-03-01_2018-03-02.csv'))).toBe(true);
  }, 240_000);

  it('validates a range and exports a month by command, answers day-detail requests, and shows what it does', async () => {
    const dir = tempDir();
    const env = {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
    };
    const host = startEngineWorker({
      kind: 'backfill',
      start: '2018-03-01',
      end: '2018-03-02',
      market: 'replay',
      dbPath: join(dir, 's.db'),
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env,
    });
    const done = await until(host, (s) => s.state === 'DONE');
    const scanned = await host.readDayDetail('2018-03-01');
    expect(scanned).toMatchObject({
      date: '2018-03-01',
      status: 'COMPLETE',
      baseline: null,
      validation: null,
    });
    expect(scanned.hits.length).toBe(done.days[0]!.hits);
    expect(scanned.stageMs.UNIVERSE).toBeGreaterThanOrEqual(0);
    expect(scanned.counters.find((c) => c.name === 'total_universe')?.value).toBeGreaterThan(1000);
    for (const h of scanned.hits) expect(h.rules.length).toBeGreaterThan(0);

    const activities = new Set<string>();
    host.subscribe((s) => {
      if (s.activity) activities.add(s.activity);
    });
    const validated = logLine(host, /^\[console\] validated \d+\/2 day\(s\)/);
    const exported = logLine(
      host,
      /^\[console\] exported 2018-03-01\.\.2018-03-02: \d+ file\(s\), \d+ hits in /,
    );
    host.send({
      type: 'validate-range',
      start: '2018-03-01',
      end: '2018-03-02',
      dates: ['2018-03-01', '2018-03-02'],
    });
    host.send({ type: 'export', start: '2018-03-01', end: '2018-03-02' });
    expect(await validated).toMatch(/validated 2\/2 day\(s\): 2 passed, 0 failed/);
    expect(await exported).toContain('discovery_hits_2018-03-01_2018-03-02.csv');
    expect([...activities]).toEqual(
      expect.arrayContaining(['validating 1/2 2018-03-01', 'validating 2/2 2018-03-02']),
    );

    const checked = await host.readDayDetail('2018-03-02');
    expect(checked.validation?.status).toBe('VALIDATED');
    expect(checked.baseline).toMatchObject({ baselineOnly: 0 });
    expect(checked.audit).not.toBeNull();
    await expect(host.readDayDetail('2018-03-05')).resolves.toMatchObject({
      status: null,
      hits: [],
    });

    host.send({ type: 'quit' });
    await host.done;
    await expect(host.readDayDetail('2018-03-01')).rejects.toThrow(/ended/);
    expect(existsSync(join(dir, 'ex/discovery_hits_2018-03-01_2018-03-02.csv'))).toBe(true);
    expect(existsSync(join(dir, 'ex/day_completeness.csv'))).toBe(true);
  }, 240_000);

  it('pause drains and resumes; stop leaves the running day absent (its cell PENDING again) and resume reruns it', async () => {
    const dir = tempDir();
    const env = {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      EMU_THETA_LATENCY_MS: '40',
      SIM_TICKERS: '2000',
    };
    const host = startEngineWorker({
      kind: 'backfill',
      start: '2024-01-02',
      end: '2024-01-04',
      market: 'sim:3',
      dbPath: join(dir, 's.db'),
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env,
    });
    const running = await until(host, (s) => s.current !== null && s.current.r1Total > 0);
    host.send({ type: 'pause' });
    await until(host, (s) => s.state === 'PAUSING' || s.state === 'PAUSED');
    await until(host, (s) => s.state === 'PAUSED' && s.inFlight === 0);
    host.send({ type: 'resume' });
    // Resumed: premarket requests are answered again (the count grows past the paused one).
    const resumed = await until(
      host,
      (s) =>
        s.state === 'RUNNING' &&
        s.current !== null &&
        (s.current.date !== running.current!.date || s.current.r1Done > running.current!.r1Done),
    );
    expect(resumed.state).toBe('RUNNING');
    // Stop while a day is certainly unfinished: pause again and wait until, drained, the current day
    // still has premarket requests to make. Paused, it is held at its next request and cannot
    // finish before the stop arrives (a day already past its premarket stage when the pause came
    // finishes, and the next one is then held at its first request).
    host.send({ type: 'pause' });
    const held = await until(
      host,
      (s) =>
        s.state === 'PAUSED' &&
        s.inFlight === 0 &&
        s.current !== null &&
        s.current.r1Total > 0 &&
        s.current.r1Done < s.current.r1Total,
    );
    const day = held.current!.date;
    host.send({ type: 'stop' });
    const stopped = await until(host, (s) => s.state === 'STOPPED');
    expect(stopped.days.filter((d) => d.status === 'RUNNING')).toEqual([]);
    expect(stopped.current).toBeNull();
    const cell = stopped.days.find((d) => d.date === day)!;
    expect(cell.status).toBe('PENDING');
    await expect(host.readDayDetail(day)).resolves.toMatchObject({ status: null });
    host.send({ type: 'resume' });
    const done = await until(host, (s) => s.state === 'DONE');
    expect(done.days.map((d) => d.status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    host.send({ type: 'quit' });
    await host.done;
  });
  it('a stop or quit sent while the engine is still starting stops the backfill before its first day', async () => {
    // The console takes keys before the worker has opened its session (engine modules, market,
    // store): a quit pressed then used to be ignored until the whole range was done (the pty test's
    // "no exit within 60 s" after q s on a loaded machine). Sent right after start, both reach the
    // worker before its session is open (the start message is still being served).
    const dir = tempDir();
    const env = {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      SIM_TICKERS: '300',
    };
    const job = {
      kind: 'backfill' as const,
      start: '2024-01-02',
      end: '2024-02-29',
      market: 'sim:5',
      validate: 'none' as const,
      skipPhase0: true,
      interactive: true,
      env,
    };
    const quitting = startEngineWorker({ ...job, dbPath: join(dir, 'q.db') });
    quitting.send({ type: 'quit' });
    const q = await quitting.done;
    expect(q.outcome).toMatchObject({
      state: 'STOPPED',
      reason: 'stopped by the operator',
      scanned: 0,
    });
    expect(q.snapshot.done).toBe(0);

    // stop (not quit): the backfill stops, the interactive worker stays up for commands until quit.
    const stopping = startEngineWorker({ ...job, dbPath: join(dir, 's.db') });
    stopping.send({ type: 'stop' });
    const stopped = await until(stopping, (s) => s.state === 'STOPPED');
    expect(stopped.done).toBe(0);
    stopping.send({ type: 'quit' });
    expect((await stopping.done).outcome).toMatchObject({ state: 'STOPPED', scanned: 0 });
  });
});
