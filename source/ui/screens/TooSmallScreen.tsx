/** The screen under 80x24: current and needed size; `q` / Ctrl+C still quit, the engine keeps running. */
import { Box } from 'ink';
import { Line } from '../components/Line.js';
import { MIN_COLUMNS, MIN_ROWS } from '../layout.js';
import { QUIT_PROMPT } from '../components/Footer.js';

/** Props of {@link TooSmallScreen}. */
export interface TooSmallScreenProps {
  columns: number;
  rows: number;
  quitPrompt: boolean;
}

/** Renders the too-small message (3 lines at most, so it fits any terminal with 4 rows). */
export function TooSmallScreen({ columns, rows, quitPrompt }: TooSmallScreenProps) {
  return (
    <Box flexDirection="column">
      <Line
        segs={[
          {
            text: `terminal too small: have ${columns}x${rows}, need ${MIN_COLUMNS}x${MIN_ROWS}`,
            bold: true,
            tone: 'warn',
          },
        ]}
      />
      <Line segs={[{ text: 'the engine keeps running; resize, or q to quit', tone: 'dim' }]} />
      {quitPrompt ? <Line segs={[QUIT_PROMPT]} /> : null}
    </Box>
  );
}
