/**
 * Backfill progress line: bar, done/total days, percent, current month, ETA (moving average from the
 * engine, paused time left out; marked `(paused)` while the clock is held), days/min, and at 100+
 * columns a sparkline of recent days/min, then the engine process's RSS (MB). Following the market (`--follow`) and waiting: the next
 * scan's day, its due time in ET and a countdown instead of the ETA.
 */
import type { BackfillSnapshot } from '../../contracts/events.js';
import { formatEta, formatRate, percent, progressBar, sparkline } from '../format.js';
import { Line } from './Line.js';

/** Props of {@link ProgressLine}. `month` is the month shown when no day runs (the cursor's). */
export interface ProgressLineProps {
  snapshot: BackfillSnapshot;
  wide: boolean;
  month: string | null;
  /** The backfill is paused (the ETA does not count the pause). */
  paused: boolean;
}

/** Renders the progress line. */
export function ProgressLine({ snapshot: s, wide, month, paused }: ProgressLineProps) {
  const bar = progressBar(s.done, s.total, wide ? 24 : 14);
  const m = s.current?.date.slice(0, 7) ?? month ?? '-';
  const spark = wide ? sparkline(s.rateHistory, 24) : '';
  return (
    <Line
      segs={[
        { text: ' Backfill  ', bold: true },
        { text: bar, tone: 'ok' },
        `  ${s.done}/${s.total} days  ${percent(s.done, s.total)}%  `,
        { text: m, tone: 'accent' },
        // Follow mode waiting for the next day's data: the next scan and a countdown instead of the ETA.
        s.nextScan
          ? {
              text: `  next scan ${s.nextScan.date} ${s.nextScan.et.slice(11)} in ${formatEta(Math.max(0, s.nextScan.at - s.at))}`,
              tone: 'info',
            }
          : `  ETA ${formatEta(s.etaMs)}${paused ? ' (paused)' : ''}  ${formatRate(s.daysPerMin)} days/min`,
        spark && !s.nextScan ? { text: `  ${spark}`, tone: 'info' } : null,
        // The engine process's resident memory (the worker samples it with each snapshot).
        s.memory ? { text: `  RSS ${s.memory.rssMb} MB`, tone: 'dim' } : null,
      ]}
    />
  );
}
