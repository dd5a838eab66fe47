import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import { TinySource, est } from './fixtures/tiny-source.js';
import { get, getJson } from './fixtures/http.js';

const KEY = 'test-key-123';

describe('emulator: Polygon routes', () => {
  let em: RunningEmulator;
  const url = (path: string): string =>
    `${em.polygonUrl}${path}${path.includes('?') ? '&' : '?'}apiKey=${KEY}`;

  beforeAll(async () => {
    em = await startEmulator({ source: new TinySource() });
  });
  afterAll(async () => {
    await em.close();
  });

  it('answers 401 JSON without a key, and accepts apiKey= or Bearer', async () => {
    const none = await getJson(
      `${em.polygonUrl}/v2/aggs/grouped/locale/us/market/stocks/2024-01-02`,
    );
    expect(none.status).toBe(401);
    expect(none.body.status).toBe('ERROR');
    expect(none.body.error).toBe('Unknown API Key');
    expect(typeof none.body.request_id).toBe('string');
    const q = await get(url('/v2/aggs/grouped/locale/us/market/stocks/2024-01-02'));
    expect(q.status).toBe(200);
    const b = await get(`${em.polygonUrl}/v2/aggs/grouped/locale/us/market/stocks/2024-01-02`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(b.status).toBe(200);
    // Same request, key by query or header: byte-identical body (request_id excludes credentials).
    expect(b.text).toBe(q.text);
  });

  it('checks the configured key when polygonApiKey is set', async () => {
    const strict = await startEmulator({ source: new TinySource(), polygonApiKey: 'right-key' });
    try {
      const wrong = await getJson(`${strict.polygonUrl}/v3/reference/splits?apiKey=wrong-key`);
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe('Unknown API Key');
      const right = await get(`${strict.polygonUrl}/v3/reference/splits`, {
        headers: { authorization: 'Bearer right-key' },
      });
      expect(right.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('serves grouped daily: t = 16:00 ET, OTC only with include_otc, split-adjusted by default', async () => {
    const raw = await getJson(
      url('/v2/aggs/grouped/locale/us/market/stocks/2024-01-02?adjusted=false'),
    );
    expect(raw.status).toBe(200);
    expect(raw.body.status).toBe('OK');
    expect(raw.body.adjusted).toBe(false);
    expect(raw.body.queryCount).toBe(4);
    expect(raw.body.resultsCount).toBe(4);
    expect(raw.body.results.map((r: { T: string }) => r.T)).toEqual(['AAA', 'BBB', 'CCC', 'EEE']);
    const t1600 = Date.UTC(2024, 0, 2, 21, 0, 0);
    for (const r of raw.body.results) expect(r.t).toBe(t1600);
    expect(raw.body.results[0]).toEqual({
      T: 'AAA',
      v: 1_000_000,
      vw: 0.44,
      o: 0.4,
      c: 0.45,
      h: 0.5,
      l: 0.38,
      t: t1600,
      n: 812,
    });
    expect(raw.body.results[2]).not.toHaveProperty('n');
    expect(raw.body.results[2]).not.toHaveProperty('otc');

    const otc = await getJson(
      url('/v2/aggs/grouped/locale/us/market/stocks/2024-01-02?adjusted=false&include_otc=true'),
    );
    expect(otc.body.resultsCount).toBe(5);
    expect(otc.body.results[4]).toMatchObject({ T: 'OTCX', otc: true });

    // adjusted (default): AAA 1-for-10 reverse split on 2024-01-03 → prices x10, volume /10; BBB 2-for-1 on 2024-03-11 → /2.
    const adj = await getJson(url('/v2/aggs/grouped/locale/us/market/stocks/2024-01-02'));
    expect(adj.body.adjusted).toBe(true);
    expect(adj.body.results[0]).toMatchObject({
      T: 'AAA',
      o: 4,
      h: 5,
      l: 3.8,
      c: 4.5,
      vw: 4.4,
      v: 100_000,
    });
    expect(adj.body.results[1]).toMatchObject({ T: 'BBB', o: 6.05, c: 5.95, v: 176_240 });
    expect(adj.body.results[2]).toMatchObject({ T: 'CCC', o: 50 });
  });

  it('uses the 16:00 EDT instant after the DST change', async () => {
    const r = await getJson(url('/v2/aggs/grouped/locale/us/market/stocks/2024-03-11'));
    expect(r.body.results[0].t).toBe(Date.UTC(2024, 2, 11, 20, 0, 0));
  });

  it('omits results on an empty day (or null with emptyResultsAsNull), and 400s a bad date', async () => {
    const empty = await getJson(url('/v2/aggs/grouped/locale/us/market/stocks/2024-01-06'));
    expect(empty.status).toBe(200);
    expect(empty.body).not.toHaveProperty('results');
    expect(empty.body).toMatchObject({
      queryCount: 0,
      resultsCount: 0,
      status: 'OK',
      adjusted: true,
    });

    const nul = await startEmulator({ source: new TinySource(), emptyResultsAsNull: true });
    try {
      const r = await getJson(
        `${nul.polygonUrl}/v2/aggs/grouped/locale/us/market/stocks/2024-01-06?apiKey=k`,
      );
      expect(r.body.results).toBeNull();
    } finally {
      await nul.close();
    }

    const bad = await getJson(url('/v2/aggs/grouped/locale/us/market/stocks/2024-13-01'));
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('ERROR');
    expect(typeof bad.body.error).toBe('string');
    expect(typeof bad.body.request_id).toBe('string');
  });

  it('paginates reference tickers with next_url across 3 pages, without the key in next_url', async () => {
    const seen: string[] = [];
    let next: string | undefined = url(
      '/v3/reference/tickers?market=stocks&active=true&date=2024-01-02&limit=2',
    );
    let pages = 0;
    while (next) {
      const r = await getJson(
        next,
        pages === 0 ? {} : { headers: { authorization: `Bearer ${KEY}` } },
      );
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('OK');
      expect(r.body.count).toBe(r.body.results.length);
      pages++;
      for (const t of r.body.results) seen.push(t.ticker);
      next = r.body.next_url;
      if (next) {
        expect(next.startsWith(`${em.polygonUrl}/v3/reference/tickers?cursor=`)).toBe(true);
        expect(next).not.toContain(KEY);
        expect(next).not.toContain('apiKey');
      }
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['AAA', 'BBB', 'CCC', 'DDDW', 'EEE']);

    const first = await getJson(url('/v3/reference/tickers?market=stocks&date=2024-01-02&limit=1'));
    expect(first.body.results[0]).toEqual({
      ticker: 'AAA',
      name: 'Aaa Therapeutics Inc',
      market: 'stocks',
      locale: 'us',
      primary_exchange: 'XNAS',
      type: 'CS',
      active: true,
      currency_name: 'usd',
      last_updated_utc: '2024-01-02T00:00:00Z',
    });
  });

  it('filters tickers by active, market and type; honours tickersPageSize', async () => {
    const gone = await getJson(url('/v3/reference/tickers?active=false&date=2024-01-02'));
    expect(gone.body.results.map((t: { ticker: string }) => t.ticker)).toEqual(['ZZZ']);
    expect(gone.body.results[0]).toMatchObject({
      active: false,
      delisted_utc: '2023-12-15T00:00:00Z',
    });
    const otc = await getJson(url('/v3/reference/tickers?market=otc&date=2024-01-02'));
    expect(otc.body.results.map((t: { ticker: string }) => t.ticker)).toEqual(['OTCX']);
    const cs = await getJson(url('/v3/reference/tickers?market=stocks&type=CS&date=2024-01-02'));
    expect(cs.body.results.map((t: { ticker: string }) => t.ticker)).toEqual(['AAA', 'BBB', 'EEE']);
    const none = await getJson(url('/v3/reference/tickers?date=2010-01-04'));
    expect(none.body).not.toHaveProperty('results');
    expect(none.body.count).toBe(0);

    const small = await startEmulator({ source: new TinySource(), tickersPageSize: 4 });
    try {
      const p1 = await getJson(
        `${small.polygonUrl}/v3/reference/tickers?date=2024-01-02&limit=1000&apiKey=k`,
      );
      expect(p1.body.results).toHaveLength(4);
      const p2 = await getJson(`${p1.body.next_url}&apiKey=k`);
      expect(p2.body.results.map((t: { ticker: string }) => t.ticker)).toEqual(['EEE', 'OTCX']);
      expect(p2.body).not.toHaveProperty('next_url');
    } finally {
      await small.close();
    }
  });

  it('serves ticker details and 404 NOT_FOUND for an unknown ticker', async () => {
    const r = await getJson(url('/v3/reference/tickers/AAA?date=2024-01-02'));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('OK');
    expect(r.body.results).toEqual({
      ticker: 'AAA',
      name: 'Aaa Therapeutics Inc',
      market: 'stocks',
      locale: 'us',
      primary_exchange: 'XNAS',
      type: 'CS',
      active: true,
      currency_name: 'usd',
      list_date: '2019-05-01',
      market_cap: 84_500_000.5,
      share_class_shares_outstanding: 21_000_000,
      weighted_shares_outstanding: 20_950_000,
    });
    const missing = await getJson(url('/v3/reference/tickers/NOPE?date=2024-01-02'));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'NOT_FOUND', message: 'Ticker not found.' });
    expect(typeof missing.body.request_id).toBe('string');
  });

  it('serves splits with filters and next_url pagination', async () => {
    const p1 = await getJson(url('/v3/reference/splits?limit=2'));
    expect(p1.body.results).toEqual([
      { id: 'S1', ticker: 'CCC', execution_date: '2023-06-01', split_from: 1, split_to: 3 },
      { id: 'S2', ticker: 'AAA', execution_date: '2024-01-03', split_from: 10, split_to: 1 },
    ]);
    expect(p1.body.next_url.startsWith(`${em.polygonUrl}/v3/reference/splits?cursor=`)).toBe(true);
    const p2 = await getJson(p1.body.next_url, { headers: { authorization: `Bearer ${KEY}` } });
    expect(p2.body.results.map((s: { id: string }) => s.id)).toEqual(['S3']);
    expect(p2.body).not.toHaveProperty('next_url');

    const rev = await getJson(url('/v3/reference/splits?reverse_split=true'));
    expect(rev.body.results.map((s: { id: string }) => s.id)).toEqual(['S2']);
    const gte = await getJson(
      url('/v3/reference/splits?execution_date.gte=2024-01-03&execution_date.lt=2024-03-11'),
    );
    expect(gte.body.results.map((s: { id: string }) => s.id)).toEqual(['S2']);
    const byTicker = await getJson(url('/v3/reference/splits?ticker=BBB'));
    expect(byTicker.body.results.map((s: { id: string }) => s.id)).toEqual(['S3']);
    const def = await getJson(url('/v3/reference/splits'));
    expect(def.body.results).toHaveLength(3);
  });

  it('serves minute range aggregates with bar-start t, and no results for an unknown ticker', async () => {
    const r = await getJson(
      url(
        '/v2/aggs/ticker/AAA/range/1/minute/2024-01-02/2024-01-02?adjusted=false&sort=asc&limit=50000',
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ticker: 'AAA',
      queryCount: 5,
      resultsCount: 5,
      adjusted: false,
      status: 'OK',
    });
    expect(r.body.results.map((b: { t: number }) => b.t)).toEqual([
      est(2, 4, 0),
      est(2, 4, 1),
      est(2, 4, 3),
      est(2, 9, 30),
      est(2, 9, 31),
    ]);
    expect(r.body.results[0]).toEqual({
      v: 125,
      o: 0.395,
      c: 0.396,
      h: 0.4,
      l: 0.39,
      t: est(2, 4, 0),
      n: 2,
    });

    const adj = await getJson(url('/v2/aggs/ticker/AAA/range/1/minute/2024-01-02/2024-01-02'));
    expect(adj.body.results[0]).toMatchObject({ o: 3.95, v: 12.5 });

    const five = await getJson(
      url('/v2/aggs/ticker/AAA/range/5/minute/2024-01-02/2024-01-02?adjusted=false'),
    );
    expect(five.body.results).toEqual([
      { v: 925, o: 0.395, c: 0.42, h: 0.42, l: 0.39, t: est(2, 4, 0), n: 6 },
      { v: 3000, o: 0.4, c: 0.42, h: 0.43, l: 0.39, t: est(2, 9, 30), n: 22 },
    ]);

    const ms = await getJson(
      url(`/v2/aggs/ticker/AAA/range/1/minute/${est(2, 4, 1)}/${est(2, 9, 30)}?adjusted=false`),
    );
    expect(ms.body.resultsCount).toBe(3);

    const none = await getJson(url('/v2/aggs/ticker/NOPE/range/1/minute/2024-01-02/2024-01-02'));
    expect(none.status).toBe(200);
    expect(none.body).not.toHaveProperty('results');
    expect(none.body).toMatchObject({ ticker: 'NOPE', queryCount: 0, resultsCount: 0 });

    const day = await getJson(
      url('/v2/aggs/ticker/AAA/range/1/day/2024-01-02/2024-01-03?adjusted=false'),
    );
    expect(day.body.results.map((b: { t: number; c: number }) => [b.t, b.c])).toEqual([
      [Date.UTC(2024, 0, 2, 5), 0.45],
      [Date.UTC(2024, 0, 3, 5), 4.7],
    ]);
  });

  it('answers 404 page not found on unknown paths', async () => {
    const r = await get(url('/v2/aggs/ticker/AAA/prev'));
    expect(r.status).toBe(404);
    expect(r.text).toBe('404 page not found');
  });

  it('gives byte-identical bodies for identical requests', async () => {
    const paths = [
      '/v2/aggs/grouped/locale/us/market/stocks/2024-01-02',
      '/v3/reference/tickers?date=2024-01-02&limit=2',
      '/v3/reference/tickers/NOPE',
      '/v3/reference/splits?limit=1',
    ];
    for (const p of paths) {
      const a = await get(url(p));
      const b = await get(url(p));
      expect(b.text).toBe(a.text);
    }
    const x = await getJson(url('/v3/reference/splits?limit=1'));
    const y = await getJson(url('/v3/reference/splits?limit=2'));
    expect(x.body.request_id).not.toBe(y.body.request_id);
  });

  it('counts requests by status', async () => {
    const s = em.stats().polygon;
    expect(s.requests).toBeGreaterThan(10);
    expect(s.byStatus['401']).toBeGreaterThanOrEqual(1);
    expect(s.byStatus['404']).toBeGreaterThanOrEqual(1);
  });
});

describe('emulator: Polygon rolling rate limit', () => {
  it('answers 429 JSON after polygonRatePerMin requests in a minute', async () => {
    const em = await startEmulator({ source: new TinySource(), polygonRatePerMin: 3 });
    try {
      const statuses: number[] = [];
      let last = '';
      for (let i = 0; i < 4; i++) {
        const r = await get(`${em.polygonUrl}/v3/reference/splits?apiKey=k&limit=${i + 1}`);
        statuses.push(r.status);
        last = r.text;
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const body = JSON.parse(last);
      expect(body.status).toBe('ERROR');
      expect(body.error).toMatch(/maximum requests per minute/);
    } finally {
      await em.close();
    }
  });
});

describe('emulator: FMP shares float', () => {
  let em: RunningEmulator;
  beforeAll(async () => {
    em = await startEmulator({ source: new TinySource() });
  });
  afterAll(async () => {
    await em.close();
  });

  it('serves [{symbol, floatShares, outstandingShares, date}] or []', async () => {
    const r = await getJson(`${em.fmpUrl}/stable/shares-float?symbol=AAA&apikey=k&date=2024-01-02`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      {
        symbol: 'AAA',
        date: '2024-01-02',
        freeFloat: 38.0952,
        floatShares: 8_000_000,
        outstandingShares: 21_000_000,
      },
    ]);
    const none = await getJson(`${em.fmpUrl}/stable/shares-float?symbol=BBB&apikey=k`);
    expect(none.body).toEqual([]);
    const noKey = await getJson(`${em.fmpUrl}/stable/shares-float?symbol=AAA`);
    expect(noKey.status).toBe(401);
    expect(noKey.body['Error Message']).toMatch(/Invalid API KEY/);
  });

  it('answers the retired /api/v4/shares_float with 403 Legacy Endpoint, as FMP does for new keys', async () => {
    const r = await getJson(`${em.fmpUrl}/api/v4/shares_float?symbol=AAA&apikey=k`);
    expect(r.status).toBe(403);
    expect(r.body['Error Message']).toMatch(/^Legacy Endpoint/);
  });
});
