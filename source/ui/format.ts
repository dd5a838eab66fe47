/**
 * Pure text formatting for the console and the plain printer: durations, counts, bars, sparklines,
 * status glyphs. No React, no Ink, no I/O, so the plain printer can import it without loading Ink.
 * Widths are in terminal columns; every glyph used here is one column wide (BMP, not East Asian wide).
 */
import type {
  DayCell,
  DayStatus,
  ProofProgress,
  RuleCounts,
  StageName,
  StageView,
} from '../contracts/events.js';
import { ruleCountsText } from '../contracts/rules.js';

/** Glyph of each day status in the calendar grid (docs/console.md "Glyphs"). */
export const STATUS_GLYPH: Readonly<Record<DayStatus | 'SKIPPED', string>> = {
  PENDING: '·',
  RUNNING: '▶',
  COMPLETE: '✓',
  RETRY_NEEDED: '↻',
  FAILED: '✗',
  INCOMPLETE: '◐',
  SKIPPED: '-',
};
/** Glyph of a day whose validation found baseline-only hits (wins over its status glyph). */
export const BASELINE_ONLY_GLYPH = '!';
/** Glyph of the running day while the backfill is PAUSING or PAUSED. */
export const PAUSED_GLYPH = '‖';
/**
 * Glyph of a COMPLETE day that is not proven (its proof is `sampled`, or unknown): the prefilter and
 * audits found nothing wrong, but R1 completeness is not established (docs/domain.md section 14).
 * A proven COMPLETE day (`exhaustive` or `baseline`) keeps {@link STATUS_GLYPH}.COMPLETE.
 */
export const UNPROVEN_GLYPH = '○';

/** Legend entries (glyph, meaning) in the order the help overlay lists them. */
export const GLYPH_LEGEND: ReadonlyArray<readonly [string, string]> = [
  [STATUS_GLYPH.PENDING, 'pending'],
  [STATUS_GLYPH.RUNNING, 'running'],
  [PAUSED_GLYPH, 'paused'],
  [STATUS_GLYPH.COMPLETE, 'proven'],
  [UNPROVEN_GLYPH, 'unproven'],
  [STATUS_GLYPH.RETRY_NEEDED, 'retry'],
  [STATUS_GLYPH.FAILED, 'failed'],
  [STATUS_GLYPH.INCOMPLETE, 'incomplete'],
  [BASELINE_ONLY_GLYPH, 'baseline-only miss'],
  [STATUS_GLYPH.SKIPPED, 'skipped'],
];

/**
 * The legend in one line: ` · pending  ▶ running  ...  - skipped` (119 columns: drawn under the grid
 * from 120 columns; `✓ proven` is a COMPLETE day with a proof, `○ unproven` a COMPLETE day without).
 */
export function legendLine(): string {
  return ' ' + GLYPH_LEGEND.map(([g, what]) => `${g} ${what}`).join('  ');
}

/**
 * True when a day is COMPLETE and proven (its proof is `exhaustive` or `baseline`) and no validation
 * found a baseline-only hit in it. An unknown proof (absent) is not a proof.
 */
export function isProven(
  cell: Pick<DayCell, 'status' | 'proof'> & { baselineOnly?: number },
): boolean {
  return (
    cell.status === 'COMPLETE' &&
    (cell.baselineOnly ?? 0) === 0 &&
    (cell.proof === 'exhaustive' || cell.proof === 'baseline')
  );
}

/**
 * The grid glyph of one day: `!` when validation found baseline-only hits, `‖` for the running day
 * while paused, `○` for a COMPLETE day without a proof, else the status glyph.
 */
export function cellGlyph(cell: DayCell, paused = false): string {
  if (cell.baselineOnly > 0) return BASELINE_ONLY_GLYPH;
  if (paused && cell.status === 'RUNNING') return PAUSED_GLYPH;
  if (cell.status === 'COMPLETE' && !isProven(cell)) return UNPROVEN_GLYPH;
  return STATUS_GLYPH[cell.status];
}

/**
 * A day's proof in words for the selection line, the day detail and the plain lines: `proven
 * (exhaustive)`, `proven (baseline)`, `UNPROVEN (sampled)`; `proof unknown` when absent; `NOT
 * proven (baseline-only miss)` when a validation found a hit the day missed.
 */
export function proofLabel(proof: DayCell['proof'], baselineOnly = 0): string {
  if (baselineOnly > 0) return 'NOT proven (baseline-only miss)';
  if (proof === 'exhaustive' || proof === 'baseline') return `proven (${proof})`;
  if (proof === 'sampled') return 'UNPROVEN (sampled)';
  return 'proof unknown';
}

/**
 * The proof progress of the running day in one line (without the date), e.g.
 * `proof theta  symbols 5,120/5,400 answered  lookups 40/80 50%  1.2s`, while reading the flat file
 * `proof flatfile  reading the day's file  symbols 120/5,400 answered  0.4s`, and at its end
 * `proof exhaustive (flatfile)  symbols 5,400/5,400 answered  found 1  0.8s` (or `UNPROVEN ...
 * unanswered 3`). `narrow` (under 50 columns) drops the words.
 */
export function proofProgressText(p: ProofProgress, narrow = false): string {
  const took = formatDuration(Math.max(0, p.at - p.startedAt));
  const syms = narrow
    ? `${formatCount(p.answered)}/${formatCount(p.eligible)}`
    : `symbols ${formatCount(p.answered)}/${formatCount(p.eligible)} answered`;
  if (p.phase === 'end') {
    const head =
      p.outcome === 'exhaustive' || p.outcome === 'baseline'
        ? `proof ${p.outcome} (${p.source})`
        : 'proof UNPROVEN';
    const found = p.found ? `  found ${p.found}` : '';
    const un = p.unanswered > 0 ? `  unanswered ${formatCount(p.unanswered)}` : '';
    return `${head}  ${syms}${found}${un}  ${took}`;
  }
  if (p.phase === 'flatfile')
    return narrow
      ? `proof flatfile ${syms}`
      : `proof flatfile  reading the day's file  ${syms}  ${took}`;
  const lookups = narrow
    ? ''
    : `  lookups ${formatCount(p.lookupsDone)}/${formatCount(p.lookupsTotal)} ${percent(p.lookupsDone, p.lookupsTotal)}%`;
  return `proof ${p.source}  ${syms}${lookups}  ${took}`;
}

/**
 * A duration in milliseconds as the console shows it: `45s`, `1m12s`, `2h05m`, `3d04h`; `0s` for
 * anything under a second; `-` for null, NaN or negative input.
 */
export function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${pad2(m % 60)}m`;
  const d = Math.floor(h / 24);
  return `${d}d${pad2(h % 24)}h`;
}

/**
 * A short duration in milliseconds with one decimal under a minute (`0.4s`, `3.2s`), else as
 * {@link formatEta}; `-` for null.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatEta(ms);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** An integer with thousands separators (`6,912`); `-` for null. Non-integers are rounded. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const r = Math.round(n);
  const sign = r < 0 ? '-' : '';
  return sign + String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A latency in ms as `142ms` / `1.4s`; `-` for null. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `done / total` as a whole percent (0-100, floored so 100 only when done); 0 when total is 0. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** A ratio as a percent with one decimal (`0.4%`); `0.0%` when the denominator is 0. */
export function formatRatioPct(num: number, den: number): string {
  if (den <= 0) return '0.0%';
  return `${((num / den) * 100).toFixed(1)}%`;
}

/** A text progress bar of exactly `width` columns: `#` done, `.` to do. Width under 1 gives ''. */
export function progressBar(done: number, total: number, width: number): string {
  if (width < 1) return '';
  const filled = total > 0 ? Math.max(0, Math.min(width, Math.floor((done / total) * width))) : 0;
  return '#'.repeat(filled) + '.'.repeat(width - filled);
}

const SPARK = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of the last `width` values (oldest first), scaled from 0 to the maximum shown.
 * Empty input gives ''. Non-finite values count as 0.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width < 1 || values.length === 0) return '';
  const shown = values.slice(-width).map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const max = Math.max(...shown);
  return shown
    .map((v) =>
      max <= 0
        ? SPARK[0]
        : SPARK[Math.min(SPARK.length - 1, Math.round((v / max) * (SPARK.length - 1)))],
    )
    .join('');
}

/** Days per minute with one decimal (`2.4`); `-` for null. */
export function formatRate(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '-';
  return r.toFixed(1);
}

/** `R1 9  R2 14  R3 22  R4 3` (separator two spaces unless given). */
export function formatRuleCounts(h: RuleCounts, sep = '  '): string {
  return ruleCountsText(h, { sep, count: formatCount });
}

/**
 * Glyph of a stage state in the current-day panel: pending `·`, running `▶`, done `✓`, failed `✗`,
 * aborted `⊘` (cut short by another stage's failure).
 */
export function stageGlyph(state: StageView['state']): string {
  switch (state) {
    case 'pending':
      return '·';
    case 'running':
      return '▶';
    case 'done':
      return '✓';
    case 'failed':
      return '✗';
    case 'aborted':
      return '⊘';
  }
}

/**
 * The counts of a stage as a short string: numbers with separators, up to `max` values joined by
 * `/` (e.g. R2R3 `{r2: 14, r3: 22}` gives `14/22`); '' when there are none.
 */
export function stageCounts(
  counts: Record<string, number | string>,
  max = 2,
  stage?: StageName,
): string {
  const keys = stage ? STAGE_COUNT_KEYS[stage] : undefined;
  const picked = keys ? keys.filter((k) => k in counts).map((k) => counts[k]!) : [];
  const vals = (picked.length ? picked : Object.values(counts)).slice(0, max);
  return vals.map((v) => (typeof v === 'number' ? formatCount(v) : v)).join('/');
}

/**
 * The counts shown for each stage on the day panel (the engine's stage-end counters), e.g. R2R3
 * shows `r2/r3` as in `R2R3 ✓ 14/22`. Stages not listed show their first two counters.
 */
export const STAGE_COUNT_KEYS: Partial<Record<StageName, readonly string[]>> = {
  UNIVERSE: ['symbols'],
  GROUPED: ['bars'],
  PREV: ['with_prev_close'],
  R2R3: ['r2', 'r3'],
  R1: ['r1', 'checked'],
  R4: ['r4'],
  PERSIST: ['hits'],
  ENRICH: ['enriched'],
  AUDIT: ['audited', 'misses'],
  REPORT: ['status'],
};

/** A price in dollars: 2 decimals, 4 under $1 (`12.34`, `0.4521`); `-` for null. */
export function formatPrice(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return Math.abs(n) < 1 ? n.toFixed(4) : n.toFixed(2);
}

/** A percent value with one decimal (`61.2%`); `-` for null. */
export function formatPct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return `${n.toFixed(1)}%`;
}

/**
 * Packs `items` into lines of at most `width` columns, `sep` between items on a line; the first
 * line starts with `first`, the next ones with as many spaces. An item longer than a line gets a
 * line of its own (the screen truncates it).
 */
export function packLines(
  items: readonly string[],
  width: number,
  first = '',
  sep = '  ',
): string[] {
  const indent = ' '.repeat(first.length);
  const out: string[] = [];
  let cur = first;
  let empty = true;
  for (const it of items) {
    const add = (empty ? '' : sep) + it;
    if (!empty && cur.length + add.length > width) {
      out.push(cur);
      cur = indent + it;
    } else cur += add;
    empty = false;
  }
  out.push(cur);
  return out;
}

/** Cut `s` to at most `width` columns, ending with `…` when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  if (width === 1) return '…';
  return s.slice(0, width - 1) + '…';
}

/** Pad `s` with spaces on the right to exactly `width` columns (cutting it when longer). */
export function padRight(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - t.length));
}

/** Short label of a status for text (`RETRY_NEEDED` -> `RETRY`). */
export function statusLabel(status: DayStatus | 'SKIPPED'): string {
  return status === 'RETRY_NEEDED' ? 'RETRY' : status;
}
