/**
 * Upstream panel (4 lines): one line per ThetaData terminal (in-flight blocks ▮/▯ against the cap,
 * queue, latency p50/p95, backoff), the Theta status counts (200/204/472/429/5xx/timeouts) and
 * error rate, and the Polygon line. Data: the providers' live metrics in the snapshot.
 */
import { Box } from 'ink';
import type { UpstreamMetrics } from '../../providers/types.js';
import { formatCount, formatMs, formatRatioPct } from '../format.js';
import { Line, type Seg } from './Line.js';

/** Props of {@link UpstreamPanel}. */
export interface UpstreamPanelProps {
  theta: UpstreamMetrics[];
  polygon: UpstreamMetrics | null;
  width: number;
}

/** `▮▮▯▯`: one block per slot of the cap (at most 8 blocks; larger caps are scaled). */
export function capBlocks(inFlight: number, cap: number): string {
  const slots = Math.max(1, Math.min(8, cap));
  const full = cap <= 8 ? Math.min(slots, inFlight) : Math.min(slots, Math.round((inFlight / cap) * slots));
  return '▮'.repeat(Math.max(0, full)) + '▯'.repeat(slots - Math.max(0, full));
}

function terminalLabel(u: UpstreamMetrics['upstream']): string {
  return u === 'theta_v3' ? 'v3' : u === 'theta_v1' ? 'v1' : u;
}

type Segs = (Seg | string | null)[];

function terminalLine(m: UpstreamMetrics, first: boolean, narrow: boolean): Segs {
  return [
    narrow ? ' ' : { text: first ? ' Theta ' : '       ', bold: true },
    `${terminalLabel(m.upstream)} `,
    { text: capBlocks(m.inFlight, m.cap), tone: m.inFlight >= m.cap ? 'warn' : 'ok' },
    ` ${m.inFlight}/${m.cap} q ${formatCount(m.queued)}${narrow ? ' ' : '  '}p50 ${formatMs(m.p50Ms)} p95 ${formatMs(m.p95Ms)}`,
    m.backingOff ? { text: '  backoff', tone: 'warn', bold: true } : null,
  ];
}

/** Renders the upstream panel. */
export function UpstreamPanel({ theta, polygon, width }: UpstreamPanelProps) {
  const shown = theta.slice(0, 2);
  const sum = { requests: 0, errors: 0, s200: 0, s204: 0, s472: 0, s429: 0, s5xx: 0, timeouts: 0 };
  for (const m of theta) {
    sum.requests += m.requests;
    sum.errors += m.errors;
    sum.s200 += m.counts.s200;
    sum.s204 += m.counts.s204;
    sum.s472 += m.counts.s472;
    sum.s429 += m.counts.s429;
    sum.s5xx += m.counts.s5xx;
    sum.timeouts += m.counts.timeouts;
  }
  const narrow = width < 50;
  const lines: Segs[] = shown.map((m, i) => terminalLine(m, i === 0, narrow));
  if (shown.length === 0) lines.push([{ text: ' Theta ', bold: true }, { text: 'no terminals', tone: 'dim' }]);
  while (lines.length < 2) lines.push([' ']);
  lines.push([
    narrow ? { text: ' Theta', bold: true } : '  ',
    `${narrow ? ' ' : ''}200 ${formatCount(sum.s200)}  472 ${formatCount(sum.s472)}  429 ${formatCount(sum.s429)}  `,
    { text: `err ${formatRatioPct(sum.errors, sum.requests)}`, tone: sum.errors > 0 ? 'warn' : 'plain' },
    `  204 ${formatCount(sum.s204)}  5xx ${formatCount(sum.s5xx)}  timeouts ${formatCount(sum.timeouts)}`,
  ]);
  lines.push(
    polygon
      ? [
          { text: narrow ? ' Polygon ' : '  Polygon ', bold: true },
          `${polygon.inFlight}/${polygon.cap}${narrow ? '' : ' in flight'}  q ${formatCount(polygon.queued)}  `,
          { text: `${formatCount(polygon.errors)} errors`, tone: polygon.errors > 0 ? 'warn' : 'plain' },
          `  p50 ${formatMs(polygon.p50Ms)} p95 ${formatMs(polygon.p95Ms)}`,
          polygon.backingOff ? { text: '  backoff', tone: 'warn', bold: true } : '',
        ]
      : [{ text: '  Polygon ', bold: true }, { text: 'idle', tone: 'dim' }],
  );
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((segs, i) => (
        <Line key={i} segs={segs} />
      ))}
    </Box>
  );
}
