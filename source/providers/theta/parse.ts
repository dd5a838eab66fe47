/**
 * Body parsers for the ThetaData premarket sources (docs/providers.md sections 2.3 and 2.9): v3
 * `history/trade` CSV (header row, CRLF; a tolerant JSON/NDJSON fallback), v2 `hist/stock/trade`
 * and `hist/stock/ohlc` JSON (row arrays in `header.format` order). Columns are always resolved by
 * name. Times are ET wall clock; windows are [startMs, endMs) in ms since ET midnight.
 *
 * Over 400 lines: the v3 CSV/JSON and v2 JSON body parsers share the trade accumulator and its
 * cancel rules; the premarket high's correctness depends on them agreeing, so they are read
 * together.
 */

import { parse as parseCsv } from 'csv-parse/sync';
import {
  CANC_LAST,
  CANC_ONLY,
  isCancelRecord,
  printMaySetPremarketHigh,
  type PmHighPolicy,
} from './conditions.js';

/** A 200 body that does not have the documented shape. The message is one line. */
export class MalformedBody extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedBody';
  }
}

/** What a trades or bars body held: rows read, rows inside the window, and their highest price (dollars). */
export interface PriceScan {
  rows: number;
  inWindow: number;
  /**
   * Highest in-window price that may set a premarket high under the policy (trade price or bar
   * high), dollars; null when no in-window row may (no rows, or only odd lots, cancels ...).
   */
  high: number | null;
  /** Highest in-window price of every row, whatever its conditions (the raw maximum), dollars. */
  rawHigh: number | null;
  /** In-window rows that did not count for `high` (ineligible conditions, cancel records, cancelled prints). */
  excluded: number;
}

const CLOCK_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const STAMP_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function fracMs(frac: string | undefined): number {
  return frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
}

/**
 * `HH:MM:SS[.SSS]` ET wall clock → ms since ET midnight.
 * @throws Error (one line) when the text is not a clock time.
 */
export function clockToMs(clock: string): number {
  const m = CLOCK_RE.exec(clock.trim());
  if (!m) throw new Error(`not a HH:MM:SS[.SSS] time: ${JSON.stringify(clock)}`);
  return Number(m[1]) * 3_600_000 + Number(m[2]) * 60_000 + Number(m[3]) * 1000 + fracMs(m[4]);
}

/** ms since ET midnight → `HH:MM:SS.SSS` (e.g. 34199999 → `09:29:59.999`). */
export function msToClock(ms: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${p(h)}:${p(m)}:${p(s)}.${p(ms % 1000, 3)}`;
}

/**
 * Parses a whole CSV body (RFC 4180: quoted cells, CRLF or LF line ends) into rows of cells,
 * one at a time, skipping empty lines; rows may differ in length (the caller checks them against
 * its header).
 * A body with a double quote anywhere goes through csv-parse. A body without one (ThetaData's
 * ordinary answer) has no quoting to resolve, so RFC 4180 reduces to splitting lines at CR?LF and
 * cells at commas, which is what this does: about 3x cheaper than csv-parse on a 20,000-print body
 * (bench/theta-csv.js), and the premarket lookups parse one body per ticker-day.
 * @throws MalformedBody on bad quoting (csv-parse's message, one line).
 */
function* csvRows(body: string, what: string): Generator<string[]> {
  if (!body.includes('"')) {
    for (const line of body.split(/\r?\n/)) if (line !== '') yield line.split(',');
    return;
  }
  let rows: string[][];
  try {
    rows = parseCsv(body, {
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n'],
    }) as string[][];
  } catch (e) {
    throw new MalformedBody(`${what}: bad CSV: ${(e as Error).message}`.split('\n')[0]);
  }
  yield* rows;
}

/** Condition columns of a trade row, in ThetaData's order. */
export const CONDITION_FIELDS = [
  'condition',
  'ext_condition1',
  'ext_condition2',
  'ext_condition3',
  'ext_condition4',
] as const;

/** One print of the day as the accumulator keeps it. */
interface HeldPrint {
  price: number;
  inWindow: boolean;
  eligible: boolean;
  cancelled: boolean;
}

/**
 * Accumulates the day's trade prints into a {@link PriceScan} under a {@link PmHighPolicy}: with
 * `tape`, only prints whose every condition may set a high count (see conditions.ts), cancel
 * records never count and neither does the print a cancel identifies (v2 `records_back` N = the
 * N-th prior print; 41 CANC_LAST = the latest counted print; 43 CANC_ONLY = the only print). With
 * `raw`, every in-window row counts (the maximum of every price, as before conditions were read).
 */
export class TradeAccumulator {
  rows = 0;
  private readonly held: HeldPrint[] = [];
  constructor(
    private readonly date: string,
    private readonly startMs: number,
    private readonly endMs: number,
    private readonly policy: PmHighPolicy = 'tape',
  ) {}

  /**
   * Adds one row: ET timestamp text `YYYY-MM-DDTHH:mm:ss.SSS`, price, its condition codes
   * (missing or blank = none) and, for v2, `records_back`.
   * @throws MalformedBody when the timestamp, price or a condition code does not parse.
   */
  add(
    stamp: unknown,
    price: unknown,
    where: string,
    codes: readonly unknown[] = [],
    recordsBack: unknown = 0,
  ): void {
    this.rows++;
    const m = typeof stamp === 'string' ? STAMP_RE.exec(stamp.trim()) : null;
    if (!m)
      throw new MalformedBody(
        `${where}: bad timestamp ${JSON.stringify(String(stamp).slice(0, 40))}`,
      );
    const ms =
      Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000 + Number(m[4]) * 1000 + fracMs(m[5]);
    this.addMs(m[1] === this.date ? ms : null, price, where, codes, recordsBack);
  }

  /** {@link add} with the time as ms since ET midnight (null = another date). */
  addMs(
    ms: number | null,
    price: unknown,
    where: string,
    codes: readonly unknown[] = [],
    recordsBack: unknown = 0,
  ): void {
    const p =
      typeof price === 'number'
        ? price
        : typeof price === 'string' && price.trim() !== ''
          ? Number(price)
          : NaN;
    if (!Number.isFinite(p))
      throw new MalformedBody(`${where}: bad price ${JSON.stringify(String(price).slice(0, 40))}`);
    const nums: number[] = [];
    for (const c of codes) {
      if (c === undefined || c === null || c === '') continue;
      const n = typeof c === 'number' ? c : Number(c);
      if (!Number.isInteger(n) || n < 0)
        throw new MalformedBody(
          `${where}: bad condition ${JSON.stringify(String(c).slice(0, 20))}`,
        );
      nums.push(n);
    }
    if (ms === null) return;
    const inWindow = ms >= this.startMs && ms < this.endMs;
    if (isCancelRecord(nums)) {
      this.cancel(nums, recordsBack);
      this.held.push({ price: p, inWindow, eligible: false, cancelled: true });
      return;
    }
    this.held.push({
      price: p,
      inWindow,
      eligible: printMaySetPremarketHigh(nums),
      cancelled: false,
    });
  }

  private cancel(codes: readonly number[], recordsBack: unknown): void {
    const back = typeof recordsBack === 'number' ? recordsBack : Number(recordsBack);
    const prints = this.held;
    if (Number.isInteger(back) && back > 0) {
      // v2: the N-th prior trade record.
      const target = prints[prints.length - back];
      if (target) target.cancelled = true;
      return;
    }
    if (codes.includes(CANC_LAST)) {
      for (let i = prints.length - 1; i >= 0; i--) {
        if (!prints[i].cancelled && prints[i].eligible) {
          prints[i].cancelled = true;
          return;
        }
      }
    } else if (codes.includes(CANC_ONLY)) {
      const live = prints.filter((x) => !x.cancelled);
      if (live.length === 1) live[0].cancelled = true;
    }
  }

  /** The scan so far. */
  result(): PriceScan {
    let inWindow = 0;
    let high: number | null = null;
    let rawHigh: number | null = null;
    let excluded = 0;
    for (const x of this.held) {
      if (!x.inWindow) continue;
      inWindow++;
      if (rawHigh === null || x.price > rawHigh) rawHigh = x.price;
      if (this.policy === 'tape' && (x.cancelled || !x.eligible)) {
        excluded++;
        continue;
      }
      if (high === null || x.price > high) high = x.price;
    }
    return { rows: this.rows, inWindow, high, rawHigh, excluded };
  }
}

function scanV3Json(text: string, acc: TradeAccumulator): void {
  const rows: unknown[] = [];
  let format: string[] | null = null;
  try {
    const j = JSON.parse(text) as unknown;
    if (Array.isArray(j)) rows.push(...j);
    else if (j && typeof j === 'object' && Array.isArray((j as { response?: unknown }).response)) {
      rows.push(...(j as { response: unknown[] }).response);
      const f = (j as { header?: { format?: unknown } }).header?.format;
      if (Array.isArray(f)) format = f.map((x) => String(x).toLowerCase());
    } else if (j && typeof j === 'object')
      rows.push(j); // a single NDJSON line
    else throw new MalformedBody('v3 trades: JSON body without a response array');
  } catch (e) {
    if (e instanceof MalformedBody) throw e;
    // NDJSON: one object per line.
    for (const line of text.split(/\r?\n/)) {
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        throw new MalformedBody('v3 trades: body is neither CSV nor JSON');
      }
    }
  }
  const ts = format ? Math.max(format.indexOf('timestamp'), format.indexOf('trade_timestamp')) : -1;
  const pi = format ? format.indexOf('price') : -1;
  if (format && (ts < 0 || pi < 0))
    throw new MalformedBody('v3 trades: JSON header.format lacks timestamp or price');
  const ci = format ? CONDITION_FIELDS.map((c) => format!.indexOf(c)) : [];
  for (const r of rows) {
    if (Array.isArray(r) && format)
      acc.add(
        r[ts],
        r[pi],
        'v3 trades',
        ci.map((i) => (i >= 0 ? r[i] : undefined)),
      );
    else if (r && typeof r === 'object' && !Array.isArray(r)) {
      const o = r as Record<string, unknown>;
      acc.add(
        o.timestamp ?? o.trade_timestamp,
        o.price,
        'v3 trades',
        CONDITION_FIELDS.map((c) => o[c]),
      );
    } else
      throw new MalformedBody(
        'v3 trades: JSON row is neither an object nor a header-indexed array',
      );
  }
}

/**
 * Scans a v3 `/v3/stock/history/trade` body (CSV with a header row and CRLF or LF line ends;
 * JSON, `{header:{format},response:[[…]]}` or NDJSON also accepted) for the highest `price` of the
 * prints whose `timestamp` (ET, `YYYY-MM-DDTHH:mm:ss.SSS`) is on `date` (YYYY-MM-DD) and inside
 * [startMs, endMs). An empty body or a header without rows is zero rows.
 * @throws MalformedBody when the header lacks `timestamp`/`price`, a row has the wrong number of
 * cells, or a timestamp or price does not parse.
 */
export function scanV3Trades(
  text: string,
  date: string,
  startMs: number,
  endMs: number,
  policy: PmHighPolicy = 'tape',
): PriceScan {
  const acc = new TradeAccumulator(date, startMs, endMs, policy);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  if (trimmed === '') return acc.result();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    scanV3Json(trimmed, acc);
    return acc.result();
  }
  const rows = csvRows(body, 'v3 trades');
  const first = rows.next();
  if (first.done) return acc.result();
  const header = first.value.map((h) => h.trim().toLowerCase());
  let ts = header.indexOf('timestamp');
  if (ts < 0) ts = header.indexOf('trade_timestamp');
  const pi = header.indexOf('price');
  if (ts < 0 || pi < 0) {
    throw new MalformedBody(
      `v3 trades: CSV header lacks timestamp/price (starts ${JSON.stringify(first.value.join(',').slice(0, 40))})`,
    );
  }
  const ci = CONDITION_FIELDS.map((c) => header.indexOf(c));
  let i = 0;
  for (const cells of rows) {
    i++;
    if (cells.length !== header.length) {
      throw new MalformedBody(
        `v3 trades: CSV row ${i} has ${cells.length} cells, header has ${header.length}`,
      );
    }
    acc.add(
      cells[ts],
      cells[pi],
      `v3 trades row ${i}`,
      ci.map((k) => (k >= 0 ? cells[k] : undefined)),
    );
  }
  return acc.result();
}

/** The parts of a v2 JSON body the scanner reads. */
interface V2Body {
  header: { format: string[]; next_page: string | null; error_type: string | null };
  response: unknown[];
}

/** ThetaData error names (v2 `header.error_type`) → the HTTP status they stand for (docs/providers.md 2.7). */
export const THETA_ERROR_TYPES: Readonly<Record<string, number>> = {
  NO_IMPL: 404,
  OS_LIMIT: 429,
  GENERAL: 470,
  PERMISSION: 471,
  NO_DATA: 472,
  INVALID_PARAMS: 473,
  DISCONNECTED: 474,
  TERMINAL_PARSE: 475,
  WRONG_IP: 476,
  NO_PAGE_FOUND: 477,
  INVALID_SESSION_ID: 478,
  LARGE_REQUEST: 570,
  SERVER_STARTING: 571,
  UNCAUGHT_ERROR: 572,
};

/**
 * Parses a v2 JSON body's envelope.
 * @throws MalformedBody when it is not JSON or lacks `header.format` / `response`.
 */
export function parseV2Body(text: string, what: string): V2Body {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new MalformedBody(`${what}: body is not JSON`);
  }
  const o = j as { header?: Record<string, unknown>; response?: unknown };
  if (!o || typeof o !== 'object' || !o.header || typeof o.header !== 'object')
    throw new MalformedBody(`${what}: JSON without header`);
  const errorType = o.header.error_type;
  const et =
    typeof errorType === 'string' && errorType !== 'null' && errorType !== '' ? errorType : null;
  const np = o.header.next_page;
  const nextPage = typeof np === 'string' && /^https?:\/\//i.test(np) ? np : null;
  if (et !== null)
    return { header: { format: [], next_page: nextPage, error_type: et }, response: [] };
  const format = o.header.format;
  if (!Array.isArray(format)) throw new MalformedBody(`${what}: header.format missing`);
  if (!Array.isArray(o.response)) throw new MalformedBody(`${what}: response is not an array`);
  return {
    header: {
      format: format.map((f) => String(f).toLowerCase()),
      next_page: nextPage,
      error_type: null,
    },
    response: o.response,
  };
}

/**
 * The status a v2 reply stands for: a 200 whose JSON `header.error_type` is not `"null"` counts as
 * that error (NO_DATA → 472, ...; an unknown name → 470 GENERAL). Anything else keeps its status.
 */
export function v2EffectiveStatus(httpStatus: number, text: string): number {
  if (httpStatus !== 200) return httpStatus;
  const t = text.trimStart();
  if (!t.startsWith('{') || !t.includes('error_type')) return 200;
  try {
    const et = (JSON.parse(t) as { header?: { error_type?: unknown } }).header?.error_type;
    if (typeof et !== 'string' || et === 'null' || et === '') return 200;
    return THETA_ERROR_TYPES[et.toUpperCase()] ?? 470;
  } catch {
    return 200; // the parser reports the malformed body
  }
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

/**
 * Scans a v2 `/v2/hist/stock/trade` page: highest `price` of rows whose `ms_of_day` is inside
 * [startMs, endMs) (and whose `date`, when present, equals `dateInt` YYYYMMDD), under the
 * {@link PmHighPolicy} (conditions from `condition`/`ext_condition1..4`, cancels through
 * `records_back`; see {@link TradeAccumulator}). Pass the same accumulator for every page of one
 * request so a cancel may reach a print of an earlier page.
 * @throws MalformedBody when `ms_of_day`/`price` are missing from `header.format` or a row is short.
 */
export function scanV2Trades(
  body: V2Body,
  dateInt: number,
  startMs: number,
  endMs: number,
  policy: PmHighPolicy = 'tape',
  acc?: TradeAccumulator,
): PriceScan {
  const f = body.header.format;
  const mi = f.indexOf('ms_of_day');
  const pi = f.indexOf('price');
  const di = f.indexOf('date');
  const rb = f.indexOf('records_back');
  const ci = CONDITION_FIELDS.map((c) => f.indexOf(c));
  if (mi < 0 || pi < 0)
    throw new MalformedBody('v1 trades: header.format lacks ms_of_day or price');
  const a = acc ?? new TradeAccumulator('', startMs, endMs, policy);
  for (const row of body.response) {
    if (!Array.isArray(row) || row.length < f.length)
      throw new MalformedBody('v1 trades: row does not match header.format');
    a.rows++;
    const ms = num(row[mi]);
    if (!Number.isFinite(ms) || !Number.isFinite(num(row[pi])))
      throw new MalformedBody('v1 trades: non-numeric ms_of_day or price');
    const otherDay = di >= 0 && num(row[di]) !== dateInt;
    a.addMs(
      otherDay ? null : ms,
      num(row[pi]),
      'v1 trades',
      ci.map((k) => (k >= 0 ? row[k] : undefined)),
      rb >= 0 ? row[rb] : 0,
    );
  }
  return a.result();
}

/**
 * Scans a v2 `/v2/hist/stock/ohlc` page (one-minute bars, `ms_of_day` = bar open): highest `high`
 * of bars with `count > 0` that open inside [startMs, endMs). Bars with count 0 are empty minutes.
 * @throws MalformedBody when `ms_of_day`/`high`/`count` are missing from `header.format` or a row is short.
 */
export function scanV2Ohlc(
  body: V2Body,
  dateInt: number,
  startMs: number,
  endMs: number,
): PriceScan {
  const f = body.header.format;
  const mi = f.indexOf('ms_of_day');
  const hi = f.indexOf('high');
  const ci = f.indexOf('count');
  const di = f.indexOf('date');
  if (mi < 0 || hi < 0 || ci < 0)
    throw new MalformedBody('v1 ohlc: header.format lacks ms_of_day, high or count');
  let inWindow = 0;
  let high: number | null = null;
  for (const row of body.response) {
    if (!Array.isArray(row) || row.length < f.length)
      throw new MalformedBody('v1 ohlc: row does not match header.format');
    const ms = num(row[mi]);
    const count = num(row[ci]);
    if (!Number.isFinite(ms) || !Number.isFinite(count))
      throw new MalformedBody('v1 ohlc: non-numeric ms_of_day or count');
    if (count <= 0) continue;
    if (di >= 0 && num(row[di]) !== dateInt) continue;
    if (ms < startMs || ms >= endMs) continue;
    const h = num(row[hi]);
    if (!Number.isFinite(h))
      throw new MalformedBody('v1 ohlc: non-numeric high in a bar with trades');
    inWindow++;
    if (high === null || h > high) high = h;
  }
  // Bars are built by the terminal with the tape's eligibility: their high is eligible and raw.
  return { rows: body.response.length, inWindow, high, rawHigh: high, excluded: 0 };
}
