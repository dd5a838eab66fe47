import { describe, expect, it } from 'vitest';
import { createPolygonClient, type PolygonClient } from '../../source/providers/polygon/client.js';
import { ProviderError } from '../../source/providers/types.js';
import { cfgWith, closedPortUrl, instantSleep, json, reply, fixtureServers } from './servers.js';

const KEY = 'pk_SEKRET_123456';
const DATE = '2024-01-02';

const { cleanups, server } = fixtureServers();

function client(
  baseUrl: string,
  overrides: Parameters<typeof cfgWith>[0] = {},
): { pg: PolygonClient; waits: number[] } {
  const { sleep, waits } = instantSleep();
  const pg = createPolygonClient(cfgWith({ POLYGON_RETRIES: '3', ...overrides }), {
    baseUrl,
    apiKey: KEY,
    sleep,
  });
  cleanups.push(() => pg.close());
  return { pg, waits };
}

async function caught(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

function expectNoKey(e: ProviderError): void {
  expect(e.message).not.toContain(KEY);
  expect(e.url).not.toContain(KEY);
  expect(String(e.stack)).not.toContain(KEY);
}

describe('polygon auth and grouped daily', () => {
  it('sends the key as Bearer only and maps grouped daily bars', async () => {
    const s = await server((_req, res) =>
      json(res, 200, {
        status: 'OK',
        request_id: 'a1',
        queryCount: 2,
        resultsCount: 2,
        adjusted: false,
        results: [
          {
            T: 'ABCD',
            v: 1520300,
            vw: 4.1822,
            o: 3.95,
            c: 4.31,
            h: 4.48,
            l: 3.9,
            t: 1704229200000,
            n: 8123,
          },
          { T: 'QQQQ', v: 10.5, o: 1, c: 1, h: 1, l: 1, t: 1704229200000 },
        ],
      }),
    );
    const { pg } = client(s.url);
    const bars = await pg.groupedDaily(DATE);
    expect(bars).toEqual([
      {
        symbol: 'ABCD',
        open: 3.95,
        high: 4.48,
        low: 3.9,
        close: 4.31,
        volume: 1520300,
        vwap: 4.1822,
        transactions: 8123,
        otc: false,
      },
      {
        symbol: 'QQQQ',
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 10.5,
        vwap: null,
        transactions: null,
        otc: false,
      },
    ]);
    const r = s.requests[0];
    expect(r.url.pathname).toBe(`/v2/aggs/grouped/locale/us/market/stocks/${DATE}`);
    expect(Object.fromEntries(r.url.searchParams)).toEqual({
      adjusted: 'false',
      include_otc: 'false',
    });
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.headers['accept-encoding']).toBeUndefined();
    expect(r.url.search).not.toMatch(/apikey/i);
  });

  it('treats results missing, null and [] alike as no bars; DELAYED is accepted', async () => {
    const s = await server((_req, res, url) => {
      const d = url.pathname.split('/').pop();
      const base = { queryCount: 0, resultsCount: 0, adjusted: false, request_id: 'x' };
      if (d === '2024-01-06') json(res, 200, { ...base, status: 'OK' });
      else if (d === '2024-01-07') json(res, 200, { ...base, status: 'OK', results: null });
      else json(res, 200, { ...base, status: 'DELAYED', results: [] });
    });
    const { pg } = client(s.url);
    expect(await pg.groupedDaily('2024-01-06')).toEqual([]);
    expect(await pg.groupedDaily('2024-01-07')).toEqual([]);
    expect(await pg.groupedDaily('2024-01-08')).toEqual([]);
  });

  it('rejects a bad date with a one-line Error before any request', async () => {
    const s = await server((_req, res) => json(res, 200, { status: 'OK' }));
    const { pg } = client(s.url);
    await expect(pg.groupedDaily('2024/01/02')).rejects.toThrow(/date must be YYYY-MM-DD/);
    expect(s.requests).toHaveLength(0);
  });
});

describe('polygon pagination', () => {
  it('referenceTickers asks active=true and active=false, follows next_url verbatim and merges', async () => {
    let base = '';
    const s = await server((_req, res, url) => {
      const cursor = url.searchParams.get('cursor');
      const active = url.searchParams.get('active');
      if (cursor === 'PAGE2') {
        json(res, 200, {
          status: 'OK',
          request_id: 'p2',
          results: [
            { ticker: 'BBB', type: 'CS', primary_exchange: 'XNYS', market: 'stocks', active: true },
          ],
        });
      } else if (active === 'true') {
        json(res, 200, {
          status: 'OK',
          request_id: 'p1',
          count: 2,
          next_url: `${base}/v3/reference/tickers?cursor=PAGE2`,
          results: [
            {
              ticker: 'CCC',
              type: 'ETF',
              primary_exchange: 'ARCX',
              market: 'stocks',
              active: true,
            },
            { ticker: 'AAA', market: 'stocks', active: true },
          ],
        });
      } else {
        json(res, 200, {
          status: 'OK',
          request_id: 'd1',
          results: [
            {
              ticker: 'DDD',
              type: 'CS',
              primary_exchange: 'XNAS',
              market: 'stocks',
              active: false,
              delisted_utc: '2023-12-29T00:00:00Z',
            },
            {
              ticker: 'AAA',
              type: 'CS',
              primary_exchange: 'XNAS',
              market: 'stocks',
              active: false,
              delisted_utc: '2020-01-01T00:00:00Z',
            },
          ],
        });
      }
    });
    base = s.url;
    const { pg } = client(s.url);
    const t = await pg.referenceTickers(DATE);
    expect(t).toEqual([
      {
        symbol: 'AAA',
        type: '',
        primaryExchange: '',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
      {
        symbol: 'BBB',
        type: 'CS',
        primaryExchange: 'XNYS',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
      {
        symbol: 'CCC',
        type: 'ETF',
        primaryExchange: 'ARCX',
        market: 'stocks',
        active: true,
        delistedUtc: null,
      },
      {
        symbol: 'DDD',
        type: 'CS',
        primaryExchange: 'XNAS',
        market: 'stocks',
        active: false,
        delistedUtc: '2023-12-29T00:00:00Z',
      },
    ]);
    expect(s.requests).toHaveLength(3);
    const firsts = s.requests
      .filter((r) => !r.url.searchParams.has('cursor'))
      .map((r) => Object.fromEntries(r.url.searchParams));
    expect(firsts).toContainEqual({ market: 'stocks', date: DATE, active: 'true', limit: '1000' });
    expect(firsts).toContainEqual({ market: 'stocks', date: DATE, active: 'false', limit: '1000' });
    const page2 = s.requests.find((r) => r.url.searchParams.has('cursor'))!;
    expect(page2.url.pathname + page2.url.search).toBe('/v3/reference/tickers?cursor=PAGE2');
    expect(page2.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('splits follow next_url (even to an unusual path) and map from/to', async () => {
    let base = '';
    const s = await server((_req, res, url) => {
      if (url.pathname === '/v3/splits/odd') {
        json(res, 200, {
          status: 'OK',
          results: [
            { id: 'b', ticker: 'WXYZ', execution_date: '2024-01-05', split_from: 1, split_to: 4 },
          ],
        });
      } else {
        json(res, 200, {
          status: 'OK',
          next_url: `${base}/v3/splits/odd?cursor=zz`,
          results: [
            { id: 'a', ticker: 'ABCD', execution_date: '2024-01-02', split_from: 10, split_to: 1 },
          ],
        });
      }
    });
    base = s.url;
    const { pg } = client(s.url);
    expect(await pg.splits('2024-01-01', '2024-01-31')).toEqual([
      { symbol: 'ABCD', executionDate: '2024-01-02', splitFrom: 10, splitTo: 1 },
      { symbol: 'WXYZ', executionDate: '2024-01-05', splitFrom: 1, splitTo: 4 },
    ]);
    expect(Object.fromEntries(s.requests[0].url.searchParams)).toEqual({
      'execution_date.gte': '2024-01-01',
      'execution_date.lte': '2024-01-31',
      limit: '1000',
    });
    expect(s.requests[1].url.search).toBe('?cursor=zz');
  });

  it('a next_url loop is a malformed error, not an endless crawl', async () => {
    let base = '';
    const s = await server((_req, res) =>
      json(res, 200, {
        status: 'OK',
        next_url: `${base}/v3/reference/splits?cursor=same`,
        results: [],
      }),
    );
    base = s.url;
    const { pg } = client(s.url);
    const e = await caught(pg.splits('2024-01-01', '2024-01-31'));
    expect(e.kind).toBe('malformed');
    expect(s.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('polygon details and minute aggs', () => {
  it('tickerDetails maps shares (share class, else weighted) and returns null on 404', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname.endsWith('/NOPE'))
        return json(res, 404, {
          status: 'NOT_FOUND',
          request_id: 'n',
          message: 'Ticker not found.',
        });
      if (url.pathname.endsWith('/WTD'))
        return json(res, 200, {
          status: 'OK',
          results: {
            ticker: 'WTD',
            type: 'CS',
            primary_exchange: 'XNYS',
            weighted_shares_outstanding: 5e6,
          },
        });
      json(res, 200, {
        status: 'OK',
        results: {
          ticker: 'ABCD',
          type: 'CS',
          primary_exchange: 'XNAS',
          market_cap: 84500000.5,
          share_class_shares_outstanding: 21000000,
          weighted_shares_outstanding: 20950000,
        },
      });
    });
    const { pg } = client(s.url);
    expect(await pg.tickerDetails('ABCD', DATE)).toEqual({
      symbol: 'ABCD',
      type: 'CS',
      primaryExchange: 'XNAS',
      sharesOutstanding: 21000000,
      marketCap: 84500000.5,
    });
    expect((await pg.tickerDetails('WTD', DATE))?.sharesOutstanding).toBe(5e6);
    expect(await pg.tickerDetails('NOPE', DATE)).toBeNull();
    expect(s.requests[0].url.searchParams.get('date')).toBe(DATE);
    expect(s.requests.filter((r) => r.url.pathname.endsWith('/NOPE'))).toHaveLength(1);
  });

  it('minuteAggs asks one unadjusted ascending day with limit 50000', async () => {
    const s = await server((_req, res) =>
      json(res, 200, {
        ticker: 'ABCD',
        status: 'OK',
        results: [
          { v: 1200, vw: 3.98, o: 3.95, c: 4.0, h: 4.02, l: 3.95, t: 1704186000000, n: 14 },
        ],
      }),
    );
    const { pg } = client(s.url);
    expect(await pg.minuteAggs('ABCD', DATE)).toEqual([
      { startMs: 1704186000000, open: 3.95, high: 4.02, low: 3.95, close: 4.0, volume: 1200 },
    ]);
    expect(s.requests[0].url.pathname).toBe(`/v2/aggs/ticker/ABCD/range/1/minute/${DATE}/${DATE}`);
    expect(Object.fromEntries(s.requests[0].url.searchParams)).toEqual({
      adjusted: 'false',
      sort: 'asc',
      limit: '50000',
    });
  });
});

describe('polygon errors and retries', () => {
  it('403 with `message` fails at once with that text', async () => {
    const text =
      'You are not entitled to this data. Please upgrade your plan at https://polygon.example.com/pricing';
    const s = await server((_req, res) =>
      json(res, 403, { status: 'NOT_AUTHORIZED', request_id: 'r', message: text }),
    );
    const { pg, waits } = client(s.url);
    const e = await caught(pg.minuteAggs('ABCD', DATE));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(403);
    expect(e.upstream).toBe('polygon');
    expect(e.message).toContain(text);
    expect(s.requests).toHaveLength(1);
    expect(waits).toHaveLength(0);
  });

  it('401 with `error` fails at once with that text', async () => {
    const s = await server((_req, res) =>
      json(res, 401, { status: 'ERROR', request_id: 'r', error: 'Unknown API Key' }),
    );
    const { pg } = client(s.url);
    const e = await caught(pg.groupedDaily(DATE));
    expect(e.status).toBe(401);
    expect(e.message).toContain('Unknown API Key');
    expect(s.requests).toHaveLength(1);
  });

  it('429 then 200 is retried and succeeds', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      if (n === 1)
        json(res, 429, {
          status: 'ERROR',
          error: "You've exceeded the maximum requests per minute",
        });
      else json(res, 200, { status: 'OK', results: [{ T: 'A', o: 1, h: 2, l: 1, c: 2, v: 3 }] });
    });
    const { pg, waits } = client(s.url);
    expect(await pg.groupedDaily(DATE)).toHaveLength(1);
    expect(s.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(pg.metrics().counts).toMatchObject({ s429: 1, s200: 1 });
  });

  it('5xx on every attempt fails after POLYGON_RETRIES retries, backoff capped at 30 s', async () => {
    const s = await server((_req, res) => reply(res, 502, ''));
    const { pg, waits } = client(s.url, { POLYGON_RETRIES: '4', POLYGON_BACKOFF_BASE: '20' });
    const e = await caught(pg.groupedDaily(DATE));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(502);
    expect(e.message).toContain('after 5 attempts');
    expect(s.requests).toHaveLength(5);
    expect(waits).toHaveLength(4);
    for (const w of waits) expect(w).toBeLessThanOrEqual(30_000);
    expect(waits[3]).toBeGreaterThanOrEqual(15_000);
    expect(pg.metrics().counts.s5xx).toBe(5);
  });

  it('a body that is not JSON is retried like a 5xx, then ProviderError malformed with a one-line message', async () => {
    const s = await server((_req, res) => reply(res, 200, '<html>\n<body>gateway</body>\n</html>'));
    const { pg, waits } = client(s.url);
    const e = await caught(pg.groupedDaily(DATE));
    expect(e.kind).toBe('malformed');
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/^polygon: malformed body/);
    // POLYGON_RETRIES=3: the first attempt and three retries, each after a backoff.
    expect(s.requests).toHaveLength(4);
    expect(waits).toHaveLength(3);
    expect(pg.metrics().retries).toBe(3);
  });

  it('a malformed 200 (cut short, or failing the schema) followed by a good one succeeds: retried, not failed', async () => {
    const good = {
      status: 'OK',
      results: [{ T: 'ABCD', v: 100, o: 1, c: 1, h: 1, l: 1, t: 1704229200000 }],
    };
    const text = JSON.stringify(good);
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      if (n === 1) reply(res, 200, text.slice(0, Math.floor(text.length / 2)));
      else if (n === 2) json(res, 200, { status: 'OK', results: [{ T: 'ABCD', o: 'x' }] });
      else json(res, 200, good);
    });
    const { pg, waits } = client(s.url);
    const bars = await pg.groupedDaily(DATE);
    expect(bars.map((b) => b.symbol)).toEqual(['ABCD']);
    expect(s.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(pg.metrics()).toMatchObject({ retries: 2, errors: 2 });
    // The minute aggregates (the baseline's lookups) and ticker details the same way.
    n = 0;
    const details = await server((_req, res) => {
      n++;
      if (n === 1) reply(res, 200, '{"status":"OK","results":');
      else json(res, 200, { status: 'OK', results: { ticker: 'ABCD', type: 'CS' } });
    });
    const d = client(details.url);
    expect(await d.pg.tickerDetails('ABCD', DATE)).toMatchObject({ symbol: 'ABCD', type: 'CS' });
    expect(details.requests).toHaveLength(2);
  });

  it('a body failing the schema (status ERROR, or a bad row) is malformed', async () => {
    const s = await server((_req, res, url) => {
      if (url.pathname.endsWith('2024-01-02'))
        json(res, 200, { status: 'ERROR', error: 'internal thing' });
      else json(res, 200, { status: 'OK', results: [{ T: 'A', o: 'x' }] });
    });
    const { pg } = client(s.url);
    const a = await caught(pg.groupedDaily('2024-01-02'));
    expect(a.kind).toBe('malformed');
    expect(a.message).toContain('status=ERROR');
    expect(a.message).toContain('internal thing');
    const b = await caught(pg.groupedDaily('2024-01-03'));
    expect(b.kind).toBe('malformed');
    expect(b.message).toContain('results.0.o');
  });
});

describe('polygon secrets', () => {
  it('never shows the API key: echoed bodies, apiKey= URLs, network errors, malformed bodies', async () => {
    const down = await closedPortUrl();
    const s = await server((_req, res, url) => {
      if (url.pathname.includes('/grouped/'))
        json(res, 400, { status: 'ERROR', error: `bad key ${KEY} for apiKey=${KEY}` });
      else if (url.pathname === '/v3/reference/tickers')
        json(res, 200, {
          status: 'OK',
          next_url: `${down}/v3/reference/tickers?cursor=c&apiKey=${KEY}`,
          results: [],
        });
      else if (url.pathname === '/v3/reference/splits') reply(res, 200, `not json ${KEY}`);
      else json(res, 200, { status: 'BROKEN', message: `key ${KEY}` });
    });
    const { pg } = client(s.url, { POLYGON_RETRIES: '1' });

    const a = await caught(pg.groupedDaily(DATE));
    expect(a.status).toBe(400);
    expect(a.message).toContain('REDACTED');
    expectNoKey(a);

    const b = await caught(pg.referenceTickers(DATE));
    expect(b.kind).toBe('network');
    expect(b.message).toContain('apiKey=REDACTED');
    expectNoKey(b);

    const c = await caught(pg.splits('2024-01-01', '2024-01-02'));
    expect(c.kind).toBe('malformed');
    expectNoKey(c);

    const d = await caught(pg.minuteAggs('ABCD', DATE));
    expect(d.kind).toBe('malformed');
    expectNoKey(d);
  });

  it('an aborted request rejects with kind aborted', async () => {
    const ac = new AbortController();
    const s = await server(() => ac.abort());
    const { pg } = client(s.url);
    const e = await caught(pg.groupedDaily(DATE, ac.signal));
    expect(e.kind).toBe('aborted');
  });
});

describe('polygon plan rate limit', () => {
  it('free plan: at most 5 requests start in a minute; the 6th waits in the queue instead of failing', async () => {
    const s = await server((_req, res) =>
      json(res, 200, { status: 'OK', resultsCount: 0, results: [] }),
    );
    const { pg } = client(s.url, { POLYGON_PLAN: 'free', POLYGON_CONCURRENCY: '8' });
    const dates = [
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-08',
      '2024-01-09',
    ];
    const all = dates.map((d) => pg.groupedDaily(d));
    all[5]!.catch(() => undefined); // closed unanswered at cleanup
    await Promise.all(all.slice(0, 5));
    expect(s.requests.length).toBe(5);
    expect(pg.metrics()).toMatchObject({ queued: 1 });
  });

  it('POLYGON_RATE_PER_MIN overrides the plan; paid is unlimited', async () => {
    const { polygonRatePerMinute } = await import('../../source/providers/polygon/client.js');
    expect(polygonRatePerMinute({ POLYGON_PLAN: 'free', POLYGON_RATE_PER_MIN: 0 })).toBe(5);
    expect(polygonRatePerMinute({ POLYGON_PLAN: 'paid', POLYGON_RATE_PER_MIN: 0 })).toBe(0);
    expect(polygonRatePerMinute({ POLYGON_PLAN: 'paid', POLYGON_RATE_PER_MIN: 100 })).toBe(100);
    const s = await server((_req, res) =>
      json(res, 200, { status: 'OK', resultsCount: 0, results: [] }),
    );
    const { pg } = client(s.url, { POLYGON_PLAN: 'paid' });
    await Promise.all(
      [
        '2024-01-02',
        '2024-01-03',
        '2024-01-04',
        '2024-01-05',
        '2024-01-08',
        '2024-01-09',
        '2024-01-10',
      ].map((d) => pg.groupedDaily(d)),
    );
    expect(s.requests.length).toBe(7);
  });
});
