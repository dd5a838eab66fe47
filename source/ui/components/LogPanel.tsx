/**
 * Log panel: a title line (file, following or "N new lines", focus marker) and the visible lines of
 * the selected day's log. Lines are already cleaned of control characters.
 */
import { Box } from 'ink';
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
}

/** Renders the log title and exactly `height` body lines. */
export function LogPanel({ title, lines, height, following, live, newLines, loading, focused }: LogPanelProps) {
  const body = lines.slice(-height);
  const pad = Math.max(0, height - body.length);
  const state = loading ? 'loading…' : !live ? (following ? 'end of file' : 'scrolled') : following ? 'following' : `paused  ${newLines} new lines  [f] follow`;
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
        <Line key={i} segs={[{ text: ` ${l}`, tone: 'plain' }]} />
      ))}
      {Array.from({ length: pad }, (_, i) => (
        <Line key={`p${i}`} segs={[' ']} />
      ))}
    </Box>
  );
}
