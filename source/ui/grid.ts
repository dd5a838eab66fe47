/**
 * Calendar grid layout (pure): one glyph per trading day grouped by month, months side by side as
 * far as the width allows; when the months do not fit in the lines given, one glyph per month
 * (the worst status of the month) grouped by year, plus the cursor's month drawn day by day.
 * Output is a list of lines of styled segments; the component only paints them.
 */
import type { DayCell, DayStatus } from '../contracts/events.js';
import { cellGlyph, isProven } from './format.js';
import { cellTone, type Tone } from './theme.js';

/** A run of text with one style. `cursor` draws inverse; `marked` (inside the marked range) underlined. */
export interface GridSeg {
  text: string;
  tone: Tone;
  cursor: boolean;
  marked: boolean;
}
/** One line of the grid. */
export type GridLine = GridSeg[];

/** Result of {@link layoutGrid}. `mode` days: a glyph per day; months: a glyph per month + cursor month. */
export interface GridModel {
  mode: 'days' | 'months';
  lines: GridLine[];
}

/** Inputs of {@link layoutGrid}. */
export interface GridOptions {
  /** Selected date (YYYY-MM-DD) or null. */
  cursor: string | null;
  /** Columns available (the line starts with one space). */
  width: number;
  /** Most lines the grid may use (>= 1). */
  maxLines: number;
  /** Draw the running day as paused (`‖`). */
  paused: boolean;
  /** Inclusive marked range (dates), or null. */
  marked: { from: string; to: string } | null;
}

const SEP = 2;

/** Index of the Monday-based week of a YYYY-MM-DD date (days since epoch, shifted). */
function weekIndex(date: string): number {
  const t = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
  );
  return Math.floor((t / 86_400_000 + 3) / 7);
}

/** Days grouped by month (YYYY-MM), in date order. */
export function groupByMonth(days: readonly DayCell[]): { month: string; days: DayCell[] }[] {
  const sorted = [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const out: { month: string; days: DayCell[] }[] = [];
  for (const d of sorted) {
    const m = d.date.slice(0, 7);
    const last = out[out.length - 1];
    if (last && last.month === m) last.days.push(d);
    else out.push({ month: m, days: [d] });
  }
  return out;
}

const SEVERITY: Readonly<Record<DayStatus | 'SKIPPED', number>> = {
  FAILED: 7,
  RETRY_NEEDED: 5,
  INCOMPLETE: 4,
  RUNNING: 3,
  PENDING: 2,
  COMPLETE: 1,
  SKIPPED: 0,
};

/**
 * The cell that stands for a whole month: the worst one (failed > baseline-only miss > retry >
 * incomplete > running > pending > complete unproven > complete proven > skipped).
 */
export function monthRepresentative(days: readonly DayCell[]): DayCell {
  let best = days[0];
  let bestScore = -1;
  for (const d of days) {
    // A COMPLETE day without a proof ranks above a proven one (a month shows ○ when any day is unproven).
    const score =
      d.baselineOnly > 0 ? 6 : d.status === 'COMPLETE' && !isProven(d) ? 1.5 : SEVERITY[d.status];
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

class LineBuilder {
  readonly segs: GridSeg[] = [];
  width = 0;
  push(text: string, tone: Tone, cursor = false, marked = false): void {
    const last = this.segs[this.segs.length - 1];
    if (last && last.tone === tone && last.cursor === cursor && last.marked === marked && !cursor)
      last.text += text;
    else this.segs.push({ text, tone, cursor, marked });
    this.width += text.length;
  }
  padTo(w: number): void {
    if (this.width < w) this.push(' '.repeat(w - this.width), 'plain');
  }
}

function inRange(date: string, r: GridOptions['marked']): boolean {
  return r !== null && date >= r.from && date <= r.to;
}

/** Width of a month drawn day by day: `YYYY-MM ` + a glyph per day + a space between weeks. */
function monthWidth(days: readonly DayCell[]): number {
  let gaps = 0;
  for (let i = 1; i < days.length; i++)
    if (weekIndex(days[i].date) !== weekIndex(days[i - 1].date)) gaps++;
  return 8 + days.length + gaps;
}

function drawMonth(b: LineBuilder, month: string, days: readonly DayCell[], o: GridOptions): void {
  const cursorInMonth = o.cursor !== null && o.cursor.startsWith(month);
  b.push(`${month} `, cursorInMonth ? 'accent' : 'dim');
  for (let i = 0; i < days.length; i++) {
    const d = days[i];
    if (i > 0 && weekIndex(d.date) !== weekIndex(days[i - 1].date)) b.push(' ', 'plain');
    b.push(cellGlyph(d, o.paused), cellTone(d), d.date === o.cursor, inRange(d.date, o.marked));
  }
}

/**
 * Lays the grid out in at most `maxLines` lines of at most `width` columns. Empty `days` gives one
 * line saying so.
 */
export function layoutGrid(days: readonly DayCell[], o: GridOptions): GridModel {
  const maxLines = Math.max(1, o.maxLines);
  const months = groupByMonth(days);
  if (months.length === 0)
    return {
      mode: 'days',
      lines: [[{ text: ' no days to show', tone: 'dim', cursor: false, marked: false }]],
    };
  const segW = Math.max(...months.map((m) => monthWidth(m.days)));
  const perRow = Math.max(1, Math.floor((o.width - 1 + SEP) / (segW + SEP)));
  const rowsNeeded = Math.ceil(months.length / perRow);
  if (rowsNeeded <= maxLines) {
    const lines: GridLine[] = [];
    for (let r = 0; r < rowsNeeded; r++) {
      const b = new LineBuilder();
      b.push(' ', 'plain');
      for (let c = 0; c < perRow; c++) {
        const m = months[r * perRow + c];
        if (!m) break;
        if (c > 0) b.padTo(1 + c * (segW + SEP));
        drawMonth(b, m.month, m.days, o);
      }
      lines.push(b.segs);
    }
    return { mode: 'days', lines };
  }
  return layoutMonths(months, o, maxLines);
}

function layoutMonths(
  months: { month: string; days: DayCell[] }[],
  o: GridOptions,
  maxLines: number,
): GridModel {
  const byMonth = new Map(months.map((m) => [m.month, m.days]));
  const years = [...new Set(months.map((m) => m.month.slice(0, 4)))];
  const yearW = 5 + 12 + 3;
  const perRow = Math.max(1, Math.floor((o.width - 1 + SEP) / (yearW + SEP)));
  const rows: string[][] = [];
  for (let i = 0; i < years.length; i += perRow) rows.push(years.slice(i, i + perRow));
  const cursorMonth = o.cursor?.slice(0, 7) ?? months[months.length - 1].month;
  const cursorYear = cursorMonth.slice(0, 4);
  const yearBudget = maxLines - 1;
  let firstRow = 0;
  if (rows.length > yearBudget) {
    const cr = Math.max(
      0,
      rows.findIndex((r) => r.includes(cursorYear)),
    );
    firstRow = Math.max(0, Math.min(rows.length - yearBudget, cr - Math.floor(yearBudget / 2)));
  }
  const lines: GridLine[] = [];
  for (const row of rows.slice(firstRow, firstRow + Math.max(0, yearBudget))) {
    const b = new LineBuilder();
    b.push(' ', 'plain');
    row.forEach((y, c) => {
      if (c > 0) b.padTo(1 + c * (yearW + SEP));
      b.push(`${y} `, y === cursorYear ? 'accent' : 'dim');
      for (let m = 1; m <= 12; m++) {
        if (m > 1 && (m - 1) % 3 === 0) b.push(' ', 'plain');
        const key = `${y}-${m < 10 ? '0' : ''}${m}`;
        const ds = byMonth.get(key);
        if (!ds) {
          b.push(' ', 'plain');
          continue;
        }
        const rep = monthRepresentative(ds);
        b.push(
          cellGlyph(rep, o.paused),
          cellTone(rep),
          key === cursorMonth,
          ds.some((d) => inRange(d.date, o.marked)),
        );
      }
    });
    lines.push(b.segs);
  }
  const cm = byMonth.get(cursorMonth);
  if (cm) {
    const b = new LineBuilder();
    b.push(' ', 'plain');
    drawMonth(b, cursorMonth, cm, o);
    lines.push(b.segs);
  }
  return { mode: 'months', lines: lines.slice(0, maxLines) };
}
