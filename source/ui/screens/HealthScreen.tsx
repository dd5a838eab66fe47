/**
 * The health overlay (`H`): the checks of `gapctl health` (configuration, keys, Polygon, Theta v3
 * and v1, flat files, disk, lock, store, last day, SLA, audits, baseline-only, backup), run by the
 * host where the engine lives (the UI runs no HTTP or SQL) and shown one check per line: a text
 * marker (`[ ok ]`, `[WARN]`, `[CRIT]`) coloured by level, so NO_COLOR still shows the level, the
 * check's name and its one-line reason wrapped under itself. "checking…" is shown at once on the key
 * press until the report arrives. Scrolls with ↑/↓ when it does not fit; H, ESC, q or backspace
 * close it. Every frame has at most rows - 1 lines.
 */
import { Box } from 'ink';
import type { HealthCheck, HealthLevel } from '../../contracts/events.js';
import { Line, type Seg } from '../components/Line.js';
import { formatDuration, packLines } from '../format.js';
import type { HealthLoad } from '../state.js';
import type { Tone } from '../theme.js';

/** Props of {@link HealthScreen}. */
export interface HealthScreenProps {
  /** The request and its answer (null: nothing asked yet, shown as checking). */
  health: HealthLoad | null;
  columns: number;
  rows: number;
  scroll: number;
}

/** The text marker of a level (the same width for all three). */
export const HEALTH_MARKER: Readonly<Record<HealthLevel, string>> = {
  ok: '[ ok ]',
  warn: '[WARN]',
  critical: '[CRIT]',
};

/** Tone of a level. */
export function healthTone(level: HealthLevel): Tone {
  return level === 'ok' ? 'ok' : level === 'warn' ? 'warn' : 'critical';
}

type Row = (Seg | string)[];

/** Rows of one check: marker, name, and the reason wrapped under itself within `width` columns. */
function checkRows(c: HealthCheck, nameWidth: number, width: number): Row[] {
  const lead = ` ${HEALTH_MARKER[c.level]} ${c.name.padEnd(nameWidth)}  `;
  const wrapped = packLines(c.message.split(' '), width - 1, ' '.repeat(lead.length), ' ');
  const tone = healthTone(c.level);
  return wrapped.map((l, i) =>
    i === 0
      ? [
          ' ',
          { text: HEALTH_MARKER[c.level], tone, bold: c.level !== 'ok' },
          ` ${c.name.padEnd(nameWidth)}  `,
          l.slice(lead.length),
        ]
      : [l],
  );
}

/**
 * The overlay's title (tone by the worst level) and its content rows for `width` columns: the
 * checking line, the error, or one check per line (wrapped) after a summary.
 */
export function healthContent(
  health: HealthLoad | null,
  width: number,
): { title: Seg; rows: Row[] } {
  if (!health || (health.report === null && health.error === null)) {
    return {
      title: { text: ' gapctl health: checking…', bold: true, tone: 'accent' },
      rows: packLines(
        'the engine runs the checks of gapctl health (each probe with its own timeout, HEALTH_TIMEOUT_SEC)'.split(
          ' ',
        ),
        width - 1,
        ' ',
        ' ',
      ).map((l) => [{ text: l, tone: 'dim' }]),
    };
  }
  if (health.report === null) {
    return {
      title: { text: ' gapctl health: the checks could not run', bold: true, tone: 'critical' },
      rows: packLines((health.error ?? '').split(' '), width - 1, ' ', ' ').map((l) => [l]),
    };
  }
  const r = health.report;
  const warn = r.checks.filter((c) => c.level === 'warn').length;
  const crit = r.checks.filter((c) => c.level === 'critical').length;
  const nameWidth = Math.min(14, Math.max(...r.checks.map((c) => c.name.length), 4));
  return {
    title: {
      text: ` gapctl health: ${HEALTH_MARKER[r.level]} ${r.level.toUpperCase()}  ${crit} critical, ${warn} warn, ${r.checks.length} checks in ${formatDuration(r.ms)} (exit ${r.exitCode})`,
      bold: true,
      tone: healthTone(r.level),
    },
    rows: r.checks.flatMap((c) => checkRows(c, nameWidth, width)),
  };
}

/** Renders the health overlay in at most rows - 1 lines. */
export function HealthScreen({ health, columns, rows, scroll }: HealthScreenProps) {
  const { title, rows: content } = healthContent(health, columns);
  const room = Math.max(1, rows - 3);
  const top = Math.max(0, Math.min(scroll, content.length - room));
  const shown = content.slice(top, top + room);
  return (
    <Box flexDirection="column">
      <Line segs={[title]} />
      {shown.map((segs, i) => (
        <Line key={i} segs={segs} />
      ))}
      <Line
        segs={[
          {
            text: ` ${content.length > room ? '↑↓ scroll  ' : ''}H/ESC/q close (open it again to check again)`,
            tone: 'dim',
          },
        ]}
      />
    </Box>
  );
}
