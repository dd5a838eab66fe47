/**
 * Prompts in the footer, as built: the confirm prompts of the bulk actions (`V` validate a range,
 * `e` export) with a preview of the days they touch, the quit prompt, and the filter prompt's
 * status cycle. Pure functions of the state; the keys inside a prompt are in controllers/prompts.ts.
 */
import type { DayStatus } from '../../contracts/events.js';
import { FINAL_BACKFILL_STATES, FINISHED_DAY_STATUSES } from '../../contracts/states.js';
import { plural } from './commands.js';
import { filterIsEmpty, filterLabel, passes, selectedRange } from './selectors.js';
import { result, type Prompt, type StepResult, type UiState } from './types.js';

/** A run of consecutive trading days of the range (consecutive in the snapshot's day list). */
export interface DayRun {
  start: string;
  end: string;
  days: number;
}

/** Splits `dates` into runs of days that follow each other in `all` (sorted trading days). */
export function dayRuns(dates: readonly string[], all: readonly string[]): DayRun[] {
  const index = new Map(all.map((d, i) => [d, i]));
  const sorted = [...dates].sort();
  const runs: DayRun[] = [];
  let prev = -2;
  for (const d of sorted) {
    const i = index.get(d) ?? -10;
    const last = runs[runs.length - 1];
    if (last && i === prev + 1) {
      last.end = d;
      last.days += 1;
    } else runs.push({ start: d, end: d, days: 1 });
    prev = i;
  }
  return runs;
}

/** `2018-03-01..2018-03-09 (7), 2018-03-12 (1), +2 more ranges` (at most `max` runs named). */
export function formatRuns(runs: readonly DayRun[], max = 3): string {
  const shown = runs
    .slice(0, max)
    .map((r) => (r.start === r.end ? `${r.start} (1)` : `${r.start}..${r.end} (${r.days})`));
  if (runs.length > max)
    shown.push(`+${runs.length - max} more range${runs.length - max === 1 ? '' : 's'}`);
  return shown.join(', ');
}

/**
 * The confirm prompt of `V` (validate a range): the scanned days of the selection that pass the
 * filter, with a preview of how many and in which ranges; null with a reason when there are none.
 */
export function validateRangePrompt(s: UiState): Prompt | string {
  const r = selectedRange(s);
  if (!r || !s.snapshot) return 'no days selected';
  const cells = s.snapshot.days.filter((d) => d.date >= r.start && d.date <= r.end);
  const filtered = filterIsEmpty(s.filter) ? cells : cells.filter((d) => passes(s.filter, d));
  const dates = filtered.filter((d) => FINISHED_DAY_STATUSES.has(d.status)).map((d) => d.date);
  const what = r.month ? `month ${r.month}` : `${r.start}..${r.end}`;
  if (dates.length === 0)
    return `nothing to validate in ${what}: no scanned day${filterIsEmpty(s.filter) ? '' : ' passes the filter'}`;
  const all = s.snapshot.days.map((d) => d.date).sort();
  const runs = dayRuns(dates, all);
  const left = filtered.length - dates.length;
  const notes = [
    `${plural(runs.length, 'range')}: ${formatRuns(runs)}`,
    left > 0 ? `${left} not scanned left out` : '',
    filterIsEmpty(s.filter) ? '' : `filter ${filterLabel(s.filter)}`,
  ].filter(Boolean);
  return {
    kind: 'confirm',
    text: `validate ${plural(dates.length, 'day')} of ${what}?`,
    detail: notes.join('  ·  '),
    commands: [{ type: 'validate-range', start: dates[0], end: dates[dates.length - 1], dates }],
  };
}

/** The confirm prompt of `e` (export the month or the marked range), with a preview of the days. */
export function exportPrompt(s: UiState): Prompt | string {
  const r = selectedRange(s);
  if (!r || !s.snapshot) return 'no days selected';
  const cells = s.snapshot.days.filter((d) => d.date >= r.start && d.date <= r.end);
  const complete = cells.filter((d) => d.status === 'COMPLETE').length;
  const notDone = cells.length - complete;
  const what = r.month ? `month ${r.month}` : 'range';
  return {
    kind: 'confirm',
    text: `export ${what} ${r.start}..${r.end} (${plural(cells.length, 'day')}, ${complete} complete)?`,
    detail: [
      `-> discovery_hits_${r.start}_${r.end}.csv + day_completeness.csv`,
      notDone > 0 ? `${notDone} not complete` : '',
    ]
      .filter(Boolean)
      .join('  ·  '),
    commands: [{ type: 'export', start: r.start, end: r.end }],
  };
}

/**
 * `q`: quits at once (stopping nothing) when the backfill has reached a final state, else opens the
 * quit prompt (stop the backfill, or detach and let it run) over any overlay.
 */
export function openQuit(state: UiState): StepResult {
  const ended = state.snapshot !== null && FINAL_BACKFILL_STATES.has(state.snapshot.state);
  if (ended) return result(state, [], 'stop');
  return result({ ...state, prompt: { kind: 'quit' }, overlay: null });
}

/** The filter prompt's status cycle (`s` moves to the next; null matches every status). */
export const STATUS_CYCLE: readonly (DayStatus | 'SKIPPED' | null)[] = [
  null,
  'COMPLETE',
  'RUNNING',
  'PENDING',
  'RETRY_NEEDED',
  'FAILED',
  'INCOMPLETE',
  'SKIPPED',
];
