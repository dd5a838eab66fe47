/**
 * The `?` overlay: the glyph legend first (so it is one key away), then every key of the registry,
 * the prompt keys, scrollable with ↑/↓ when it does not fit; backspace or q closes it.
 */
import { Box } from 'ink';
import { Line } from '../components/Line.js';
import { GLYPH_LEGEND, packLines } from '../format.js';
import { KEYMAP, keysLabel, SCOPE_TITLES, type KeyScope } from '../keymap.js';

/** Props of {@link HelpScreen}. */
export interface HelpScreenProps {
  columns: number;
  rows: number;
  scroll: number;
  readOnly: boolean;
}

/** Legend entries packed into lines of at most `width` columns. */
export function legendLines(width: number): string[] {
  const out: string[] = [];
  let cur = ' legend:';
  for (const [g, what] of GLYPH_LEGEND) {
    const item = `  ${g} ${what}`;
    if (cur.length + item.length > width && cur.trim() !== '') {
      out.push(cur);
      cur = '        ';
    }
    cur += item;
  }
  out.push(cur);
  return out;
}

function scopeLines(scope: KeyScope, width: number): string[] {
  return packLines(
    KEYMAP.filter((b) => b.scope === scope).map((b) => `${keysLabel(b)} ${b.label}`),
    width - 1,
    ` ${SCOPE_TITLES[scope]}: `,
    ' · ',
  );
}

/** The main screen's keys, `keys  help` with the help wrapped under itself. */
function mainLines(width: number): string[] {
  const items = KEYMAP.filter((b) => b.scope === 'main');
  const w = Math.max(...items.map((b) => keysLabel(b).length));
  return items.flatMap((b) =>
    packLines(b.help.split(' '), width - 1, `  ${keysLabel(b).padEnd(w)}  `, ' '),
  );
}

/** All help lines (before windowing). */
export function helpContent(width: number, readOnly: boolean): string[] {
  return [
    ...legendLines(width),
    '         month view (long ranges): one glyph per month, its worst day',
    ' ',
    ...mainLines(width),
    ' ',
    ...scopeLines('confirm', width),
    ...scopeLines('quit', width),
    ...scopeLines('filter', width),
    ...scopeLines('overlay', width),
    readOnly ? ' read-only: keys that send commands are disabled' : ' ',
  ];
}

/** Renders the help overlay in at most rows - 1 lines. */
export function HelpScreen({ columns, rows, scroll, readOnly }: HelpScreenProps) {
  const content = helpContent(columns, readOnly);
  const room = Math.max(1, rows - 3);
  const top = Math.max(0, Math.min(scroll, content.length - room));
  const shown = content.slice(top, top + room);
  return (
    <Box flexDirection="column">
      <Line segs={[{ text: ' gapctl console: keys and legend', bold: true, tone: 'accent' }]} />
      {shown.map((l, i) => (
        <Line key={i} segs={[l]} />
      ))}
      <Line
        segs={[
          { text: ` ${content.length > room ? '↑↓ scroll  ' : ''}backspace/q close`, tone: 'dim' },
        ]}
      />
    </Box>
  );
}
