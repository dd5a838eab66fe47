/**
 * Day detail overlay (Enter on a grid cell): the day's status and why; timings per stage (live for
 * the running day, else the stored stage_ms); the day_completeness counters; the hits table
 * (ticker, rules with values, volume, premarket high with its source and venue, split flag); the
 * audit (rule-of-three sample and post-scan miss audit), the baseline cross-check and the gate
 * results of the last validation; the day's alerts; and its log (followed from disk, scrollable).
 * The stored parts come from `ConsoleSource.readDayDetail` (the host reads SQLite, the UI never
 * does). The information part scrolls with ↑/↓, the log with PgUp/PgDn; every frame has at most
 * rows - 1 lines.
 */
import { Box } from 'ink';
import type { DayDetailData, DayView, StageName } from '../../contracts/events.js';
import { Line, type Seg } from '../components/Line.js';
import { severityPrefix } from '../components/AlertBanner.js';
import { logTime } from '../components/LogPanel.js';
import {
  cellGlyph,
  formatCount,
  formatDuration,
  formatPct,
  formatPrice,
  formatRuleCounts,
  packLines,
  proofProgressText,
  padRight,
  stageCounts,
  stageGlyph,
  statusLabel,
  STATUS_GLYPH,
  truncate,
} from '../format.js';
import { alertTone, cellTone, type Tone } from '../theme.js';
import {
  cellOf,
  dayElapsedMs,
  logLinesOf,
  type LogMode,
  type Overlay,
  type UiState,
} from '../state.js';

/** Props of {@link DayDetailScreen}. */
export interface DayDetailScreenProps {
  state: UiState;
  overlay: Extract<Overlay, { kind: 'detail' }>;
  columns: number;
  rows: number;
  logMode: LogMode;
  /** The source can read stored day details (`readDayDetail`). */
  hasDetail: boolean;
}

type Row = (Seg | string | null)[];

function heading(title: string): Seg {
  return { text: ` ${padRight(title, 9)} `, bold: true };
}

/** A counter's value: integers with separators, other numbers with one decimal. */
function counterValue(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? formatCount(v) : v.toFixed(1);
}

function plainRows(lines: string[], tone?: Tone): Row[] {
  return lines.map((l) => [tone ? { text: l, tone } : l]);
}

/** Stage chips of the running day: `UNIVERSE ✓ 1.2s 6,912`. */
function liveStages(d: DayView): string[] {
  return d.stages.map((st) => {
    const counts = stageCounts(st.counts, 2, st.name);
    return `${st.name} ${stageGlyph(st.state)}${st.durationMs !== null ? ` ${formatDuration(st.durationMs)}` : ''}${counts ? ` ${counts}` : ''}`;
  });
}

function storedStages(data: DayDetailData): string[] {
  const items = (Object.entries(data.stageMs) as [StageName, number][]).map(
    ([st, ms]) => `${st} ${formatDuration(ms)}`,
  );
  if (data.processingMs !== null) items.push(`total ${formatDuration(data.processingMs)}`);
  return items;
}

/** The hits table: header and one row per hit, within `width` columns. */
export function hitsTable(data: DayDetailData, width: number): Row[] {
  const rows: Row[] = [];
  const w =
    width >= 100
      ? { ticker: 8, rules: 28, volume: 13, pm: 10, src: 22 }
      : { ticker: 7, rules: 20, volume: 11, pm: 8, src: 19 };
  rows.push([
    {
      text: `   ${padRight('ticker', w.ticker)}${padRight('rules (value %)', w.rules)}${padRight('volume', w.volume)}${padRight('pm high', w.pm)}${padRight('pm source/venue', w.src)}split`,
      tone: 'dim',
    },
  ]);
  for (const h of data.hits) {
    const rules = h.rules.map((r) => `${r.rule} ${r.value.toFixed(1)}`).join(' ');
    const src =
      h.pmHighSource || h.pmHighVenue ? `${h.pmHighSource ?? '-'}/${h.pmHighVenue ?? '-'}` : '-';
    const line = `   ${padRight(h.ticker, w.ticker)}${padRight(rules, w.rules)}${padRight(formatCount(h.volume), w.volume)}${padRight(formatPrice(h.pmHigh), w.pm)}${padRight(src, w.src)}${h.split ? `yes ${h.splitNote ?? ''}` : '-'}`;
    rows.push([truncate(line, width)]);
  }
  return rows;
}

/**
 * The stored proof of a day (docs/domain.md section 14): `✓ proven exhaustive  source flatfile
 * checked 5,400 symbols  found 1: ABCD 61.2%  at 2018-03-09T15:41:07Z`, or `○ UNPROVEN (sampled)`
 * with what proves it; a store without the proof columns says so.
 */
export function proofRows(data: DayDetailData, width: number): Row[] {
  const p = data.proof;
  if (!p)
    return [
      [
        heading('Proof'),
        {
          text:
            data.proof === undefined
              ? 'not known from this source'
              : 'not recorded (a store older than the proof)',
          tone: 'dim',
        },
      ],
    ];
  const proven = p.kind !== 'sampled' && data.status === 'COMPLETE';
  const items = [
    proven
      ? `✓ proven ${p.kind}`
      : p.kind === 'sampled'
        ? '○ UNPROVEN (sampled: prefilter and audit only)'
        : `${p.kind} (day not COMPLETE: not a proof)`,
    `source ${p.source ?? '-'}`,
    `checked ${formatCount(p.checked)} symbols`,
    `found ${p.found.length}${
      p.found.length
        ? `: ${p.found
            .slice(0, 6)
            .map((f) => `${f.ticker} ${formatPct(f.pct)}`)
            .join(', ')}`
        : ''
    }`,
    p.at ? `at ${p.at.replace(/\.\d+Z$/, 'Z')}` : '',
  ].filter(Boolean);
  if (!proven && p.kind === 'sampled')
    items.push('(a backfill without --no-proof, or v, proves it)');
  return plainRows(packLines(items, width - 1, heading('Proof').text), proven ? 'ok' : 'warn');
}

/** The information lines of the overlay (before windowing). */
export function detailRows(state: UiState, date: string, width: number, hasDetail: boolean): Row[] {
  const s = state.snapshot;
  const cell = cellOf(state, date);
  const load = state.detail?.date === date ? state.detail : null;
  const data = load?.data ?? null;
  const live = s?.current?.date === date ? s.current : null;
  const rows: Row[] = [];
  const status = cell?.status ?? data?.status ?? null;
  rows.push([
    { text: ` Day ${date}  `, bold: true, tone: 'accent' },
    cell
      ? { text: `${cellGlyph(cell)} ${statusLabel(cell.status)}`, bold: true, tone: cellTone(cell) }
      : status
        ? { text: `${STATUS_GLYPH[status]} ${statusLabel(status)}`, bold: true }
        : { text: 'not scanned', tone: 'dim' },
    cell ? `  hits ${cell.hits}` : data ? `  hits ${data.hits.length}` : '',
    cell && cell.baselineOnly > 0
      ? { text: `  ! baseline-only misses ${cell.baselineOnly}`, tone: 'critical', bold: true }
      : null,
    data?.r1Mode
      ? { text: `  R1 ${data.r1Mode}`, tone: 'dim' }
      : live
        ? { text: `  R1 ${live.mode}`, tone: 'dim' }
        : null,
    data?.updatedAt
      ? { text: `  stored ${data.updatedAt.replace(/\.\d+Z$/, 'Z')}`, tone: 'dim' }
      : null,
  ]);
  const reason = cell?.reason ?? (data?.reason && data.reason !== 'ok' ? data.reason : null);
  if (reason && status !== 'COMPLETE') rows.push([{ text: ` why: ${reason}`, tone: 'warn' }]);
  if (live && s) {
    rows.push(...plainRows(packLines(liveStages(live), width - 1, heading('Stages').text, '  ')));
    rows.push([
      heading('Running'),
      `elapsed ${formatDuration(dayElapsedMs(state))}  R1 ${formatCount(live.r1Done)}/${formatCount(live.r1Total)}  hits ${formatRuleCounts(live.hits)}`,
    ]);
    if (live.proof)
      rows.push([
        heading('Proof'),
        {
          text: proofProgressText(live.proof),
          tone: live.proof.phase === 'end' && live.proof.outcome === 'sampled' ? 'warn' : 'info',
        },
      ]);
  }
  if (!hasDetail) {
    rows.push([
      {
        text: ' the stored detail (hits, audit, baseline, gates) is not available from this source',
        tone: 'dim',
      },
    ]);
  } else if (!load) {
    rows.push([{ text: ' loading the stored detail…', tone: 'dim' }]);
  } else if (load.error) {
    rows.push([{ text: ` stored detail unavailable: ${load.error}`, tone: 'warn' }]);
  } else if (data && data.status === null) {
    rows.push([{ text: ' nothing stored for this day yet (not scanned)', tone: 'dim' }]);
  } else if (data) {
    if (!live)
      rows.push(...plainRows(packLines(storedStages(data), width - 1, heading('Timings').text)));
    if (!live) rows.push(...proofRows(data, width));
    const counters = data.counters.map((c) => `${c.name} ${counterValue(c.value)}`);
    rows.push(...plainRows(packLines(counters, width - 1, heading('Counters').text)));
    rows.push([
      heading('Hits'),
      data.hits.length === 0
        ? { text: 'none stored', tone: 'dim' }
        : `${data.hits.length} (R1..R4 values in percent)`,
    ]);
    if (data.hits.length > 0) rows.push(...hitsTable(data, width));
    const a = data.audit;
    const m = data.missAudit;
    const audit = a
      ? [
          `sample ${a.sampleSize}`,
          `misses ${a.misses}`,
          `95% upper bound ${a.missRateUpper95 === null ? '-' : formatPct(a.missRateUpper95 * 100)}`,
          a.passed ? '✓ passed' : '✗ failed',
        ]
      : ['no audit sample stored'];
    audit.push(
      `· miss audit ${m.checked} checked, ${m.missedInitially} missed initially${m.missed.length ? ` (${m.missed.slice(0, 6).join(', ')})` : ''}`,
    );
    rows.push(
      ...plainRows(
        packLines(audit, width - 1, heading('Audit').text),
        a ? (a.passed ? 'ok' : 'bad') : 'dim',
      ),
    );
    const b = data.baseline;
    if (!b)
      rows.push([
        heading('Baseline'),
        { text: 'not cross-checked yet (v validates)', tone: 'dim' },
      ]);
    else {
      const parts = [
        `overlap ${b.overlap}`,
        `discovery-only ${b.discoveryOnly}`,
        `baseline-only ${b.baselineOnly}${b.baselineOnlyHits.length ? ':' : ''}`,
      ];
      parts.push(
        ...b.baselineOnlyHits
          .slice(0, 12)
          .map(
            (h, i, all) =>
              `${h.symbol} ${h.rule} ${h.pct.toFixed(1)}%${i < all.length - 1 ? ',' : ''}`,
          ),
      );
      rows.push(
        ...plainRows(
          packLines(parts, width - 1, heading('Baseline').text),
          b.baselineOnly > 0 ? 'critical' : 'ok',
        ),
      );
    }
    const v = data.validation;
    if (!v)
      rows.push([
        heading('Gates'),
        { text: 'not validated since the last scan (v validates)', tone: 'dim' },
      ]);
    else {
      const chips = v.gates.map((g) => `${g.passed ? '✓' : '✗'} ${g.gate}`);
      rows.push(...plainRows(packLines([v.status, ...chips], width - 1, heading('Gates').text)));
      for (const g of v.gates.filter((x) => !x.passed))
        rows.push(
          ...plainRows(
            packLines(`✗ ${g.gate}: ${g.message}`.split(' '), width - 1, '   ', ' '),
            'bad',
          ),
        );
    }
  }
  for (const al of (s?.alerts ?? []).filter((x) => x.date === date).slice(0, 3)) {
    rows.push([
      {
        text: ` ${severityPrefix(al.severity)} ${al.severity} ${al.acknowledged ? '(acked) ' : ''}${al.message}`,
        tone: alertTone(al.severity),
      },
    ]);
  }
  return rows;
}

/** Renders the overlay in at most rows - 1 lines. */
export function DayDetailScreen({
  state,
  overlay,
  columns,
  rows,
  logMode,
  hasDetail,
}: DayDetailScreenProps) {
  const date = overlay.date;
  const info = detailRows(state, date, columns, hasDetail);
  const budget = Math.max(3, rows - 1);
  const room = budget - 1; // the key hint line
  const logLines = logLinesOf(state, date, logMode);
  // The log gets a third of the screen (at least 3 lines), less when it is shorter; the rest is information.
  const logWant = Math.max(1, Math.min(logLines?.length ?? 1, Math.max(3, Math.floor(room / 3))));
  const infoRoom = Math.max(1, Math.min(info.length, room - 1 - logWant));
  const top = Math.max(0, Math.min(overlay.scroll, info.length - infoRoom));
  const shownInfo = info.slice(top, top + infoRoom);
  const logRoom = Math.max(0, room - shownInfo.length - 1);
  const all = logLines ?? [];
  const back = Math.min(overlay.logScroll, Math.max(0, all.length - logRoom));
  const end = all.length - back;
  const body = all.slice(Math.max(0, end - logRoom), end);
  const logState =
    logLines === null
      ? 'loading…'
      : back > 0
        ? `scrolled up ${back} lines`
        : `${all.length} lines${logMode === 'watch' ? ', following' : ''}`;
  const more =
    info.length > infoRoom ? `  ↑↓ ${top + 1}-${top + shownInfo.length}/${info.length}` : '';
  return (
    <Box flexDirection="column" width={columns}>
      {shownInfo.map((segs, i) => (
        <Line key={i} segs={segs} />
      ))}
      <Line
        segs={[
          { text: ` Log scan_${date}.log  `, bold: true },
          { text: logState, tone: 'dim' },
        ]}
      />
      {body.map((l, i) => (
        <Line key={`l${i}`} segs={[` ${logTime(l)}`]} />
      ))}
      <Line segs={[{ text: ` backspace/q close${more}  PgUp/PgDn log  f log end`, tone: 'dim' }]} />
    </Box>
  );
}
