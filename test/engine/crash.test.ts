/**
 * A process killed at any moment leaves each day either complete or absent: the scan is SIGKILLed
 * after its first finished day, mid-way through the second one (GAPCTL_FAILPOINT=stage:R1:2: the
 * process kills itself as the second day's premarket stage begins, its universe, grouped bars and
 * R2/R3 already done), then the store is checked: the first day has its day_completeness row and
 * exactly its hits, the second and third days are absent, no hit exists without its day row, and a
 * rerun completes the range. The market is the small dataset derived from the bundled sample
 * (test/helpers/small-sample.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';

const CLI = join(REPO_ROOT, 'dist/cli.js');
const RANGE = [
  'scan-range',
  '--start',
  '2018-01-03',
  '--end',
  '2018-01-05',
  '--market',
  `replay:${smallSample()}`,
];

describe('crash safety', () => {
  it('SIGKILL mid-way through the second day leaves days complete or absent, and a rerun completes them', async () => {
    const dir = tempDir();
    const env = {
      ...process.env,
      CI: 'true',
      GAPCTL_DB: join(dir, 's.db'),
      GAPCTL_STATE_DIR: join(dir, 'ps'),
      GAPCTL_REPORTS_DIR: join(dir, 'rep'),
      GAPCTL_LOG_DIR: join(dir, 'logs'),
      GAPCTL_EXPORT_DIR: join(dir, 'ex'),
    };
    const child = spawn(process.execPath, [CLI, ...RANGE], {
      env: { ...env, GAPCTL_FAILPOINT: 'stage:R1:2' },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal, `the failpoint was not reached: ${out.slice(-300)}`).toBe('SIGKILL');
    expect(out).toMatch(/^2018-01-03 COMPLETE/m);
    expect(out).not.toMatch(/^2018-01-04 /m);

    const db = new Database(join(dir, 's.db'), { readonly: true });
    const days = db
      .prepare('SELECT date, status, discoveries FROM day_completeness ORDER BY date')
      .all() as { date: string; status: string; discoveries: number }[];
    const hitsPerDay = new Map(
      (
        db
          .prepare('SELECT event_date d, COUNT(*) n FROM discovery_hits GROUP BY event_date')
          .all() as { d: string; n: number }[]
      ).map((r) => [r.d, r.n]),
    );
    expect(days.map((d) => d.date)).toEqual(['2018-01-03']);
    for (const d of days) {
      expect(d.status).toBe('COMPLETE');
      expect(hitsPerDay.get(d.date) ?? 0, d.date).toBe(d.discoveries);
    }
    for (const date of hitsPerDay.keys())
      expect(
        days.some((d) => d.date === date),
        `hits of ${date} without its day row`,
      ).toBe(true);
    const orphans = db
      .prepare(
        'SELECT COUNT(*) n FROM discovery_hit_rules WHERE hit_id NOT IN (SELECT hit_id FROM discovery_hits)',
      )
      .get() as { n: number };
    expect(orphans.n).toBe(0);
    db.close();

    const again = spawnSync(process.execPath, [CLI, ...RANGE], { env, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.match(/COMPLETE/g)).toHaveLength(3);
  }, 60_000);
});
