/**
 * The main screen: header, progress, calendar grid (and the legend when there is room),
 * current-day and upstream panels side by side, alert banner, log, footer. Heights come from the
 * layout so the frame has at most rows - 1 lines.
 */
import { Box } from 'ink';
import { AlertBanner } from '../components/AlertBanner.js';
import { CalendarGrid } from '../components/CalendarGrid.js';
import { DayPanel } from '../components/DayPanel.js';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { Legend } from '../components/Legend.js';
import { Line } from '../components/Line.js';
import { LogPanel } from '../components/LogPanel.js';
import { ProgressLine } from '../components/ProgressLine.js';
import { UpstreamPanel } from '../components/UpstreamPanel.js';
import type { GridModel } from '../grid.js';
import { PANEL_LINES, type Layout } from '../layout.js';
import {
  cellOf,
  cursorDate,
  dayElapsedMs,
  displayState,
  filterLabel,
  logWindow,
  openAlerts,
  panelLog,
  shownAlert,
  shownSnapshot,
  showsPaused,
  visibleDays,
  type LogMode,
  type UiState,
} from '../state.js';

/** Most validation outcome lines the log pane shows. */
export const NOTE_LINES = 2;

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  state: UiState;
  layout: Layout;
  grid: GridModel;
  logHeight: number;
  readOnly: boolean;
  logMode: LogMode;
}

/** Renders the dashboard (or a waiting screen before the first snapshot). */
export function Dashboard({ state, layout, grid, logHeight, readOnly, logMode }: DashboardProps) {
  const s = state.snapshot;
  const footer = (
    <Footer
      prompt={state.prompt}
      flash={state.flash}
      filter={state.filter}
      columns={layout.columns}
      readOnly={readOnly}
    />
  );
  if (!s) {
    return (
      <Box flexDirection="column">
        <Header snapshot={null} columns={layout.columns} readOnly={readOnly} />
        <Line segs={[' ']} />
        {footer}
      </Box>
    );
  }
  const sel = cursorDate(state);
  const alert = shownAlert(state);
  const log = panelLog(state, logMode);
  // The newest validation outcome lines take the bottom of the log pane (at most 2, half of it).
  const notes = state.notes.slice(-Math.min(NOTE_LINES, Math.ceil(logHeight / 2)));
  const win = logWindow(state, log, logHeight - notes.length);
  const shown = displayState(state)?.state ?? s.state;
  // What a command just sent leads to (queued, or the engine's activity) shows before the engine confirms it.
  const view = shownSnapshot(state) ?? s;
  return (
    <Box flexDirection="column">
      <Header snapshot={view} shown={shown} columns={layout.columns} readOnly={readOnly} />
      <ProgressLine
        snapshot={s}
        wide={layout.wide}
        month={sel?.slice(0, 7) ?? null}
        paused={showsPaused(state)}
      />
      <CalendarGrid
        model={grid}
        focused={state.focus === 'grid'}
        selected={cellOf(state, sel)}
        mark={state.mark}
        filter={filterLabel(state.filter)}
        visibleCount={visibleDays(state).length}
        totalCount={s.days.length}
      />
      {layout.legend ? <Legend /> : null}
      <Box flexDirection="row">
        <DayPanel
          snapshot={view}
          width={layout.leftWidth}
          paused={showsPaused(state)}
          elapsedMs={dayElapsedMs(state)}
        />
        <Box flexDirection="column" width={3}>
          {Array.from({ length: PANEL_LINES }, (_, i) => (
            <Line key={i} segs={[{ text: ' | ', tone: 'dim' }]} />
          ))}
        </Box>
        <UpstreamPanel theta={s.theta} polygon={s.polygon} width={layout.rightWidth} />
      </Box>
      {alert ? (
        <AlertBanner
          alert={alert}
          more={openAlerts(state).length - 1}
          focused={state.focus === 'alerts'}
          columns={layout.columns}
          readOnly={readOnly}
        />
      ) : null}
      <LogPanel
        title={log.title}
        lines={win.lines}
        height={logHeight}
        following={win.following}
        live={log.live}
        newLines={win.newLines}
        loading={log.loading}
        focused={state.focus === 'log'}
        notes={notes}
      />
      {footer}
    </Box>
  );
}
