/**
 * Colours of the console. Colour is an extra, never the only signal: every tone also has a glyph or
 * a word. Ink's `<Text color>` goes through chalk, which ignores NO_COLOR, so a monochrome theme
 * simply passes no colour at all ({@link Theme.fg} returns undefined). Inverse (the grid cursor) and
 * bold are attributes, not colours, and stay on in monochrome.
 */
import type { AlertInfo, BackfillState, DayCell } from '../contracts/events.js';

/** Semantic tones the components ask for. */
export type Tone =
  'plain' | 'dim' | 'accent' | 'ok' | 'warn' | 'bad' | 'critical' | 'running' | 'info';

/** Ink colour names per tone when colour is on. */
const COLORS: Readonly<Record<Tone, string | undefined>> = {
  plain: undefined,
  dim: 'gray',
  accent: 'cyan',
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  critical: 'redBright',
  running: 'blue',
  info: 'cyan',
};

/** What components read from the theme. */
export interface Theme {
  /** True when colours are drawn. */
  readonly color: boolean;
  /** The Ink colour name of a tone, or undefined (no colour) when colour is off or the tone is plain. */
  fg(tone: Tone): string | undefined;
}

/** A theme; `color: false` gives a theme that never returns a colour. */
export function createTheme(color: boolean): Theme {
  return {
    color,
    fg: (tone) => (color ? COLORS[tone] : undefined),
  };
}

/**
 * Whether the console should draw colours: false when `NO_COLOR` is present in the environment
 * (any value, even ''), when `TERM=dumb`, or when stdout is not a TTY; true otherwise.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  if (!stdoutIsTTY) return false;
  if (Object.prototype.hasOwnProperty.call(env, 'NO_COLOR')) return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

/**
 * Tone of a grid cell (status, or `critical` when validation found baseline-only hits). A COMPLETE
 * day is `ok` only when proven (proof `exhaustive` or `baseline`); unproven it is `warn` (and has its
 * own glyph, ui/format.ts UNPROVEN_GLYPH, for monochrome).
 */
export function cellTone(cell: DayCell): Tone {
  if (cell.baselineOnly > 0) return 'critical';
  switch (cell.status) {
    case 'COMPLETE':
      return cell.proof === 'exhaustive' || cell.proof === 'baseline' ? 'ok' : 'warn';
    case 'RUNNING':
      return 'running';
    case 'RETRY_NEEDED':
    case 'INCOMPLETE':
      return 'warn';
    case 'FAILED':
      return 'bad';
    case 'PENDING':
    case 'SKIPPED':
      return 'dim';
  }
}

/** Tone of the backfill state in the header. */
export function stateTone(state: BackfillState): Tone {
  switch (state) {
    case 'RUNNING':
    case 'STARTING':
    case 'FOLLOWING':
      return 'running';
    case 'DONE':
      return 'ok';
    case 'PAUSING':
    case 'PAUSED':
    case 'STOPPING':
    case 'STOPPED':
      return 'warn';
    case 'HALTED':
    case 'FAILED':
      return 'critical';
  }
}

/** Tone of an alert banner by severity. */
export function alertTone(severity: AlertInfo['severity']): Tone {
  return severity === 'CRITICAL' ? 'critical' : severity === 'WARNING' ? 'warn' : 'info';
}
