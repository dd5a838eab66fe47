/**
 * BACKUP_EVERY_MONTH (engine/monthly-backup.ts): a backfill over two months leaves one verified
 * backup per completed month in BACKUP_DIR, each holding every day of the months done before it;
 * off by default; a failing backup is a WARNING alert of kind backup and never halts the backfill.
 * The simulated universe is SIM_TICKERS=1000: backups do not depend on its size.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testSession } from '../helpers/session.js';
import { runBackfill } from '../../source/engine/backfill.js';
import { backupAfterMonth } from '../../source/engine/monthly-backup.js';
import { listBackups, verifyStoreFile } from '../../source/store/maintenance.js';
import type { Session } from '../../source/runtime/session.js';

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

const RANGE = { start: '2021-02-26', end: '2021-03-01' }; // Feb 26 | Mar 1
const SMALL = { SIM_TICKERS: '1000' };

function days(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const r = (
    db
      .prepare("SELECT date FROM day_completeness WHERE status = 'COMPLETE' ORDER BY date")
      .all() as { date: string }[]
  ).map((x) => x.date);
  db.close();
  return r;
}

describe('backup after every month', () => {
  it('BACKUP_EVERY_MONTH=true: one verified backup per month holding the months done', async () => {
    const t = await testSession({ market: 'sim:5', env: { ...SMALL, BACKUP_EVERY_MONTH: 'true' } });
    t.session.ctx.cfg = { ...t.session.ctx.cfg, BACKUP_DIR: join(t.dir, 'backups') };
    open.push(t.session);
    const r = await runBackfill(t.session.ctx, RANGE);
    expect(r.state).toBe('DONE');
    const b = listBackups(join(t.dir, 'backups')).reverse(); // oldest first
    expect(b).toHaveLength(2);
    for (const x of b) expect(verifyStoreFile(x.path).version).toBeGreaterThan(0);
    expect(days(b[0]!.path)).toEqual(['2021-02-26']);
    expect(days(b[1]!.path)).toEqual(['2021-02-26', '2021-03-01']);
    expect(
      t.events.some(
        (e) => e.type === 'log' && /^backup after 2021-02: .*integrity ok/.test(e.line),
      ),
    ).toBe(true);
  }, 60_000);

  it('off by default; a failing backup warns (alert kind backup) and the backfill still ends DONE', async () => {
    const off = await testSession({ market: 'sim:5', env: SMALL });
    off.session.ctx.cfg = { ...off.session.ctx.cfg, BACKUP_DIR: join(off.dir, 'backups') };
    open.push(off.session);
    expect(off.session.ctx.cfg.BACKUP_EVERY_MONTH).toBe(false);
    expect(await backupAfterMonth(off.session.ctx, '2021-03', '2021-03-01')).toBeNull();
    expect(existsSync(join(off.dir, 'backups'))).toBe(false);

    const t = await testSession({ market: 'sim:5', env: { ...SMALL, BACKUP_EVERY_MONTH: 'true' } });
    const blocker = join(t.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    t.session.ctx.cfg = { ...t.session.ctx.cfg, BACKUP_DIR: join(blocker, 'backups') };
    open.push(t.session);
    const r = await runBackfill(t.session.ctx, { start: '2021-03-01', end: '2021-03-01' });
    expect(r.state).toBe('DONE');
    const alerts = t.session.ctx.store.db
      .prepare("SELECT severity, message FROM alerts WHERE kind = 'backup'")
      .all() as { severity: string; message: string }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      severity: 'WARNING',
      message: expect.stringMatching(/^backup after 2021-03 failed: /),
    });
  }, 60_000);
});
