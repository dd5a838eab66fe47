/**
 * Issue 12.1: `backfill --follow` over an injected virtual clock (never a real sleep). The simulated
 * market answers grouped daily of a day only once its data is due (FOLLOW_DUE_ET on that day), so
 * a scan that came too early would fail. The run crosses Thanksgiving 2024 (Thu 11-28, a holiday),
 * Black Friday (11-29, a 13:00 early close) and a weekend; it is stopped while it waits, restarted
 * days later (it catches up on the days it missed), stopped in the middle of a scan and restarted
 * again. Every trading day must be committed COMPLETE exactly once, no holiday or weekend scanned,
 * every followed day scanned at or after its due time, and the state file must carry
 * FOLLOWING/next_scan_at while waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testSession } from '../helpers/session.js';
import { runBackfill } from '../../source/engine/backfill.js';
import { VirtualClock, dueAtMs, etLabel } from '../../source/engine/clock.js';
import { readBackfillState, type BackfillStateFile } from '../../source/store/state-files.js';
import { backfillHooks } from '../../source/runtime/hooks.js';
import { createSimMarket } from '../../source/market/sim/index.js';
import { isEarlyClose, isTradingDay, prevTradingDay } from '../../source/calendar/index.js';
import type { MarketSource } from '../../source/market/types.js';
import type { Session } from '../../source/runtime/session.js';

let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

const SCHEDULE = { dueEt: '18:30:00', dueDayOffset: 0 };
const START = '2024-11-25';

describe('backfill --follow over a virtual clock', () => {
  it('scans each trading day once after its due time, across a holiday, an early close and a weekend; stopped and restarted it catches up', async () => {
    expect(isTradingDay('2024-11-28')).toBe(false);
    expect(isEarlyClose('2024-11-29')).toBe(true);

    let clock: VirtualClock;
    const tooEarly: string[] = [];
    const sim = createSimMarket({
      seed: 7,
      tickers: 400,
      calendar: { isTradingDay, prevTradingDay },
    });
    // The market of "now": a day's grouped daily exists only once its data is due.
    const source: MarketSource = {
      ...sim,
      name: sim.name,
      async groupedDaily(date: string) {
        if (clock.now().getTime() < dueAtMs(date, SCHEDULE)) {
          tooEarly.push(`${date} asked at ${clock.now().toISOString()}`);
          return [];
        }
        return sim.groupedDaily(date);
      },
    };
    const t = await testSession({ market: 'sim:7', source });
    open.push(t.session);
    const s = t.session;
    const job = { start: START, end: '2024-11-26', validate: 'spot' as const, skipPhase0: true };

    const committed: Record<string, number> = {};
    const begun: { date: string; at: number }[] = [];
    const emit = s.ctx.emit;
    let onDayBegin: (date: string) => void = () => {};
    s.ctx.emit = (e) => {
      emit(e);
      if (e.type === 'day-begin') {
        begun.push({ date: e.date, at: clock.now().getTime() });
        onDayBegin(e.date);
      }
      if (e.type === 'day-end' && e.status === 'COMPLETE')
        committed[e.date] = (committed[e.date] ?? 0) + 1;
    };
    const waits: BackfillStateFile[] = [];
    /** A clock that records the state at each wait and stops the run when it would sleep past `horizon`. */
    const clockUntil = (start: string, horizon: string) =>
      new VirtualClock(new Date(start), (until) => {
        waits.push(readBackfillState(s.ctx.stateDir)!);
        if (until.getTime() > Date.parse(horizon)) s.controller.abort();
      });
    const run = async (c: VirtualClock, end: string) => {
      clock = c;
      const o = await runBackfill(s.ctx, {
        ...job,
        end,
        ...backfillHooks(s, { ...job, end }),
        follow: { clock: c, ...SCHEDULE },
      });
      if (s.controller.signal.aborted) s.renewSignal();
      return o;
    };

    // Run 1: started Tue 11-26 at 20:00 ET (11-26 is due), stopped while it waits for Mon 12-02.
    const r1 = await run(clockUntil('2024-11-27T01:00:00Z', '2024-11-30T00:00:00Z'), '2024-11-26');
    expect(r1.state).toBe('STOPPED');
    expect(Object.keys(committed).sort()).toEqual([
      '2024-11-25',
      '2024-11-26',
      '2024-11-27',
      '2024-11-29',
    ]);
    // While waiting: FOLLOWING with the next day and its due time (UTC and ET).
    expect(waits[0]).toMatchObject({
      status: 'FOLLOWING',
      next_scan_day: '2024-11-27',
      next_scan_at: '2024-11-27T23:30:00.000Z',
      next_scan_et: '2024-11-27 18:30 ET',
    });
    expect(waits[1]).toMatchObject({
      status: 'FOLLOWING',
      next_scan_day: '2024-11-29',
      range: { start: START, end: '2024-11-27' },
    });
    expect(waits.at(-1)).toMatchObject({
      status: 'FOLLOWING',
      next_scan_day: '2024-12-02',
      next_scan_et: etLabel(dueAtMs('2024-12-02', SCHEDULE)),
    });
    expect(readBackfillState(s.ctx.stateDir)).toMatchObject({
      status: 'STOPPED',
      range: { start: START, end: '2024-11-29' },
      last_completed_day: '2024-11-29',
    });

    // Run 2: down until Wed 12-04 10:00 ET: catches up 12-02 at once, then stopped in the middle of 12-03's scan.
    onDayBegin = (d) => {
      if (d === '2024-12-03') s.controller.abort();
    };
    const state1 = readBackfillState(s.ctx.stateDir)!;
    const r2 = await run(
      clockUntil('2024-12-04T15:00:00Z', '2024-12-10T00:00:00Z'),
      state1.range.end,
    );
    expect(r2.state).toBe('STOPPED');
    expect(committed['2024-12-02']).toBe(1);
    expect(committed['2024-12-03']).toBeUndefined();

    // Run 3: restarted at once: 12-03 (extended into the range) again, then 12-04 after its due time; stopped while waiting for 12-05.
    onDayBegin = () => {};
    const state2 = readBackfillState(s.ctx.stateDir)!;
    expect(state2.range.end).toBe('2024-12-03');
    const r3 = await run(
      clockUntil('2024-12-04T15:05:00Z', '2024-12-05T00:00:00Z'),
      state2.range.end,
    );
    expect(r3.state).toBe('STOPPED');

    const trading = [
      '2024-11-25',
      '2024-11-26',
      '2024-11-27',
      '2024-11-29',
      '2024-12-02',
      '2024-12-03',
      '2024-12-04',
    ];
    expect(committed).toEqual(Object.fromEntries(trading.map((d) => [d, 1])));
    // Each followed day began at or after its data was due; none was asked of the market too early.
    for (const b of begun.filter((x) => x.date > '2024-11-26'))
      expect(b.at, b.date).toBeGreaterThanOrEqual(dueAtMs(b.date, SCHEDULE));
    expect(tooEarly).toEqual([]);
    expect(readBackfillState(s.ctx.stateDir)).toMatchObject({
      status: 'STOPPED',
      range: { start: START, end: '2024-12-04' },
      last_completed_day: '2024-12-04',
    });
    // Exports: one set of range-level files, named by the range so far; each month folder's files once.
    const exportsDir = join(t.dir, 'exports');
    expect(readdirSync(exportsDir).filter((n) => n.startsWith('discovery_hits_'))).toEqual([
      `discovery_hits_${START}_2024-12-04.csv`,
    ]);
    expect(
      readdirSync(join(exportsDir, '2024-11')).filter((n) => n.startsWith('discovery_hits_')),
    ).toEqual([`discovery_hits_${START}_2024-11-29.csv`]);
    expect(
      readdirSync(join(exportsDir, '2024-12')).filter((n) => n.startsWith('discovery_hits_')),
    ).toEqual(['discovery_hits_2024-12-01_2024-12-04.csv']);
  }, 180_000);
});
