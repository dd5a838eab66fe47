/**
 * What a `gapctl backfill` will do before it does it: the range (from the flags, from
 * current_state.json when resuming, or from the replay dataset's span), checks on that range, and
 * the `--dry-run` plan (months, days, which are already COMPLETE and skipped, an ETA from the pace of
 * the days already scanned). Reads only: the store is opened read-only and nothing is written.
 */
import { existsSync } from 'node:fs';
import { monthsOfRange, nextTradingDay } from '../calendar/index.js';
import { tradingDayArg } from '../runtime/input-checks.js';
import { Store } from '../store/store.js';
import { schemaVersion } from '../store/db.js';
import { hasProofColumns, meanCompleteSeconds } from '../store/days.js';
import {
  readBackfillState,
  stateStoreMatch,
  statePaths,
  storeText,
  type BackfillStateFile,
} from '../store/state-files.js';
import type { StoreRef } from '../store/market-identity.js';
import { UsageError, dateFlag } from './common.js';

/** A backfill range and where it came from. Dates `YYYY-MM-DD` (trading days). */
export interface BackfillRange {
  start: string;
  end: string;
  /** `flags`: --start given; `state`: resumed from current_state.json; `dataset`: the replay dataset's span. */
  from: 'flags' | 'state' | 'dataset';
  /** The state file found (null when none, or when it belongs to another store). */
  state: BackfillStateFile | null;
  /** One line when the state file was set aside because it belongs to another store (it is replaced when the backfill starts). */
  notice?: string;
}

/**
 * Checks that `date` (already `YYYY-MM-DD`) is an NYSE trading day (runtime/input-checks.ts
 * tradingDayArg, shared with the control socket).
 * @throws UsageError naming the holiday or weekday and the next trading day.
 */
export function tradingDayFlag(date: string, name: string): string {
  return tradingDayArg(date, name);
}

/**
 * Resolves the range of a backfill. With --start: that start, and --end or (when the state file has
 * the same start) the state's end, else the dataset's end. Without --start: the state file's range
 * (a resume: the engine starts after `last_completed_day`; --end may extend it), else the replay
 * dataset's span from its second day (the first has no previous close), else a UsageError.
 * @param datasetSpan the replay dataset's first and last day, or null (sim/live markets).
 * @param store the store this backfill writes: a state file naming another store is not resumed
 * (with --start it is set aside with a `notice`; without, a UsageError names both stores).
 * @throws UsageError for a bad date, a non-trading day, an end before the start or no range at all;
 * StateFileError when current_state.json is corrupt (the file is left as is).
 */
export async function resolveBackfillRange(
  flags: { start?: string; end?: string },
  stateDir: string,
  datasetSpan: () => Promise<{ start: string; end: string } | null>,
  store?: StoreRef | (() => StoreRef),
): Promise<BackfillRange> {
  if (flags.start !== undefined) dateFlag(flags.start, 'start'); // a bad start is named before a bad end
  let state = readBackfillState(stateDir);
  let notice: string | undefined;
  // The state file names its store: a backfill of another store is neither resumed nor continued here.
  // (the store is opened, read-only, only when a state file names a store)
  const ref = state?.store && store ? (typeof store === 'function' ? store() : store) : undefined;
  if (state && ref && stateStoreMatch(state, ref) === 'other') {
    const theirs = storeText(state.store!);
    if (flags.start === undefined) {
      throw new UsageError(
        `${statePaths(stateDir).currentState} is the backfill of store ${theirs}, not of ${storeText(ref)}: give --start/--end to start a backfill of this store (or --db ${state.store!.path} to resume that one); nothing was changed`,
      );
    }
    notice = `${statePaths(stateDir).currentState} is the backfill of store ${theirs}: not resumed here; this backfill of ${ref.path} replaces it`;
    state = null;
  }
  let start: string;
  let end: string | undefined = flags.end === undefined ? undefined : dateFlag(flags.end, 'end');
  let from: BackfillRange['from'];
  if (flags.start !== undefined) {
    start = dateFlag(flags.start, 'start');
    from = 'flags';
    if (end === undefined && state && state.range.start === start) end = state.range.end;
  } else if (state) {
    start = state.range.start;
    from = 'state';
    end ??= state.range.end;
  } else {
    const span = await datasetSpan();
    if (!span)
      throw new UsageError(
        'no --start given and no backfill to resume (project_state/current_state.json is absent)',
      );
    start = nextTradingDay(span.start);
    from = 'dataset';
    end ??= span.end;
  }
  if (end === undefined) {
    const span = await datasetSpan();
    if (!span) throw new UsageError('missing --end YYYY-MM-DD');
    end = span.end;
  }
  tradingDayFlag(start, 'start');
  tradingDayFlag(end, 'end');
  if (start > end) throw new UsageError(`--start ${start} is after --end ${end}`);
  return { start, end, from, state, notice };
}

/** One month of a dry-run plan. */
export interface PlannedMonthStatus {
  month: string;
  days: string[];
  /** Days already COMPLETE (skipped unless --rerun), and proven when the run proves days. */
  complete: string[];
  /** COMPLETE days that are not proven, rescanned (to prove them) by a run with proofs on; [] otherwise. */
  unproven?: string[];
  /** Days that will be scanned. */
  toScan: string[];
}

/** A dry-run plan. `secondsPerDay` is the mean processing time of the range's scanned days (null when none). */
export interface DryRunPlan {
  months: PlannedMonthStatus[];
  secondsPerDay: number | null;
}

/**
 * Builds the dry-run plan from the store (opened read-only; absent store = nothing scanned yet).
 * With `proof` (the run proves days: R1_PROOF=auto, no `--no-proof`), a COMPLETE day that is not
 * proven (proof `sampled` or NULL, or a store older than the proof columns) is to scan, as the
 * backfill rescans it to prove it (engine/backfill.ts needsScan); without, every COMPLETE day is skipped.
 * @throws StoreError for a corrupt store or one of a newer schema.
 */
export function dryRunPlan(
  dbPath: string,
  start: string,
  end: string,
  rerun: boolean,
  proof = false,
): DryRunPlan {
  const complete = new Set<string>();
  const unproven = new Set<string>();
  let secondsPerDay: number | null = null;
  if (existsSync(dbPath)) {
    const store = Store.open(dbPath, { readonly: true, check: true });
    try {
      // A file gapctl created but never migrated (schema version 0) has no days yet.
      if (schemaVersion(store.db) > 0) {
        for (const [date, st] of store.dayStatuses(start, end))
          if (st.status === 'COMPLETE') complete.add(date);
        if (proof) {
          const proofs = hasProofColumns(store.db)
            ? store.dayProofs(start, end)
            : new Map<string, string>();
          for (const d of complete)
            if (proofs.get(d) !== 'exhaustive' && proofs.get(d) !== 'baseline') unproven.add(d);
          for (const d of unproven) complete.delete(d);
        }
        secondsPerDay = meanCompleteSeconds(store.db, start, end).seconds;
      }
    } finally {
      store.close();
    }
  }
  return {
    secondsPerDay,
    months: monthsOfRange(start, end).map((m) => {
      const done = rerun ? [] : m.days.filter((d) => complete.has(d));
      return {
        month: m.month,
        days: m.days,
        complete: done,
        unproven: rerun ? [] : m.days.filter((d) => unproven.has(d)),
        toScan: m.days.filter((d) => !done.includes(d)),
      };
    }),
  };
}

/** Consecutive days of `days` (a sorted subset of `all`) as `a..b` runs, e.g. `2018-01-02..2018-01-05 2018-01-09`. */
export function dayRuns(days: readonly string[], all: readonly string[]): string {
  const idx = new Map(all.map((d, i) => [d, i]));
  const out: string[] = [];
  let runStart: string | null = null;
  let prev: string | null = null;
  for (const d of days) {
    if (prev !== null && idx.get(d) === idx.get(prev)! + 1) {
      prev = d;
      continue;
    }
    if (runStart !== null) out.push(runStart === prev ? runStart : `${runStart}..${prev}`);
    runStart = d;
    prev = d;
  }
  if (runStart !== null) out.push(runStart === prev ? runStart : `${runStart}..${prev}`);
  return out.join(' ');
}

/** The dry-run plan as lines for the operator. */
export function dryRunLines(
  plan: DryRunPlan,
  range: BackfillRange,
  opts: { rerun?: boolean; validate?: string; maxMonths?: number; market?: string },
): string[] {
  const lines: string[] = [];
  const st = range.state;
  const resume = range.from === 'state' || (st && st.range.start === range.start);
  lines.push(
    `plan ${range.start} .. ${range.end}${opts.market ? ` market ${opts.market}` : ''}` +
      (resume && st
        ? ` (resuming: state ${st.status}, last completed month ${st.last_completed_month ?? 'none'}${st.halted_day ? `, halted at ${st.halted_day}` : ''}${st.halt_reason ? `: ${st.halt_reason}` : ''})`
        : ''),
  );
  let total = 0;
  let skip = 0;
  let months = 0;
  for (const m of plan.months) {
    if (opts.maxMonths !== undefined && months >= opts.maxMonths && m.toScan.length > 0) {
      lines.push(`${m.month}  not reached (--max-months ${opts.maxMonths})`);
      continue;
    }
    if (m.toScan.length > 0) months++;
    total += m.days.length;
    skip += m.complete.length;
    const unproven = m.unproven?.length
      ? `  (${m.unproven.length} complete but unproven, rescanned to prove them: ${dayRuns(m.unproven, m.days)})`
      : '';
    lines.push(
      `${m.month}  ${m.days.length} days  ${m.complete.length} complete (skipped)  ${m.toScan.length} to scan` +
        (m.toScan.length ? `: ${dayRuns(m.toScan, m.days)}` : '') +
        unproven,
    );
  }
  const toScan = total - skip;
  const eta =
    plan.secondsPerDay !== null && toScan > 0
      ? `; ETA about ${formatEta(toScan * plan.secondsPerDay)} at ${plan.secondsPerDay.toFixed(1)} s a day (mean of the days scanned so far)`
      : '';
  lines.push(
    `dry run: ${plan.months.length} month(s), ${total} trading day(s), ${skip} already complete (skipped${opts.rerun ? '' : ', --rerun rescans them'}), ${toScan} to scan; validation ${opts.validate ?? 'spot'}${eta}; nothing changed`,
  );
  return lines;
}

function formatEta(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
