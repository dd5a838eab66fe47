/**
 * The console root: terminal size -> layout, the controller (state machine + effects), one input
 * handler mapping keys through the keymap, and the screen for the current mode (too small, help,
 * health, day detail, dashboard).
 */
import { useInput } from 'ink';
import { useMemo } from 'react';
import { layoutGrid } from './grid.js';
import { logModeOf, useConsole, type UseConsoleOptions } from './hooks/use-console.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { ThemeContext } from './hooks/use-theme.js';
import { computeLayout, logLines } from './layout.js';
import { DayDetailScreen } from './screens/DayDetailScreen.js';
import { Dashboard } from './screens/Dashboard.js';
import { HealthScreen } from './screens/HealthScreen.js';
import { HelpScreen } from './screens/HelpScreen.js';
import { TooSmallScreen } from './screens/TooSmallScreen.js';
import { cursorDate, shownAlert, showsPaused, visibleDays, type StepContext } from './state.js';
import { createTheme } from './theme.js';
import type { ConsoleSource } from './types.js';

/**
 * Props of {@link App}: the source, colour and read-only switch, plus the console hook's options
 * (quit and alert callbacks, the frame cap, the busy share and the key quiet time: see
 * {@link UseConsoleOptions}; each defaults to 0, off, as there).
 */
export interface AppProps extends Omit<UseConsoleOptions, 'now'> {
  source: ConsoleSource;
  color: boolean;
  readOnly?: boolean;
}

/** The console component. */
export function App({
  source,
  color,
  readOnly = false,
  onQuit,
  onCriticalAlert,
  onKey,
  frameMs = 0,
  busyShare = 0,
  keyQuietMs = 0,
}: AppProps) {
  const size = useTerminalSize();
  const theme = useMemo(() => createTheme(color), [color]);
  const { state, press } = useConsole(source, {
    onQuit,
    onCriticalAlert,
    onKey,
    frameMs,
    busyShare,
    keyQuietMs,
  });
  const logMode = logModeOf(source);
  const hasAlert = shownAlert(state) !== null;
  const tallFooter =
    (state.prompt?.kind === 'confirm' && state.prompt.detail !== undefined) ||
    state.prompt?.kind === 'filter';
  const layout = computeLayout(size.columns, size.rows, { hasAlert, tallFooter });
  const sel = cursorDate(state);
  const days = visibleDays(state);
  const paused = showsPaused(state);
  // The grid is laid out again only when its days (kept by identity while unchanged), the cursor, the size or the mark change.
  const grid = useMemo(
    () =>
      layoutGrid(days, {
        cursor: sel,
        width: layout.columns,
        maxLines: layout.gridMax,
        paused,
        marked:
          state.mark && sel
            ? { from: state.mark < sel ? state.mark : sel, to: state.mark < sel ? sel : state.mark }
            : null,
      }),
    [days, sel, layout.columns, layout.gridMax, paused, state.mark],
  );
  const logHeight = logLines(layout, grid.lines.length, hasAlert);
  const ctx: StepContext = { readOnly, logPage: logHeight, tooSmall: layout.tooSmall, logMode };

  useInput((input, key) => press(input, key, ctx));

  let screen;
  if (layout.tooSmall)
    screen = (
      <TooSmallScreen
        columns={layout.columns}
        rows={layout.rows}
        quitPrompt={state.prompt?.kind === 'quit'}
      />
    );
  else if (state.overlay?.kind === 'help')
    screen = (
      <HelpScreen
        columns={layout.columns}
        rows={layout.rows}
        scroll={state.overlay.scroll}
        readOnly={readOnly}
      />
    );
  else if (state.overlay?.kind === 'health')
    screen = (
      <HealthScreen
        health={state.health}
        columns={layout.columns}
        rows={layout.rows}
        scroll={state.overlay.scroll}
      />
    );
  else if (state.overlay?.kind === 'detail')
    screen = (
      <DayDetailScreen
        state={state}
        overlay={state.overlay}
        columns={layout.columns}
        rows={layout.rows}
        logMode={logMode}
        hasDetail={source.readDayDetail !== undefined}
      />
    );
  else
    screen = (
      <Dashboard
        state={state}
        layout={layout}
        grid={grid}
        logHeight={logHeight}
        readOnly={readOnly}
        logMode={logMode}
      />
    );
  return <ThemeContext.Provider value={theme}>{screen}</ThemeContext.Provider>;
}
