/**
 * Footer: the open prompt (confirm with its preview on a second line, quit, filter with its help
 * on a second line), else the last
 * message and the keys that fit, generated from the keymap (read-only mode drops the command keys
 * and says so).
 */
import { Box } from 'ink';
import { footerText } from '../keymap.js';
import type { DayFilter, Prompt } from '../state.js';
import { statusLabel } from '../format.js';
import { Line } from './Line.js';

/** Props of {@link Footer}. */
export interface FooterProps {
  prompt: Prompt | null;
  flash: string | null;
  filter: DayFilter;
  columns: number;
  readOnly: boolean;
}

/** The quit prompt text. */
export const QUIT_PROMPT = 'quit: [s]top the engine  [d]etach and leave it running  [n]o';

/** Renders the footer. */
export function Footer({ prompt, flash, filter, columns, readOnly }: FooterProps) {
  if (prompt?.kind === 'confirm') {
    const ask = (
      <Line segs={[{ text: ` ${prompt.text}`, bold: true, tone: 'warn' }, '  [y]es  [n]o']} />
    );
    if (!prompt.detail) return ask;
    return (
      <Box flexDirection="column">
        {ask}
        <Line segs={[{ text: `   ${prompt.detail}`, tone: 'dim' }]} />
      </Box>
    );
  }
  if (prompt?.kind === 'quit') {
    return <Line segs={[{ text: ` ${QUIT_PROMPT}`, bold: true, tone: 'warn' }]} />;
  }
  if (prompt?.kind === 'filter') {
    return (
      <Box flexDirection="column">
        <Line
          segs={[
            { text: ' filter: ', bold: true },
            `[s]tatus ${filter.status ? statusLabel(filter.status) : 'any'}  [h]its ${filter.hasHits ? 'on' : 'off'}  [m]isses ${filter.hasMisses ? 'on' : 'off'}  date "${filter.prefix}_"`,
          ]}
        />
        <Line
          segs={[
            {
              text: '   digits and - type the date prefix, backspace erases  [x] clear  [enter] done',
              tone: 'dim',
            },
          ]}
        />
      </Box>
    );
  }
  const msg = flash ? ` ${flash}  |` : '';
  return (
    <Line
      segs={[
        { text: msg, tone: 'accent' },
        { text: ` ${footerText(Math.max(10, columns - msg.length - 2), readOnly)}`, tone: 'dim' },
      ]}
    />
  );
}
