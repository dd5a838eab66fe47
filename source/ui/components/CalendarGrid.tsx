/**
 * Calendar grid: the lines of a {@link GridModel} (one glyph per day, or per month when the range is
 * too long), then a selection line naming the selected day in words, so the cursor is never a
 * colour-only (or inverse-only) signal.
 */
import { Box } from 'ink';
import type { DayCell } from '../../contracts/events.js';
import type { GridModel } from '../grid.js';
import { isProven, proofLabel, statusLabel } from '../format.js';
import { Line } from './Line.js';

/** Props of {@link CalendarGrid}. */
export interface CalendarGridProps {
  model: GridModel;
  focused: boolean;
  selected: DayCell | undefined;
  mark: string | null;
  filter: string;
  visibleCount: number;
  totalCount: number;
}

/** Renders the grid lines and the selection line. */
export function CalendarGrid({
  model,
  focused,
  selected,
  mark,
  filter,
  visibleCount,
  totalCount,
}: CalendarGridProps) {
  return (
    <Box flexDirection="column">
      {model.lines.map((segs, i) => (
        <Line
          key={i}
          segs={segs.map((s) => ({
            text: s.text,
            tone: s.tone,
            inverse: s.cursor,
            underline: s.marked,
          }))}
        />
      ))}
      <Line
        segs={[
          { text: focused ? ' » ' : '   ', bold: true },
          selected
            ? {
                text: `${selected.date} ${statusLabel(selected.status)}  hits ${selected.hits}${selected.baselineOnly > 0 ? `  baseline-only ${selected.baselineOnly}` : ''}`,
                bold: true,
              }
            : { text: 'no day selected', tone: 'dim' },
          mark ? { text: `  range from ${mark}`, tone: 'accent' } : null,
          filter !== 'none'
            ? { text: `  filter ${filter} (${visibleCount}/${totalCount})`, tone: 'warn' }
            : null,
          model.mode === 'months'
            ? { text: '  month view: a glyph per month (worst day)', tone: 'dim' }
            : null,
          // A COMPLETE day says in words whether it is proven (the grid's ✓ / ○); last, so a narrow line cuts it first.
          selected?.status === 'COMPLETE'
            ? {
                text: `  ${proofLabel(selected.proof, selected.baselineOnly)}`,
                tone: isProven(selected) ? 'ok' : selected.baselineOnly > 0 ? 'critical' : 'warn',
              }
            : null,
        ]}
      />
    </Box>
  );
}
