/**
 * Header line: command, range, backfill state (with "pausing, N in flight" while PAUSING and the
 * reason when halted), market, database, read-only tag, and `? help` at the right edge. When the
 * line is too long the market/db part is cut first, then the state reason; `? help` always shows.
 */
import type { BackfillSnapshot } from '../../engine/events.js';
import { truncate } from '../format.js';
import { stateTone } from '../theme.js';
import { Line, type Seg } from './Line.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  snapshot: BackfillSnapshot | null;
  columns: number;
  readOnly: boolean;
}

/** The state text: `PAUSING  pausing, 3 in flight`, `HALTED: reason`, or the state. */
export function stateText(s: BackfillSnapshot): string {
  if (s.state === 'PAUSING') return `PAUSING  pausing, ${s.inFlight} in flight`;
  if (s.reason && (s.state === 'HALTED' || s.state === 'FAILED' || s.state === 'STOPPED')) return `${s.state}: ${s.reason}`;
  return s.state;
}

/** Renders the header line. */
export function Header({ snapshot: s, columns, readOnly }: HeaderProps) {
  const right = ' ? help ';
  const head: Seg = { text: ' gapctl ', bold: true, tone: 'accent' };
  const ro: Seg | null = readOnly ? { text: ' read-only ', bold: true, tone: 'warn' } : null;
  const segs: Seg[] = [head];
  if (!s) {
    segs.push({ text: ' waiting for the engine…', tone: 'dim' });
  } else {
    const range: Seg = { text: ` ${s.command} ${s.start} -> ${s.end}  ` };
    const state: Seg = { text: stateText(s), bold: true, tone: stateTone(s.state) };
    const where: Seg = { text: `  ${columns >= 100 ? 'market ' : ''}${s.market}  ${s.db}`, tone: 'dim' };
    let room = columns - right.length - head.text.length - (ro?.text.length ?? 0) - range.text.length;
    state.text = truncate(state.text, Math.max(7, room));
    room -= state.text.length;
    where.text = room >= 4 ? truncate(where.text, room) : '';
    segs.push(range, state, where);
  }
  if (ro) segs.push(ro);
  const used = segs.reduce((n, x) => n + x.text.length, 0);
  const gap = columns - used - right.length;
  segs.push({ text: ' '.repeat(Math.max(0, gap)) }, { text: right, tone: 'dim' });
  return <Line segs={segs} />;
}
