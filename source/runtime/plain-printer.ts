/**
 * The plain and JSON renderers of a backfill (docs/console.md "Modes"): for stdout that is not a TTY, CI,
 * `--no-tui` and `--json`. They read the same {@link BackfillSnapshot}s as the console and print one
 * line per day that reaches a final status, one per new alert, a summary every N seconds, and a
 * final summary. Ink and React are never imported here (nothing asks for raw mode).
 *
 * Over 400 lines: the plain and JSON renderers read the same snapshots and must print the same
 * facts; side by side, a change to one shows what the other owes.
 */
import type {
  AlertInfo,
  BackfillSnapshot,
  DayCell,
  DayStatus,
  ProofProgress,
  RuleCounts,
  ValidationProgress,
} from '../contracts/events.js';
import { ruleCountsText } from '../contracts/rules.js';
import { FINISHED_DAY_STATUSES } from '../contracts/states.js';

/**
 * What a run without proofs (`--no-proof`, R1_PROOF=off) says at its start: the worker logs it
 * (`[backfill] ...`, printed in plain mode and kept in logs/gapctl.log and the headless engine.log).
 */
export const PROOF_OFF_NOTICE =
  'proof off for this run (--no-proof or R1_PROOF=off): the days it scans stay UNPROVEN ("sampled": prefilter and audit only); a backfill without --no-proof proves them';

// Small formatters repeated from ui/format.ts on purpose: runtime/ must not import from ui/ (layers
// point down), and this module must stay free of Ink.

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `45s`, `1m12s`, `2h05m`, `3d04h`; `-` for null. */
function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  const sec = Math.round(ms / 1000);
  if (sec < 60) return `${sec}s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m}m${pad2(sec % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/** `3.2s` under a minute, else as formatEta; `-` for null. */
function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatEta(ms);
}

function formatRate(r: number | null): string {
  return r === null || !Number.isFinite(r) ? '-' : r.toFixed(1);
}

function percent(done: number, total: number): number {
  return total <= 0 ? 0 : Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** What the printer remembers of a day while it ran: hits per rule and its start (UTC ms). */
export interface DaySeen {
  hits: RuleCounts | null;
  /** Approximate duration in ms (start to the snapshot where it was first final), or null. */
  durationMs: number | null;
}

function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A COMPLETE day's proof in words: `proof exhaustive`, `proof baseline`, `UNPROVEN (sampled)`, `proof unknown`. */
function proofWords(proof: DayCell['proof']): string {
  if (proof === 'exhaustive' || proof === 'baseline') return `proof ${proof}`;
  return proof === 'sampled' ? 'UNPROVEN (sampled)' : 'proof unknown';
}

/** The COMPLETE days of the snapshot that are not proven (proof `sampled` or unknown). */
export function unprovenDays(s: BackfillSnapshot): number {
  return s.days.filter(
    (d) => d.status === 'COMPLETE' && d.proof !== 'exhaustive' && d.proof !== 'baseline',
  ).length;
}

/**
 * One line of a running R1 proof, e.g.
 * `2018-01-04 proof theta  symbols 5,120/5,400 answered  lookups 40/80 50%  6.2s`, reading the flat
 * file `2018-01-04 proof flatfile  reading the day's file  ...`, at its end
 * `2018-01-04 proof exhaustive (flatfile)  symbols 5,400/5,400 answered  found 1  7.0s` or
 * `2018-01-04 proof UNPROVEN  symbols 5,397/5,400 answered  unanswered 3  7.0s`.
 */
export function proofProgressLine(p: ProofProgress): string {
  const took = formatDuration(Math.max(0, p.at - p.startedAt));
  const syms = `symbols ${formatCount(p.answered)}/${formatCount(p.eligible)} answered`;
  if (p.phase === 'end') {
    const head =
      p.outcome === 'exhaustive' || p.outcome === 'baseline'
        ? `proof ${p.outcome} (${p.source})`
        : 'proof UNPROVEN';
    return `${p.date} ${head}  ${syms}${p.found ? `  found ${p.found}` : ''}${p.unanswered > 0 ? `  unanswered ${formatCount(p.unanswered)}` : ''}  ${took}`;
  }
  if (p.phase === 'flatfile')
    return `${p.date} proof flatfile  reading the day's file  ${syms}  ${took}`;
  return `${p.date} proof ${p.source}  ${syms}  lookups ${formatCount(p.lookupsDone)}/${formatCount(p.lookupsTotal)} ${percent(p.lookupsDone, p.lookupsTotal)}%  ${took}`;
}

/** Default: a running proof prints its first progress line once it has run this long, ms, then one every as long. */
export const PROOF_LINE_EVERY_MS = 5000;

/**
 * Throttle of proof progress lines: nothing for a proof shorter than `everyMs` (the day line names
 * its outcome); a slow one prints when it has run `everyMs`, then every `everyMs`, and its end.
 * Keyed by date and start; `now` is ms.
 */
export function proofLineThrottle(
  everyMs: number = PROOF_LINE_EVERY_MS,
): (p: ProofProgress, now: number) => boolean {
  let key = '';
  let firstAt = 0;
  let lastAt = -Infinity;
  let printed = false;
  let ended = false;
  return (p, now) => {
    const k = `${p.date}|${p.startedAt}`;
    if (k !== key) {
      key = k;
      firstAt = now;
      lastAt = -Infinity;
      printed = false;
      ended = false;
    }
    if (ended) return false;
    if (p.phase === 'end') {
      ended = true;
      return printed;
    }
    if (now - firstAt < everyMs && p.at - p.startedAt < everyMs) return false;
    if (now - lastAt < everyMs) return false;
    lastAt = now;
    printed = true;
    return true;
  };
}

function rules(h: RuleCounts): string {
  return ruleCountsText(h, { sep: ' ' });
}

/** Per-rule hits and duration of `date` from the snapshot's current day, when it is that day. */
function seenFromSnapshot(s: BackfillSnapshot, date: string): DaySeen {
  const cell = s.days.find((d) => d.date === date);
  if (cell?.rules) return { hits: cell.rules, durationMs: cell.durationMs ?? null };
  if (s.current && s.current.date === date)
    return { hits: s.current.hits, durationMs: Math.max(0, s.at - s.current.startedAt) };
  return { hits: null, durationMs: null };
}

/**
 * One line for a finished day, e.g.
 * `2018-01-03 COMPLETE  hits 4 (R1 1 R2 1 R3 2 R4 1)  12/67 days  3.2s`. Hit counts per rule and the
 * duration come from `seen` (what the printer remembered of the running day) or, without it, from
 * the snapshot's current day when it is `date`; unknown ones are left out (duration shows `-`).
 * Baseline-only misses are appended when validation found some; a FAILED day ends with its reason
 * and the stages its failure aborted (`(aborted R1)`). Throws when `date` is not in the snapshot's days.
 */
export function plainDayLine(s: BackfillSnapshot, date: string, seen?: DaySeen): string {
  const cell = s.days.find((d) => d.date === date);
  if (!cell)
    throw new Error(`plainDayLine: ${date} is not in the backfill range ${s.start} -> ${s.end}`);
  const info = seen ?? seenFromSnapshot(s, date);
  const byRule = info.hits ? ` (${rules(info.hits)})` : '';
  const miss = cell.baselineOnly > 0 ? `  baseline-only ${cell.baselineOnly}` : '';
  const why = cell.status !== 'COMPLETE' && cell.reason ? `  ${cell.reason}` : '';
  // The stages the failure cut short (never left to look as if they still ran).
  const aborted = cell.aborted?.length ? `  (aborted ${cell.aborted.join(' ')})` : '';
  const proof = cell.status === 'COMPLETE' ? `  ${proofWords(cell.proof)}` : '';
  return `${date} ${cell.status}  hits ${cell.hits}${byRule}${miss}${proof}  ${s.done}/${s.total} days  ${formatDuration(info.durationMs)}${why}${aborted}`;
}

/** The periodic summary line (with the engine process's RSS once the worker reported it). */
export function plainSummaryLine(s: BackfillSnapshot): string {
  return (
    `summary ${s.state}  ${s.done}/${s.total} days ${percent(s.done, s.total)}%  ETA ${formatEta(s.etaMs)}  ${formatRate(s.daysPerMin)} days/min  ` +
    `hits ${rules(s.hits)}  in flight ${s.inFlight}${s.memory ? `  RSS ${s.memory.rssMb} MB` : ''}`
  );
}

/**
 * The final summary line: state (and reason), done/total, hits per rule; then, when COMPLETE days
 * are not proven, how many (and, for a `--no-proof` run, that proofs were off), e.g.
 * `end DONE  61/61 days  hits R1 4 R2 9 R3 12 R4 1  UNPROVEN 61 of 61 complete days (proof off: --no-proof)`.
 */
export function plainEndLine(s: BackfillSnapshot): string {
  return `end ${s.state}${s.reason ? `: ${s.reason}` : ''}  ${s.done}/${s.total} days  hits ${rules(s.hits)}${unprovenSuffix(s)}`;
}

/**
 * `  UNPROVEN 61 of 61 complete days (proof off: --no-proof or R1_PROOF=off)` when COMPLETE days of
 * the snapshot are not proven or the run had proofs off; '' otherwise (every COMPLETE day proven).
 * Appended to every end line (plain, console exit, headless).
 */
export function unprovenSuffix(s: BackfillSnapshot | null): string {
  if (!s) return '';
  const n = unprovenDays(s);
  const off = s.proofMode === 'off' ? ' (proof off: --no-proof or R1_PROOF=off)' : '';
  return n > 0 || off ? `  UNPROVEN ${n} of ${s.done} complete days${off}` : '';
}

/** One line for an alert: `ALERT CRITICAL 2018-03-08 backfill_halt_baseline: <message>`. */
export function plainAlertLine(a: AlertInfo): string {
  return `ALERT ${a.severity} ${a.date ?? '-'} ${a.kind}: ${a.message}`;
}

/**
 * One line of a running validation, e.g.
 * `2018-01-04 validating  gate 10/11 BASELINE  lookups 1,200/4,174 28%  unanswered 0  retries 35 (backing off)  12.3s`.
 */
export function validationProgressLine(p: ValidationProgress): string {
  const lookups =
    p.lookupsTotal !== null
      ? `  lookups ${p.lookupsDone ?? 0}/${p.lookupsTotal} ${percent(p.lookupsDone ?? 0, p.lookupsTotal)}%  unanswered ${p.unanswered}`
      : '';
  return `${p.date} validating  gate ${p.gateIndex}/${p.gates} ${p.gate}${lookups}  retries ${p.retries}${p.backingOff ? ' (backing off)' : ''}  ${formatDuration(p.at - p.startedAt)}`;
}

/** The fields of a `validate-progress` JSON line. */
export function validationProgressJson(p: ValidationProgress): Record<string, unknown> {
  return { type: 'validate-progress', ...p };
}

/** Default spacing of validation progress lines, ms (a line also prints at each 10% of the lookups). */
export const VALIDATION_LINE_EVERY_MS = 5000;

/**
 * Throttle of validation progress lines: true for the first progress of a validation (a new date
 * or start), when the baseline lookups crossed another 10%, and when `everyMs` passed since the
 * last line; false otherwise. `now` is ms.
 */
export function validationLineThrottle(
  everyMs: number = VALIDATION_LINE_EVERY_MS,
): (p: ValidationProgress, now: number) => boolean {
  let key = '';
  let bucket = -1;
  let lastAt = -Infinity;
  return (p, now) => {
    const k = `${p.date}|${p.startedAt}`;
    const b = p.lookupsTotal ? Math.floor(((p.lookupsDone ?? 0) / p.lookupsTotal) * 10) : -1;
    const print = k !== key || b > bucket || now - lastAt >= everyMs;
    if (k !== key) bucket = -1;
    key = k;
    if (print) {
      bucket = Math.max(bucket, b);
      lastAt = now;
    }
    return print;
  };
}

/** Options of {@link createPlainPrinter}. */
export interface PlainPrinterOptions {
  /** Print JSON lines instead of text lines. */
  json?: boolean;
  /** Seconds between summary lines (default 30; 0 or less: none). */
  summaryEverySec?: number;
  /** Spacing of validation progress lines, ms (default {@link VALIDATION_LINE_EVERY_MS}). */
  validationEveryMs?: number;
  /** A running proof's first progress line after, and spacing of the next, ms (default {@link PROOF_LINE_EVERY_MS}). */
  proofEveryMs?: number;
  /** Clock in ms (default Date.now); only differences are used. */
  now?: () => number;
}

/** A plain/JSON renderer fed with snapshots. */
export interface PlainPrinter {
  /** Feed a snapshot (repeats and stale ones, by `seq`, print nothing new). */
  onSnapshot(s: BackfillSnapshot): void;
  /** Feed the last snapshot: prints what is new in it, then the final summary line. */
  onEnd(s: BackfillSnapshot): void;
}

/**
 * A printer writing one line per call of `write` (no trailing newline). Days are printed on the
 * transition to a final status (COMPLETE, RETRY_NEEDED, FAILED, INCOMPLETE): days already final in
 * the first snapshot are taken as done before this run (except the current day, which just
 * finished), a repeated snapshot prints nothing, and a day prints again only after it went back to
 * a non-final status (a rerun). Alerts print once per id (acknowledged ones in the first snapshot
 * are skipped).
 */
export function createPlainPrinter(
  write: (line: string) => void,
  opts: PlainPrinterOptions = {},
): PlainPrinter {
  const json = opts.json ?? false;
  const everyMs = (opts.summaryEverySec ?? 30) * 1000;
  const now = opts.now ?? Date.now;
  const lastStatus = new Map<string, DayStatus | 'SKIPPED'>();
  const alertsSeen = new Set<number>();
  let first = true;
  let lastSeq = -Infinity;
  let lastSummaryAt = 0;
  let lastView: { date: string; hits: RuleCounts; startedAt: number } | null = null;
  let ended = false;
  const validationDue = validationLineThrottle(opts.validationEveryMs);
  const proofDue = proofLineThrottle(opts.proofEveryMs);

  const emitDay = (s: BackfillSnapshot, date: string): void => {
    const cell = s.days.find((d) => d.date === date)!;
    let seen: DaySeen = seenFromSnapshot(s, date);
    if (!seen.hits && lastView && lastView.date === date)
      seen = { hits: lastView.hits, durationMs: Math.max(0, s.at - lastView.startedAt) };
    if (json) {
      write(
        JSON.stringify({
          type: 'day',
          date,
          status: cell.status,
          hits: cell.hits,
          rules: seen.hits,
          baselineOnly: cell.baselineOnly,
          proof: cell.proof ?? null,
          ...(cell.aborted?.length ? { aborted: cell.aborted } : {}),
          durationMs: seen.durationMs,
          done: s.done,
          total: s.total,
        }),
      );
    } else write(plainDayLine(s, date, seen));
  };

  const ingest = (s: BackfillSnapshot): void => {
    for (const d of s.days) {
      const prev = lastStatus.get(d.date);
      lastStatus.set(d.date, d.status);
      if (!FINISHED_DAY_STATUSES.has(d.status)) continue;
      if (first) {
        if (s.current?.date === d.date) emitDay(s, d.date);
        continue;
      }
      if (prev === undefined || !FINISHED_DAY_STATUSES.has(prev)) emitDay(s, d.date);
    }
    for (const a of [...s.alerts].sort((x, y) => x.id - y.id)) {
      if (alertsSeen.has(a.id)) continue;
      alertsSeen.add(a.id);
      if (first && a.acknowledged) continue;
      write(json ? JSON.stringify({ type: 'alert', ...a }) : plainAlertLine(a));
    }
    if (s.current)
      lastView = { date: s.current.date, hits: s.current.hits, startedAt: s.current.startedAt };
    first = false;
  };

  let lastNextScan: string | null = null;
  return {
    onSnapshot(s) {
      if (ended || s.seq < lastSeq) return;
      lastSeq = s.seq;
      const wasFirst = first;
      ingest(s);
      const t = now();
      // Follow mode: one line each time the next scan is set (the day and its due time, ET and UTC).
      const next = s.nextScan ? `${s.nextScan.date}@${s.nextScan.at}` : null;
      if (next !== lastNextScan) {
        lastNextScan = next;
        if (s.nextScan)
          write(
            json
              ? JSON.stringify({
                  type: 'follow',
                  nextScanDay: s.nextScan.date,
                  nextScanAt: new Date(s.nextScan.at).toISOString(),
                })
              : followLine(s.nextScan),
          );
      }
      if (s.validation && validationDue(s.validation, t))
        write(
          json
            ? JSON.stringify(validationProgressJson(s.validation))
            : validationProgressLine(s.validation),
        );
      const proof = s.current?.proof;
      if (proof && proofDue(proof, t))
        write(
          json ? JSON.stringify({ type: 'proof-progress', ...proof }) : proofProgressLine(proof),
        );
      if (wasFirst) lastSummaryAt = t;
      else if (everyMs > 0 && t - lastSummaryAt >= everyMs) {
        lastSummaryAt = t;
        write(
          json
            ? JSON.stringify({
                type: 'summary',
                state: s.state,
                done: s.done,
                total: s.total,
                percent: percent(s.done, s.total),
                etaMs: s.etaMs,
                daysPerMin: s.daysPerMin,
                hits: s.hits,
                inFlight: s.inFlight,
              })
            : plainSummaryLine(s),
        );
      }
    },
    onEnd(s) {
      if (ended) return;
      if (s.seq >= lastSeq) {
        lastSeq = s.seq;
        ingest(s);
      }
      ended = true;
      write(
        json
          ? JSON.stringify({
              type: 'end',
              state: s.state,
              reason: s.reason,
              done: s.done,
              total: s.total,
              hits: s.hits,
              unproven: unprovenDays(s),
              proofMode: s.proofMode ?? null,
            })
          : plainEndLine(s),
      );
    },
  };
}

/** Follow mode's waiting line: `FOLLOWING next scan 2024-11-27 at 2024-11-27 18:30 ET (2024-11-27T23:30:00.000Z)`. */
export function followLine(n: { date: string; at: number; et: string }): string {
  return `FOLLOWING next scan ${n.date} at ${n.et} (${new Date(n.at).toISOString()})`;
}
