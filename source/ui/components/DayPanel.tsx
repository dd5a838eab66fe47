/**
 * Current-day panel (4 lines): date, mode and running stage; the stages before R1 with their state
 * glyph and counts; the R1 premarket progress bar and the stages after it; hits per rule.
 */
import { Box } from 'ink';
import type { BackfillSnapshot, StageName, StageView } from '../../engine/events.js';
import { formatCount, formatDuration, formatRuleCounts, progressBar, stageCounts, stageGlyph } from '../format.js';
import type { Tone } from '../theme.js';
import { Line, type Seg } from './Line.js';

/** Props of {@link DayPanel}. */
export interface DayPanelProps {
  snapshot: BackfillSnapshot;
  width: number;
}

const LONG: Record<StageName, string> = {
  UNIVERSE: 'universe',
  GROUPED: 'grouped',
  PREV: 'prev',
  R2R3: 'R2R3',
  R1: 'R1',
  R4: 'R4',
  PERSIST: 'persist',
  ENRICH: 'enrich',
  AUDIT: 'audit',
  REPORT: 'report',
};
const SHORT: Record<StageName, string> = {
  UNIVERSE: 'univ',
  GROUPED: 'grp',
  PREV: 'prev',
  R2R3: 'R2R3',
  R1: 'R1',
  R4: 'R4',
  PERSIST: 'pers',
  ENRICH: 'enr',
  AUDIT: 'aud',
  REPORT: 'rep',
};

function tone(st: StageView['state']): Tone {
  return st === 'done' ? 'ok' : st === 'running' ? 'running' : st === 'failed' ? 'bad' : 'dim';
}

function stageSegs(stages: readonly StageView[], narrow: boolean): Seg[] {
  const out: Seg[] = [];
  const names = narrow ? SHORT : LONG;
  const sp = narrow ? '' : ' ';
  stages.forEach((st, i) => {
    const counts = stageCounts(st.counts, 2, st.name);
    const gap = i === stages.length - 1 ? '' : narrow ? ' ' : '  ';
    out.push({ text: `${names[st.name]}${sp}` }, { text: stageGlyph(st.state), tone: tone(st.state) }, { text: `${counts ? `${sp}${counts}` : ''}${gap}` });
  });
  return out;
}

/** Renders the current-day panel. */
export function DayPanel({ snapshot: s, width }: DayPanelProps) {
  const d = s.current;
  if (!d) {
    return (
      <Box flexDirection="column" width={width}>
        <Line segs={[' Day -  ', { text: 'no day running', tone: 'dim' }]} />
        <Line segs={[` range hits ${formatRuleCounts(s.hits)}`]} />
        <Line segs={[' ']} />
        <Line segs={[' ']} />
      </Box>
    );
  }
  const narrow = width < 50;
  const names = narrow ? SHORT : LONG;
  const running = d.stages.find((st) => st.state === 'running') ?? d.stages.find((st) => st.state === 'failed');
  const r1Idx = d.stages.findIndex((st) => st.name === 'R1');
  const before = r1Idx >= 0 ? d.stages.slice(0, r1Idx) : d.stages;
  const r1 = r1Idx >= 0 ? d.stages[r1Idx] : undefined;
  const after = r1Idx >= 0 ? d.stages.slice(r1Idx + 1) : [];
  const elapsed = Math.max(0, s.at - d.startedAt);
  const r1Label = narrow ? '' : ' premarket';
  const runLabel = running ? `${running.state === 'failed' ? '✗' : '▶'} ${names[running.name]}${running.name === 'R1' ? `${r1Label} ${formatCount(d.r1Done)}/${formatCount(d.r1Total)}` : ''}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Line segs={[{ text: ` Day ${d.date}`, bold: true }, { text: narrow ? ' ' : ` ${d.mode}  `, tone: 'dim' }, { text: runLabel, tone: 'running' }, `  ${formatDuration(elapsed)}`]} />
      <Line segs={[' ', ...stageSegs(before, narrow)]} />
      <Line
        segs={[
          ' R1 ',
          r1 ? { text: stageGlyph(r1.state), tone: tone(r1.state) } : '·',
          ' ',
          { text: progressBar(d.r1Done, d.r1Total, narrow ? 6 : 10), tone: 'ok' },
          ` ${formatCount(d.r1Done)}/${formatCount(d.r1Total)}${narrow ? ' ' : '  '}`,
          ...stageSegs(after, narrow),
        ]}
      />
      <Line segs={[{ text: ' hits ', bold: true }, formatRuleCounts(d.hits)]} />
    </Box>
  );
}
