/**
 * `gapctl status [--json]`: where the backfill stands, read without changing anything: the resume
 * pointer (project_state/current_state.json), the store opened READ-ONLY and not migrated (day
 * statuses over the range, the latest unacknowledged alert), the store's lock file `<db>.lock`
 * (whether a backfill is running now) and the tail of task_log.md; the store's id and the markets
 * of its days (store/market-identity.ts). A state file that names another store is not shown.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { nextTradingDay, tradingDays } from '../calendar/index.js';
import { schemaVersion, SCHEMA_VERSION, StoreError } from '../store/db.js';
import { dayStatusRows } from '../store/days.js';
import { readLock, type LockInfo } from '../store/lock.js';
import {
  readBackfillState,
  stateStoreMatch,
  statePaths,
  storeText,
  type BackfillStateFile,
} from '../store/state-files.js';
import {
  marketHistory,
  readStoreRef,
  storeId,
  type MarketRecord,
  type StoreRef,
} from '../store/market-identity.js';
import { Store } from '../store/store.js';
import { errorLine } from '../util/errors.js';
import { processRss, type ProcessRss } from '../runtime/memory.js';

/** Lines of task_log.md shown. */
export const TASK_LOG_TAIL_LINES = 20;

/** Day statuses counted by name; any other stored status is counted under `other`. */
export const STATUS_NAMES = ['COMPLETE', 'FAILED', 'INCOMPLETE', 'RETRY_NEEDED'] as const;

/** Days of the backfill range by status (trading days of the NYSE calendar). */
export interface StatusDays {
  trading_days: number;
  COMPLETE: number;
  FAILED: number;
  INCOMPLETE: number;
  RETRY_NEEDED: number;
  /** Trading days without a day_completeness row (not scanned yet, or lost to a crash: they rerun). */
  absent: number;
  /** Any other stored status, by name (normally empty). */
  other: Record<string, number>;
  /**
   * How the scanned days are known (docs/domain.md section 14): `proven` of `scanned` (COMPLETE with
   * proof exhaustive or baseline), days by proof, and the runs of unproven scanned days. Null for a
   * store older than the proof columns.
   */
  proof: {
    scanned: number;
    proven: number;
    by_proof: Record<string, number>;
    unproven_runs: string[];
  } | null;
}

/** The latest failure: the state's halt reason and day, the latest day not COMPLETE, the latest open alert. */
export interface StatusFailure {
  halt_reason: string | null;
  halted_day: string | null;
  /** The latest trading day of the range whose status is not COMPLETE, with its stored reason (provider_status). */
  day: { date: string; status: string; reason: string | null } | null;
  /** The newest unacknowledged alert (`at` UTC ISO 8601). */
  alert: {
    id: number;
    at: string;
    severity: string;
    kind: string;
    date: string | null;
    message: string;
  } | null;
}

/** Everything `gapctl status` shows; `--json` prints it as one object. */
export interface StatusReport {
  state_file: string;
  /** The parsed current_state.json; null when no backfill has run here, or when the file is the backfill of another store. */
  backfill: BackfillStateFile | null;
  /**
   * Whose backfill the state file is: 'same' (this store), 'other' (another store: `backfill` is null
   * and `other_state_store` names that store), 'unknown' (written by an older gapctl, it names no
   * store), null when there is no state file.
   */
  state_store: 'same' | 'other' | 'unknown' | null;
  /** The store the state file belongs to when it is another one. */
  other_state_store: StoreRef | null;
  /** The store's id and the markets of its days (oldest first: the first market, then each recorded switch); null without a database. */
  store: { id: string | null; markets: MarketRecord[] } | null;
  database: { path: string; exists: boolean; schema_version: number | null };
  /** Null without a state file or a database. */
  days: StatusDays | null;
  /** Null when nothing failed, halted or alerted. */
  last_failure: StatusFailure | null;
  /** The holder of `<db>.lock` when it is a live process; null when no backfill is running. */
  running: LockInfo | null;
  /** Resident memory of that process (current and peak, MB, from /proc on this host); null when none runs here or it cannot be read. */
  running_memory: ProcessRss | null;
  task_log: { path: string; tail: string[] };
}

function tail(path: string, n: number): string[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').replace(/\n+$/, '').split('\n');
  return lines.length === 1 && lines[0] === '' ? [] : lines.slice(-n);
}

/**
 * Reads the status of the backfill recorded in `stateDir` and of the store at `dbPath`.
 * Nothing is written: the state file is only read, the store is opened read-only and not migrated.
 * @throws StateFileError when current_state.json is corrupt (the file is left as is).
 * @throws StoreError when the store is corrupt, of a newer schema, or cannot be read.
 */
export function statusReport(o: { stateDir: string; dbPath: string }): StatusReport {
  const paths = statePaths(o.stateDir);
  const found = readBackfillState(o.stateDir);
  // The state file names its store: the backfill of another store is never shown against this one.
  // (the store is opened for its id only when the state file names a store)
  const match = found
    ? found.store
      ? stateStoreMatch(found, readStoreRef(o.dbPath))
      : 'unknown'
    : null;
  const backfill = match === 'other' ? null : found;
  const report: StatusReport = {
    state_file: paths.currentState,
    backfill,
    state_store: match,
    other_state_store: match === 'other' ? found!.store! : null,
    store: null,
    database: { path: o.dbPath, exists: existsSync(o.dbPath), schema_version: null },
    days: null,
    last_failure: null,
    running: readLock(o.dbPath),
    running_memory: null,
    task_log: { path: paths.taskLog, tail: tail(paths.taskLog, TASK_LOG_TAIL_LINES) },
  };
  if (report.running && report.running.host === hostname())
    report.running_memory = processRss(report.running.pid);
  let failureDay: StatusFailure['day'] = null;
  let alert: StatusFailure['alert'] = null;
  if (report.database.exists) {
    const store = Store.open(o.dbPath, { readonly: true, check: true });
    try {
      const version = schemaVersion(store.db);
      report.database.schema_version = version;
      report.store = { id: storeId(store.db), markets: marketHistory(store.db) };
      if (version > 0) {
        if (backfill) {
          const days = tradingDays(backfill.range.start, backfill.range.end);
          const stored = dayStatusRows(store.db, backfill.range.start, backfill.range.end);
          const byDate = new Map(stored.map((r) => [r.date, r]));
          const counts: StatusDays = {
            trading_days: days.length,
            COMPLETE: 0,
            FAILED: 0,
            INCOMPLETE: 0,
            RETRY_NEEDED: 0,
            absent: 0,
            other: {},
            proof: null,
          };
          if (version >= 2) {
            const p = store.proofCounts(backfill.range.start, backfill.range.end);
            counts.proof = {
              scanned: p.days,
              proven: p.proven,
              by_proof: p.byProof,
              unproven_runs: dateRuns(p.unproven),
            };
          }
          for (const d of days) {
            const r = byDate.get(d);
            if (!r) counts.absent++;
            else if ((STATUS_NAMES as readonly string[]).includes(r.status))
              counts[r.status as (typeof STATUS_NAMES)[number]]++;
            else counts.other[r.status] = (counts.other[r.status] ?? 0) + 1;
            if (r && r.status !== 'COMPLETE')
              failureDay = { date: d, status: r.status, reason: r.provider_status };
          }
          report.days = counts;
        }
        const a = store.openAlerts(1)[0];
        if (a)
          alert = {
            id: a.id,
            at: a.at,
            severity: a.severity,
            kind: a.kind,
            date: a.date,
            message: a.message,
          };
      }
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        `store: ${o.dbPath} cannot be read (schema version ${report.database.schema_version ?? '?'}, this gapctl writes ${SCHEMA_VERSION}): ${errorLine(e)}`,
      );
    } finally {
      store.close();
    }
  }
  // A stop or --max-months is not a failure (its reason shows on the backfill line).
  const halted = !!backfill && (backfill.status === 'HALTED' || backfill.status === 'FAILED');
  if (halted || failureDay || alert) {
    report.last_failure = {
      halt_reason: halted ? backfill!.halt_reason : null,
      halted_day: halted ? (backfill!.halted_day ?? null) : null,
      day: failureDay,
      alert,
    };
  }
  return report;
}

/** The report as text lines (what `gapctl status` prints without --json). */
export function formatStatus(r: StatusReport): string[] {
  const out: string[] = [];
  const db = r.database;
  const mem = r.running_memory
    ? `, RSS ${r.running_memory.rssMb} MB (peak ${r.running_memory.peakRssMb} MB)`
    : '';
  const running = r.running
    ? `yes: ${r.running.command} pid ${r.running.pid} on ${r.running.host} since ${r.running.started_at}${mem}`
    : 'no';
  if (!r.backfill) {
    if (r.other_state_store) {
      out.push(
        `no backfill of this store: ${r.state_file} is the backfill of store ${storeText(r.other_state_store)} (not shown here; gapctl status --db ${r.other_state_store.path} shows it)`,
      );
    } else out.push(`no backfill has run here (no ${r.state_file})`);
    out.push(`database      ${db.path}${db.exists ? '' : ': no database yet'}`);
    out.push(...storeLines(r));
    out.push(`running       ${running}`);
    return out;
  }
  const b = r.backfill;
  const interrupted =
    b.status === 'RUNNING' && !r.running
      ? ' (no live process holds the store: interrupted; `gapctl backfill` resumes it)'
      : '';
  const why = b.status === 'STOPPED' && b.halt_reason ? ` (${b.halt_reason})` : '';
  out.push(
    `backfill      ${b.range.start} .. ${b.range.end}  ${b.status}${why}${interrupted}  (state updated ${b.updated_at})`,
  );
  out.push(
    `market        ${b.market}   R1 mode ${b.r1_mode}${b.proof ? `   proof ${b.proof}` : ''}`,
  );
  // A --no-proof run says so plainly: its days are not proven (docs/domain.md section 14).
  if (b.proof === 'off')
    out.push(
      `  note        proof was OFF for this backfill (--no-proof or R1_PROOF=off): the days it scanned are UNPROVEN ("sampled"); \`gapctl backfill\` without --no-proof proves them`,
    );
  out.push(
    `completed     month ${b.last_completed_month ?? 'none'}, day ${b.last_completed_day ?? 'none'}`,
  );
  if (b.status === 'FOLLOWING' && b.next_scan_at)
    out.push(
      `next scan     ${b.next_scan_day} at ${b.next_scan_et} (${b.next_scan_at})${r.running ? '' : ' (no live process: `gapctl backfill --follow` resumes following)'}`,
    );
  if (b.rerun)
    out.push(
      `rerun         ${b.rerun.start} .. ${b.rerun.end} begun ${b.rerun.started_at}, not finished: \`gapctl backfill\` rescans its remaining days`,
    );
  out.push(`running       ${running}`);
  out.push(`database      ${db.path}${db.exists ? '' : ': no database yet'}`);
  if (r.state_store === 'unknown')
    out.push(
      `  note        ${r.state_file} names no store (written by an older gapctl): it may be the backfill of another store; the next backfill records its store`,
    );
  out.push(...storeLines(r));
  if (r.days) {
    const d = r.days;
    const other = Object.entries(d.other)
      .map(([k, v]) => `, ${k} ${v}`)
      .join('');
    out.push(
      `days          ${d.trading_days} trading days: COMPLETE ${d.COMPLETE}, FAILED ${d.FAILED}, INCOMPLETE ${d.INCOMPLETE}, RETRY_NEEDED ${d.RETRY_NEEDED}${other}, absent ${d.absent}`,
    );
    if (d.proof) {
      const by = Object.entries(d.proof.by_proof)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const runs = d.proof.unproven_runs;
      out.push(
        `proof         proven ${d.proof.proven} of ${d.proof.scanned} scanned days${by ? ` (${by})` : ''}${runs.length ? `; unproven: ${runs.slice(0, 6).join(', ')}${runs.length > 6 ? `, ... (${runs.length} runs)` : ''}` : ''}`,
      );
    }
  }
  const f = r.last_failure;
  if (!f) out.push('last failure  none');
  else {
    if (f.halt_reason !== null || f.halted_day !== null)
      out.push(`last failure  ${f.halted_day ? `${f.halted_day}: ` : ''}${f.halt_reason ?? ''}`);
    else out.push('last failure  no halt recorded');
    if (f.day)
      out.push(
        `  day         ${f.day.date} ${f.day.status}${f.day.reason ? `: ${f.day.reason}` : ''}`,
      );
    if (f.alert)
      out.push(
        `  alert       #${f.alert.id} ${f.alert.severity} ${f.alert.kind}${f.alert.date ? ` ${f.alert.date}` : ''}: ${f.alert.message} (${f.alert.at}, not acknowledged)`,
      );
  }
  if (r.task_log.tail.length) {
    out.push(`task log      ${r.task_log.path} (last ${r.task_log.tail.length} lines)`);
    for (const l of r.task_log.tail) out.push(`  ${l}`);
  } else out.push(`task log      ${r.task_log.path}: empty or absent`);
  return out;
}

/** The store's id and market lines: the first market, then each recorded switch with its first day. */
function storeLines(r: StatusReport): string[] {
  if (!r.store) return [];
  const out = [
    `store id      ${r.store.id ?? 'none (a store of an older gapctl, opened read-only)'}`,
  ];
  const ms = r.store.markets;
  if (!ms.length) {
    out.push(
      'store market  not recorded (a store of an older gapctl: the next command that writes it with a market records that market)',
    );
    return out;
  }
  ms.forEach((m, i) => {
    const next = ms[i + 1];
    const span =
      m.fromDate === null
        ? next
          ? `days before ${next.fromDate}`
          : 'every day'
        : next
          ? `days ${m.fromDate} .. before ${next.fromDate}`
          : `days from ${m.fromDate} on`;
    const how =
      m.note === 'switch'
        ? 'switch recorded'
        : m.note === 'adopted'
          ? 'adopted by a store of an older gapctl'
          : 'recorded';
    out.push(
      `${i === 0 ? 'store market' : '            '}  ${m.market}  ${span} (${how} ${m.recordedAt})`,
    );
  });
  return out;
}

/**
 * Prints the status (text, or one JSON object with `json`); returns 0. With no state file it says
 * "no backfill has run here" and returns 0.
 * @throws StateFileError on a corrupt state file; StoreError on a corrupt or newer store.
 */
export async function statusCommand(o: {
  stateDir: string;
  dbPath: string;
  json?: boolean;
  write?: (l: string) => void;
}): Promise<number> {
  const write = o.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const r = statusReport(o);
  const none = r.other_state_store
    ? `no backfill of this store (${r.state_file} is the backfill of store ${storeText(r.other_state_store)})`
    : 'no backfill has run here';
  if (o.json) write(JSON.stringify(r.backfill ? r : { ...r, message: none }));
  else for (const l of formatStatus(r)) write(l);
  return 0;
}

/** Runs of consecutive trading days of a sorted date list, e.g. `2024-01-02..2024-01-05`. */
function dateRuns(dates: readonly string[]): string[] {
  const runs: string[] = [];
  let start: string | null = null;
  let prev: string | null = null;
  for (const d of dates) {
    if (prev !== null && d === nextTradingDay(prev)) prev = d;
    else {
      if (start !== null) runs.push(start === prev ? start : `${start}..${prev}`);
      start = prev = d;
    }
  }
  if (start !== null) runs.push(start === prev ? start : `${start}..${prev}`);
  return runs;
}
