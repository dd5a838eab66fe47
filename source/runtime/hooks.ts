/**
 * Backfill hooks beyond the engine core: the month export (CSV) and the validation of spot-check
 * days and of the phase-0 reference day. Kept apart so the worker and the CLI wire the same ones.
 */
import { resolve } from 'node:path';
import type { BackfillOptions, DayValidation } from '../engine/backfill.js';
import { scanDay } from '../engine/day.js';
import { validateDay } from '../engine/validate.js';
import {
  exportBackfillMonth,
  exportValidationUpdate,
  reexportDay,
  type ExportedFile,
} from '../export/backfill-exports.js';
import type { Session } from './session.js';
import { applyArtifactRetention, type RetentionResult } from '../store/retention.js';
import type { Config } from '../config/index.js';
import type { BackfillJob } from './protocol.js';
import * as calendar from '../calendar/index.js';
import { isTradingDay, nextTradingDay } from '../calendar/index.js';

function firstTradingDay(d: string): string {
  return isTradingDay(d) ? d : nextTradingDay(d);
}

/**
 * Export and validation hooks of a backfill job. Phase 0 scans (when needed) and validates the
 * first trading day of the range before anything else, unless --skip-phase0 or --validate none.
 */
export function backfillHooks(
  s: Session,
  job: Pick<BackfillJob, 'validate' | 'skipPhase0' | 'start' | 'end' | 'mode'>,
  log: (line: string) => void = () => {},
): Pick<BackfillOptions, 'exportMonth' | 'validateDay' | 'phase0'> {
  const ctx = s.ctx;
  // Retention of the day artifacts: at the backfill's start and after each month.
  const retention = () => runArtifactRetention(ctx.stateDir, ctx.cfg, log);
  retention();
  const dirs = { exportDir: resolve(ctx.cfg.GAPCTL_EXPORT_DIR), reportsDir: ctx.reportsDir };
  const validate = async (
    date: string,
    range?: { start: string; end: string },
  ): Promise<DayValidation> => {
    const r = await validateDay(ctx, date);
    // A stopped validation recorded nothing: nothing to re-export.
    if (r.stopped)
      return { date: r.date, passed: false, stopped: true, baselineOnly: 0, message: r.message };
    // The month was exported before its validation: bring its summaries and day files up to date
    // (the range so far: follow mode extends its end past the job's).
    const rg = range ?? { start: job.start, end: job.end };
    if (date >= rg.start && date <= rg.end)
      exportValidationUpdate(ctx.store, calendar, dirs, rg, date);
    return {
      date: r.date,
      passed: r.passed,
      gate: r.gate,
      baselineOnly: r.baselineOnly,
      message: r.message,
    };
  };
  const validateOff = job.validate === 'none';
  return {
    // Month folder, range-level files through the month's end, day_completeness.csv, 30-day QA report.
    exportMonth: async (start, end, range) => {
      const files = exportBackfillMonth(
        ctx.store,
        calendar,
        dirs,
        range ?? { start: job.start, end: job.end },
        { start, end },
      ).map((f) => f.path);
      retention();
      return files;
    },
    validateDay: validateOff ? undefined : validate,
    phase0:
      job.skipPhase0 || validateOff
        ? undefined
        : () => phase0(s, firstTradingDay(job.start), job.mode),
  };
}

/** Phase 0 of a backfill: make sure the reference day is scanned, then validate it. */
export async function phase0(
  s: Session,
  date: string,
  mode?: 'prefilter' | 'exhaustive',
): Promise<DayValidation> {
  const st = s.ctx.store.dayStatuses(date, date).get(date);
  if (st?.status !== 'COMPLETE') await scanDay(s.ctx, date, { mode, bulk: true });
  const r = await validateDay(s.ctx, date);
  return {
    date: r.date,
    passed: r.passed,
    stopped: r.stopped,
    gate: r.gate,
    baselineOnly: r.baselineOnly,
    message: r.message,
  };
}

/**
 * After a rerun or a validation of `date`: re-exports its month folder, the backfill's range-level files (when the
 * day lies in the range of current_state.json), day_completeness.csv and the QA report, so the new
 * rows replace the old ones everywhere. Returns the files written.
 * @throws StateFileError when current_state.json is corrupt (nothing written).
 */
export function reexportDayFiles(s: Session, date: string): ExportedFile[] {
  const ctx = s.ctx;
  return reexportDay(
    ctx.store,
    calendar,
    {
      exportDir: resolve(ctx.cfg.GAPCTL_EXPORT_DIR),
      reportsDir: ctx.reportsDir,
      stateDir: ctx.stateDir,
    },
    date,
  );
}

/**
 * One retention pass over `<stateDir>/artifacts` with ARTIFACTS_COMPRESS_DAYS / ARTIFACTS_PRUNE_DAYS
 * (store/retention.ts); logs one line when it compressed, pruned or failed on anything. `now` is
 * UTC epoch ms (tests). Never throws.
 */
export function runArtifactRetention(
  stateDir: string,
  cfg: Pick<Config, 'ARTIFACTS_COMPRESS_DAYS' | 'ARTIFACTS_PRUNE_DAYS'>,
  log: (line: string) => void,
  now?: number,
): RetentionResult {
  const r = applyArtifactRetention(stateDir, {
    compressDays: cfg.ARTIFACTS_COMPRESS_DAYS,
    pruneDays: cfg.ARTIFACTS_PRUNE_DAYS,
    now,
  });
  if (r.compressed.length || r.pruned.length || r.errors.length) {
    log(
      `[retention] artifacts: ${r.compressed.length} compressed (older than ${cfg.ARTIFACTS_COMPRESS_DAYS} d), ${r.pruned.length} pruned (older than ${cfg.ARTIFACTS_PRUNE_DAYS} d)${r.errors.length ? `, ${r.errors.length} failed: ${r.errors[0]}` : ''}`,
    );
  }
  return r;
}
