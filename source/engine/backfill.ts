/**
 * Backfill (Phase B, docs/domain.md section 10): month by month over a range of trading days, scanning
 * each day, exporting and spot-validating each month, then advancing `current_state.json` and
 * appending to `task_log.md`. Stops on the first failure (a day not COMPLETE, a failed gate, a
 * baseline-only hit) with the reason in the state file and HELP_REQUEST.md, and resumes after
 * `last_completed_day`.
 *
 * Over 400 lines: the backfill's month loop, resume pointer, follow mode and halt handling share
 * the state file's transitions; split, the order of those writes (what makes a resume safe) would
 * be spread over modules.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { monthsOfRange, nextTradingDay } from '../calendar/index.js';
import {
  appendTaskLog,
  readBackfillState,
  stateStoreMatch,
  statePaths,
  sweepStaleTemps,
  writeBackfillState,
  writeBackfillStateBestEffort,
  writeFileAtomic,
  type BackfillStateFile,
} from '../store/state-files.js';
import { dueAtMs, etLabel, type Clock, type FollowSchedule } from './clock.js';
import { errorCode, isDiskFull } from '../util/fs-errors.js';
import { StoppedError, type EngineContext } from './context.js';
import { storeRefOf } from '../store/market-identity.js';
import { BASELINE_ONLY_DAYS_SQL, dayLookupSql } from '../store/days.js';
import type { DayStatus } from '../contracts/events.js';
import type { EndedBackfillState } from '../contracts/states.js';
import { scanDay, type DayResult } from './day.js';
import { errorLine } from '../util/errors.js';
import { failpoint } from '../util/failpoint.js';
import { backupAfterMonth } from './monthly-backup.js';

/** Result of validating one day (supplied by the validation module). */
export interface DayValidation {
  date: string;
  passed: boolean;
  /** Failed gate name, e.g. BASELINE. */
  gate?: string;
  baselineOnly: number;
  message: string;
  /** True when a stop cut the validation short: nothing was recorded (not a pass, not a failure). */
  stopped?: boolean;
}

/** Options of {@link runBackfill}. Dates `YYYY-MM-DD`. */
export interface BackfillOptions {
  start: string;
  end: string;
  /** Stop after this many months have completed in this run. */
  maxMonths?: number;
  /** Rescan days already COMPLETE. */
  rerun?: boolean;
  /** R1 mode of the scans (default cfg.R1_MODE). */
  mode?: 'prefilter' | 'exhaustive';
  /** Validate 'spot' (the 2-3 busiest days of each month, default), 'all' days, or 'none'. */
  validate?: 'spot' | 'all' | 'none';
  /** Ignore current_state.json and do not resume from it (COMPLETE days are still skipped). */
  noResume?: boolean;
  /**
   * Validation of a day (gates, baseline, audit; it emits its own `validate` event); when absent,
   * months are not validated. `range` is the backfill's range so far (follow mode extends its end).
   */
  validateDay?: (date: string, range?: { start: string; end: string }) => Promise<DayValidation>;
  /** Export of a finished month [start, end] of the backfill range `range` (follow mode extends its end) (CSV); returns the files written. */
  exportMonth?: (
    start: string,
    end: string,
    range?: { start: string; end: string },
  ) => Promise<string[]>;
  /** Phase 0: scan (if needed) and validate a known-good reference day before starting (skipped when absent). */
  phase0?: () => Promise<DayValidation>;
  /** Follow the market after the range (`--follow`): the clock and when each day's data is due. */
  follow?: FollowOptions;
}

/** Follow mode: the injected clock and the due time of each trading day's data. */
export interface FollowOptions extends FollowSchedule {
  clock: Clock;
}

/** Outcome of a backfill run. */
export interface BackfillOutcome {
  state: EndedBackfillState;
  reason: string | null;
  scanned: number;
  skipped: number;
  months: number;
  /** True when the run ended because --max-months months were completed (a finished chunk, not a failure). */
  chunkDone?: boolean;
}

/** Exit code of a backfill run: 0 when the range is done or a --max-months chunk completed, else 1 (contracts/states.ts). */
export { backfillExitCode } from '../contracts/states.js';

/** A planned month: its trading days in the range. */
export interface PlannedMonth {
  month: string;
  start: string;
  end: string;
  days: string[];
}

/** The months and days of a backfill range (partial months at the ends). */
export function planBackfill(start: string, end: string): PlannedMonth[] {
  return monthsOfRange(start, end).map((m) => ({
    month: m.month,
    start: m.start,
    end: m.end,
    days: m.days,
  }));
}

/**
 * Runs a backfill with resume. Emits `plan`, day events, `month-done`, `validate`, `alert`,
 * `follow-wait` and `backfill-state` events.
 *
 * Resume: after `last_completed_day` of current_state.json when the range starts where the state's
 * did; a `--rerun` records its range and start time in the state (`rerun`), so a plain backfill after
 * an interrupted rerun rescans exactly the days of that range not rescanned since the rerun began
 * (day_completeness.updated_at before `rerun.started_at`).
 *
 * Follow (`opts.follow`): once the range is done the run waits (on the injected clock) for the next
 * trading day's data to be due, extends the range to it, scans, exports and validates it as a
 * one-day month, and waits again; days missed while it was down are caught up at once, in order.
 * It ends only on a stop, a halt or a failure.
 *
 * A full disk (ENOSPC, EDQUOT, SQLITE_FULL) halts the run (HALTED, resumable) with the path in the
 * reason; any other error fails it (FAILED).
 * @throws StateFileError when current_state.json is corrupt (nothing is changed).
 */
export async function runBackfill(
  ctx: EngineContext,
  opts: BackfillOptions,
): Promise<BackfillOutcome> {
  const { store, emit, cfg } = ctx;
  const mode = opts.mode ?? cfg.R1_MODE;
  // The state file names its store; a state of another store is never resumed from (it is replaced).
  const storeRef = storeRefOf(store.db, store.path);
  const found = opts.noResume ? null : readBackfillState(ctx.stateDir);
  const prior = found && stateStoreMatch(found, storeRef) === 'other' ? null : found;
  // The resume pointer carries over when the range starts where the state's did (its end may move).
  const sameRange = prior && prior.range.start === opts.start;
  // Following again: the range is at least as long as the followed one (days the follow added).
  const end = opts.follow && sameRange && prior!.range.end > opts.end ? prior!.range.end : opts.end;
  const months = planBackfill(opts.start, end);
  // A rerun: a new one (--rerun), or the unfinished one of the state file.
  const rerun = opts.rerun
    ? { start: opts.start, end, started_at: new Date().toISOString() }
    : sameRange && prior!.rerun
      ? prior!.rerun
      : null;
  const proofWanted = cfg.R1_PROOF === 'auto';
  /**
   * True when `date` must be scanned: not COMPLETE, COMPLETE but unproven while proofs are on (a
   * day scanned before, or with R1_PROOF=off: the rescan proves it; cached premarket answers cost
   * nothing), or in the rerun's range and not rescanned since it began.
   */
  const needsScan = (date: string, st: { status: DayStatus } | undefined): boolean => {
    if (st?.status !== 'COMPLETE') return true;
    if (proofWanted && (store.dayCompleteness(date)?.proof ?? 'sampled') === 'sampled') return true;
    if (!rerun || date < rerun.start || date > rerun.end) return false;
    return (store.dayCompleteness(date)?.updated_at ?? '') < rerun.started_at;
  };
  const statuses = store.dayStatuses(opts.start, end);
  const proofs = store.dayProofs(opts.start, end);

  const allDays = months.flatMap((m) => m.days);
  emit({
    type: 'plan',
    start: opts.start,
    end,
    days: allDays.map((d) => {
      const s = statuses.get(d);
      return {
        date: d,
        status: s?.status ?? 'PENDING',
        hits: s?.discoveries ?? 0,
        proof: proofs.get(d),
      };
    }),
    at: Date.now(),
  });

  // Temp copies of files a killed run was writing (exports, reports, state) are left over; a
  // resumed run rewrites the files themselves.
  for (const dir of [ctx.stateDir, ctx.reportsDir, resolve(cfg.GAPCTL_EXPORT_DIR)])
    sweepStaleTemps(dir);
  let state: BackfillStateFile = writeBackfillState(ctx.stateDir, {
    range: { start: opts.start, end },
    status: 'RUNNING',
    last_completed_month: sameRange ? prior!.last_completed_month : null,
    last_completed_day: sameRange ? prior!.last_completed_day : null,
    halt_reason: null,
    halted_day: null,
    market: ctx.marketName,
    market_spec: ctx.marketSpec,
    r1_mode: mode,
    proof: proofWanted ? 'auto' : 'off',
    validate: opts.validate ?? 'spot',
    rerun,
    follow: !!opts.follow,
    next_scan_day: null,
    next_scan_at: null,
    next_scan_et: null,
    store: storeRef,
  });
  emit({ type: 'backfill-state', state: 'RUNNING', at: Date.now() });
  if (!proofWanted) {
    const alert = store.addAlert({
      severity: 'INFO',
      kind: 'proof_off',
      date: null,
      message: `proof off for this run (--no-proof or R1_PROOF=off): the days this backfill scans are not proven (prefilter and audit only, "sampled")`,
    });
    emit({ type: 'alert', alert });
  }

  let scanned = 0;
  let skipped = 0;
  let monthsDone = 0;
  /** The day being scanned or validated (named by a halt on a full disk). */
  let currentDay: string | null = null;

  const halt = (reason: string, day: string | null, kind: string): BackfillOutcome => {
    state = writeBackfillState(ctx.stateDir, {
      ...strip(state),
      status: 'HALTED',
      halt_reason: reason,
      halted_day: day,
      next_scan_day: null,
      next_scan_at: null,
      next_scan_et: null,
    });
    writeHelpRequest(ctx.stateDir, reason, day, kind);
    const alert = store.addAlert({
      severity: kind === 'BASELINE' ? 'CRITICAL' : 'WARNING',
      kind: `backfill_halt_${kind.toLowerCase()}`,
      date: day,
      message: reason,
    });
    emit({ type: 'alert', alert });
    emit({ type: 'backfill-state', state: 'HALTED', reason, at: Date.now() });
    return { state: 'HALTED', reason, scanned, skipped, months: monthsDone };
  };

  /**
   * Follow mode: removes the export files a followed day's export superseded: the range-level files
   * of the same range start, the month folder's files of the same month start and the month's
   * earlier 30-day QA reports, all named by an older end date (files of other months stay).
   */
  const pruneSuperseded = (files: readonly string[], month: PlannedMonth): void => {
    const keep = new Set(files.map((f) => resolve(f)));
    const exportDir = resolve(cfg.GAPCTL_EXPORT_DIR);
    const D = '\\d{4}-\\d{2}-\\d{2}';
    const sets: [string, RegExp][] = [
      [
        exportDir,
        new RegExp(`^(discovery_hits|summary|next_day_outcomes)_${opts.start}_${D}\\.csv$`),
      ],
      [
        join(exportDir, month.month),
        new RegExp(
          `^(discovery_hits|next_day_outcomes|summary|day_completeness)_${month.start}_${D}\\.csv$`,
        ),
      ],
      [resolve(ctx.reportsDir), new RegExp(`^qa_30d_${month.month}-\\d{2}\\.(csv|txt)$`)],
    ];
    for (const [dir, re] of sets) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names)
        if (re.test(n) && !keep.has(join(dir, n))) rmSync(join(dir, n), { force: true });
    }
  };

  /**
   * One month of the range (or one followed day): scan its days, export, validate, task log, state.
   * Returns the halt outcome, or null when the month is done.
   */
  const doMonth = async (
    month: PlannedMonth,
    label: string,
    rangeEnd: string,
    resuming: boolean,
    follow = false,
  ): Promise<BackfillOutcome | null> => {
    // Resuming: a month already completed (scanned, exported, validated) is not done again.
    if (resuming && prior!.last_completed_month && month.month <= prior!.last_completed_month) {
      const st = store.dayStatuses(month.start, month.end);
      if (month.days.every((d) => !needsScan(d, st.get(d)))) {
        for (const date of month.days) {
          const d = st.get(date)!;
          skipped++;
          emit({
            type: 'day-skipped',
            date,
            status: d.status,
            hits: d.discoveries,
            rules: { r1: d.r1, r2: d.r2, r3: d.r3, r4: d.r4 },
            proof: store.dayProofs(date, date).get(date),
          });
        }
        return null;
      }
    }
    const results: DayResult[] = [];
    let monthScanned = 0;
    for (const date of month.days) {
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted) throw new StoppedError();
      const st = store.dayStatuses(date, date).get(date);
      if (!needsScan(date, st)) {
        skipped++;
        emit({
          type: 'day-skipped',
          date,
          status: st!.status,
          hits: st!.discoveries,
          rules: { r1: st!.r1, r2: st!.r2, r3: st!.r3, r4: st!.r4 },
          proof: store.dayProofs(date, date).get(date),
        });
        results.push({
          date,
          status: 'COMPLETE',
          reason: null,
          hits: { r1: st!.r1, r2: st!.r2, r3: st!.r3, r4: st!.r4 },
          discoveries: st!.discoveries,
          durationMs: 0,
        });
        continue;
      }
      currentDay = date;
      // The month's next day to scan: its Polygon inputs are fetched ahead (in memory) during this one.
      const nextDay = month.days[month.days.indexOf(date) + 1];
      const next =
        nextDay && needsScan(nextDay, store.dayStatuses(nextDay, nextDay).get(nextDay))
          ? nextDay
          : undefined;
      const r = await scanDay(ctx, date, { mode, bulk: true, next });
      scanned++;
      monthScanned++;
      results.push(r);
      if (r.status !== 'COMPLETE')
        return halt(
          `${date} ${r.status}: ${r.reason ?? 'no reason given'}`,
          date,
          dayKind(r.status),
        );
      state = writeBackfillState(ctx.stateDir, { ...strip(state), last_completed_day: date });
    }
    // Month finished: export, validate spot-check days, then advance the state.
    failpoint('month.export');
    const range = { start: opts.start, end: rangeEnd };
    const files = opts.exportMonth ? await opts.exportMonth(month.start, month.end, range) : [];
    // A followed day's export supersedes the files of the range and month so far (named by an older end date).
    if (follow) pruneSuperseded(files, month);
    const toValidate = opts.validateDay ? pickValidationDays(results, opts.validate ?? 'spot') : [];
    for (const d of toValidate) {
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted) throw new StoppedError();
      failpoint('month.validate');
      currentDay = d;
      const v = await opts.validateDay!(d, range);
      if (v.stopped) throw new StoppedError();
      if (!v.passed)
        return halt(
          `${d} validation failed at gate ${v.gate ?? '?'}: ${v.message}`,
          d,
          v.gate ?? 'VALIDATE',
        );
    }
    currentDay = null;
    monthsDone++;
    const hits = results.reduce((a, r) => a + r.discoveries, 0);
    // The task log first, then the resume pointer: a crash between the two redoes the month's
    // export and validation (both idempotent) and appendTaskLog does not repeat the entry.
    failpoint('tasklog.append');
    appendTaskLog(
      ctx.stateDir,
      `## ${label}\n\n- completed ${new Date().toISOString()}; market ${ctx.marketName}; R1 mode ${mode}\n` +
        `- days ${month.days.length} (scanned ${monthScanned}, already complete ${month.days.length - monthScanned}); hits ${hits}\n` +
        `- validated: ${toValidate.length ? toValidate.join(', ') : 'none'}; exported: ${exportedText(files)}\n`,
    );
    failpoint('state.advance');
    state = writeBackfillState(ctx.stateDir, {
      ...strip(state),
      last_completed_month: month.month,
      last_completed_day: month.days[month.days.length - 1] ?? state.last_completed_day,
    });
    emit({ type: 'month-done', month: month.month, days: month.days.length, hits });
    await backupAfterMonth(ctx, month.month, month.days[month.days.length - 1] ?? month.month);
    return null;
  };

  try {
    const resuming = !!(sameRange && prior!.last_completed_day && !opts.rerun);
    if (opts.phase0 && !resuming) {
      const v = await opts.phase0();
      if (v.stopped) throw new StoppedError();
      if (!v.passed)
        return halt(
          `phase 0: reference day ${v.date} failed validation: ${v.message}`,
          v.date,
          v.gate ?? 'PHASE0',
        );
    }
    let cutByMax = false;
    for (const month of months) {
      if (opts.maxMonths !== undefined && monthsDone >= opts.maxMonths) {
        cutByMax = true;
        break;
      }
      const h = await doMonth(
        month,
        `${month.month} (${month.start} .. ${month.end})`,
        end,
        resuming,
      );
      if (h) return h;
    }
    if (opts.follow && !cutByMax) return await follow(opts.follow);
    const done = !cutByMax;
    const proofs = store.proofCounts(opts.start, opts.end);
    if (proofs.unproven.length > 0) {
      const alert = store.addAlert({
        severity: proofWanted ? 'WARNING' : 'INFO',
        kind: 'days_unproven',
        date: null,
        message: `${proofs.unproven.length} of ${proofs.days} scanned day(s) of ${opts.start}..${opts.end} are not proven${proofWanted ? '' : ' (proof off for this run: --no-proof or R1_PROOF=off)'}: ${runsText(proofs.unproven)}`,
      });
      emit({ type: 'alert', alert });
    }
    state = writeBackfillState(ctx.stateDir, {
      ...strip(state),
      status: done ? 'DONE' : 'STOPPED',
      halt_reason: done ? null : `--max-months ${opts.maxMonths} reached`,
      rerun: done ? null : rerun,
    });
    emit({
      type: 'backfill-state',
      state: done ? 'DONE' : 'STOPPED',
      reason: done ? undefined : `--max-months ${opts.maxMonths} reached`,
      at: Date.now(),
    });
    return {
      state: done ? 'DONE' : 'STOPPED',
      reason: done ? null : `--max-months ${opts.maxMonths} reached`,
      scanned,
      skipped,
      months: monthsDone,
      chunkDone: !done,
    };
  } catch (e) {
    if (e instanceof StoppedError || ctx.signal.aborted) {
      state = writeBackfillState(ctx.stateDir, {
        ...strip(state),
        status: 'STOPPED',
        halt_reason: 'stopped by the operator',
        next_scan_day: null,
        next_scan_at: null,
        next_scan_et: null,
      });
      emit({
        type: 'backfill-state',
        state: 'STOPPED',
        reason: 'stopped by the operator',
        at: Date.now(),
      });
      return {
        state: 'STOPPED',
        reason: 'stopped by the operator',
        scanned,
        skipped,
        months: monthsDone,
      };
    }
    if (isDiskFull(e)) return diskFull(e);
    const reason = errorLine(e);
    state = writeBackfillState(ctx.stateDir, {
      ...strip(state),
      status: 'FAILED',
      halt_reason: reason,
    });
    writeHelpRequest(ctx.stateDir, reason, null, 'ERROR');
    emit({ type: 'backfill-state', state: 'FAILED', reason, at: Date.now() });
    return { state: 'FAILED', reason, scanned, skipped, months: monthsDone };
  }

  /**
   * A full disk: HALTED (an environment problem, resumable once space is freed), the reason naming
   * the file and the code. Every write here is best effort: the disk may still be full.
   */
  function diskFull(e: unknown): BackfillOutcome {
    const code = errorCode(e) ?? 'ENOSPC';
    let reason = errorLine(e);
    if (code === 'SQLITE_FULL' && !reason.includes(store.path))
      reason = `${reason} (${store.path})`;
    reason = `disk full (${code}): ${reason.replace(/^(ENOSPC|EDQUOT): /, '')}; free space there, then resume with gapctl backfill`;
    writeBackfillStateBestEffort(ctx.stateDir, {
      ...strip(state),
      status: 'HALTED',
      halt_reason: reason,
      halted_day: currentDay,
      next_scan_day: null,
      next_scan_at: null,
      next_scan_et: null,
    });
    try {
      writeHelpRequest(ctx.stateDir, reason, currentDay, 'DISK_FULL');
    } catch {
      // No room for it either: the state file and the exit line say it.
    }
    try {
      emit({
        type: 'alert',
        alert: store.addAlert({
          severity: 'WARNING',
          kind: 'backfill_halt_disk_full',
          date: currentDay,
          message: reason,
        }),
      });
    } catch {
      // The store is on the full disk.
    }
    emit({ type: 'backfill-state', state: 'HALTED', reason, at: Date.now() });
    return { state: 'HALTED', reason, scanned, skipped, months: monthsDone };
  }

  /** Follow mode after the range: wait for each trading day's data, then scan it as a one-day month. Ends on a stop or a halt. */
  async function follow(f: FollowOptions): Promise<BackfillOutcome> {
    state = writeBackfillState(ctx.stateDir, { ...strip(state), rerun: null });
    let last = state.range.end;
    for (;;) {
      const day = nextTradingDay(last);
      const due = dueAtMs(day, f);
      if (f.clock.now().getTime() < due) {
        state = writeBackfillState(ctx.stateDir, {
          ...strip(state),
          status: 'FOLLOWING',
          next_scan_day: day,
          next_scan_at: new Date(due).toISOString(),
          next_scan_et: etLabel(due),
        });
        emit({
          type: 'follow-wait',
          date: day,
          nextScanAt: due,
          nextScanEt: etLabel(due),
          at: Date.now(),
        });
        emit({ type: 'backfill-state', state: 'FOLLOWING', at: Date.now() });
        await f.clock.sleepUntil(new Date(due), ctx.signal);
        if (ctx.signal.aborted) throw new StoppedError();
        continue;
      }
      await ctx.gate.wait(ctx.signal);
      if (ctx.signal.aborted) throw new StoppedError();
      // The range grows to the day before it is scanned: a run killed in the middle resumes it as part of the range.
      // The month part as a backfill ending on the day names it (its folder's files, clipped to the range).
      const chunk = planBackfill(opts.start, day).at(-1)!;
      state = writeBackfillState(ctx.stateDir, {
        ...strip(state),
        range: { start: state.range.start, end: day },
        status: 'RUNNING',
        next_scan_day: null,
        next_scan_at: null,
        next_scan_et: null,
      });
      emit({ type: 'follow-wait', date: day, nextScanAt: null, at: Date.now() });
      emit({ type: 'backfill-state', state: 'RUNNING', at: Date.now() });
      const h = await doMonth(
        { month: chunk.month, start: chunk.start, end: day, days: [day] },
        `${day} (follow)`,
        day,
        false,
        true,
      );
      if (h) return h;
      last = day;
    }
  }
}

/** The days to validate in a finished month: the 2-3 busiest by hits ('spot'), or all. */
export function pickValidationDays(
  results: readonly DayResult[],
  how: 'spot' | 'all' | 'none',
): string[] {
  if (how === 'none') return [];
  if (how === 'all') return results.map((r) => r.date);
  const n = results.length >= 15 ? 3 : 2;
  return [...results]
    .sort((a, b) => b.discoveries - a.discoveries || (a.date < b.date ? -1 : 1))
    .slice(0, Math.min(n, results.length))
    .map((r) => r.date)
    .sort();
}

function dayKind(s: DayStatus): string {
  return s === 'INCOMPLETE' ? 'INCOMPLETE' : s === 'RETRY_NEEDED' ? 'RETRY' : 'DAY_FAILED';
}

function strip(s: BackfillStateFile): Omit<BackfillStateFile, 'version' | 'updated_at'> {
  const { version: _v, updated_at: _u, ...rest } = s;
  return rest;
}

/** What to do about a halt of `kind` (a gate name, DAY_FAILED, INCOMPLETE, RETRY, PHASE0 or ERROR) on `day`. */
function remedy(kind: string, day: string | null): string[] {
  const rerun = `\`gapctl scan-day --date ${day ?? 'D'} --mode exhaustive\``;
  switch (kind) {
    case 'BASELINE':
      return [
        '- A baseline-only hit is a hit the scan missed (CRITICAL). Look at `diffs.detail` for the day: which symbol and rule.',
        `- Most often an R1 premarket move under the prefilter: rerun the day exhaustively with ${rerun}, then resume.`,
      ];
    case 'RETRY':
      return [
        `- The post-scan miss audit found a hit the scan missed: rerun the day exhaustively with ${rerun}, then resume.`,
      ];
    case 'INCOMPLETE':
      return [
        '- The Theta terminal did not answer for some candidates: check it is up (pm_diag shows the statuses), then resume (the day reruns).',
      ];
    case 'R1_HEALTH':
      return [
        `- Too few premarket lookups of the day had data (pm_diag_${day ?? 'D'}.json counts them by source and status). A terminal that answers 472 (no data) to everything (no subscription, a feed outage, a wrong venue) makes R1 blind: fix it, rerun the day with ${rerun}, then resume.`,
        "- When the market truly holds no premarket data for the day, no rescan can fix it: a replay dataset has premarket bars only where its premarket file has rows (the real 518-day dataset from ../shared/data: 2018-01-02..2018-04-10 only), so R1 cannot be judged after that. The halt is the honest outcome; to go on knowingly, resume with the gate off for that run: `R1_HEALTH_MIN=0 gapctl backfill` (those days' R1 stays unverified by real premarket data).",
      ];
    case 'DAY_FAILED':
    case 'ERROR':
      return [
        '- A provider or the store failed: the reason above says which; fix it, then resume (the day reruns).',
      ];
    default:
      return [
        `- The ${kind} gate failed: FAIL_${kind}_${day ?? 'D'}.md says what it found; fix the cause (rescan the day if its data was wrong), then resume.`,
      ];
  }
}

/** Writes project_state/HELP_REQUEST.md: what failed, where, what to look at, what to do. */
export function writeHelpRequest(
  stateDir: string,
  reason: string,
  day: string | null,
  kind: string,
): string {
  const p = statePaths(stateDir);
  mkdirSync(stateDir, { recursive: true });
  const lines = [
    `# HELP REQUEST (${kind})`,
    '',
    `- when: ${new Date().toISOString()}`,
    `- day: ${day ?? 'n/a'}`,
    `- reason: ${reason}`,
    '',
    '## What to look at',
    '',
    ...(day
      ? [
          `- the day's stage log: project_state/artifacts/scan_${day}.log`,
          `- premarket request outcomes: project_state/artifacts/pm_diag_${day}.json`,
        ]
      : ['- logs/gapctl.log and project_state/current_state.json']),
    `- \`${dayLookupSql(day ?? '')}\` and \`${BASELINE_ONLY_DAYS_SQL}\``,
    '- `gapctl status` for the backfill state and the last task-log entries',
    '',
    '## What to do',
    '',
    ...remedy(kind, day),
    '- Resume with `gapctl backfill` (no flags): it takes the range, market and validation of current_state.json, skips the COMPLETE days and the completed months, and stops again if the cause is still there.',
    '',
  ];
  writeFileAtomic(p.helpRequest, lines.join('\n'));
  return p.helpRequest;
}

/** The files a month export wrote, for the task log: how many, in which folders (relative to the working directory). */
function exportedText(files: readonly string[]): string {
  if (!files.length) return 'none';
  const dirs = [...new Set(files.map((f) => relative(process.cwd(), dirname(f)) || '.'))];
  return `${files.length} file(s) in ${dirs.join(', ')} (${files
    .map((f) => basename(f))
    .slice(0, 3)
    .join(', ')}${files.length > 3 ? ', ...' : ''})`;
}

/** Runs of consecutive dates of a sorted list, e.g. `2024-01-02..2024-01-05, 2024-01-09` (at most 10 runs shown). */
function runsText(dates: readonly string[]): string {
  const runs: string[] = [];
  let start = dates[0]!;
  let prev = start;
  for (const d of dates.slice(1)) {
    if (d === nextTradingDay(prev)) prev = d;
    else {
      runs.push(start === prev ? start : `${start}..${prev}`);
      start = prev = d;
    }
  }
  if (dates.length) runs.push(start === prev ? start : `${start}..${prev}`);
  return runs.length > 10
    ? `${runs.slice(0, 10).join(', ')}, ... (${runs.length} runs)`
    : runs.join(', ');
}
