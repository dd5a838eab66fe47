/**
 * Current-day panel (5 lines): date, mode, running stage and elapsed time; the stages before R1 with
 * their state glyph and counts; the R1 premarket progress bar and R4; the stages after R4; hits per
 * rule. While the day's R1 proof runs, the stages-after-R4 line is its progress line (source,
 * symbols answered of the eligible ones, its own lookups, elapsed); once it ended, the hits line
 * names its outcome (`proof exhaustive`, or `UNPROVEN`).
 * With no day running: what the engine does, the range's hits and the last finished day.
 * While a validation runs: its gate, the baseline's premarket lookups, retries and backoff.
 */
import { Box } from 'ink';
import type {
  BackfillSnapshot,
  StageName,
  StageView,
  ValidationProgress,
} from '../../contracts/events.js';
import {
  formatCount,
  formatDuration,
  formatRuleCounts,
  progressBar,
  proofLabel,
  proofProgressText,
  stageCounts,
  stageGlyph,
  statusLabel,
} from '../format.js';
import type { Tone } from '../theme.js';
import { Line, type Seg } from './Line.js';

/** Props of {@link DayPanel}. */
export interface DayPanelProps {
  snapshot: BackfillSnapshot;
  width: number;
  /** The backfill is paused with nothing in flight: the running stage shows `‖`. */
  paused?: boolean;
  /**
   * The current day's elapsed ms (ui/state/selectors.ts dayElapsedMs: frozen at the day's end); default the
   * snapshot's time since the day began.
   */
  elapsedMs?: number | null;
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
  return st === 'done'
    ? 'ok'
    : st === 'running'
      ? 'running'
      : st === 'failed'
        ? 'bad'
        : st === 'aborted'
          ? 'warn'
          : 'dim';
}

function stageSegs(stages: readonly StageView[], narrow: boolean): Seg[] {
  const out: Seg[] = [];
  const names = narrow ? SHORT : LONG;
  const sp = narrow ? '' : ' ';
  stages.forEach((st, i) => {
    const counts = stageCounts(st.counts, 2, st.name);
    const gap = i === stages.length - 1 ? '' : narrow ? ' ' : '  ';
    out.push(
      { text: `${names[st.name]}${sp}` },
      { text: stageGlyph(st.state), tone: tone(st.state) },
      { text: `${counts ? `${sp}${counts}` : ''}${gap}` },
    );
  });
  return out;
}

/** The panel of a running validation (5 lines): gate, lookups bar, unanswered, retries, backoff, elapsed. */
function ValidationPanel({
  v,
  width,
  paused,
}: {
  v: ValidationProgress;
  width: number;
  paused: boolean;
}) {
  const narrow = width < 50;
  const hasLookups = v.lookupsTotal !== null;
  return (
    <Box flexDirection="column" width={width}>
      <Line
        segs={[
          { text: ` Validate ${v.date}`, bold: true },
          {
            text: `  ${paused ? '‖' : '▶'} gate ${v.gateIndex}/${v.gates} ${v.gate}`,
            tone: 'running',
          },
          `  ${formatDuration(Math.max(0, v.at - v.startedAt))}`,
        ]}
      />
      <Line
        segs={
          hasLookups
            ? [
                ' baseline premarket ',
                {
                  text: progressBar(v.lookupsDone ?? 0, v.lookupsTotal!, narrow ? 8 : 10),
                  tone: 'ok',
                },
                ` ${formatCount(v.lookupsDone)}/${formatCount(v.lookupsTotal)}`,
              ]
            : [{ text: ' baseline lookups not started', tone: 'dim' }]
        }
      />
      <Line
        segs={[
          ' unanswered ',
          { text: formatCount(v.unanswered), tone: v.unanswered > 0 ? 'bad' : 'dim' },
          `  retries ${formatCount(v.retries)}`,
          v.backingOff ? { text: '  backing off', tone: 'warn' } : '',
        ]}
      />
      <Line segs={[' ']} />
      <Line segs={[' ']} />
    </Box>
  );
}

/** Renders the current-day panel (5 lines). */
export function DayPanel({ snapshot: s, width, paused = false, elapsedMs }: DayPanelProps) {
  if (s.validation) return <ValidationPanel v={s.validation} width={width} paused={paused} />;
  const d = s.current;
  if (!d) {
    const last = [...s.days].reverse().find((c) => c.durationMs !== undefined);
    return (
      <Box flexDirection="column" width={width}>
        <Line
          segs={[
            ' Day -  ',
            {
              text: s.activity ? s.activity : 'no day running',
              tone: s.activity ? 'running' : 'dim',
            },
          ]}
        />
        <Line segs={[` range hits ${formatRuleCounts(s.hits)}`]} />
        <Line
          segs={[
            last
              ? ` last day ${last.date} ${statusLabel(last.status)}  hits ${last.hits}  ${formatDuration(last.durationMs ?? null)}`
              : ' ',
            last?.status === 'COMPLETE'
              ? {
                  text: `  ${proofLabel(last.proof)}`,
                  tone: last.proof === 'exhaustive' || last.proof === 'baseline' ? 'ok' : 'warn',
                }
              : null,
          ]}
        />
        <Line segs={[' ']} />
        <Line segs={[' ']} />
      </Box>
    );
  }
  const narrow = width < 50;
  const names = narrow ? SHORT : LONG;
  const running =
    d.stages.find((st) => st.state === 'running') ?? d.stages.find((st) => st.state === 'failed');
  const r1Idx = d.stages.findIndex((st) => st.name === 'R1');
  const before = r1Idx >= 0 ? d.stages.slice(0, r1Idx) : d.stages;
  const r1 = r1Idx >= 0 ? d.stages[r1Idx] : undefined;
  const after = r1Idx >= 0 ? d.stages.slice(r1Idx + 1) : [];
  const r4 = after.slice(0, 1);
  const rest = after.slice(1);
  const elapsed = elapsedMs ?? Math.max(0, s.at - d.startedAt);
  const proof = d.proof ?? null;
  const r1Label = narrow ? '' : ' premarket';
  // A failed day names the stages its failure aborted (each drawn ⊘ below), never as running.
  const aborted = d.stages.filter((st) => st.state === 'aborted').map((st) => names[st.name]);
  const runLabel = running
    ? `${running.state === 'failed' ? '✗' : paused ? '‖' : '▶'} ${names[running.name]}${running.name === 'R1' ? `${r1Label} ${formatCount(d.r1Done)}/${formatCount(d.r1Total)}` : ''}${running.state === 'failed' && aborted.length > 0 && !narrow ? ` failed, aborted ${aborted.join(' ')}` : ''}`
    : '';
  return (
    <Box flexDirection="column" width={width}>
      <Line
        segs={[
          { text: ` Day ${d.date}`, bold: true },
          { text: narrow ? ' ' : ` ${d.mode}  `, tone: 'dim' },
          { text: runLabel, tone: 'running' },
          `  ${formatDuration(elapsed)}`,
        ]}
      />
      <Line segs={[' ', ...stageSegs(before, narrow)]} />
      <Line
        segs={[
          ' R1 ',
          r1 ? { text: stageGlyph(r1.state), tone: tone(r1.state) } : '·',
          ' ',
          { text: progressBar(d.r1Done, d.r1Total, narrow ? 8 : 10), tone: 'ok' },
          ` ${formatCount(d.r1Done)}/${formatCount(d.r1Total)}  `,
          ...stageSegs(r4, narrow),
        ]}
      />
      {proof && proof.phase !== 'end' ? (
        <Line
          segs={[
            { text: ` ${paused ? '‖' : '▶'} `, tone: 'running' },
            { text: proofProgressText(proof, narrow), tone: 'info' },
          ]}
        />
      ) : (
        <Line segs={[' ', ...stageSegs(rest, narrow)]} />
      )}
      <Line
        segs={[
          { text: ' hits ', bold: true },
          formatRuleCounts(d.hits),
          proof?.phase === 'end'
            ? {
                text: `  ${proof.outcome === 'exhaustive' || proof.outcome === 'baseline' ? `proof ${proof.outcome}` : 'UNPROVEN'}`,
                tone: proof.outcome === 'sampled' ? 'warn' : 'ok',
              }
            : null,
        ]}
      />
    </Box>
  );
}
