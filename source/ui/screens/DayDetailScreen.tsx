/**
 * Day detail overlay (Enter on a grid cell): the day's status, hits and baseline-only misses; for the
 * running day its stages with state, time and counts, R1 progress and hits per rule; the alerts of
 * the day; and its log (live tail for the log day, else read from disk through `readLog`).
 */
import { Box } from 'ink';
import { Line, type Seg } from '../components/Line.js';
import { severityPrefix } from '../components/AlertBanner.js';
import { formatCount, formatDuration, formatRuleCounts, padRight, stageGlyph, statusLabel } from '../format.js';
import { alertTone, cellTone } from '../theme.js';
import { cellOf, type UiState } from '../state.js';

/** Props of {@link DayDetailScreen}. */
export interface DayDetailScreenProps {
  state: UiState;
  date: string;
  scroll: number;
  columns: number;
  rows: number;
  hasReadLog: boolean;
}

function countsText(c: Record<string, number | string>): string {
  return Object.entries(c)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatCount(v) : v}`)
    .join('  ');
}

/** Renders the overlay in at most rows - 1 lines. */
export function DayDetailScreen({ state, date, scroll, columns, rows, hasReadLog }: DayDetailScreenProps) {
  const s = state.snapshot;
  const cell = cellOf(state, date);
  const lines: (Seg | string)[][] = [];
  lines.push([
    { text: ` Day ${date}  `, bold: true, tone: 'accent' },
    cell ? { text: statusLabel(cell.status), bold: true, tone: cellTone(cell) } : { text: 'not in this range', tone: 'dim' },
    cell ? `  hits ${cell.hits}` : '',
    cell && cell.baselineOnly > 0 ? { text: `  ! baseline-only misses ${cell.baselineOnly}`, tone: 'critical', bold: true } : '',
  ]);
  const cur = s?.current?.date === date ? s.current : null;
  if (cur && s) {
    lines.push([` running day  mode ${cur.mode}  started ${new Date(cur.startedAt).toISOString().slice(11, 19)} UTC  elapsed ${formatDuration(Math.max(0, s.at - cur.startedAt))}  R1 ${formatCount(cur.r1Done)}/${formatCount(cur.r1Total)}`]);
    lines.push([{ text: `  ${padRight('stage', 10)}${padRight('state', 10)}${padRight('time', 8)}counts`, tone: 'dim' }]);
    for (const st of cur.stages) {
      lines.push([`  ${padRight(st.name, 10)}${padRight(`${stageGlyph(st.state)} ${st.state}`, 10)}${padRight(formatDuration(st.durationMs), 8)}${countsText(st.counts)}`]);
    }
    lines.push([{ text: '  hits ', bold: true }, formatRuleCounts(cur.hits)]);
  } else {
    lines.push([{ text: ' stage timings and counts are shown while the day runs; the day report has the rest', tone: 'dim' }]);
  }
  for (const a of (s?.alerts ?? []).filter((x) => x.date === date).slice(-2)) {
    lines.push([{ text: ` ${severityPrefix(a.severity)} ${a.severity} ${a.acknowledged ? '(acked) ' : ''}${a.message}`, tone: alertTone(a.severity) }]);
  }
  let logLines: string[];
  let logState = '';
  if (s?.logDate === date) logLines = state.stream.lines;
  else if (state.dayLog?.date === date) logLines = state.dayLog.lines;
  else {
    logLines = [];
    logState = hasReadLog ? 'loading…' : 'not available here';
  }
  const budget = Math.max(1, rows - 1);
  const logRoom = Math.max(0, budget - lines.length - 2);
  const end = Math.max(Math.min(logRoom, logLines.length), logLines.length - scroll);
  const body = logLines.slice(Math.max(0, end - logRoom), end);
  lines.push([{ text: ` Log scan_${date}.log  `, bold: true }, { text: logState || (scroll > 0 ? `scrolled up ${logLines.length - end} lines` : `${logLines.length} lines`), tone: 'dim' }]);
  for (const l of body) lines.push([` ${l}`]);
  const out = lines.slice(0, Math.max(0, budget - 1));
  return (
    <Box flexDirection="column" width={columns}>
      {out.map((segs, i) => (
        <Line key={i} segs={segs} />
      ))}
      <Line segs={[{ text: ' backspace/q close  ↑↓ scroll the log', tone: 'dim' }]} />
    </Box>
  );
}
