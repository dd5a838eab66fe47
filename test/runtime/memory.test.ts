/**
 * Memory you can promise (issue 13 point 1): the engine worker runs under a heap limit
 * (WORKER_MAX_OLD_MB); reaching it ends the backfill HALTED with one clear line and exit 1, the
 * state file records it (HALTED, halted day, resume pointer kept); the worker reports the process's RSS
 * in its snapshot (console, plain summary) and `gapctl status` shows the RSS of the running backfill.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { readBackfillState, writeBackfillState } from '../../source/store/state-files.js';
import { Store } from '../../source/store/store.js';
import {
  isWorkerOutOfMemory,
  memorySample,
  outOfMemoryReason,
  processRss,
  recordEngineHalt,
  workerResourceLimits,
} from '../../source/runtime/memory.js';
import { loadConfig } from '../../source/config/index.js';
import { plainSummaryLine } from '../../source/runtime/plain-printer.js';
import { initialSnapshot } from '../../source/runtime/snapshot.js';
import { formatStatus, statusReport } from '../../source/commands/status.js';
import { DEFAULT_REPLAY_DIR, openReplay } from '../../source/market/replay/index.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

function gapctl(dir: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      CI: 'true',
      SIM_TICKERS: '200',
      GAPCTL_STATE_DIR: join(dir, 'project_state'),
      GAPCTL_EXPORT_DIR: join(dir, 'exports'),
      GAPCTL_REPORTS_DIR: join(dir, 'reports'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      ...env,
    },
    timeout: 170_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('engine memory', () => {
  it('limits the worker heap by WORKER_MAX_OLD_MB / WORKER_MAX_YOUNG_MB (0: V8 default)', () => {
    expect(workerResourceLimits(loadConfig({}))).toEqual({
      maxOldGenerationSizeMb: 160,
      maxYoungGenerationSizeMb: 8,
    });
    expect(
      workerResourceLimits(loadConfig({ WORKER_MAX_OLD_MB: '0', WORKER_MAX_YOUNG_MB: '0' })),
    ).toEqual({});
    expect(() => loadConfig({ WORKER_MAX_OLD_MB: '-1' })).toThrow(/WORKER_MAX_OLD_MB/);
  });

  it('samples RSS, peak RSS and the heap in whole MB', () => {
    const m = memorySample();
    expect(m.rssMb).toBeGreaterThan(10);
    expect(m.peakRssMb).toBeGreaterThanOrEqual(m.rssMb - 1);
    expect(m.heapUsedMb).toBeGreaterThan(0);
    expect(m.heapLimitMb).toBeGreaterThan(m.heapUsedMb);
    expect(
      isWorkerOutOfMemory(Object.assign(new Error('x'), { code: 'ERR_WORKER_OUT_OF_MEMORY' })),
    ).toBe(true);
    expect(isWorkerOutOfMemory(new Error('x'))).toBe(false);
  });

  it('reads the RSS of a process from /proc (null for no such process)', () => {
    const me = processRss(process.pid);
    if (process.platform === 'linux') {
      expect(me!.rssMb).toBeGreaterThan(10);
      expect(me!.peakRssMb).toBeGreaterThanOrEqual(me!.rssMb);
    }
    const dir = tempDir('gapctl-proc-');
    mkdirSync(join(dir, '42'));
    writeFileSync(
      join(dir, '42', 'status'),
      'Name:\tgapctl\nVmHWM:\t  307200 kB\nVmRSS:\t  204800 kB\n',
    );
    expect(processRss(42, dir)).toEqual({ rssMb: 200, peakRssMb: 300 });
    expect(processRss(43, dir)).toBeNull();
  });

  it('records a halt in the state file, keeping its resume pointer; no state file: nothing written', () => {
    const dir = tempDir('gapctl-halt-');
    expect(recordEngineHalt(dir, 'r', '2018-03-06')).toBeNull();
    expect(readBackfillState(dir)).toBeNull();
    writeBackfillState(dir, {
      range: { start: '2018-03-01', end: '2018-03-09' },
      status: 'RUNNING',
      last_completed_month: null,
      last_completed_day: '2018-03-05',
      halt_reason: null,
      market: 'sim:3',
      r1_mode: 'prefilter',
    });
    const reason = outOfMemoryReason({ WORKER_MAX_OLD_MB: 64 }, '2018-03-06');
    expect(reason).toMatch(/^engine out of memory: .*WORKER_MAX_OLD_MB=64.* 2018-03-06/);
    expect(reason).not.toContain('\n');
    expect(recordEngineHalt(dir, reason, '2018-03-06')).toBeNull();
    const st = readBackfillState(dir)!;
    expect(st).toMatchObject({
      status: 'HALTED',
      halt_reason: reason,
      halted_day: '2018-03-06',
      last_completed_day: '2018-03-05',
      market: 'sim:3',
    });
  });

  it('shows the RSS in the plain summary line once the worker reported it', () => {
    const s = {
      ...initialSnapshot({
        command: 'backfill',
        start: '2024-01-02',
        end: '2024-01-10',
        market: 'sim:3',
        db: 'x.db',
      }),
    };
    expect(plainSummaryLine(s)).not.toContain('RSS');
    expect(
      plainSummaryLine({
        ...s,
        memory: { rssMb: 187, peakRssMb: 201, heapUsedMb: 60, heapLimitMb: 180 },
      }),
    ).toMatch(/ {2}RSS 187 MB$/);
  });

  it('the replay market keeps no entry per ticker-day asked (the flat files ask for every ticker of every day)', async () => {
    const m = await openReplay(DEFAULT_REPLAY_DIR);
    const caches = m as unknown as {
      barCache: Map<string, unknown>;
      tradeCache: Map<string, unknown>;
    };
    const days = m.tradingDays.slice(1, 21);
    for (const d of days) {
      for (const b of (await m.groupedDaily(d)).slice(0, 500)) {
        await m.minuteBars(b.T, d);
        await m.trades(b.T, d);
      }
    }
    // Only ticker-days of the premarket file are cached (a few dozen), not 20 x 500 nulls.
    expect(caches.barCache.size).toBeLessThan(100);
    expect(caches.tradeCache.size).toBeLessThan(100);
    // And the answers are unchanged: a premarket row still has its bars and prints.
    const ev = (await import('node:fs')).readFileSync(
      `${DEFAULT_REPLAY_DIR}/premarket_events.json`,
      'utf8',
    );
    const first = (
      JSON.parse(ev) as { date: string; ticker: string; hasPremarketBars: boolean }[]
    ).find((e) => e.hasPremarketBars)!;
    expect((await m.minuteBars(first.ticker, first.date))!.length).toBeGreaterThan(0);
    expect((await m.trades(first.ticker, first.date))!.length).toBeGreaterThan(0);
  });

  it('gapctl status shows the RSS of the process holding the store', () => {
    const dir = tempDir('gapctl-status-rss-');
    mkdirSync(join(dir, 'db'), { recursive: true });
    const db = join(dir, 'db', 'scanner.db');
    Store.open(db).close();
    writeFileSync(
      `${db}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        command: 'backfill',
        started_at: '2018-03-06T12:00:00.000Z',
      }),
    );
    const report = statusReport({ stateDir: join(dir, 'project_state'), dbPath: db });
    if (process.platform !== 'linux') return;
    expect(report.running_memory!.rssMb).toBeGreaterThan(10);
    expect(formatStatus(report).join('\n')).toMatch(
      /running +yes: backfill pid \d+ on .* since .*, RSS \d+ MB \(peak \d+ MB\)/,
    );
    // No live holder: no memory shown.
    writeFileSync(
      `${db}.lock`,
      JSON.stringify({
        pid: 2 ** 22 + 7,
        host: hostname(),
        command: 'backfill',
        started_at: '2018-03-06T12:00:00.000Z',
      }),
    );
    expect(
      statusReport({ stateDir: join(dir, 'project_state'), dbPath: db }).running_memory,
    ).toBeNull();
  });

  it('a worker that reaches its heap limit halts the backfill in one line (exit 1), recorded in the state file for resume', () => {
    const dir = tempDir('gapctl-oom-');
    const db = join(dir, 's.db');
    const range = [
      '--market',
      'sim:3',
      '--start',
      '2024-01-02',
      '--end',
      '2024-01-03',
      '--no-tui',
      '--validate',
      'none',
      '--db',
      db,
    ];
    // The test-only hog allocates in the worker from the first R1 stage on until the 48 MB heap limit ends it.
    const r = gapctl(dir, ['backfill', ...range], {
      WORKER_MAX_OLD_MB: '48',
      GAPCTL_MEMORY_HOG: 'stage:R1',
    });
    expect(r.code, r.err).toBe(1);
    expect(r.err).not.toMatch(/FATAL|heap out of memory|at .*\.js:\d+/);
    const halted = r.out.split('\n').filter((l) => l.startsWith('end HALTED'));
    expect(halted).toHaveLength(1);
    expect(halted[0]).toMatch(
      /^end HALTED: engine out of memory: the worker reached its heap limit \(WORKER_MAX_OLD_MB=48\) while on 2024-01-02; /,
    );
    const st = readBackfillState(join(dir, 'project_state'))!;
    expect(st.status).toBe('HALTED');
    expect(st.halted_day).toBe('2024-01-02');
    expect(st.halt_reason).toMatch(/^engine out of memory/);
    // Nothing of the day was committed.
    const store = Store.open(db, { readonly: true });
    expect(store.dayStatuses('2024-01-02', '2024-01-03').size).toBe(0);
    store.close();
    const report = statusReport({ stateDir: join(dir, 'project_state'), dbPath: db });
    expect(formatStatus(report).join('\n')).toMatch(
      /last failure +2024-01-02: engine out of memory/,
    );
  }, 180_000);
});
