/**
 * Issue 10 point 1 in the console: a COMPLETE day that is not proven (proof `sampled`, or unknown)
 * looks different from a proven one in the grid (glyph ○ vs ✓, also without colour) and in the
 * legend; while a day's R1 proof runs the day panel shows a proof progress line (source, symbols
 * answered of the eligible ones, lookups); the day detail shows the stored proof (kind, source,
 * checked, found, time); a `--no-proof` run says PROOF OFF in the header.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import type { BackfillSnapshot, DayCell, ProofProgress } from '../../source/contracts/events.js';
import { DayPanel } from '../../source/ui/components/DayPanel.js';
import { Header } from '../../source/ui/components/Header.js';
import {
  cellGlyph,
  GLYPH_LEGEND,
  isProven,
  legendLine,
  proofLabel,
  proofProgressText,
} from '../../source/ui/format.js';
import { layoutGrid, monthRepresentative, type GridLine } from '../../source/ui/grid.js';
import { cellTone } from '../../source/ui/theme.js';
import {
  FakeSource,
  makeDetail,
  makeSnapshot,
  mount,
  plain,
  tick,
  waitFor,
  type Mounted,
} from './harness.js';

const mounted: Mounted[] = [];
afterEach(() => {
  cleanup();
  for (const m of mounted.splice(0)) m.instance.unmount();
});

const cell = (proof?: DayCell['proof'], over: Partial<DayCell> = {}): DayCell => ({
  date: '2018-03-05',
  status: 'COMPLETE',
  hits: 1,
  baselineOnly: 0,
  ...(proof ? { proof } : {}),
  ...over,
});
const text = (l: GridLine) => l.map((s) => s.text).join('');

describe('grid and legend: proven vs unproven COMPLETE days', () => {
  it('a proven day is ✓ (ok), a sampled or unknown one ○ (warn); a baseline-only miss is never proven', () => {
    expect(cellGlyph(cell('exhaustive'))).toBe('✓');
    expect(cellGlyph(cell('baseline'))).toBe('✓');
    expect(cellGlyph(cell('sampled'))).toBe('○');
    expect(cellGlyph(cell(undefined))).toBe('○');
    expect(cellTone(cell('exhaustive'))).toBe('ok');
    expect(cellTone(cell('sampled'))).toBe('warn');
    expect(cellTone(cell(undefined))).toBe('warn');
    expect(isProven(cell('exhaustive'))).toBe(true);
    expect(isProven(cell('exhaustive', { baselineOnly: 1 }))).toBe(false);
    expect(isProven(cell('exhaustive', { status: 'RETRY_NEEDED' }))).toBe(false);
    expect(proofLabel('sampled')).toBe('UNPROVEN (sampled)');
    expect(proofLabel('baseline')).toBe('proven (baseline)');
    expect(proofLabel(undefined)).toBe('proof unknown');
  });

  it('the legend names both glyphs and still fits a 120-column screen', () => {
    expect(GLYPH_LEGEND).toContainEqual(['✓', 'proven']);
    expect(GLYPH_LEGEND).toContainEqual(['○', 'unproven']);
    expect(legendLine()).toContain('✓ proven  ○ unproven');
    expect(legendLine().length).toBeLessThan(120);
  });

  it('the grid draws each day by its proof; a month with an unproven day shows ○ in month view', () => {
    const days: DayCell[] = ['2018-03-01', '2018-03-02', '2018-03-05', '2018-03-06'].map(
      (date, i) => cell(i % 2 ? 'sampled' : 'exhaustive', { date }),
    );
    const g = layoutGrid(days, {
      cursor: null,
      width: 120,
      maxLines: 12,
      paused: false,
      marked: null,
    });
    expect(text(g.lines[0]!)).toContain('2018-03 ✓○ ✓○');
    expect(monthRepresentative(days).proof).toBe('sampled');
    expect(
      monthRepresentative(days.map((d) => ({ ...d, proof: 'exhaustive' as const }))).proof,
    ).toBe('exhaustive');
  });

  it('monochrome (NO_COLOR): ✓ and ○ tell the days apart without colour, the legend is on screen, the selection line says it in words', async () => {
    const base = makeSnapshot();
    const days = base.days.map((d) =>
      d.status === 'COMPLETE'
        ? {
            ...d,
            baselineOnly: 0,
            proof: d.date.startsWith('2018-02') ? ('sampled' as const) : ('exhaustive' as const),
          }
        : d,
    );
    const m = mount(new FakeSource({ ...base, days }), { columns: 120, rows: 40, color: false });
    mounted.push(m);
    await waitFor(() => plain(m.frame()).includes('Backfill'), 'the first snapshot');
    const raw = m.frame();
    expect(raw).not.toMatch(/\x1b\[(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]/);
    const screen = plain(raw);
    expect(screen).toMatch(/2018-01 ✓✓ ✓✓✓✓✓/);
    expect(screen).toMatch(/2018-02 ○○ ○○○○○ ○○○○○ ○○○○○ ○○○/);
    expect(screen).toContain('✓ proven  ○ unproven');
    // the cursor on an unproven day: the selection line says so
    for (let i = 0; i < 7; i++) await m.press('h');
    await waitFor(() => /» 2018-02-\d\d COMPLETE/.test(plain(m.frame())), 'cursor on February');
    expect(plain(m.frame())).toMatch(/» 2018-02-\d\d COMPLETE  hits 1  UNPROVEN \(sampled\)/);
  });

  it('in colour the two look different too (green ✓, yellow ○)', async () => {
    const base = makeSnapshot();
    const days = base.days.map((d) =>
      d.status === 'COMPLETE'
        ? {
            ...d,
            baselineOnly: 0,
            proof: d.date.startsWith('2018-02') ? ('sampled' as const) : ('exhaustive' as const),
          }
        : d,
    );
    const m = mount(new FakeSource({ ...base, days }), { columns: 120, rows: 40, color: true });
    mounted.push(m);
    await waitFor(() => plain(m.frame()).includes('Backfill'), 'the first snapshot');
    const raw = m.frame();
    // chalk level may be 0 under a non-TTY test runner: only check when colours are emitted at all
    if (/\x1b\[3\dm/.test(raw)) {
      expect(raw).toMatch(/\x1b\[32m✓✓/);
      expect(raw).toMatch(/\x1b\[33m○○/);
    }
  });
});

const running: ProofProgress = {
  date: '2018-03-09',
  phase: 'lookups',
  source: 'theta',
  eligible: 5400,
  answered: 5120,
  lookupsDone: 40,
  lookupsTotal: 80,
  unanswered: 0,
  startedAt: 1_000,
  at: 7_200,
};

function withProof(
  p: ProofProgress | null,
  over: Partial<BackfillSnapshot> = {},
): BackfillSnapshot {
  const s = makeSnapshot(over);
  return { ...s, current: { ...s.current!, proof: p } };
}

describe('proof progress line', () => {
  it('while the proof runs: source, symbols answered of the eligible, its lookups, elapsed (in place of the later stages)', () => {
    const r = render(<DayPanel snapshot={withProof(running)} width={78} />);
    const lines = plain(r.lastFrame()!).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatch(
      /^ ▶ proof theta {2}symbols 5,120\/5,400 answered {2}lookups 40\/80 50% {2}6\.2s/,
    );
    expect(lines.join('\n')).not.toContain('persist');
  });

  it('reading the flat file, and the narrow form', () => {
    expect(
      proofProgressText({
        ...running,
        phase: 'flatfile',
        source: 'flatfile',
        answered: 120,
        lookupsDone: 0,
        lookupsTotal: 0,
      }),
    ).toBe("proof flatfile  reading the day's file  symbols 120/5,400 answered  6.2s");
    const r = render(<DayPanel snapshot={withProof(running)} width={38} />);
    expect(plain(r.lastFrame()!).split('\n')[3]).toMatch(/^ ▶ proof theta {2}5,120\/5,400/);
  });

  it('once it ended: the stages line is back and the hits line names the outcome (proven or UNPROVEN)', () => {
    const ok = render(
      <DayPanel
        snapshot={withProof({
          ...running,
          phase: 'end',
          answered: 5400,
          outcome: 'exhaustive',
          found: 1,
        })}
        width={78}
      />,
    );
    const okLines = plain(ok.lastFrame()!).split('\n');
    expect(okLines[3]).toContain('persist');
    expect(okLines[4]).toMatch(/hits R1 9 {2}R2 14 {2}R3 22 {2}R4 3 {2}proof exhaustive/);
    const bad = render(
      <DayPanel
        snapshot={withProof({
          ...running,
          phase: 'end',
          answered: 5397,
          unanswered: 3,
          outcome: 'sampled',
          found: 0,
        })}
        width={78}
      />,
    );
    expect(plain(bad.lastFrame()!).split('\n')[4]).toMatch(/UNPROVEN$/);
    expect(
      proofProgressText({
        ...running,
        phase: 'end',
        answered: 5397,
        unanswered: 3,
        outcome: 'sampled',
        found: 0,
      }),
    ).toBe('proof UNPROVEN  symbols 5,397/5,400 answered  unanswered 3  6.2s');
  });

  it('without a proof the panel is as before', () => {
    const r = render(<DayPanel snapshot={withProof(null)} width={78} />);
    const f = plain(r.lastFrame()!);
    expect(f).not.toContain('proof');
    expect(f.split('\n')[3]).toContain('persist');
  });
});

describe('header of a --no-proof run', () => {
  it('says PROOF OFF (and not otherwise)', () => {
    const off = render(
      <Header snapshot={{ ...makeSnapshot(), proofMode: 'off' }} columns={100} readOnly={false} />,
    );
    expect(plain(off.lastFrame()!)).toContain('PROOF OFF: days unproven');
    expect(plain(off.lastFrame()!)).toMatch(/\? help\s*$/);
    const on = render(
      <Header snapshot={{ ...makeSnapshot(), proofMode: 'auto' }} columns={100} readOnly={false} />,
    );
    expect(plain(on.lastFrame()!)).not.toContain('PROOF OFF');
  });
});

describe('day detail: the stored proof', () => {
  async function detailOf(
    proof: ReturnType<typeof makeDetail>['proof'],
    proofCell: DayCell['proof'] = 'exhaustive',
  ): Promise<string> {
    const base = makeSnapshot();
    const days = base.days.map((d) =>
      d.date === '2018-03-08' ? { ...d, baselineOnly: 0, proof: proofCell } : d,
    );
    const src = new FakeSource({ ...base, days }, { detail: true });
    src.details.set(
      '2018-03-08',
      makeDetail('2018-03-08', {
        status: 'COMPLETE',
        reason: 'ok',
        baseline: null,
        validation: null,
        proof,
      }),
    );
    const m = mount(src, { columns: 120, rows: 40 });
    mounted.push(m);
    await tick();
    await m.press('h');
    await m.press('\r');
    await waitFor(() => plain(m.frame()).includes('GAPX'), 'stored detail');
    return plain(m.frame());
  }

  it('proven: kind, source, checked symbols, the hits it found, when', async () => {
    const f = await detailOf({
      kind: 'exhaustive',
      source: 'flatfile',
      checked: 5400,
      found: [{ ticker: 'ABCD', pct: 61.2 }],
      at: '2018-03-09T15:41:07.123Z',
    });
    expect(f).toMatch(
      /Proof +✓ proven exhaustive {2}source flatfile {2}checked 5,400 symbols {2}found 1: ABCD 61\.2% {2}at 2018-03-09T15:41:07Z/,
    );
  });

  it('unproven: says UNPROVEN (sampled) and what proves it', async () => {
    const f = await detailOf(
      { kind: 'sampled', source: null, checked: 0, found: [], at: '2018-03-09T15:41:07Z' },
      'sampled',
    );
    expect(f).toMatch(/Proof +○ UNPROVEN \(sampled: prefilter and audit only\)/);
    expect(f).toContain('without --no-proof');
  });
});
