/**
 * Backfill (Phase B): month by month with partial months, stop on the first failure with the reason
 * in current_state.json and HELP_REQUEST.md, resume after last_completed_day, task_log.md per month.
 *
 * The market is the small replay dataset derived from the bundled sample (test/helpers/small-sample.ts:
 * the same days and bytes for every ticker that can hit a rule or has premarket rows, CNET included,
 * plus a thin filler): what is checked is the months, the halt, its reason and the resume, which no
 * universe size changes, and a full-sample day (7,292 symbols) costs several times as much to scan,
 * prove and validate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testSession } from '../helpers/session.js';
import { smallSample } from '../helpers/small-sample.js';
import { planBackfill, runBackfill } from '../../source/engine/backfill.js';
import { readBackfillState } from '../../source/store/state-files.js';
import type { Session } from '../../source/runtime/session.js';

/** The small replay dataset (see the file comment). */
const SMALL = `replay:${smallSample()}`;

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('backfill', () => {
  it('plans month by month with partial months at the ends', () => {
    const plan = planBackfill('2018-01-29', '2018-03-02');
    expect(plan.map((m) => [m.month, m.days[0], m.days.at(-1), m.days.length])).toEqual([
      ['2018-01', '2018-01-29', '2018-01-31', 3],
      ['2018-02', '2018-02-01', '2018-02-28', 19],
      ['2018-03', '2018-03-01', '2018-03-02', 2],
    ]);
  });

  it('halts on the first failed day with the reason, then resumes after last_completed_day', async () => {
    const t = await testSession({ market: SMALL, env: { THETA_RETRIES: '0' } });
    open.push(t.session);
    const ctx = t.session.ctx;
    // Theta goes down once three days are done.
    let done = 0;
    const emit = ctx.emit;
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'day-end' && ++done === 3)
        t.session.emulator!.setFaults({ thetaOutage: true });
    };
    const range = { start: '2018-01-29', end: '2018-02-06' };
    const first = await runBackfill(ctx, range);
    expect(first.state).toBe('HALTED');
    expect(first.reason).toMatch(/^2018-02-01 INCOMPLETE: premarket unanswered/);
    const halted = readBackfillState(ctx.stateDir)!;
    expect(halted).toMatchObject({
      status: 'HALTED',
      last_completed_day: '2018-01-31',
      last_completed_month: '2018-01',
      halted_day: '2018-02-01',
    });
    expect(readFileSync(join(ctx.stateDir, 'HELP_REQUEST.md'), 'utf8')).toContain('2018-02-01');
    expect(readFileSync(join(ctx.stateDir, 'task_log.md'), 'utf8')).toContain(
      '## 2018-01 (2018-01-29 .. 2018-01-31)',
    );
    expect(existsSync(join(ctx.stateDir, 'artifacts/scan_2018-02-01.log'))).toBe(true);

    // Theta is back: the same command resumes at the halted day.
    t.session.emulator!.setFaults({});
    const scanned: string[] = [];
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'day-begin') scanned.push(e.date);
    };
    const second = await runBackfill(ctx, range);
    expect(second).toMatchObject({ state: 'DONE', skipped: 3 });
    expect(scanned).toEqual(['2018-02-01', '2018-02-02', '2018-02-05', '2018-02-06']);
    expect(readBackfillState(ctx.stateDir)).toMatchObject({
      status: 'DONE',
      last_completed_month: '2018-02',
      last_completed_day: '2018-02-06',
      halt_reason: null,
    });
  });

  it('--max-months stops after N months and says so', async () => {
    const t = await testSession({ market: SMALL });
    open.push(t.session);
    const r = await runBackfill(t.session.ctx, {
      start: '2018-01-30',
      end: '2018-02-02',
      maxMonths: 1,
    });
    expect(r).toMatchObject({ state: 'STOPPED', months: 1 });
    expect(readBackfillState(t.session.ctx.stateDir)).toMatchObject({
      status: 'STOPPED',
      last_completed_month: '2018-01',
      halt_reason: '--max-months 1 reached',
    });
  });
});
