/**
 * The console's health overlay asks the engine worker for the checks of `gapctl health`
 * (EngineHost.checkHealth): over a real embedded-market session (sim, loopback only) the worker
 * answers while the backfill runs and after it, with the same checks as the CLI, probing the
 * session's own emulator (Polygon, Theta v3 and v1, flat files all ok), the store read-only, and the
 * store's lock held by this process (the console's own backfill) reported ok as this console's. After
 * quit the request rejects with a one-line reason. Waits are on snapshots, never on time.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startEngineWorker, type EngineHost } from '../../source/runtime/host.js';
import { marketOfName, runHealth, runnerHealth } from '../../source/runtime/health.js';
import { loadConfig } from '../../source/config/index.js';
import { acquireLock } from '../../source/store/lock.js';
import type { BackfillSnapshot, HealthReport } from '../../source/contracts/events.js';
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

const byName = (r: HealthReport) => new Map(r.checks.map((c) => [c.name, c]));

describe('health checks through the engine worker (console overlay)', () => {
  it('answers during and after a backfill with the CLI checks, its own emulator probed and its own lock ok; rejects after quit', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 's.db');
    const env = {
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      BACKUP_DIR: join(dir, 'backups'),
      SIM_TICKERS: '400',
      // The probes' own timeout is not under test here: a busy CI machine must not turn a probe of
      // the session's emulator (busy serving the backfill) into "no answer within 2000 ms".
      HEALTH_TIMEOUT_SEC: '30',
    };
    // The console's command holds the store's lock in this process, as `gapctl console` does.
    const lock = acquireLock(dbPath, 'console');
    const host = startEngineWorker({
      kind: 'backfill',
      start: '2024-01-02',
      end: '2024-01-05',
      market: 'sim:3',
      dbPath,
      validate: 'none',
      skipPhase0: true,
      interactive: true,
      env,
    });
    try {
      // While the backfill runs (the first snapshot comes once the session is open).
      await until(host, () => true);
      const during = await host.checkHealth();
      const names = during.checks.map((c) => c.name);
      expect(names).toEqual([
        'config',
        'keys',
        'flatfiles',
        'polygon',
        'theta-v3',
        'theta-v1',
        'disk-store',
        'disk-exports',
        'disk-logs',
        'lock',
        'database',
        ...names.slice(11),
      ]);
      const d = byName(during);
      expect(d.get('keys')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(
          /^embedded sim market \(sim:3\) served by this console: no API keys needed/,
        ),
      });
      expect(d.get('polygon')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/^embedded Polygon reachable, key accepted/),
      });
      expect(d.get('theta-v3')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/Theta Terminal v3 http:\/\/127\.0\.0\.1:\d+: CONNECTED/),
      });
      expect(d.get('theta-v1')?.level).toBe('ok');
      expect(d.get('flatfiles')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/^127\.0\.0\.1:\d+ reachable, credentials accepted/),
      });
      expect(d.get('lock')).toEqual({
        name: 'lock',
        level: 'ok',
        message: `this console holds the store (console pid ${process.pid} since ${lock.info.started_at}, alive)`,
      });
      expect(during.exitCode).toBe(({ ok: 0, warn: 1, critical: 2 } as const)[during.level]);

      // After the backfill: the data checks read the days it committed.
      const done = await until(host, (s) => s.state === 'DONE');
      expect(done.days.every((c) => c.status === 'COMPLETE')).toBe(true);
      const after = await host.checkHealth();
      const a = byName(after);
      expect(a.get('database')).toMatchObject({
        level: 'ok',
        message: expect.stringMatching(/^quick_check ok, schema \d+/),
      });
      expect(a.get('last-day')?.message).toMatch(/^last COMPLETE day 2024-01-05,/);
      expect(a.get('baseline-only')).toEqual({
        name: 'baseline-only',
        level: 'ok',
        message: '0 baseline-only hits',
      });
      expect(a.get('backup')).toMatchObject({
        level: 'warn',
        message: expect.stringMatching(/^no backup in .*backups/),
      });

      // The same checks, in the same order, as `gapctl health` on this install (CLI path).
      const cli = await runHealth({
        cfg: loadConfig({ ...process.env, ...env }),
        market: { kind: 'sim', seed: 3 },
        dbPath,
      });
      expect(after.checks.map((c) => c.name)).toEqual(cli.checks.map((c) => c.name));
      // From another process's point of view the lock is a live writer, not "this console".
      expect(byName(cli).get('lock')?.message).toMatch(
        /^console pid \d+ on .* holds the store since .*\(alive\)$/,
      );

      // An attached console runs the same checks itself on the runner's store and market (from its snapshot).
      expect(done.market).toBe('sim:3');
      const attached = await runnerHealth(done, loadConfig({ ...process.env, ...env }));
      expect(attached.checks.map((c) => c.name)).toEqual(cli.checks.map((c) => c.name));
      expect(byName(attached).get('keys')?.message).toMatch(/^embedded sim market \(sim:3\)/);
      expect(byName(attached).get('database')?.level).toBe('ok');
    } finally {
      host.send({ type: 'quit' });
      await host.done;
      lock.release();
    }
    await expect(host.checkHealth()).rejects.toThrow(/the engine has ended/);
  }, 120_000);

  it("an attached console finds the runner's market from its snapshot, and waits for the first one", async () => {
    expect(marketOfName('live', { GAPCTL_MARKET: 'replay' })).toEqual({ kind: 'live' });
    expect(marketOfName('sim:42', { GAPCTL_MARKET: 'replay' })).toEqual({ kind: 'sim', seed: 42 });
    expect(marketOfName('replay:2018q1', { GAPCTL_MARKET: 'replay:/data/ds' })).toEqual({
      kind: 'replay',
      path: '/data/ds',
    });
    expect(marketOfName('replay:2018q1', { GAPCTL_MARKET: 'sim:1' }).kind).toBe('replay');
    await expect(runnerHealth(null, loadConfig({ ...process.env }))).rejects.toThrow(
      "waiting for the headless runner's first snapshot",
    );
  });
});
