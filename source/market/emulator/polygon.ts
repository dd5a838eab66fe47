/**
 * Polygon/Massive REST routes of the emulator (docs/providers.md §1.2-1.8), served from a MarketSource:
 * grouped daily, range aggregates (minute/hour/day), reference tickers (paginated), ticker details,
 * ticker types and splits (paginated). Every JSON body carries a deterministic `request_id` and
 * `status`; empty answers omit `results` (or set it to null with `emptyResultsAsNull`).
 *
 * Over 400 lines: one emulated REST server: its routes share pagination, request ids, fault
 * injection and the empty-answer conventions that the Polygon client relies on.
 */

import { performance } from 'node:perf_hooks';
import type { IntradayBar, RefTicker, SplitRecord } from '../types.js';
import { draws } from './faults.js';
import { DAY_MS, dateRange, etWallToUtc, parseIsoDate, utcToEt, dayToIso } from './et-time.js';
import {
  bump,
  canonicalKey,
  defaultDate,
  json,
  parseBool,
  requestId,
  round,
  send,
  sleep,
  text,
  type Ctx,
  type EmulatorState,
  type Reply,
} from './http-util.js';

/** Counters of the Polygon server. */
export interface PolygonStats {
  requests: number;
  byStatus: Record<string, number>;
}

const RATE_ERROR =
  "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing";
const MINUTE_RANGE_MAX_DAYS = 62;
const DAY_RANGE_MAX_DAYS = 400;

/** Stock ticker types served by `/v3/reference/tickers/types` (docs/providers.md §1.6.5). */
const TICKER_TYPES: ReadonlyArray<[string, string]> = [
  ['CS', 'Common Stock'],
  ['PFD', 'Preferred Stock'],
  ['WARRANT', 'Warrant'],
  ['RIGHT', 'Rights'],
  ['BOND', 'Corporate Bond'],
  ['ETF', 'Exchange Traded Fund'],
  ['ETN', 'Exchange Traded Note'],
  ['ETV', 'Exchange Traded Vehicle'],
  ['SP', 'Structured Product'],
  ['ADRC', 'American Depository Receipt Common'],
  ['ADRP', 'American Depository Receipt Preferred'],
  ['ADRW', 'American Depository Receipt Warrants'],
  ['ADRR', 'American Depository Receipt Rights'],
  ['FUND', 'Fund'],
  ['BASKET', 'Basket'],
  ['UNIT', 'Unit'],
  ['LT', 'Liquidating Trust'],
  ['OS', 'Ordinary Shares'],
  ['GDR', 'Global Depository Receipts'],
  ['OTHER', 'Other Security Type'],
  ['NYRS', 'New York Registry Shares'],
];

type Route = (q: URLSearchParams, rid: string, m: RegExpExecArray) => Promise<Reply>;

/**
 * Serves one Polygon request: method check, latency, outage, routing (unknown path → 404 text),
 * auth (401), rolling rate limit (429), injected faults (429/5xx/malformed), then the route.
 */
export async function handlePolygon(
  ctx: Ctx,
  st: EmulatorState,
  stats: PolygonStats,
): Promise<void> {
  stats.requests++;
  const reply = await polygonReply(ctx, st);
  if (reply === null) return; // client went away
  bump(stats.byStatus, reply.status);
  send(ctx.res, reply);
}

async function polygonReply(ctx: Ctx, st: EmulatorState): Promise<Reply | null> {
  const { req, url, signal } = ctx;
  const method = req.method ?? 'GET';
  const key = canonicalKey(method, url);
  const rid = requestId(key);
  try {
    await sleep(st.polygonLatencyMs, signal);
  } catch {
    return null;
  }
  const faults = st.faults;
  if (faults.polygonOutage) return text(503, 'Service Unavailable');
  if (method !== 'GET') return text(405, 'Method Not Allowed');

  const routes = polygonRoutes(st);
  let match: { route: Route; m: RegExpExecArray } | null = null;
  for (const [re, route] of routes) {
    const m = re.exec(url.pathname);
    if (m) {
      match = { route, m };
      break;
    }
  }
  if (!match) return text(404, '404 page not found');

  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = url.searchParams.get('apiKey') || bearer || '';
  const authorized = st.polygonApiKey ? given === st.polygonApiKey : given !== '';
  if (!authorized) return json(401, { status: 'ERROR', request_id: rid, error: 'Unknown API Key' });

  const too_many = (): Reply =>
    faults.polygon429EmptyBody
      ? { status: 429, body: '', contentType: 'application/json' }
      : json(429, { status: 'ERROR', request_id: rid, error: RATE_ERROR });

  if (st.polygonRatePerMin !== undefined) {
    const now = performance.now();
    while (st.polygonWindow.length > 0 && now - st.polygonWindow[0] >= 60_000)
      st.polygonWindow.shift();
    if (st.polygonWindow.length >= st.polygonRatePerMin) return too_many();
    st.polygonWindow.push(now);
  }

  let malformed = false;
  if (
    (faults.polygon429 ?? 0) > 0 ||
    (faults.polygon5xx ?? 0) > 0 ||
    (faults.polygonMalformed ?? 0) > 0
  ) {
    const [d429, d5xx, dPick, dBad] = draws(st.dice.roll('polygon', key), 4);
    if (d429 < (faults.polygon429 ?? 0)) return too_many();
    if (d5xx < (faults.polygon5xx ?? 0)) {
      const code = [500, 502, 503][Math.min(2, Math.floor(dPick * 3))];
      if (code === 500)
        return json(500, { status: 'ERROR', request_id: rid, error: 'Internal Server Error' });
      return text(code, code === 502 ? 'Bad Gateway' : 'Service Unavailable');
    }
    malformed = dBad < (faults.polygonMalformed ?? 0);
  }

  const reply = await match.route(url.searchParams, rid, match.m);
  if (malformed && reply.status === 200) {
    return { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
  }
  return reply;
}

function polygonRoutes(st: EmulatorState): Array<[RegExp, Route]> {
  return [
    [
      /^\/v2\/aggs\/grouped\/locale\/us\/market\/stocks\/([^/]+)$/,
      (q, rid, m) => groupedDaily(st, q, rid, dec(m[1])),
    ],
    [
      /^\/v2\/aggs\/ticker\/([^/]+)\/range\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/,
      (q, rid, m) => rangeAggs(st, q, rid, dec(m[1]), m[2], m[3], dec(m[4]), dec(m[5])),
    ],
    [/^\/v3\/reference\/tickers$/, (q, rid) => tickersList(st, q, rid)],
    [/^\/v3\/reference\/tickers\/types$/, async (_q, rid) => tickerTypes(rid)],
    [/^\/v3\/reference\/tickers\/([^/]+)$/, (q, rid, m) => tickerDetails(st, q, rid, dec(m[1]))],
    [/^\/v3\/reference\/splits$/, (q, rid) => splitsList(st, q, rid)],
  ];
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function badRequest(rid: string, error: string): Reply {
  return json(400, { status: 'ERROR', request_id: rid, error });
}

/** Adds `results` (or null / nothing when empty, per options) to a body. */
function withResults<T>(
  st: EmulatorState,
  body: Record<string, unknown>,
  results: T[],
): Record<string, unknown> {
  if (results.length > 0) body.results = results;
  else if (st.emptyResultsAsNull) body.results = null;
  return body;
}

/**
 * The 200 answer of an aggregates route (grouped daily, a range): the aggregates envelope (`ticker`
 * first when given, `queryCount` and `resultsCount` = the rows, `adjusted`, `status: OK`,
 * `request_id`) with the rows added by {@link withResults}.
 */
function aggsReply<T>(
  st: EmulatorState,
  rid: string,
  adjusted: boolean,
  results: T[],
  ticker?: string,
): Reply {
  return json(
    200,
    withResults(
      st,
      {
        ...(ticker === undefined ? {} : { ticker }),
        queryCount: results.length,
        resultsCount: results.length,
        adjusted,
        status: 'OK',
        request_id: rid,
      },
      results,
    ),
  );
}

/** Price factor (multiply prices, divide volumes) that adjusts a bar of `date` for later splits. */
async function priceFactor(st: EmulatorState, ticker: string, date: string): Promise<number> {
  const list = (await st.splitIndex()).get(ticker);
  if (!list) return 1;
  let f = 1;
  for (const s of list) if (s.executionDate > date) f *= s.splitFrom / s.splitTo;
  return f;
}

async function groupedDaily(
  st: EmulatorState,
  q: URLSearchParams,
  rid: string,
  date: string,
): Promise<Reply> {
  if (parseIsoDate(date) === null)
    return badRequest(rid, `Could not parse the date parameter '${date}'; use YYYY-MM-DD.`);
  const adjusted = parseBool(q.get('adjusted'), true);
  const includeOtc = parseBool(q.get('include_otc'), false);
  if (adjusted === null) return badRequest(rid, 'adjusted must be true or false');
  if (includeOtc === null) return badRequest(rid, 'include_otc must be true or false');
  const bars = (await st.source.groupedDaily(date)).filter((b) => includeOtc || !b.otc);
  const t = etWallToUtc(date, 16 * 3_600_000);
  const results: Record<string, unknown>[] = [];
  for (const b of bars) {
    const f = adjusted ? await priceFactor(st, b.T, date) : 1;
    const p = (x: number): number => (f === 1 ? x : round(x * f, 4));
    const row: Record<string, unknown> = { T: b.T, v: f === 1 ? b.v : round(b.v / f, 4) };
    if (b.vw !== undefined) row.vw = p(b.vw);
    Object.assign(row, { o: p(b.o), c: p(b.c), h: p(b.h), l: p(b.l), t });
    if (b.n !== undefined) row.n = b.n;
    if (b.otc) row.otc = true;
    results.push(row);
  }
  return aggsReply(st, rid, adjusted, results);
}

/** A `from`/`to` path value: `YYYY-MM-DD` (ET day) or ms epoch. */
function parseEdge(v: string, isTo: boolean): number | null {
  if (/^\d{9,15}$/.test(v)) return Number(v);
  const day = parseIsoDate(v);
  if (day === null) return null;
  return isTo ? etWallToUtc(dayToIso(day + DAY_MS), 0) - 1 : etWallToUtc(v, 0);
}

async function rangeAggs(
  st: EmulatorState,
  q: URLSearchParams,
  rid: string,
  ticker: string,
  multS: string,
  timespan: string,
  fromS: string,
  toS: string,
): Promise<Reply> {
  const mult = /^\d+$/.test(multS) ? Number(multS) : NaN;
  if (!Number.isInteger(mult) || mult < 1)
    return badRequest(rid, `multiplier must be a positive integer, got '${multS}'`);
  if (!['minute', 'hour', 'day'].includes(timespan)) {
    return badRequest(
      rid,
      `timespan '${timespan}' is not served by the emulator (minute, hour, day)`,
    );
  }
  if (timespan === 'day' && mult !== 1)
    return badRequest(rid, 'the emulator serves day bars with multiplier 1 only');
  const fromMs = parseEdge(fromS, false);
  const toMs = parseEdge(toS, true);
  if (fromMs === null || toMs === null)
    return badRequest(rid, `Could not parse from/to '${fromS}'/'${toS}'; use YYYY-MM-DD or ms`);
  const adjusted = parseBool(q.get('adjusted'), true);
  if (adjusted === null) return badRequest(rid, 'adjusted must be true or false');
  const sort = q.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return badRequest(rid, "sort must be 'asc' or 'desc'");
  const dates = toMs < fromMs ? [] : dateRange(utcToEt(fromMs).date, utcToEt(toMs).date);
  const maxDays = timespan === 'day' ? DAY_RANGE_MAX_DAYS : MINUTE_RANGE_MAX_DAYS;
  if (dates.length > maxDays)
    return badRequest(
      rid,
      `the emulator serves at most ${maxDays} days of ${timespan} bars per request`,
    );

  const results: Record<string, unknown>[] = [];
  if (timespan === 'day') {
    for (const d of dates) {
      const t = etWallToUtc(d, 0);
      if (t < fromMs || t > toMs) continue;
      const bar = (await st.source.groupedDaily(d)).find((b) => b.T === ticker);
      if (!bar) continue;
      const f = adjusted ? await priceFactor(st, ticker, d) : 1;
      const p = (x: number): number => (f === 1 ? x : round(x * f, 4));
      const row: Record<string, unknown> = { v: f === 1 ? bar.v : round(bar.v / f, 4) };
      if (bar.vw !== undefined) row.vw = p(bar.vw);
      Object.assign(row, { o: p(bar.o), c: p(bar.c), h: p(bar.h), l: p(bar.l), t });
      if (bar.n !== undefined) row.n = bar.n;
      results.push(row);
    }
  } else {
    const bucketMs = mult * (timespan === 'hour' ? 3_600_000 : 60_000);
    for (const d of dates) {
      const bars = await st.source.minuteBars(ticker, d);
      if (!bars) continue;
      const f = adjusted ? await priceFactor(st, ticker, d) : 1;
      for (const b of bucketBars(
        bars.filter((x) => x.startMs >= fromMs && x.startMs <= toMs),
        bucketMs,
      )) {
        const p = (x: number): number => (f === 1 ? x : round(x * f, 4));
        results.push({
          v: f === 1 ? b.volume : round(b.volume / f, 4),
          o: p(b.open),
          c: p(b.close),
          h: p(b.high),
          l: p(b.low),
          t: b.startMs,
          n: b.trades,
        });
      }
    }
  }
  if (sort === 'desc') results.reverse();
  return aggsReply(st, rid, adjusted, results, ticker);
}

/** Merges time-sorted bars into buckets of `bucketMs` aligned on the epoch (= ET-aligned up to 1 h). */
export function bucketBars(bars: readonly IntradayBar[], bucketMs: number): IntradayBar[] {
  const out: IntradayBar[] = [];
  for (const b of bars) {
    const start = Math.floor(b.startMs / bucketMs) * bucketMs;
    const last = out[out.length - 1];
    if (last && last.startMs === start) {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
      last.volume += b.volume;
      last.trades += b.trades;
    } else {
      out.push({ ...b, startMs: start, durationMs: bucketMs });
    }
  }
  return out;
}

/** Opaque pagination cursor: base64url of the normalized query and the offset. */
interface CursorState {
  p: Record<string, string>;
  o: number;
}

function encodeCursor(c: CursorState): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): CursorState | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as CursorState;
    if (
      typeof v !== 'object' ||
      v === null ||
      typeof v.o !== 'number' ||
      typeof v.p !== 'object' ||
      v.p === null
    )
      return null;
    return v;
  } catch {
    return null;
  }
}

/** The query of a list request: from its cursor when present, else its own params minus credentials. */
function listQuery(q: URLSearchParams): CursorState | null {
  const cursor = q.get('cursor');
  if (cursor !== null) return decodeCursor(cursor);
  const p: Record<string, string> = {};
  for (const [k, v] of q) if (k !== 'apiKey' && k !== 'apikey' && k !== 'cursor') p[k] = v;
  return { p, o: 0 };
}

function parseLimit(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) return null;
  return Math.min(1000, Number(v));
}

function rangeOk(value: string, p: Record<string, string>, field: string): boolean {
  const eq = p[field];
  if (eq !== undefined && value !== eq) return false;
  const gte = p[`${field}.gte`];
  const gt = p[`${field}.gt`];
  const lte = p[`${field}.lte`];
  const lt = p[`${field}.lt`];
  if (gte !== undefined && !(value >= gte)) return false;
  if (gt !== undefined && !(value > gt)) return false;
  if (lte !== undefined && !(value <= lte)) return false;
  if (lt !== undefined && !(value < lt)) return false;
  return true;
}

function page<T>(
  st: EmulatorState,
  path: string,
  cs: CursorState,
  size: number,
  all: T[],
  rid: string,
  map: (x: T) => unknown,
): Reply {
  const slice = all.slice(cs.o, cs.o + size);
  const body: Record<string, unknown> = { count: slice.length };
  if (cs.o + size < all.length) {
    body.next_url = `${st.urls.polygon}${path}?cursor=${encodeCursor({ p: cs.p, o: cs.o + size })}`;
  }
  body.request_id = rid;
  body.status = 'OK';
  return json(200, withResults(st, body, slice.map(map)));
}

const TICKER_SORT: Record<string, (t: RefTicker) => string> = {
  ticker: (t) => t.ticker,
  name: (t) => t.name,
  market: (t) => t.market,
  locale: () => 'us',
  primary_exchange: (t) => t.primaryExchange,
  type: (t) => t.type,
  delisted_utc: (t) => t.delistedUtc ?? '',
};

async function tickersList(st: EmulatorState, q: URLSearchParams, rid: string): Promise<Reply> {
  const cs = listQuery(q);
  if (!cs) return badRequest(rid, 'invalid cursor');
  const p = cs.p;
  const date = p.date ?? defaultDate(st.source);
  if (parseIsoDate(date) === null)
    return badRequest(rid, `Could not parse the date parameter '${date}'; use YYYY-MM-DD.`);
  const active = parseBool(p.active ?? null, true);
  if (active === null) return badRequest(rid, 'active must be true or false');
  const limit = parseLimit(p.limit, st.tickersPageSize);
  if (limit === null) return badRequest(rid, `limit must be a positive integer, got '${p.limit}'`);
  const size = Math.min(limit, st.tickersPageSize);
  const order = p.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') return badRequest(rid, "order must be 'asc' or 'desc'");
  const key = TICKER_SORT[p.sort ?? 'ticker'] ?? TICKER_SORT.ticker;
  const search = p.search?.toLowerCase();

  const all = (await st.source.referenceTickers(date)).filter(
    (t) =>
      t.active === active &&
      (p.market === undefined || t.market === p.market) &&
      (p.type === undefined || t.type === p.type) &&
      (p.exchange === undefined || t.primaryExchange === p.exchange) &&
      rangeOk(t.ticker, p, 'ticker') &&
      (search === undefined ||
        t.ticker.toLowerCase().includes(search) ||
        t.name.toLowerCase().includes(search)),
  );
  all.sort((a, b) => cmp(key(a), key(b)) || cmp(a.ticker, b.ticker));
  if (order === 'desc') all.reverse();
  return page(st, '/v3/reference/tickers', cs, size, all, rid, (t) => {
    const row: Record<string, unknown> = {
      ticker: t.ticker,
      name: t.name,
      market: t.market,
      locale: 'us',
      primary_exchange: t.primaryExchange,
      type: t.type,
      active: t.active,
      currency_name: 'usd',
    };
    if (t.delistedUtc !== undefined) row.delisted_utc = t.delistedUtc;
    row.last_updated_utc = `${date}T00:00:00Z`;
    return row;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function tickerDetails(
  st: EmulatorState,
  q: URLSearchParams,
  rid: string,
  ticker: string,
): Promise<Reply> {
  const date = q.get('date') ?? defaultDate(st.source);
  if (parseIsoDate(date) === null)
    return badRequest(rid, `Could not parse the date parameter '${date}'; use YYYY-MM-DD.`);
  const d = await st.source.tickerDetails(ticker, date);
  if (!d) return json(404, { status: 'NOT_FOUND', request_id: rid, message: 'Ticker not found.' });
  const results: Record<string, unknown> = {
    ticker: d.ticker,
    name: d.name,
    market: d.market,
    locale: 'us',
    primary_exchange: d.primaryExchange,
    type: d.type,
    active: d.active,
    currency_name: 'usd',
  };
  if (d.listDate !== undefined) results.list_date = d.listDate;
  if (d.marketCap !== undefined) results.market_cap = d.marketCap;
  if (d.shareClassSharesOutstanding !== undefined)
    results.share_class_shares_outstanding = d.shareClassSharesOutstanding;
  if (d.weightedSharesOutstanding !== undefined)
    results.weighted_shares_outstanding = d.weightedSharesOutstanding;
  return json(200, { request_id: rid, results, status: 'OK' });
}

function tickerTypes(rid: string): Reply {
  const results = TICKER_TYPES.map(([code, description]) => ({
    code,
    description,
    asset_class: 'stocks',
    locale: 'us',
  }));
  return json(200, { count: results.length, request_id: rid, results, status: 'OK' });
}

async function splitsList(st: EmulatorState, q: URLSearchParams, rid: string): Promise<Reply> {
  const cs = listQuery(q);
  if (!cs) return badRequest(rid, 'invalid cursor');
  const p = cs.p;
  const limit = parseLimit(p.limit, 10);
  if (limit === null) return badRequest(rid, `limit must be a positive integer, got '${p.limit}'`);
  const reverse = parseBool(p.reverse_split ?? null, false);
  if (reverse === null) return badRequest(rid, 'reverse_split must be true or false');
  const order = p.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') return badRequest(rid, "order must be 'asc' or 'desc'");
  const sort = p.sort ?? 'execution_date';
  if (sort !== 'execution_date' && sort !== 'ticker')
    return badRequest(rid, "sort must be 'execution_date' or 'ticker'");
  for (const k of Object.keys(p)) {
    if (k.startsWith('execution_date') && parseIsoDate(p[k]) === null)
      return badRequest(rid, `Could not parse ${k} '${p[k]}'; use YYYY-MM-DD.`);
  }
  const all: SplitRecord[] = (await st.source.splits()).filter(
    (s) =>
      rangeOk(s.ticker, p, 'ticker') &&
      rangeOk(s.executionDate, p, 'execution_date') &&
      (p.reverse_split === undefined || s.splitFrom > s.splitTo === reverse),
  );
  all.sort((a, b) =>
    sort === 'ticker'
      ? cmp(a.ticker, b.ticker) || cmp(a.executionDate, b.executionDate) || cmp(a.id, b.id)
      : cmp(a.executionDate, b.executionDate) || cmp(a.ticker, b.ticker) || cmp(a.id, b.id),
  );
  if (order === 'desc') all.reverse();
  return page(st, '/v3/reference/splits', cs, limit, all, rid, (s) => ({
    id: s.id,
    ticker: s.ticker,
    execution_date: s.executionDate,
    split_from: s.splitFrom,
    split_to: s.splitTo,
  }));
}
