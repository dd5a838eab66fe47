/**
 * Screen layout from the terminal size (pure): which panels are drawn and how many lines each gets,
 * so that a frame never has more than rows - 1 lines (Ink clears the whole screen on every frame
 * that fills the terminal, which flickers).
 */
import { legendLine } from './format.js';

/** Smallest supported terminal. */
export const MIN_COLUMNS = 80;
/** Smallest supported terminal. */
export const MIN_ROWS = 24;
/** Lines of the current-day and upstream panels. */
export const PANEL_LINES = 5;

/** Lines and widths of the dashboard panels. */
export interface Layout {
  columns: number;
  rows: number;
  /** Under 80x24: draw the "terminal too small" screen only. */
  tooSmall: boolean;
  /** At least 100 columns: draw the sparkline and the longer labels. */
  wide: boolean;
  /** Draw the glyph legend under the grid (when it fits in one line and 30+ rows); else it is one key away (`?`). */
  legend: boolean;
  /** Most lines the calendar grid may use. */
  gridMax: number;
  /** Widths of the current-day panel and of the upstream panel (a 3-column ` | ` between). */
  leftWidth: number;
  rightWidth: number;
  /** Lines of the current-day / upstream panels. */
  panelLines: number;
  /** Lines of the footer (2 while a confirm prompt shows its preview or the filter prompt its help). */
  footerLines: number;
}

/** Lines of the dashboard that are always there: header, progress, grid selection line, panels, log title, footer. */
export const FIXED_LINES = 1 + 1 + 1 + PANEL_LINES + 1 + 1;

/** Options of {@link computeLayout}. */
export interface LayoutOptions {
  /** The alert banner is shown (1 line). */
  hasAlert: boolean;
  /** The footer has two lines (a confirm prompt with its preview, the filter prompt). */
  tallFooter?: boolean;
}

function extraLines(l: Pick<Layout, 'legend' | 'footerLines'>, hasAlert: boolean): number {
  return (hasAlert ? 1 : 0) + (l.legend ? 1 : 0) + (l.footerLines - 1);
}

/**
 * Layout for a terminal of `columns` x `rows`. The grid gets up to half of what is left after the
 * fixed lines, the legend, the alert banner and a tall footer (at most 12 lines); the log gets the
 * rest (see {@link logLines}).
 */
export function computeLayout(columns: number, rows: number, o: LayoutOptions): Layout {
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const budget = rows - 1;
  const legend = columns > legendLine().length && rows >= 30;
  const footerLines = o.tallFooter ? 2 : 1;
  const fixed = FIXED_LINES + extraLines({ legend, footerLines }, o.hasAlert);
  const gridMax = Math.max(1, Math.min(12, Math.floor((budget - fixed) / 2)));
  const leftWidth = Math.floor((columns - 3) / 2);
  return {
    columns,
    rows,
    tooSmall,
    wide: columns >= 100,
    legend,
    gridMax,
    leftWidth,
    rightWidth: columns - 3 - leftWidth,
    panelLines: PANEL_LINES,
    footerLines,
  };
}

/** Lines left for the log body once the grid has taken `gridLines` (at least 1). */
export function logLines(l: Layout, gridLines: number, hasAlert: boolean): number {
  return Math.max(1, l.rows - 1 - FIXED_LINES - extraLines(l, hasAlert) - gridLines);
}
