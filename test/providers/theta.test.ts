import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createThetaClient } from '../../source/providers/theta/client.js';
import { ProviderError, type ThetaApi } from '../../source/providers/types.js';
import {
  cfgWith,
  closedPortUrl,
  deferred,
  instantSleep,
  json,
  reply,
  fixtureServers,
  v2Ohlc,
  v2Trades,
  v3Csv,
  type TestServer,
} from './servers.js';

const DATE = '2024-01-02';
const DATE_INT = 20240102;
const PM_START_MS = 14_400_000; // 04:00 ET
const PM_END_MS = 34_200_000; // 09:30 ET

const { cleanups, server } = fixtureServers();

function client(
  v3Url: string,
  v1Url: string,
  overrides: Parameters<typeof cfgWith>[0] = {},
  log?: (l: string) => void,
): { theta: ThetaApi; waits: number[] } {
  const { sleep, waits } = instantSleep();
  const theta = createThetaClient(cfgWith({ THETA_RETRIES: '2', ...overrides }), {
    v3Url,
    v1Url,
    sleep,
    ...(log ? { log } : {}),
  });
  cleanups.push(() => theta.close());
  return { theta, waits };
}

const v3Path = (s: TestServer) =>
  s.requests.filter((r) => r.url.pathname === '/v3/stock/history/trade');
const v1TradePath = (s: TestServer) =>
  s.requests.filter((r) => r.url.pathname === '/v2/hist/stock/trade');
const v1OhlcPath = (s: TestServer) =>
  s.requests.filter((r) => r.url.pathname === '/v2/hist/stock/ohlc');

/** A v1 server that must not be asked. */
async function unusedV1(): Promise<TestServer> {
  return server((_req, res) => reply(res, 500, 'v1 should not be asked'));
}

describe('theta initLine', () => {
  it('prints the configured caps and timeout exactly', () => {
    const a = createThetaClient(cfgWith());
    expect(a.initLine()).toBe('[theta] init v3_limit=4 v1_limit=4 timeout=10');
    const b = createThetaClient(
      cfgWith({
        THETA_V3_MAX_OUTSTANDING: '8',
        THETA_V1_MAX_OUTSTANDING: '2',
        THETA_TIMEOUT_SEC: '2.5',
      }),
    );
    expect(b.initLine()).toBe('[theta] init v3_limit=8 v1_limit=2 timeout=2.5');
  });
});

describe('theta v3 trades', () => {
  it('parses CRLF CSV by header name, keeps 04:00:00.000 and drops 09:30:00.000, sends window and venue', async () => {
    const columns = ['price', 'size', 'exchange', 'timestamp', 'sequence', 'condition'];
    const body = v3Csv(
      [
        ['2024-01-02T03:59:59.999', 9.99],
        ['2024-01-02T04:00:00.000', 5.0],
        ['2024-01-02T07:12:00.500', 4.5],
        ['2024-01-02T09:29:59.999', 4.4],
        ['2024-01-02T09:30:00.000', 7.77],
      ],
      columns,
    );
    expect(body).toContain('\r\n');
    const v3 = await server((_req, res) => reply(res, 200, body, { 'content-type': 'text/csv' }));
    const v1 = await unusedV1();
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a).toEqual({
      symbol: 'ABCD',
      date: DATE,
      outcome: 'high',
      high: 5.0,
      source: 'v3_trades',
      venue: 'utp_cta',
      rawHigh: 5.0,
    });
    expect(v3.requests).toHaveLength(1);
    const q = v3.requests[0].url.searchParams;
    expect(v3.requests[0].url.pathname).toBe('/v3/stock/history/trade');
    expect(q.get('symbol')).toBe('ABCD');
    expect(q.get('date')).toBe('20240102');
    expect(q.get('start_time')).toBe('04:00:00');
    expect(q.get('end_time')).toBe('09:29:59.999');
    expect(q.get('venue')).toBe('utp_cta');
    expect(q.get('format')).toBe('csv');
    expect(v1.requests).toHaveLength(0);
    // No gzip: the client never asks for an encoding.
    expect(v3.requests[0].headers['accept-encoding']).toBeUndefined();
  });

  it('honours PM_START/PM_END from the config', async () => {
    const v3 = await server((_req, res) =>
      reply(
        res,
        200,
        v3Csv([
          ['2024-01-02T05:00:00.000', 3],
          ['2024-01-02T08:59:59.999', 4],
          ['2024-01-02T09:00:00.000', 8],
        ]),
      ),
    );
    const { theta } = client(v3.url, (await unusedV1()).url, {
      PM_START: '05:00:00',
      PM_END: '09:00:00',
    });
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a.high).toBe(4);
    expect(v3.requests[0].url.searchParams.get('start_time')).toBe('05:00:00');
    expect(v3.requests[0].url.searchParams.get('end_time')).toBe('08:59:59.999');
  });

  it('472 is a definitive no_trades with exactly one request and no cascade', async () => {
    const v3 = await server((_req, res) => reply(res, 472, 'No data found for your request'));
    const v1 = await unusedV1();
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('QUIET', DATE);
    expect(a).toEqual({
      symbol: 'QUIET',
      date: DATE,
      outcome: 'no_trades',
      high: null,
      source: 'v3_trades',
      venue: 'utp_cta',
      rawHigh: null,
    });
    expect(v3.requests).toHaveLength(1);
    expect(v1.requests).toHaveLength(0);
  });

  it('an empty 200 (header only) and a 204 are no_trades without cascade', async () => {
    const v3 = await server((_req, res, url) => {
      if (url.searchParams.get('symbol') === 'EMPTY') reply(res, 200, v3Csv([]));
      else {
        res.writeHead(204);
        res.end();
      }
    });
    const v1 = await unusedV1();
    const { theta } = client(v3.url, v1.url);
    expect((await theta.premarketHigh('EMPTY', DATE)).outcome).toBe('no_trades');
    expect((await theta.premarketHigh('NOCONTENT', DATE)).outcome).toBe('no_trades');
    expect(v1.requests).toHaveLength(0);
    expect(theta.diagnostics(DATE)['v3_trades:utp_cta']).toEqual({
      '200': 1,
      '204': 1,
      '472': 0,
      other: 0,
    });
  });
});

describe('theta cascade', () => {
  const v1Good = (res: http.ServerResponse, url: URL) => {
    if (url.pathname === '/v2/hist/stock/trade') {
      json(
        res,
        200,
        v2Trades(
          [
            [PM_START_MS, 2.5],
            [20_000_000, 3.25],
            [PM_END_MS - 1, 3.0],
            [PM_END_MS, 9.0],
          ],
          DATE_INT,
        ),
      );
    } else reply(res, 500, 'ohlc should not be asked');
  };

  it('v3 500 on every attempt (retries+1) falls back to v1 trades', async () => {
    const v3 = await server((_req, res) => reply(res, 500, 'boom'));
    const v1 = await server((_req, res, url) => v1Good(res, url));
    const { theta, waits } = client(v3.url, v1.url, { THETA_RETRIES: '2' });
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a).toEqual({
      symbol: 'ABCD',
      date: DATE,
      outcome: 'high',
      high: 3.25,
      source: 'v1_trades',
      venue: 'utp_cta',
      rawHigh: 3.25,
    });
    expect(v3Path(v3)).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(v1TradePath(v1)).toHaveLength(1);
    expect(v1OhlcPath(v1)).toHaveLength(0);
    const q = v1.requests[0].url.searchParams;
    expect(Object.fromEntries(q)).toEqual({
      root: 'ABCD',
      start_date: '20240102',
      end_date: '20240102',
      start_time: '14400000',
      end_time: '34199999',
      venue: 'utp_cta',
    });
    const [m3] = theta.metrics();
    expect(m3.counts.s5xx).toBe(3);
    expect(theta.diagnostics(DATE)['v3_trades:utp_cta'].other).toBe(3);
  });

  it('v3 down (connection refused) falls back to v1 trades', async () => {
    const v3Url = await closedPortUrl();
    const v1 = await server((_req, res, url) => v1Good(res, url));
    const { theta } = client(v3Url, v1.url, { THETA_RETRIES: '1' });
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a.source).toBe('v1_trades');
    expect(a.high).toBe(3.25);
    const [m3, m1] = theta.metrics();
    expect(m3.upstream).toBe('theta_v3');
    expect(m3.counts.other).toBe(2);
    expect(m3.errors).toBe(2);
    expect(m1.counts.s200).toBe(1);
  });

  it('a malformed v3 body fails that source and cascades (no retry of the body)', async () => {
    const v3 = await server((_req, res) => reply(res, 200, '<html>terminal error page</html>'));
    const v1 = await server((_req, res, url) => v1Good(res, url));
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a.source).toBe('v1_trades');
    expect(v3Path(v3)).toHaveLength(1);
  });

  it('v3 and v1 trades failing fall back to v1 one-minute bars (count>0, inside the window)', async () => {
    const v3 = await server((_req, res) => reply(res, 471, 'PERMISSION'));
    const v1 = await server((_req, res, url) => {
      if (url.pathname === '/v2/hist/stock/trade') reply(res, 410, 'Gone');
      else
        json(
          res,
          200,
          v2Ohlc(
            [
              [PM_START_MS, 4.2, 3],
              [PM_START_MS + 60_000, 99, 0],
              [PM_END_MS - 60_000, 4.1, 1],
              [PM_END_MS, 50, 5],
            ],
            DATE_INT,
          ),
        );
    });
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a).toEqual({
      symbol: 'ABCD',
      date: DATE,
      outcome: 'high',
      high: 4.2,
      source: 'v1_ohlc_1m',
      venue: 'rth_false',
      rawHigh: 4.2,
    });
    expect(v3Path(v3)).toHaveLength(1); // 471: no retry
    expect(v1TradePath(v1)).toHaveLength(1); // 410: no retry
    const q = v1OhlcPath(v1)[0].url.searchParams;
    expect(q.get('ivl')).toBe('60000');
    expect(q.get('rth')).toBe('false');
    expect(q.get('start_time')).toBe('14400000');
    expect(q.get('end_time')).toBe('34199999');
    expect(q.get('root')).toBe('ABCD');
  });

  it('every source down gives unanswered with a reason, without throwing', async () => {
    const v3Url = await closedPortUrl();
    const v1Url = await closedPortUrl();
    const { theta } = client(v3Url, v1Url, { THETA_RETRIES: '1' });
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a.outcome).toBe('unanswered');
    expect(a.high).toBeNull();
    expect(a.source).toBeNull();
    expect(a.venue).toBeNull();
    expect(a.error).toMatch(/v1_ohlc_1m:rth_false: theta_v1: network error/);
    expect(a.error).not.toContain('\n');
    const d = theta.diagnostics(DATE);
    expect(d['v3_trades:utp_cta'].other).toBe(2);
    expect(d['v1_trades:utp_cta'].other).toBe(2);
    expect(d['v1_ohlc_1m:rth_false'].other).toBe(2);
  });

  it('a 429 storm then success yields the high; Retry-After is honoured', async () => {
    let n = 0;
    const v3 = await server((_req, res) => {
      n++;
      if (n === 1) reply(res, 429, 'queue full', { 'retry-after': '7' });
      else if (n <= 4) reply(res, 429, 'queue full');
      else reply(res, 200, v3Csv([['2024-01-02T08:00:00.000', 12.5]]));
    });
    const { theta, waits } = client(v3.url, (await unusedV1()).url, {
      THETA_RETRIES: '5',
      THETA_BACKOFF_BASE: '0.25',
    });
    const a = await theta.premarketHigh('HOT', DATE);
    expect(a).toMatchObject({ outcome: 'high', high: 12.5, source: 'v3_trades' });
    expect(v3.requests).toHaveLength(5);
    expect(waits).toHaveLength(4);
    expect(waits[0]).toBe(7000);
    // Exponential backoff with jitter: attempt n waits within [base*2^n/2, base*2^n].
    waits.slice(1).forEach((w, i) => {
      const ceil = 250 * 2 ** (i + 1);
      expect(w).toBeGreaterThanOrEqual(ceil / 2);
      expect(w).toBeLessThanOrEqual(ceil);
    });
    expect(theta.metrics()[0].counts.s429).toBe(4);
  });

  it('470 is retried once, then the source fails', async () => {
    const v3 = await server((_req, res) => reply(res, 470, 'GENERAL'));
    const v1 = await server((_req, res, url) => v1Good(res, url));
    const { theta } = client(v3.url, v1.url, { THETA_RETRIES: '3' });
    expect((await theta.premarketHigh('ABCD', DATE)).source).toBe('v1_trades');
    expect(v3.requests).toHaveLength(2);
  });

  it('a v1 200 whose header.error_type is NO_DATA is no_trades from v1 trades', async () => {
    const v3 = await server((_req, res) => reply(res, 404, 'NO_IMPL'));
    const v1 = await server((_req, res) =>
      json(res, 200, v2Trades([], DATE_INT, 'null', 'NO_DATA')),
    );
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a).toMatchObject({ outcome: 'no_trades', source: 'v1_trades', venue: 'utp_cta' });
    expect(v1.requests).toHaveLength(1);
    expect(theta.diagnostics(DATE)['v1_trades:utp_cta']['472']).toBe(1);
  });

  it('follows v1 header.next_page URLs', async () => {
    const v3 = await server((_req, res) => reply(res, 473, 'INVALID_PARAMS'));
    let v1Url = '';
    const v1 = await server((_req, res, url) => {
      if (url.pathname === '/v2/hist/stock/trade')
        json(res, 200, v2Trades([[PM_START_MS + 5, 1.5]], DATE_INT, `${v1Url}/v2/page/77`));
      else if (url.pathname === '/v2/page/77')
        json(res, 200, v2Trades([[30_000_000, 2.75]], DATE_INT));
      else reply(res, 477, 'NO_PAGE_FOUND');
    });
    v1Url = v1.url;
    const { theta } = client(v3.url, v1.url);
    const a = await theta.premarketHigh('ABCD', DATE);
    expect(a).toMatchObject({ outcome: 'high', high: 2.75, source: 'v1_trades' });
    expect(v1.requests.map((r) => r.url.pathname)).toEqual(['/v2/hist/stock/trade', '/v2/page/77']);
  });

  it('a timeout is counted and retried, then cascades', async () => {
    const v3 = await server(() => {
      /* never answers */
    });
    const v1 = await server((_req, res, url) => v1Good(res, url));
    // 2 s: long enough that the answering v1 server is never taken for a stall on a busy machine
    // (0.1 s failed at load 20), short enough for two v3 timeouts to cost 4 s of waiting, no CPU.
    const { theta } = client(v3.url, v1.url, { THETA_RETRIES: '1', THETA_TIMEOUT_SEC: '2' });
    const a = await theta.premarketHigh('SLOW', DATE);
    expect(a.source).toBe('v1_trades');
    expect(theta.metrics()[0].counts.timeouts).toBe(2);
    expect(theta.diagnostics(DATE)['v3_trades:utp_cta'].other).toBe(2);
  });

  it('rejects with ProviderError aborted when the caller aborts; bad dates are a one-line Error', async () => {
    const ac = new AbortController();
    const v3 = await server(() => ac.abort());
    const { theta } = client(v3.url, (await unusedV1()).url);
    const err = await theta.premarketHigh('ABCD', DATE, ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('aborted');
    await expect(theta.premarketHigh('ABCD', '20240102')).rejects.toThrow(
      /date must be YYYY-MM-DD/,
    );
  });
});

describe('theta diagnostics and 472 logging', () => {
  it('counts per source and date, and logs only the first THETA_MAX_472_LOGS 472s per venue and day', async () => {
    const v3 = await server((_req, res, url) => {
      const s = url.searchParams.get('symbol') ?? '';
      if (s.startsWith('Q')) reply(res, 472, 'No data');
      else if (s === 'HIGH') reply(res, 200, v3Csv([['2024-01-02T06:00:00.000', 1.25]]));
      else if (s === 'EMPTY') reply(res, 200, v3Csv([]));
      else if (s === 'NOCONT') {
        res.writeHead(204);
        res.end();
      } else reply(res, 500, 'down');
    });
    const v1 = await server((_req, res) => reply(res, 472, 'No data'));
    const lines: string[] = [];
    const { theta } = client(v3.url, v1.url, { THETA_RETRIES: '2', THETA_MAX_472_LOGS: '2' }, (l) =>
      lines.push(l),
    );
    for (const s of ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'HIGH', 'EMPTY', 'NOCONT', 'FAIL'])
      await theta.premarketHigh(s, DATE);
    for (const s of ['Q6', 'Q7']) await theta.premarketHigh(s, '2024-01-03');

    expect(theta.diagnostics(DATE)).toEqual({
      'v3_trades:utp_cta': { '200': 2, '204': 1, '472': 5, other: 3 },
      'v1_trades:utp_cta': { '200': 0, '204': 0, '472': 1, other: 0 },
      'v1_ohlc_1m:rth_false': { '200': 0, '204': 0, '472': 0, other: 0 },
    });
    expect(theta.diagnostics('2024-01-03')['v3_trades:utp_cta']['472']).toBe(2);
    expect(theta.diagnostics('2024-01-04')['v3_trades:utp_cta']).toEqual({
      '200': 0,
      '204': 0,
      '472': 0,
      other: 0,
    });

    const v3Lines = lines.filter((l) => l.includes('v3_trades:utp_cta') && l.includes(DATE));
    expect(v3Lines).toHaveLength(2);
    expect(v3Lines[0]).toMatch(/^\[theta\] 472 no data v3_trades:utp_cta Q1 2024-01-02/);
    expect(lines.filter((l) => l.includes('v1_trades:utp_cta'))).toHaveLength(1);
    // A new day starts a new allowance.
    expect(lines.filter((l) => l.includes('2024-01-03'))).toHaveLength(2);
    expect(lines).toHaveLength(5);
  });
});

describe('theta concurrency', () => {
  it('never has more than THETA_V3_MAX_OUTSTANDING requests in flight (20 lookups, cap 3)', async () => {
    const CAP = 3;
    const TOTAL = 20;
    const held: http.ServerResponse[] = [];
    let arrivals = 0;
    let clientInFlightMax = 0;
    let clientQueuedMax = 0;
    const release = () => {
      for (const res of held.splice(0)) reply(res, 200, v3Csv([['2024-01-02T05:00:00.000', 2]]));
    };
    const v3 = await server((_req, res) => {
      arrivals++;
      held.push(res);
      const [m] = theta.metrics();
      clientInFlightMax = Math.max(clientInFlightMax, m.inFlight);
      clientQueuedMax = Math.max(clientQueuedMax, m.queued);
      if (arrivals === TOTAL) release();
      // Hold a full cap for a moment: a client above the cap would send more meanwhile.
      else if (held.length === CAP) setTimeout(release, 5);
    });
    const { theta } = client(v3.url, (await unusedV1()).url, {
      THETA_V3_MAX_OUTSTANDING: String(CAP),
    });
    const answers = await Promise.all(
      Array.from({ length: TOTAL }, (_, i) => theta.premarketHigh(`S${i}`, DATE)),
    );
    expect(answers.every((a) => a.outcome === 'high' && a.source === 'v3_trades')).toBe(true);
    expect(v3.requests).toHaveLength(TOTAL);
    expect(v3.maxConcurrent()).toBe(CAP);
    expect(clientInFlightMax).toBe(CAP);
    expect(clientQueuedMax).toBeGreaterThan(0);
    const [m] = theta.metrics();
    expect(m).toMatchObject({
      upstream: 'theta_v3',
      cap: CAP,
      inFlight: 0,
      queued: 0,
      requests: TOTAL,
      errors: 0,
    });
    expect(m.counts.s200).toBe(TOTAL);
    expect(m.p50Ms).not.toBeNull();
    expect(m.p95Ms).not.toBeNull();
  });

  it('pause() starts no new requests while in-flight ones finish; resume() continues', async () => {
    const held: http.ServerResponse[] = [];
    const twoArrived = deferred();
    let answerAtOnce = false;
    const v3 = await server((_req, res) => {
      if (answerAtOnce) return reply(res, 200, v3Csv([['2024-01-02T05:00:00.000', 2]]));
      held.push(res);
      if (held.length === 2) twoArrived.resolve();
    });
    const { theta } = client(v3.url, (await unusedV1()).url, { THETA_V3_MAX_OUTSTANDING: '2' });
    const ps = ['A', 'B', 'C', 'D'].map((s) => theta.premarketHigh(s, DATE));
    await twoArrived.promise;
    theta.pause();
    answerAtOnce = true;
    for (const res of held.splice(0)) reply(res, 200, v3Csv([['2024-01-02T05:00:00.000', 1]]));
    const [a, b] = await Promise.all([ps[0], ps[1]]);
    expect(a.outcome).toBe('high');
    expect(b.outcome).toBe('high');
    const [m] = theta.metrics();
    expect(m.inFlight).toBe(0);
    expect(m.queued).toBe(2);
    expect(v3.requests).toHaveLength(2);
    theta.resume();
    const [c, d] = await Promise.all([ps[2], ps[3]]);
    expect(c.high).toBe(2);
    expect(d.high).toBe(2);
    expect(v3.requests).toHaveLength(4);
  });
});
