/**
 * A process killed at any moment leaves each day either complete or absent: the scan is SIGKILLed
 * while it works (after its first finished day, mid-way through a later one), then the store is
 * checked: every day that has a day_completeness row has exactly its hits, no hit exists without
 * its day row, and a rerun completes the range.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');

describe('crash safety', () => {
  it('SIGKILL mid-range leaves days complete or absent, and a rerun completes them', async () => {
    const dir = tempDir();
    const env = { ...process.env, CI: 'true', GAPCTL_DB: join(dir, 's.db'), GAPCTL_STATE_DIR: join(dir, 'ps'), GAPCTL_REPORTS_DIR: join(dir, 'rep'), GAPCTL_LOG_DIR: join(dir, 'logs'), EMU_THETA_LATENCY_MS: '2' };
    const child = spawn(process.execPath, [CLI, 'scan-range', '--start', '2018-01-03', '--end', '2018-01-12'], { env });
    // Kill once the first day is reported and the second is under way (its log has begun).
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (/^2018-01-03 COMPLETE/m.test(out) && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((r) => child.once('exit', r));

    const db = new Database(join(dir, 's.db'), { readonly: true });
    const days = db.prepare('SELECT date, status, discoveries FROM day_completeness ORDER BY date').all() as { date: string; status: string; discoveries: number }[];
    const hitsPerDay = new Map((db.prepare('SELECT event_date d, COUNT(*) n FROM discovery_hits GROUP BY event_date').all() as { d: string; n: number }[]).map((r) => [r.d, r.n]));
    expect(days.map((d) => d.date)).toContain('2018-01-03');
    for (const d of days) {
      expect(d.status).toBe('COMPLETE');
      expect(hitsPerDay.get(d.date) ?? 0, d.date).toBe(d.discoveries);
    }
    for (const date of hitsPerDay.keys()) expect(days.some((d) => d.date === date), `hits of ${date} without its day row`).toBe(true);
    const orphans = db.prepare('SELECT COUNT(*) n FROM discovery_hit_rules WHERE hit_id NOT IN (SELECT hit_id FROM discovery_hits)').get() as { n: number };
    expect(orphans.n).toBe(0);
    db.close();

    const again = spawnSync(process.execPath, [CLI, 'scan-range', '--start', '2018-01-03', '--end', '2018-01-12'], { env, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.match(/COMPLETE/g)).toHaveLength(8);
  });
});
