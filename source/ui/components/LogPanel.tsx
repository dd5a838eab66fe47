/**
 * Log panel: a title line (file, following or "N new lines", focus marker) and the visible lines of
 * the selected day's log. Lines are already cleaned of control characters.
 */
import { Box } from 'ink';
import type { ConsoleNote } from '../state.js';
import { Line } from './Line.js';

/** Props of {@link LogPanel}. */
export interface LogPanelProps {
  title: string;
  lines: string[];
  height: number;
  following: boolean;
  live: boolean;
  newLines: number;
  loading: boolean;
  focused: boolean;
  /**
   * Outcome lines drawn at the bottom of the panel, below the log (validations that ended: `[validate]
   * 2024-01-03 PASS: ...`, `... FAIL gate BASELINE: ...`); they take rows of `height`.
   */
  notes?: readonly ConsoleNote[];
}

/**
 * A log line for the screen: the file's UTC ISO 8601 stamp (`2018-03-09T14:42:01Z ...`) shortened to
 * its time of day (`14:42:01 ...`, UTC); other lines unchanged.
 */
export function logTime(line: string): string {
  return line.replace(/^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z /, '$1 ');
}

/** Renders the log title and exactly `height` body lines. */
export function LogPanel({
  title,
  lines,
  height,
  following,
  live,
  newLines,
  loading,
  focused,
  notes = [],
}: LogPanelProps) {
  const shownNotes = notes.slice(-Math.min(notes.length, height));
  const room = height - shownNotes.length;
  const body =
    room <= 0
      ? []
      : lines.length === 0 && !loading
        ? ['(nothing logged for this day yet)']
        : lines.slice(-room);
  const pad = Math.max(0, room - body.length);
  const state = loading
    ? 'loading…'
    : !live
      ? following
        ? 'end of file'
        : 'scrolled up'
      : following
        ? 'following'
        : `scrolled up  ${newLines} new lines  [f] follow`;
  return (
    <Box flexDirection="column">
      <Line
        segs={[
          { text: focused ? ' » ' : '   ', bold: true },
          { text: 'Log ', bold: true },
          title,
          { text: `  ${state}`, tone: following ? 'dim' : 'warn' },
        ]}
      />
      {body.map((l, i) => (
        <Line key={i} segs={[{ text: ` ${logTime(l)}`, tone: 'plain' }]} />
      ))}
      {Array.from({ length: pad }, (_, i) => (
        <Line key={`p${i}`} segs={[' ']} />
      ))}
      {shownNotes.map((n, i) => (
        <Line key={`n${i}`} segs={[{ text: ` ${n.text}`, tone: n.tone, bold: n.tone === 'bad' }]} />
      ))}
    </Box>
  );
}
