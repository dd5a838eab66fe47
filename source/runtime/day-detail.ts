/**
 * What the console shows of one day beyond the live snapshot, read where the data lives: the day
 * detail from the store (day_completeness, discovery_hits + rules, enhanced_audit_log, miss_audit,
 * diffs, qc_daily_summary, gate_results: the store's reads in source/store/days.ts, hits.ts and
 * validation.ts), and the day's stage log `project_state/artifacts/scan_<date>.log`, read once or
 * followed with chokidar.
 *
 * Used by the engine worker (which owns the database connection) and by the attach client (a
 * read-only connection of its own). Nothing here writes: only the store's reads and file reads.
 *
 * Over 400 lines: one read model (store rows, stage log, baseline diff) assembled into the day
 * detail the console shows; its pieces only make sense against that one shape.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Db } from '../store/db.js';
import { dayRecord, qcStatus } from '../store/days.js';
import { dayHitRecords, dayHitRuleRecords } from '../store/hits.js';
import { auditRecord, diffRecord, gateResults, missAuditRecords } from '../store/validation.js';
import { scanLogPath } from '../engine/artifacts.js';
import { GATES } from '../engine/validate.js';
import {
  STAGES,
  type DayDetailData,
  type DayGateView,
  type DayHitRule,
  type DayHitView,
  type DayStatus,
  type StageName,
} from '../contracts/events.js';
import { compareRuleCodes, ruleOf } from '../contracts/rules.js';

/**
 * The console's short name (R1..R4) of a stored rule code (PM_GAP_50 ...).
 * @throws Error naming the code and where it was read when it is not one of the four rules: a code
 *   this version does not know is a corrupt or newer store, never silently shown as R1.
 */
export function ruleShortName(code: string, where: string): DayHitRule['rule'] {
  return ruleOf(code, where).short; // UnknownRuleError naming the code and where
}

/** day_completeness columns shown elsewhere in the detail (not as counters). */
const NOT_COUNTERS = new Set([
  'date',
  'status',
  'provider_status',
  'r1_mode',
  'stage_ms',
  'updated_at',
  'processing_ms',
  'proof',
  'proof_source',
  'proof_checked',
  'proof_found',
]);

/**
 * The day's proof from its day_completeness row (docs/domain.md section 14): null without a row or
 * without the proof columns (a store older than schema migration 2). A NULL proof reads `sampled`
 * (not proven); `proof_found` (`TICKER:pct|...`) is split into tickers and percents.
 */
export function proofOf(
  dc: Record<string, number | string | null> | undefined,
): DayDetailData['proof'] {
  if (!dc || !('proof' in dc)) return null;
  const kind = dc.proof === 'exhaustive' || dc.proof === 'baseline' ? dc.proof : 'sampled';
  const found =
    typeof dc.proof_found === 'string' && dc.proof_found !== ''
      ? dc.proof_found.split('|').map((x) => {
          const i = x.lastIndexOf(':');
          const pct = i > 0 ? Number(x.slice(i + 1)) : NaN;
          return { ticker: i > 0 ? x.slice(0, i) : x, pct: Number.isFinite(pct) ? pct : null };
        })
      : [];
  return {
    kind,
    source: typeof dc.proof_source === 'string' ? dc.proof_source : null,
    checked: typeof dc.proof_checked === 'number' ? dc.proof_checked : 0,
    found,
    at: typeof dc.updated_at === 'string' ? dc.updated_at : null,
  };
}

interface DcRow {
  [column: string]: number | string | null;
}

function parseStageMs(json: unknown): Partial<Record<StageName, number>> {
  if (typeof json !== 'string' || json === '') return {};
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    const out: Partial<Record<StageName, number>> = {};
    for (const st of STAGES) {
      const v = raw[st];
      if (typeof v === 'number' && Number.isFinite(v)) out[st] = v;
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * The validation view of a day from its qc_daily_summary `status` (`VALIDATED` or
 * `FAILED_<GATE>`; anything else: not validated, null) and its stored gate results (`stored`, in
 * the order they ran). A validation recorded before the gate results were stored (schema migration
 * 6, or an older store opened read-only) has none; its view is derived from the status alone:
 * VALIDATED = every gate passed (`ok`), FAILED_<GATE> = that gate failed, with the reason the
 * validation left in day_completeness.provider_status (`validate <GATE>: <reason>`) when it is
 * there; the other gates are not known then and not shown.
 */
export function validationOf(
  status: string | null | undefined,
  stored: readonly DayGateView[],
  reason: string | null,
): DayDetailData['validation'] {
  if (!status) return null;
  const m = /^FAILED_([A-Z0-9_]+)$/.exec(status);
  if (status !== 'VALIDATED' && !m) return null;
  if (stored.length > 0)
    return {
      status,
      gates: stored.map((g) => ({ gate: g.gate, passed: g.passed, message: g.message })),
    };
  if (!m) return { status, gates: GATES.map((gate) => ({ gate, passed: true, message: 'ok' })) };
  const prefix = `validate ${m[1]}: `;
  const message = reason?.startsWith(prefix)
    ? reason.slice(prefix.length)
    : 'failed (validated before gate results were stored: the other gates are not known)';
  return { status, gates: [{ gate: m[1]!, passed: false, message }] };
}

/**
 * The day detail of `date` (YYYY-MM-DD) from an open store connection (read-only use: the store's
 * reads only). `stateDir` is no longer read (the gates come from the store's gate_results since
 * schema migration 6, not from FAIL_<GATE>_<date>.md); it stays for the callers. A day never
 * scanned gives status null and empty lists. Percent values stay percent (61.2), ratios stay ratios.
 * @throws the driver's error when the database is not a gapctl store (missing tables).
 */
export function loadDayDetail(db: Db, stateDir: string, date: string): DayDetailData {
  void stateDir;
  const dc = dayRecord(db, date) as DcRow | undefined;
  const hitRows = dayHitRecords(db, date);
  const ruleRows = dayHitRuleRecords(db, date);
  const rulesByHit = new Map<number, DayHitRule[]>();
  for (const r of ruleRows) {
    const list = rulesByHit.get(r.hit_id) ?? [];
    list.push({
      rule: ruleShortName(r.trigger_rule, `discovery_hit_rules (hit ${r.hit_id}, ${date})`),
      code: r.trigger_rule as DayHitRule['code'],
      value: r.rule_value,
    });
    rulesByHit.set(r.hit_id, list);
  }
  const hits: DayHitView[] = hitRows.map((h) => ({
    ticker: h.ticker,
    rules: (rulesByHit.get(h.hit_id) ?? []).sort((a, b) => compareRuleCodes(a.code, b.code)),
    volume: h.volume ?? 0,
    prevClose: h.prev_close,
    open: h.open,
    high: h.high,
    close: h.close,
    pmHigh: h.pm_high,
    pmHighSource: h.pm_high_source,
    pmHighVenue: h.pm_high_venue,
    exchange: h.exchange ?? '',
    split: h.is_near_reverse_split === 1,
    splitNote:
      h.is_near_reverse_split === 1
        ? (h.rs_note ??
          `reverse split ${h.rs_exec_date ?? '?'}${h.rs_days_after !== null ? ` (+${h.rs_days_after}d)` : ''}`)
        : null,
  }));
  const auditRow = auditRecord(db, date);
  const missRows = missAuditRecords(db, date);
  const missed = missRows.filter((r) => r.missed_initially === 1).map((r) => r.symbol);
  const diff = diffRecord(db, date);
  let baselineOnlyHits: { symbol: string; rule: string; pct: number }[] = [];
  if (diff?.detail) {
    let listed: { symbol: string; rule: string; pct: number }[];
    try {
      listed =
        (
          JSON.parse(diff.detail) as {
            baseline_only?: { symbol: string; rule: string; pct: number }[];
          }
        ).baseline_only ?? [];
    } catch {
      listed = [];
    }
    // Outside the try: an unknown rule code is an error, not an empty list.
    baselineOnlyHits = listed.map((b) => ({
      symbol: String(b.symbol),
      rule: ruleShortName(String(b.rule), `the baseline diff of ${date}`),
      pct: Number(b.pct),
    }));
  }
  const qc = qcStatus(db, date);
  const counters: DayDetailData['counters'] = dc
    ? Object.entries(dc)
        .filter(([k]) => !NOT_COUNTERS.has(k))
        .map(([name, value]) => ({ name, value }))
    : [];
  return {
    date,
    status: dc ? (dc.status as DayStatus) : null,
    reason: dc ? ((dc.provider_status as string | null) ?? null) : null,
    r1Mode: dc ? ((dc.r1_mode as string | null) ?? null) : null,
    updatedAt: dc ? ((dc.updated_at as string | null) ?? null) : null,
    processingMs: dc && typeof dc.processing_ms === 'number' ? dc.processing_ms : null,
    stageMs: parseStageMs(dc?.stage_ms),
    counters,
    hits,
    audit: auditRow
      ? {
          sampleSize: auditRow.sample_size,
          misses: auditRow.misses,
          missRateUpper95: auditRow.miss_rate_upper_95,
          passed: auditRow.audit_passed === 1,
          at: auditRow.at,
        }
      : null,
    missAudit: { checked: missRows.length, missedInitially: missed.length, missed },
    baseline: diff
      ? {
          overlap: diff.overlap_count,
          discoveryOnly: diff.discovery_only_count,
          baselineOnly: diff.baseline_only_count,
          baselineOnlyHits,
          at: diff.at,
        }
      : null,
    validation: validationOf(
      qc,
      qc ? gateResults(db, date) : [],
      dc ? ((dc.provider_status as string | null) ?? null) : null,
    ),
    // A baseline proof is as of the validation's cross-check (diffs.at), the others as of the scan.
    proof: (() => {
      const p = proofOf(dc);
      return p && p.kind === 'baseline' && diff?.at ? { ...p, at: diff.at } : p;
    })(),
  };
}

/** Most bytes read from the end of a log file for its tail. */
const TAIL_BYTES = 256 * 1024;

/** The last `lines` complete lines of a file and the byte offset just after the last newline. */
function readTail(path: string, lines: number): { lines: string[]; offset: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { lines: [], offset: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    const from = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - from);
    const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, from) : 0;
    const data = buf.subarray(0, n);
    const lastNl = data.lastIndexOf(0x0a);
    if (lastNl < 0) return { lines: [], offset: from };
    // From the middle of the file the first line is cut: drop it (the newline ending it stays).
    const start = from > 0 ? data.indexOf(0x0a) + 1 : 0;
    const all = start > lastNl ? [] : data.subarray(start, lastNl).toString('utf8').split('\n');
    return { lines: lines > 0 ? all.slice(-lines) : [], offset: from + lastNl + 1 };
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of the day's stage log (`[]` when it does not exist). */
export function readDayLog(stateDir: string, date: string, lines: number): string[] {
  const path = scanLogPath(stateDir, date);
  const t = readTail(path, lines);
  return t.offset === 0 && t.lines.length === 0 ? readCompressedTail(path, lines) : t.lines;
}

/**
 * The last `lines` lines of `<path>.gz` (a day log compressed by retention, store/retention.ts)
 * when `path` itself is absent; `[]` otherwise or when it cannot be read.
 */
export function readCompressedTail(path: string, lines: number): string[] {
  try {
    if (existsSync(path) || !existsSync(`${path}.gz`)) return [];
    const all = gunzipSync(readFileSync(`${path}.gz`))
      .toString('utf8')
      .split('\n');
    if (all.at(-1) === '') all.pop();
    return lines > 0 ? all.slice(-lines) : [];
  } catch {
    return [];
  }
}

/** Receives a followed log's lines: `reset` true replaces what was shown (first read, truncation, deletion). */
export type LogLinesListener = (lines: string[], reset: boolean) => void;

/** Options of {@link followDayLog}. */
export interface FollowOptions {
  /** Lines of the first read (default 500). */
  initialLines?: number;
  /** Appends are read at most this often, ms (default 100): a burst of writes gives one batch. */
  minIntervalMs?: number;
  /** A look at the file this often besides the watcher's events, ms (default 1000; chokidar drops a change that follows another within its throttle window). */
  pollMs?: number;
  /**
   * Where an error of the file watcher goes (one line naming the path; each distinct message once
   * per follower). The console passes the application log; default: dropped. The follower keeps
   * going on its once-a-`pollMs` look.
   */
  onError?: (line: string) => void;
  /** The watcher factory (default chokidar's `watch`; tests wrap it to inject a watcher error). */
  watch?: typeof watch;
}

/**
 * A chokidar `error` listener that reports each distinct message once as one line,
 * `file watcher error on <path>: <message>`, to `report` (a failing watcher may repeat the same
 * error on every event; the log needs it once).
 */
export function watcherErrorReporter(
  path: string,
  report: ((line: string) => void) | undefined,
): (e: unknown) => void {
  const seen = new Set<string>();
  return (e) => {
    const msg = e instanceof Error ? e.message : String(e);
    if (!report || seen.has(msg)) return;
    seen.add(msg);
    report(`file watcher error on ${path}: ${msg}`);
  };
}

/**
 * Follows `scan_<date>.log` with chokidar (and a look every `pollMs` for a change the watcher
 * dropped): calls `listener` once with the last lines (reset, maybe empty), then with each batch of
 * appended complete lines; a truncated or recreated file starts over (reset). Works when the file (or the artifacts folder) does not exist yet. Returns a
 * function that stops following. Errors of the file system do not end it (the log is a view); the
 * watcher's errors go to `opts.onError` (the application log).
 */
export function followDayLog(
  stateDir: string,
  date: string,
  listener: LogLinesListener,
  opts: FollowOptions = {},
): () => void {
  const path = scanLogPath(stateDir, date);
  const initial = opts.initialLines ?? 500;
  const minInterval = opts.minIntervalMs ?? 100;
  let closed = false;
  let offset = 0;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let dirPoll: NodeJS.Timeout | null = null;
  let safety: NodeJS.Timeout | null = null;
  let lastRead = 0;

  const reset = (): void => {
    const t = readTail(path, initial);
    offset = t.offset;
    // A day whose log retention compressed: its lines from the .gz (it is not written any more).
    listener(
      t.offset === 0 && t.lines.length === 0 ? readCompressedTail(path, initial) : t.lines,
      true,
    );
  };
  const readMore = (): void => {
    timer = null;
    if (closed) return;
    lastRead = Date.now();
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      if (offset > 0) {
        offset = 0;
        listener([], true);
      }
      return;
    }
    if (size < offset) return reset();
    if (size === offset) return;
    const got = readAppendedLines(path, offset, size);
    if (!got) return;
    offset = got.offset;
    if (got.lines.length > 0) listener(got.lines, false);
  };
  const schedule = (): void => {
    if (closed || timer) return;
    const wait = Math.max(0, lastRead + minInterval - Date.now());
    timer = setTimeout(readMore, wait);
  };
  const startWatcher = (): void => {
    if (closed) return;
    watcher = (opts.watch ?? watch)(path, { ignoreInitial: true, persistent: true });
    watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
    watcher.on('error', watcherErrorReporter(path, opts.onError));
    // Appends between the first read and the watcher being ready are picked up by one read.
    watcher.on('ready', schedule);
  };

  reset();
  safety = setInterval(schedule, opts.pollMs ?? 1000);
  safety.unref();
  if (existsSync(dirname(path))) startWatcher();
  else {
    // chokidar cannot watch a file whose folder does not exist yet: look for the folder each second.
    dirPoll = setInterval(() => {
      if (!existsSync(dirname(path))) return;
      clearInterval(dirPoll!);
      dirPoll = null;
      startWatcher();
      schedule();
    }, 1000);
    dirPoll.unref();
  }
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    if (dirPoll) clearInterval(dirPoll);
    if (safety) clearInterval(safety);
    void watcher?.close();
  };
}

/**
 * The complete lines appended to `path` since byte `offset` (a trailing partial line is left for
 * the next call): the new offset and the lines, or null when nothing complete was added or the
 * file cannot be opened. Used by the log followers of the console and of attach.
 */
export function readAppendedLines(
  path: string,
  offset: number,
  size: number,
): { offset: number; lines: string[] } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    const data = buf.subarray(0, n);
    const lastNl = data.lastIndexOf(0x0a);
    if (lastNl < 0) return null;
    return {
      offset: offset + lastNl + 1,
      lines: data.subarray(0, lastNl).toString('utf8').split('\n'),
    };
  } finally {
    closeSync(fd);
  }
}
