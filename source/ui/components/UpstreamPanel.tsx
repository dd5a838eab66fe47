/**
 * Upstream panel (5 lines): one line per ThetaData terminal (in-flight blocks ▮/▯ against the cap,
 * queue depth, latency p50/p95, backoff), the Theta status counts (200/204/472/429/5xx) and timeouts,
 * the Theta error rate and backoff state, and the Polygon line (in flight against its cap, queue,
 * errors, latency p50/p95, backoff). Data: the providers' live metrics in the snapshot.
 */
import { Box } from 'ink';
import type { StatusCounts, UpstreamMetrics } from '../../contracts/upstream.js';
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
  const full =
    cap <= 8 ? Math.min(slots, inFlight) : Math.min(slots, Math.round((inFlight / cap) * slots));
  return '▮'.repeat(Math.max(0, full)) + '▯'.repeat(slots - Math.max(0, full));
}

function terminalLabel(u: UpstreamMetrics['upstream']): string {
  return u === 'theta_v3' ? 'v3' : u === 'theta_v1' ? 'v1' : u;
}

type Segs = (Seg | string | null)[];

/**
 * Sums of the Theta terminals' counters: attempts by status (the StatusCounts fields but `other`),
 * requests and errors (errors over requests is the error rate).
 */
export interface ThetaTotals extends Omit<StatusCounts, 'other'> {
  requests: number;
  errors: number;
  /** Terminals waiting out a retry backoff (`v3`, `v1`). */
  backingOff: string[];
}

/** Totals over the Theta terminals (selector, pure). */
export function thetaTotals(theta: readonly UpstreamMetrics[]): ThetaTotals {
  const t: ThetaTotals = {
    requests: 0,
    errors: 0,
    s200: 0,
    s204: 0,
    s472: 0,
    s429: 0,
    s5xx: 0,
    timeouts: 0,
    backingOff: [],
  };
  for (const m of theta) {
    t.requests += m.requests;
    t.errors += m.errors;
    t.s200 += m.counts.s200;
    t.s204 += m.counts.s204;
    t.s472 += m.counts.s472;
    t.s429 += m.counts.s429;
    t.s5xx += m.counts.s5xx;
    t.timeouts += m.counts.timeouts;
    if (m.backingOff) t.backingOff.push(terminalLabel(m.upstream));
  }
  return t;
}

function terminalLine(m: UpstreamMetrics, first: boolean, narrow: boolean): Segs {
  return [
    narrow ? ' ' : { text: first ? ' Theta ' : '       ', bold: true },
    `${terminalLabel(m.upstream)} `,
    { text: capBlocks(m.inFlight, m.cap), tone: m.inFlight >= m.cap ? 'warn' : 'ok' },
    ` ${m.inFlight}/${m.cap} ${narrow ? 'q' : 'queue'} ${formatCount(m.queued)}${narrow ? ' ' : '  '}p50 ${formatMs(m.p50Ms)} p95 ${formatMs(m.p95Ms)}`,
    m.backingOff ? { text: ' backoff', tone: 'warn', bold: true } : null,
  ];
}

/** Renders the upstream panel. */
export function UpstreamPanel({ theta, polygon, width }: UpstreamPanelProps) {
  const shown = theta.slice(0, 2);
  const t = thetaTotals(theta);
  const narrow = width < 50;
  const sep = narrow ? ' ' : '  ';
  const lines: Segs[] = shown.map((m, i) => terminalLine(m, i === 0, narrow));
  if (shown.length === 0)
    lines.push([
      { text: ' Theta ', bold: true },
      { text: 'no terminals', tone: 'dim' },
    ]);
  while (lines.length < 2) lines.push([' ']);
  // At 80 columns the 5xx count moves to the next line and "Theta" labels the counts.
  const counts: [string, number][] = [
    ['200', t.s200],
    ['204', t.s204],
    ['472', t.s472],
    ['429', t.s429],
    ['5xx', t.s5xx],
  ];
  const first = narrow ? counts.slice(0, 4) : counts;
  lines.push([
    narrow ? { text: ' Theta ', bold: true } : '  ',
    first.map(([k, v]) => `${k} ${formatCount(v)}`).join(sep),
  ]);
  lines.push([
    narrow ? ` 5xx ${formatCount(t.s5xx)} ` : '  ',
    `timeouts ${formatCount(t.timeouts)}${sep}`,
    { text: `err ${formatRatioPct(t.errors, t.requests)}`, tone: t.errors > 0 ? 'warn' : 'plain' },
    sep,
    t.backingOff.length > 0
      ? { text: `backoff ${t.backingOff.join(',')}`, tone: 'warn', bold: true }
      : { text: 'no backoff', tone: 'dim' },
  ]);
  lines.push(
    polygon
      ? [
          { text: narrow ? ' Polygon ' : '  Polygon ', bold: true },
          `${polygon.inFlight}/${polygon.cap}${narrow ? ' q' : ' in flight  queue'} ${formatCount(polygon.queued)}${sep}`,
          {
            text: `${formatCount(polygon.errors)} err`,
            tone: polygon.errors > 0 ? 'warn' : 'plain',
          },
          narrow
            ? ` p95 ${formatMs(polygon.p95Ms)}`
            : `  p50 ${formatMs(polygon.p50Ms)} p95 ${formatMs(polygon.p95Ms)}`,
          polygon.backingOff ? { text: ' backoff', tone: 'warn', bold: true } : '',
        ]
      : [
          { text: '  Polygon ', bold: true },
          { text: 'idle', tone: 'dim' },
        ],
  );
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((segs, i) => (
        <Line key={i} segs={segs} />
      ))}
    </Box>
  );
}
