/**
 * The engine worker thread as the console drives it (interactive job): the backfill runs to DONE,
 * then a rerun (exhaustive), a validation and an export are served in order, and quit ends the
 * thread after it closed the store. Waits are on snapshots and log lines, never on time.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startEngineWorker, type EngineHost } from '../../source/runtime/host.js';
import type { BackfillSnapshot } from '../../source/engine/events.js';
import { tempDir } from '../helpers/paths.js';

function until(host: EngineHost, pred: (s: BackfillSnapshot) => boolean): Promise<BackfillSnapshot> {
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
    const env = { GAPCTL_STATE_DIR: join(dir, 'ps'), GAPCTL_EXPORT_DIR: join(dir, 'ex'), GAPCTL_REPORTS_DIR: join(dir, 'rep'), GAPCTL_LOG_DIR: join(dir, 'logs') };
    const host = startEngineWorker({
      kind: 'backfill', start: '2018-03-01', end: '2018-03-02', market: 'replay', dbPath: join(dir, 's.db'),
      validate: 'none', skipPhase0: true, interactive: true, env,
    });
    const done = await until(host, (s) => s.state === 'DONE');
    expect(done.days.map((d) => d.status)).toEqual(['COMPLETE', 'COMPLETE']);

    const validated = logLine(host, /^\[validate\] 2018-03-01 (PASS|FAIL)/);
    const exported = logLine(host, /^\[console\] exported \d+ hits to /);
    host.send({ type: 'rerun', date: '2018-03-01', exhaustive: true });
    host.send({ type: 'validate', date: '2018-03-01' });
    host.send({ type: 'export', start: '2018-03-01', end: '2018-03-02' });
    expect(await validated).toMatch(/PASS/);
    expect(await exported).toContain('discovery_hits_2018-03-01_2018-03-02.csv');
    host.send({ type: 'quit' });
    const end = await host.done;
    expect(end.outcome.state).toBe('DONE');

    // The worker closed the store: it opens read-only and shows the exhaustive rerun.
    const db = new Database(join(dir, 's.db'), { readonly: true });
    const row = db.prepare("SELECT r1_mode, status, r1_checked FROM day_completeness WHERE date = '2018-03-01'").get() as { r1_mode: string; status: string; r1_checked: number };
    db.close();
    expect(row).toMatchObject({ r1_mode: 'exhaustive', status: 'COMPLETE' });
    expect(row.r1_checked).toBeGreaterThan(1000);
    expect(existsSync(join(dir, 'ex/discovery_hits_2018-03-01_2018-03-02.csv'))).toBe(true);
  });
});
