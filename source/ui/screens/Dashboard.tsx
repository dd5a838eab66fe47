/**
 * The main screen: header, progress, calendar grid, current-day and upstream panels side by side,
 * alert banner, log, footer. Heights come from the layout so the frame has at most rows - 1 lines.
 */
import { Box } from 'ink';
import { AlertBanner } from '../components/AlertBanner.js';
import { CalendarGrid } from '../components/CalendarGrid.js';
import { DayPanel } from '../components/DayPanel.js';
import { Footer } from '../components/Footer.js';
import { Header } from '../components/Header.js';
import { Line } from '../components/Line.js';
import { LogPanel } from '../components/LogPanel.js';
import { ProgressLine } from '../components/ProgressLine.js';
import { UpstreamPanel } from '../components/UpstreamPanel.js';
import type { GridModel } from '../grid.js';
import type { Layout } from '../layout.js';
import { cellOf, cursorDate, filterLabel, logWindow, openAlerts, panelLog, shownAlert, visibleDays, type UiState } from '../state.js';

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  state: UiState;
  layout: Layout;
  grid: GridModel;
  logHeight: number;
  readOnly: boolean;
  hasReadLog: boolean;
}

/** Renders the dashboard (or a waiting screen before the first snapshot). */
export function Dashboard({ state, layout, grid, logHeight, readOnly, hasReadLog }: DashboardProps) {
  const s = state.snapshot;
  if (!s) {
    return (
      <Box flexDirection="column">
        <Header snapshot={null} columns={layout.columns} readOnly={readOnly} />
        <Line segs={[' ']} />
        <Footer prompt={state.prompt} flash={state.flash} filter={state.filter} columns={layout.columns} readOnly={readOnly} />
      </Box>
    );
  }
  const sel = cursorDate(state);
  const alert = shownAlert(state);
  const log = panelLog(state, hasReadLog);
  const win = logWindow(state, log, logHeight);
  return (
    <Box flexDirection="column">
      <Header snapshot={s} columns={layout.columns} readOnly={readOnly} />
      <ProgressLine snapshot={s} wide={layout.wide} month={sel?.slice(0, 7) ?? null} />
      <CalendarGrid
        model={grid}
        focused={state.focus === 'grid'}
        selected={cellOf(state, sel)}
        mark={state.mark}
        filter={filterLabel(state.filter)}
        visibleCount={visibleDays(state).length}
        totalCount={s.days.length}
      />
      <Box flexDirection="row">
        <DayPanel snapshot={s} width={layout.leftWidth} />
        <Box flexDirection="column" width={3}>
          {[0, 1, 2, 3].map((i) => (
            <Line key={i} segs={[{ text: ' | ', tone: 'dim' }]} />
          ))}
        </Box>
        <UpstreamPanel theta={s.theta} polygon={s.polygon} width={layout.rightWidth} />
      </Box>
      {alert ? <AlertBanner alert={alert} more={openAlerts(state).length - 1} focused={state.focus === 'alerts'} columns={layout.columns} readOnly={readOnly} /> : null}
      <LogPanel
        title={log.title}
        lines={win.lines}
        height={logHeight}
        following={win.following}
        live={log.live}
        newLines={win.newLines}
        loading={log.loading}
        focused={state.focus === 'log'}
      />
      <Footer prompt={state.prompt} flash={state.flash} filter={state.filter} columns={layout.columns} readOnly={readOnly} />
    </Box>
  );
}
