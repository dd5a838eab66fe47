/**
 * Header line: command, range, backfill state (with "pausing, N in flight" while PAUSING, shown at
 * once when p is pressed, and the reason when halted), what the engine does besides the backfill,
 * market, database, read-only tag, `PROOF OFF` for a `--no-proof` run (its days stay unproven),
 * and `? help` at the right edge. When the
 * line is too long the market/db part is cut first, then the state reason; `? help` always shows.
 */
import type { BackfillSnapshot, BackfillState } from '../../contracts/events.js';
import { truncate } from '../format.js';
import { stateTone } from '../theme.js';
import { Line, type Seg } from './Line.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  snapshot: BackfillSnapshot | null;
  /** The state to show (the snapshot's, or the one a control just sent leads to); default the snapshot's. */
  shown?: BackfillState;
  columns: number;
  readOnly: boolean;
}

/**
 * The state text: `PAUSING  pausing, 3 in flight`, `STOPPING  stopping, 3 in flight aborted`,
 * `HALTED: reason`, or the state; then what the engine does besides (`validating 3/21 ...`) and how
 * many commands wait.
 */
export function stateText(s: BackfillSnapshot, shown: BackfillState = s.state): string {
  let t: string = shown;
  if (shown === 'PAUSING') t = `PAUSING  pausing, ${s.inFlight} in flight`;
  else if (shown === 'STOPPING') t = `STOPPING  stopping, ${s.inFlight} in flight aborted`;
  else if (
    s.reason &&
    shown === s.state &&
    (shown === 'HALTED' || shown === 'FAILED' || shown === 'STOPPED')
  )
    t = `${shown}: ${s.reason}`;
  const extra = [
    s.activity ? `· ${s.activity}` : '',
    s.queuedCommands ? `+${s.queuedCommands} queued` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return extra ? `${t}  ${extra}` : t;
}

/** Renders the header line. */
export function Header({ snapshot: s, shown, columns, readOnly }: HeaderProps) {
  const right = ' ? help ';
  const head: Seg = { text: ' gapctl ', bold: true, tone: 'accent' };
  const ro: Seg | null = readOnly ? { text: ' read-only ', bold: true, tone: 'warn' } : null;
  // A run without proofs says so on every frame (its grid fills with ○).
  const proofOff: Seg | null =
    s?.proofMode === 'off'
      ? { text: ' PROOF OFF: days unproven ', bold: true, tone: 'warn' }
      : null;
  const segs: Seg[] = [head];
  if (!s) {
    segs.push({ text: ' waiting for the engine…', tone: 'dim' });
  } else {
    const st = shown ?? s.state;
    const range: Seg = { text: ` ${s.command} ${s.start} -> ${s.end}  ` };
    const state: Seg = { text: stateText(s, st), bold: true, tone: stateTone(st) };
    const where: Seg = {
      text: `  ${columns >= 100 ? 'market ' : ''}${s.market}  ${s.db}`,
      tone: 'dim',
    };
    let room =
      columns -
      right.length -
      head.text.length -
      (ro?.text.length ?? 0) -
      (proofOff?.text.length ?? 0) -
      range.text.length;
    state.text = truncate(state.text, Math.max(7, room));
    room -= state.text.length;
    where.text = room >= 4 ? truncate(where.text, room) : '';
    segs.push(range, state, where);
  }
  if (proofOff) segs.push(proofOff);
  if (ro) segs.push(ro);
  const used = segs.reduce((n, x) => n + x.text.length, 0);
  const gap = columns - used - right.length;
  segs.push({ text: ' '.repeat(Math.max(0, gap)) }, { text: right, tone: 'dim' });
  return <Line segs={segs} />;
}
