/**
 * The console's key sequence on a running backfill, shared by test/terminal/console-pty.test.ts and
 * bench/console-keys.js: p (pausing/PAUSED), r (RUNNING), ← onto a COMPLETE day, R (confirm with a
 * preview) y (queued behind the running backfill: the header counts it), v (queued), e (confirm, if
 * asked, with the range and day count) y, ? (help listing the keys, scrolled with ↓ when it does not
 * fit), q (closes the help), q (quit prompt: stop or detach), s (stop). Each step waits for its
 * screen text with a deadline and fails with the screen in the message; each press is timed (see
 * {@link KeyPress}). Assertions here are on stable words of console.md and source/ui (state names,
 * "rerun <date>", "[y]es", "queued", "detach"), not on layout.
 */
import { KEYS, type KeyPress, type PtyConsole, type ScreenPredicate } from './pty-console.js';
import type { TerminalScreen } from './screen.js';

/**
 * The backfill the key sequence runs on (arguments after `node dist/cli.js`): two months of the
 * simulated market `sim:5`, no validation, no phase 0, kept open when the range is done.
 */
export const CONSOLE_ARGS: readonly string[] = [
  'backfill',
  '--market',
  'sim:5',
  '--start',
  '2024-01-02',
  '--end',
  '2024-02-29',
  '--validate',
  'none',
  '--skip-phase0',
  '--keep-open',
];

/** Options of {@link runKeySequence}. */
export interface KeySequenceOptions {
  /** Help texts (KEYMAP `help`) the `?` overlay must show (their first 40 characters, scrolling if needed). */
  helpTexts: string[];
  /** Deadline of each wait, ms. */
  timeoutMs?: number;
}

/** What the sequence saw. */
export interface KeySequenceResult {
  presses: KeyPress[];
  /** Header line while paused (the PAUSING/PAUSED text). */
  pausedHeader: string;
  /** The COMPLETE day that was rerun and validated. */
  day: string;
  /** The rerun confirmation line. */
  rerunPrompt: string;
  /** The export confirmation line (null when e exports without asking), its range and previewed day count (null when not shown). */
  exportPrompt: string | null;
  exportRange: { start: string; end: string; days: number | null };
  /** The quit prompt line. */
  quitPrompt: string;
  /** ↓ presses needed to see every help text (0 when the help fits). */
  helpScrolls: number;
}

const STATUS = /(\d{4}-\d{2}-\d{2}) (PENDING|RUNNING|COMPLETE|RETRY|FAILED|INCOMPLETE|SKIPPED)\b/;

/** The header (first row). */
export const header = (s: TerminalScreen): string => s.line(0);
/** True when the header shows the dashboard of a backfill in one of `states`. */
export const headerState =
  (...states: string[]): ScreenPredicate =>
  (s) =>
    /\bgapctl\b/.test(header(s)) && new RegExp(`\\b(${states.join('|')})\\b`).test(header(s));
/** The first screen line matching `re`, or null. */
export const findLine = (s: TerminalScreen, re: RegExp): string | null =>
  s.lines().find((l) => re.test(l)) ?? null;
/** The selection line's date and status (`2024-01-03 COMPLETE`), or null. */
export function selection(s: TerminalScreen): { date: string; status: string } | null {
  for (const l of s.lines()) {
    if (/status=/.test(l)) continue; // log lines
    const m = STATUS.exec(l);
    if (m) return { date: m[1], status: m[2] };
  }
  return null;
}
/** Days done and total from the progress line (`12/41 days`), or null. */
export function progress(s: TerminalScreen): { done: number; total: number } | null {
  const m = /\b(\d+)\/(\d+) days\b/.exec(s.text());
  return m ? { done: Number(m[1]), total: Number(m[2]) } : null;
}
/** The quit prompt's choices (`[s]top`, `[d]etach`) are on screen. */
export const quitPromptShown: ScreenPredicate = (s) =>
  /\bdetach|\[d\]etach/.test(s.text()) && /\bstop|\[s\]top/.test(s.text());
/** Commands the engine holds until the backfill stops or finishes (`+2 queued` in the header), 0 when not shown. */
export function queuedCount(s: TerminalScreen): number {
  const m = /(\d+) queued\b/.exec(s.text());
  return m ? Number(m[1]) : 0;
}
/** Characters of a help text that must show (help lines are cut at the terminal width). */
const HELP_PREFIX = 40;
/** `export [month 2024-01] 2024-01-02 -> 2024-01-31` (also `..` or `to` between the dates). */
const EXPORT_RANGE = /\bexport\b[^\n]*?(\d{4}-\d{2}-\d{2})\s*(?:->|\.\.|to)\s*(\d{4}-\d{2}-\d{2})/;
const confirmShown: ScreenPredicate = (s) => /\[y\]es|\by\/n\b/.test(s.text());

/** Runs the sequence on a console that shows (or is about to show) a running backfill; ends with the process told to stop. */
export async function runKeySequence(
  c: PtyConsole,
  o: KeySequenceOptions,
): Promise<KeySequenceResult> {
  const t = o.timeoutMs ?? 20_000;
  const s = c.screen;
  const presses: KeyPress[] = [];
  const press = async (
    data: string,
    key: string,
    expect: ScreenPredicate,
    what: string,
    timeoutMs = t,
  ): Promise<void> => {
    presses.push(await c.press(data, key, expect, what, timeoutMs));
  };

  await c.waitFor(headerState('RUNNING'), 'the dashboard: header with gapctl and RUNNING', 60_000);

  // p: pausing (in-flight requests finish), then PAUSED; r: RUNNING again
  await press('p', 'p', headerState('PAUSING', 'PAUSED'), 'header PAUSING or PAUSED');
  const pausedHeader = header(s);
  await c.waitFor(headerState('PAUSED'), 'header PAUSED (in flight 0)', t);
  await press('r', 'r', headerState('RUNNING'), 'header RUNNING');

  // ← until the selection line names a COMPLETE day (the day before the running one)
  await c.waitFor(
    (x) => (progress(x)?.done ?? 0) >= 1 && selection(x) !== null,
    'at least one day COMPLETE and a selection line',
    60_000,
  );
  for (let i = 0; i < 5 && selection(s)?.status !== 'COMPLETE'; i++) {
    const before = selection(s)!.date;
    await press(
      KEYS.left(s),
      '←',
      (x) => selection(x) !== null && selection(x)!.date !== before,
      `selection moves off ${before}`,
    );
  }
  const sel = selection(s);
  if (sel?.status !== 'COMPLETE')
    throw new Error(
      `could not select a COMPLETE day (selection: ${JSON.stringify(sel)})\n${s.text()}`,
    );
  const day = sel.date;

  // R on a COMPLETE day asks to confirm, naming the day; y sends it
  await press(
    'R',
    'R',
    (x) => confirmShown(x) && x.text().includes(`rerun ${day}`),
    `confirmation "rerun ${day}?" with [y]es`,
  );
  const rerunPrompt = findLine(s, /\[y\]es|\by\/n\b/)!.trim();
  // the backfill is running, so the engine queues the rerun (and v, e below) and the header counts it
  let q = queuedCount(s);
  await press(
    'y',
    'y (rerun)',
    (x) => !confirmShown(x) && x.text().includes(`rerun ${day}`) && queuedCount(x) > q,
    `notice "rerun ${day}", the prompt gone, "${q + 1} queued"`,
  );

  // v validates the selected day
  q = queuedCount(s);
  await press(
    'v',
    'v',
    (x) => x.text().includes(`validate ${day}`) && queuedCount(x) > q,
    `notice "validate ${day}", "${q + 1} queued"`,
  );

  // e exports the selected month: a confirmation with the range and day count (then y), or straight a queued notice
  q = queuedCount(s);
  const exportNotice: ScreenPredicate = (x) =>
    !confirmShown(x) && EXPORT_RANGE.test(x.text()) && queuedCount(x) > q;
  await press(
    'e',
    'e',
    (x) => (confirmShown(x) && EXPORT_RANGE.test(x.text())) || exportNotice(x),
    'export confirmation with its range and [y]es, or an export notice',
  );
  const exportPrompt = confirmShown(s) ? findLine(s, /\[y\]es|\by\/n\b/)!.trim() : null;
  const em = EXPORT_RANGE.exec(exportPrompt ?? findLine(s, EXPORT_RANGE)!);
  if (!em) throw new Error(`export prompt or notice without a range:\n${s.text()}`);
  const dm = exportPrompt ? /\((\d+) days?\b/.exec(exportPrompt) : null;
  const exportRange = { start: em[1], end: em[2], days: dm ? Number(dm[1]) : null };
  if (exportPrompt) {
    await press(
      'y',
      'y (export)',
      (x) => exportNotice(x) && x.text().includes(exportRange.start),
      `notice "export ... ${exportRange.start} ...", the prompt gone, "${q + 1} queued"`,
    );
  }

  // ? help overlay listing the keys (scrolled with ↓ when it does not fit); q closes it
  const helpKey = (h: string): string => h.slice(0, HELP_PREFIX); // lines are cut at the width
  const helpVisible = (x: TerminalScreen, h: string): boolean => x.text().includes(helpKey(h));
  const seen = new Set<string>();
  const note = (): void => o.helpTexts.filter((h) => helpVisible(s, h)).forEach((h) => seen.add(h));
  await press(
    '?',
    '?',
    (x) => helpVisible(x, o.helpTexts[0]) && !headerState('RUNNING', 'PAUSING', 'PAUSED')(x),
    'help overlay listing the keys',
  );
  note();
  let helpScrolls = 0;
  while (seen.size < o.helpTexts.length && helpScrolls < 60) {
    const before = s.text();
    try {
      await c.press(
        KEYS.down(s),
        '↓ (help)',
        (x) => x.text() !== before,
        'the help scrolls',
        10_000,
      );
    } catch {
      break; // at the end of the help
    }
    helpScrolls++;
    note();
  }
  const missing = o.helpTexts.filter((h) => !seen.has(h));
  if (missing.length > 0)
    throw new Error(`the help overlay does not list: ${missing.join(' | ')}\n${s.text()}`);
  await press(
    'q',
    'q (close help)',
    (x) => !o.helpTexts.some((h) => helpVisible(x, h)) && headerState('RUNNING')(x),
    'the dashboard again (help closed)',
  );

  // q: quit prompt (stop or detach); s: stop -> the alternate screen is left
  await press(
    'q',
    'q',
    (x) => quitPromptShown(x) && headerState('RUNNING')(x),
    'quit prompt: stop or detach',
  );
  const quitPrompt = findLine(s, /\bdetach|\[d\]etach/)!.trim();
  await press('s', 's (stop)', (x) => !x.altScreen, 'alternate screen left');
  return {
    presses,
    pausedHeader,
    day,
    rerunPrompt,
    exportPrompt,
    exportRange,
    quitPrompt,
    helpScrolls,
  };
}

/** p50, p95 (nearest rank) and max of the latencies, ms. */
export function latencySummary(presses: readonly KeyPress[]): {
  n: number;
  p50: number;
  p95: number;
  max: number;
} {
  const v = presses.map((p) => p.latencyMs).sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, p50: 0, p95: 0, max: 0 };
  const mid = Math.floor(v.length / 2);
  const p50 = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  const p95 = v[Math.min(v.length - 1, Math.ceil(0.95 * v.length) - 1)];
  return { n: v.length, p50: Math.round(p50 * 10) / 10, p95, max: v[v.length - 1] };
}
