/**
 * Screen layout from the terminal size (pure): which panels are drawn and how many lines each gets,
 * so that a frame never has more than rows - 1 lines (Ink clears the whole screen on every frame
 * that fills the terminal, which flickers).
 */

/** Smallest supported terminal. */
export const MIN_COLUMNS = 80;
/** Smallest supported terminal. */
export const MIN_ROWS = 24;

/** Lines and widths of the dashboard panels. */
export interface Layout {
  columns: number;
  rows: number;
  /** Under 80x24: draw the "terminal too small" screen only. */
  tooSmall: boolean;
  /** At least 100 columns: draw the sparkline and the longer labels. */
  wide: boolean;
  /** Most lines the calendar grid may use. */
  gridMax: number;
  /** Widths of the current-day panel and of the upstream panel (a 3-column ` | ` between). */
  leftWidth: number;
  rightWidth: number;
  /** Lines of the current-day / upstream panels. */
  panelLines: number;
}

/** Lines of the dashboard that are always there: header, progress, grid selection line, panels, log title, footer. */
export const FIXED_LINES = 1 + 1 + 1 + 4 + 1 + 1;

/**
 * Layout for a terminal of `columns` x `rows` (undefined sizes count as 80x24). The grid gets up to
 * half of what is left after the fixed lines and the alert banner (at most 12 lines); the log gets
 * the rest (see {@link logLines}).
 */
export function computeLayout(columns: number, rows: number, hasAlert: boolean): Layout {
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const budget = rows - 1;
  const fixed = FIXED_LINES + (hasAlert ? 1 : 0);
  const gridMax = Math.max(1, Math.min(12, Math.floor((budget - fixed) / 2)));
  const leftWidth = Math.floor((columns - 3) / 2);
  return { columns, rows, tooSmall, wide: columns >= 100, gridMax, leftWidth, rightWidth: columns - 3 - leftWidth, panelLines: 4 };
}

/** Lines left for the log body once the grid has taken `gridLines` (at least 1). */
export function logLines(l: Layout, gridLines: number, hasAlert: boolean): number {
  return Math.max(1, l.rows - 1 - FIXED_LINES - (hasAlert ? 1 : 0) - gridLines);
}
