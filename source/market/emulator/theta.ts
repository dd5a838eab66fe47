/**
 * ThetaData Terminal routes of the emulator (docs/providers.md §2.1-2.10), served from a MarketSource:
 * v3 (`/v3/stock/history/trade`, `/v3/stock/history/ohlc`, `/v3/terminal/mdds/status`) and the
 * legacy v2 API on its own terminal (`/v2/hist/stock/trade`, `/v2/hist/stock/ohlc`,
 * `/v2/system/mdds/status`). Each terminal has a concurrency gate (cap + FIFO queue → 429) and
 * per-request faults. Errors are plain text with ThetaData's custom status codes (472 no data,
 * 473 bad params, 570 range too large).
 *
 * Over 400 lines: one emulated terminal: the v3 and v2 routes share the concurrency gate, the
 * fault injection and the error-status conventions, which are the wire facts the client tests rely
 * on.
 */

import { NQB_EXCHANGE_CODES, type IntradayBar, type TradePrint } from '../types.js';
import { draws } from './faults.js';
import {
  compactToIso,
  dateRange,
  etWallToUtc,
  formatEtTimestamp,
  isoToInt,
  parseHms,
  utcToEt,
} from './et-time.js';
import { GateAborted, type TerminalGate } from './gate.js';
import { bucketBars } from './polygon.js';
import {
  bump,
  canonicalKey,
  json,
  parseBool,
  round,
  send,
  sleep,
  text,
  untilAborted,
  type Ctx,
  type EmulatorState,
  type Reply,
} from './http-util.js';

/** Which terminal: `v3` (current API) or `v1` (the legacy terminal serving the v2 API). */
export type TerminalId = 'v3' | 'v1';

/** Mutable counters of one terminal (besides the gate's own). */
export interface TerminalCounters {
  requests: number;
  byStatus: Record<string, number>;
}

const NO_DATA = 'No data found for your request';
const MAX_RANGE_DAYS = 31;
const RTH_START = 34_200_000; // 09:30 ET
const RTH_END = 57_600_000; // 16:00 ET
const LAST_MS = 86_399_999;
const NQB = new Set(NQB_EXCHANGE_CODES);

/** v3 trade CSV columns (doc order). */
export const V3_TRADE_COLUMNS = [
  'timestamp',
  'sequence',
  'ext_condition1',
  'ext_condition2',
  'ext_condition3',
  'ext_condition4',
  'condition',
  'size',
  'exchange',
  'price',
] as const;

/** v3 OHLC CSV columns. */
export const V3_OHLC_COLUMNS = [
  'timestamp',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'count',
  'vwap',
] as const;

/** v2 trade row format (15 fields; price at index 9, date last). */
export const V2_TRADE_FORMAT = [
  'ms_of_day',
  'sequence',
  'ext_condition1',
  'ext_condition2',
  'ext_condition3',
  'ext_condition4',
  'condition',
  'size',
  'exchange',
  'price',
  'condition_flags',
  'price_flags',
  'volume_type',
  'records_back',
  'date',
] as const;

/** v2 OHLC row format (8 fields). */
export const V2_OHLC_FORMAT = [
  'ms_of_day',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'count',
  'date',
] as const;

/** ext_condition1..4 of a print without `ext`: 255 ("none") for all four. */
const NO_EXTS: readonly [number, number, number, number] = [255, 255, 255, 255];
/** Cancel records (ThetaData 40-44): each cancels the print just before it (see TradePrint.ext). */
const CANCEL_CONDITIONS: ReadonlySet<number> = new Set([40, 41, 42, 43, 44]);

/** v2 `records_back` of the i-th print of an answer: 1 for a cancel record after a print, else 0. */
function recordsBack(prints: readonly TradePrint[], i: number): number {
  return i > 0 && CANCEL_CONDITIONS.has(prints[i].condition) ? 1 : 0;
}

type DataRoute = (q: URLSearchParams) => Promise<Reply>;

/**
 * Serves one request on a Theta terminal: outage (socket destroyed), 404/410 and status routes at
 * once; data routes through the gate (429 when cap + queue is full), then latency, faults and the
 * route, all while holding the slot.
 */
export async function handleTheta(
  term: TerminalId,
  ctx: Ctx,
  st: EmulatorState,
  gate: TerminalGate,
  counters: TerminalCounters,
): Promise<void> {
  counters.requests++;
  const faults = st.faults;
  const { req, res, url, signal } = ctx;
  const finish = (reply: Reply): void => {
    bump(counters.byStatus, reply.status);
    send(res, reply);
  };

  if (faults.thetaOutage === true || faults.thetaOutage === term) {
    bump(counters.byStatus, 'reset');
    req.socket.destroy();
    return;
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET') return finish(text(405, 'Method Not Allowed'));

  const path = url.pathname;
  let route: DataRoute | undefined;
  if (term === 'v3') {
    if (path === '/v2' || path.startsWith('/v2/'))
      return finish(text(410, 'GONE: the v2 API is not served by this terminal; use /v3'));
    if (path === '/v3/terminal/mdds/status') return finish(text(200, 'CONNECTED'));
    if (path === '/v3/stock/history/trade') route = (q) => v3Trade(st, q);
    else if (path === '/v3/stock/history/ohlc') route = (q) => v3Ohlc(st, q);
  } else {
    if (faults.v1Gone && (path === '/v2' || path.startsWith('/v2/'))) {
      return finish(text(410, 'GONE: the v2 API was removed; use the v3 terminal'));
    }
    if (path === '/v2/system/mdds/status') return finish(text(200, 'CONNECTED'));
    if (path === '/v2/hist/stock/trade') route = (q) => v2Trade(st, q);
    else if (path === '/v2/hist/stock/ohlc') route = (q) => v2Ohlc(st, q);
  }
  if (!route) return finish(text(404, 'NO_IMPL: no such request'));

  const slot = gate.acquire(signal);
  if (slot === 'full') return finish(text(429, 'OS_LIMIT: the terminal request queue is full'));
  try {
    await slot;
  } catch (e) {
    if (e instanceof GateAborted) return;
    throw e;
  }
  try {
    try {
      await sleep(st.thetaLatencyMs, signal);
    } catch {
      return;
    }
    let hang = false;
    let malformed = false;
    const p = (x: number | undefined): number => x ?? 0;
    if (
      p(faults.theta429) +
        p(faults.theta474) +
        p(faults.theta571) +
        p(faults.theta5xx) +
        p(faults.thetaTimeout) +
        p(faults.thetaMalformed) >
      0
    ) {
      const [d429, d474, d571, d5xx, dPick, dHang, dBad] = draws(
        st.dice.roll(term, canonicalKey(method, url)),
        7,
      );
      if (d429 < p(faults.theta429)) return finish(text(429, 'OS_LIMIT: too many requests'));
      if (d474 < p(faults.theta474))
        return finish(text(474, 'DISCONNECTED: the terminal lost its connection to MDDS'));
      if (d571 < p(faults.theta571))
        return finish(text(571, 'SERVER_STARTING: the server is restarting'));
      if (d5xx < p(faults.theta5xx)) {
        return finish(
          dPick < 0.5
            ? text(500, 'Internal Server Error')
            : text(572, 'UNCAUGHT_ERROR: unexpected server error'),
        );
      }
      hang = dHang < p(faults.thetaTimeout);
      malformed = dBad < p(faults.thetaMalformed);
    }
    const reply = await route(url.searchParams);
    if (hang) {
      bump(counters.byStatus, 'hang');
      await untilAborted(signal);
      return;
    }
    finish(malformed ? garble(reply) : reply);
  } finally {
    gate.release();
  }
}

/** A 200 whose body is cut mid-row (never on a line end), or garbage text when there was no body. */
function garble(reply: Reply): Reply {
  if (reply.status !== 200 || reply.body.length < 4) {
    return {
      status: 200,
      body: 'garbage \u0000\u0001 not a valid body',
      contentType: reply.contentType,
    };
  }
  let body = reply.body.slice(0, Math.floor(reply.body.length * 0.6));
  while (body.endsWith('\n') || body.endsWith('\r')) body = body.slice(0, -1);
  return { ...reply, body };
}

const bad = (msg: string): Reply => text(473, `INVALID_PARAMS: ${msg}`);

/** Dates of a request: `date`, or `start_date`..`end_date` (YYYYMMDD, ≤ 31 days). A Reply on error. */
function requestDates(q: URLSearchParams, single: boolean): string[] | Reply {
  const one = single ? q.get('date') : null;
  if (one !== null) {
    const d = compactToIso(one);
    return d === null ? bad(`date must be YYYYMMDD, got '${one}'`) : [d];
  }
  const s = q.get('start_date');
  const e = q.get('end_date');
  if (s === null || e === null)
    return bad(
      single
        ? 'date (or start_date and end_date) is required'
        : 'start_date and end_date are required',
    );
  const a = compactToIso(s);
  const b = compactToIso(e);
  if (a === null || b === null)
    return bad(`start_date/end_date must be YYYYMMDD, got '${s}'/'${e}'`);
  if (b < a) return bad('end_date is before start_date');
  const days = dateRange(a, b);
  if (days.length > MAX_RANGE_DAYS)
    return text(570, 'LARGE_REQUEST: multi-day requests are limited to 1 month');
  return days;
}

/** v3 time window in ms of day ET, inclusive both ends (ms precision). */
function v3Window(q: URLSearchParams): [number, number] | Reply {
  const s = q.get('start_time');
  const e = q.get('end_time');
  const start = s === null ? RTH_START : parseHms(s);
  const end = e === null ? RTH_END : parseHms(e);
  if (start === null) return bad(`start_time must be HH:MM:SS[.SSS], got '${s}'`);
  if (end === null) return bad(`end_time must be HH:MM:SS[.SSS], got '${e}'`);
  if (end < start) return bad('end_time is before start_time');
  return [start, end];
}

function v3Format(q: URLSearchParams): 'csv' | 'ndjson' | 'json' | Reply {
  const f = q.get('format') ?? 'csv';
  if (f === 'csv' || f === 'ndjson' || f === 'json') return f;
  return bad(`format '${f}' is not served by the emulator (csv, ndjson, json)`);
}

function venueOf(q: URLSearchParams, fallback: 'nqb' | 'utp_cta'): 'nqb' | 'utp_cta' | Reply {
  const v = q.get('venue') ?? fallback;
  if (v === 'nqb' || v === 'utp_cta') return v;
  return bad(`venue must be nqb or utp_cta, got '${v}'`);
}

/** Prints of `symbol` over `dates` within [start, end] ms-of-day ET (inclusive), venue-filtered. */
async function windowPrints(
  st: EmulatorState,
  symbol: string,
  dates: string[],
  start: number,
  end: number,
  venue: string,
): Promise<TradePrint[]> {
  const out: TradePrint[] = [];
  for (const d of dates) {
    const prints = await st.source.trades(symbol, d);
    if (!prints) continue;
    const lo = etWallToUtc(d, start);
    const hi = etWallToUtc(d, end);
    for (const p of prints) {
      if (p.ms >= lo && p.ms <= hi && (venue !== 'nqb' || NQB.has(p.exchange))) out.push(p);
    }
  }
  return out;
}

/** Minute bars of `symbol` over `dates` with start in [start, end] ms-of-day ET, with running session VWAP. */
async function windowBars(
  st: EmulatorState,
  symbol: string,
  dates: string[],
  start: number,
  end: number,
  bucketMs: number,
): Promise<Array<{ date: string; bar: IntradayBar; vwap: number }>> {
  const out: Array<{ date: string; bar: IntradayBar; vwap: number }> = [];
  for (const d of dates) {
    const bars = await st.source.minuteBars(symbol, d);
    if (!bars) continue;
    const lo = etWallToUtc(d, start);
    const hi = etWallToUtc(d, end);
    // Running session VWAP over every bar of the day, typical price (h+l+c)/3 as the bar's price.
    const vwapAfter = new Map<number, number>();
    let pv = 0;
    let vol = 0;
    for (const b of bars) {
      pv += ((b.high + b.low + b.close) / 3) * b.volume;
      vol += b.volume;
      vwapAfter.set(b.startMs, vol > 0 ? pv / vol : b.close);
    }
    const inWindow = bars.filter((b) => b.startMs >= lo && b.startMs <= hi);
    const vwapOfBucket = new Map<number, number>();
    for (const b of inWindow)
      vwapOfBucket.set(Math.floor(b.startMs / bucketMs) * bucketMs, vwapAfter.get(b.startMs)!);
    for (const bucket of bucketBars(inWindow, bucketMs))
      out.push({ date: d, bar: bucket, vwap: vwapOfBucket.get(bucket.startMs)! });
  }
  return out;
}

/** The parameters every v3 history request shares, or the error reply for the first bad one. */
function v3Common(q: URLSearchParams) {
  const symbol = q.get('symbol');
  if (!symbol) return bad('symbol is required');
  const dates = requestDates(q, true);
  if (!Array.isArray(dates)) return dates;
  const win = v3Window(q);
  if (!Array.isArray(win)) return win;
  const venue = venueOf(q, 'nqb');
  if (typeof venue !== 'string') return venue;
  const format = v3Format(q);
  if (typeof format !== 'string') return format;
  return { symbol, dates, win, venue, format };
}

async function v3Trade(st: EmulatorState, q: URLSearchParams): Promise<Reply> {
  const c = v3Common(q);
  if ('status' in c) return c;
  const { symbol, dates, win, venue, format } = c;
  const prints = await windowPrints(st, symbol, dates, win[0], win[1], venue);
  if (prints.length === 0) return text(472, NO_DATA);
  if (format === 'csv') {
    const lines = [V3_TRADE_COLUMNS.join(',')];
    for (const p of prints) {
      const x = p.ext ?? NO_EXTS;
      lines.push(
        `${formatEtTimestamp(p.ms)},${p.sequence},${x[0]},${x[1]},${x[2]},${x[3]},${p.condition},${p.size},${p.exchange},${p.price.toFixed(4)}`,
      );
    }
    return { status: 200, body: `${lines.join('\r\n')}\r\n`, contentType: 'text/csv' };
  }
  const rows = prints.map((p) => ({
    timestamp: formatEtTimestamp(p.ms),
    sequence: p.sequence,
    ext_condition1: (p.ext ?? NO_EXTS)[0],
    ext_condition2: (p.ext ?? NO_EXTS)[1],
    ext_condition3: (p.ext ?? NO_EXTS)[2],
    ext_condition4: (p.ext ?? NO_EXTS)[3],
    condition: p.condition,
    size: p.size,
    exchange: p.exchange,
    price: p.price,
  }));
  return rowsReply(format, rows);
}

function rowsReply(format: 'ndjson' | 'json', rows: object[]): Reply {
  if (format === 'json') return json(200, { response: rows });
  return {
    status: 200,
    body: rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
    contentType: 'application/x-ndjson',
  };
}

const V3_INTERVALS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '10m': 600_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
};

async function v3Ohlc(st: EmulatorState, q: URLSearchParams): Promise<Reply> {
  if (!q.get('symbol')) return bad('symbol is required');
  const interval = q.get('interval');
  if (interval === null) return bad('interval is required');
  const bucketMs = V3_INTERVALS[interval];
  if (bucketMs === undefined)
    return bad(`interval '${interval}' is not served by the emulator (1m, 5m, 10m, 15m, 30m, 1h)`);
  const c = v3Common(q);
  if ('status' in c) return c;
  const { symbol, dates, win, format } = c;
  const bars = await windowBars(st, symbol, dates, win[0], win[1], bucketMs);
  if (bars.length === 0) return text(472, NO_DATA);
  if (format === 'csv') {
    const lines = [V3_OHLC_COLUMNS.join(',')];
    for (const { bar: b, vwap } of bars) {
      lines.push(
        `${formatEtTimestamp(b.startMs)},${b.open.toFixed(4)},${b.high.toFixed(4)},${b.low.toFixed(4)},${b.close.toFixed(4)},${b.volume},${b.trades},${vwap.toFixed(4)}`,
      );
    }
    return { status: 200, body: `${lines.join('\r\n')}\r\n`, contentType: 'text/csv' };
  }
  return rowsReply(
    format,
    bars.map(({ bar: b, vwap }) => ({
      timestamp: formatEtTimestamp(b.startMs),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      count: b.trades,
      vwap: round(vwap, 4),
    })),
  );
}

/** v2 ms-of-day parameter (ET), inclusive; `fallback` when absent. */
function msParam(q: URLSearchParams, name: string, fallback: number): number | Reply {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) > LAST_MS)
    return bad(`${name} must be ms since midnight ET (0..${LAST_MS}), got '${v}'`);
  return Number(v);
}

/** v2 reply: legacy JSON (header + row arrays) or CSV with a `Next-Page: null` header. */
function v2Reply(
  st: EmulatorState,
  format: readonly string[],
  rows: Array<Array<number>>,
  csv: boolean,
): Reply {
  if (csv) {
    const body = [format.join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n';
    return { status: 200, body, contentType: 'text/csv', headers: { 'next-page': 'null' } };
  }
  return json(200, {
    header: {
      latency_ms: st.thetaLatencyMs,
      error_type: 'null',
      error_msg: 'null',
      next_page: 'null',
      format,
    },
    response: rows,
  });
}

async function v2Trade(st: EmulatorState, q: URLSearchParams): Promise<Reply> {
  const root = q.get('root');
  if (!root) return bad('root is required');
  const dates = requestDates(q, false);
  if (!Array.isArray(dates)) return dates;
  const start = msParam(q, 'start_time', 0);
  if (typeof start !== 'number') return start;
  const end = msParam(q, 'end_time', LAST_MS);
  if (typeof end !== 'number') return end;
  if (end < start) return bad('end_time is before start_time');
  const venue = venueOf(q, 'utp_cta');
  if (typeof venue !== 'string') return venue;
  const csv = parseBool(q.get('use_csv'), false);
  if (csv === null) return bad('use_csv must be true or false');
  const prints = await windowPrints(st, root, dates, start, end, venue);
  if (prints.length === 0) return text(472, NO_DATA);
  const rows = prints.map((p, i) => {
    const et = utcToEt(p.ms);
    const x = p.ext ?? NO_EXTS;
    return [
      et.msOfDay,
      p.sequence,
      x[0],
      x[1],
      x[2],
      x[3],
      p.condition,
      p.size,
      p.exchange,
      p.price,
      0,
      0,
      0,
      recordsBack(prints, i),
      isoToInt(et.date),
    ];
  });
  return v2Reply(st, V2_TRADE_FORMAT, rows, csv);
}

async function v2Ohlc(st: EmulatorState, q: URLSearchParams): Promise<Reply> {
  const root = q.get('root');
  if (!root) return bad('root is required');
  const dates = requestDates(q, false);
  if (!Array.isArray(dates)) return dates;
  const ivlS = q.get('ivl') ?? '0';
  const ivl = /^\d+$/.test(ivlS) ? Number(ivlS) : NaN;
  if (!(ivl > 0 && ivl % 60_000 === 0 && ivl <= 3_600_000)) {
    return bad(`ivl must be a multiple of 60000 up to 3600000 in the emulator, got '${ivlS}'`);
  }
  const rth = parseBool(q.get('rth'), true);
  if (rth === null) return bad('rth must be true or false');
  const explicit = q.get('start_time') !== null || q.get('end_time') !== null;
  // start_time/end_time, when given, define the window; otherwise rth=true is 09:30 <= bar < 16:00, rth=false the whole day.
  const start = msParam(q, 'start_time', explicit || !rth ? 0 : RTH_START);
  if (typeof start !== 'number') return start;
  const end = msParam(q, 'end_time', explicit || !rth ? LAST_MS : RTH_END - 1);
  if (typeof end !== 'number') return end;
  if (end < start) return bad('end_time is before start_time');
  const csv = parseBool(q.get('use_csv'), false);
  if (csv === null) return bad('use_csv must be true or false');
  const bars = await windowBars(st, root, dates, start, end, ivl);
  if (bars.length === 0) return text(472, NO_DATA);
  const rows = bars.map(({ date, bar: b }) => [
    utcToEt(b.startMs).msOfDay,
    b.open,
    b.high,
    b.low,
    b.close,
    b.volume,
    b.trades,
    isoToInt(date),
  ]);
  return v2Reply(st, V2_OHLC_FORMAT, rows, csv);
}
