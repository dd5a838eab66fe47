import { describe, expect, it } from 'vitest';
import { createFmpClient } from '../../source/providers/fmp/client.js';
import { createProviders } from '../../source/providers/index.js';
import { ProviderError } from '../../source/providers/types.js';
import { cfgWith, instantSleep, json, reply, fixtureServers, v3Csv } from './servers.js';

const KEY = 'fmpSEKRET98765';

const { cleanups, server } = fixtureServers();

describe('fmp float shares', () => {
  it('reads floatShares, null for an empty array, and sends symbol and apikey', async () => {
    const s = await server((_req, res, url) => {
      if (url.searchParams.get('symbol') === 'NONE') json(res, 200, []);
      else
        json(res, 200, [
          {
            symbol: 'ABCD',
            date: '2024-01-02',
            freeFloat: 80.5,
            floatShares: 16900000,
            outstandingShares: 21000000,
          },
        ]);
    });
    const fmp = createFmpClient(cfgWith({ FMP_API_KEY: KEY }), {
      baseUrl: s.url,
      sleep: instantSleep().sleep,
    });
    cleanups.push(() => fmp.close());
    expect(await fmp.floatShares('ABCD', '2024-01-02')).toBe(16900000);
    expect(await fmp.floatShares('NONE', '2024-01-02')).toBeNull();
    expect(s.requests[0].url.pathname).toBe('/stable/shares-float');
    expect(Object.fromEntries(s.requests[0].url.searchParams)).toEqual({
      symbol: 'ABCD',
      apikey: KEY,
    });
  });

  it('retries 5xx and never shows the key in the error', async () => {
    const s = await server((_req, res) =>
      json(res, 500, { 'Error Message': `Invalid API KEY ${KEY}` }),
    );
    const { sleep, waits } = instantSleep();
    const fmp = createFmpClient(cfgWith({ FMP_API_KEY: KEY }), { baseUrl: s.url, sleep });
    cleanups.push(() => fmp.close());
    const e = (await fmp
      .floatShares('ABCD', '2024-01-02')
      .catch((x: unknown) => x)) as ProviderError;
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.kind).toBe('http');
    expect(e.status).toBe(500);
    expect(e.message).toContain('apikey=REDACTED');
    expect(e.message).toContain('Invalid API KEY');
    expect(e.message).not.toContain(KEY);
    expect(e.url).not.toContain(KEY);
    expect(s.requests.length).toBe(waits.length + 1);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('a body that is not the documented array is malformed', async () => {
    const s = await server((_req, res) => reply(res, 200, '{"oops":true}'));
    const fmp = createFmpClient(cfgWith({ FMP_API_KEY: KEY }), {
      baseUrl: s.url,
      sleep: instantSleep().sleep,
    });
    cleanups.push(() => fmp.close());
    const e = (await fmp
      .floatShares('ABCD', '2024-01-02')
      .catch((x: unknown) => x)) as ProviderError;
    expect(e.kind).toBe('malformed');
  });
});

describe('createProviders', () => {
  it('builds the clients on the given URLs; fmp is null without FMP_API_KEY', async () => {
    const pg = await server((_req, res) => json(res, 200, { status: 'OK' }));
    const th = await server((_req, res) =>
      reply(res, 200, v3Csv([['2024-01-02T04:30:00.000', 3.5]])),
    );
    const lines: string[] = [];
    const p = createProviders(
      cfgWith({ POLYGON_API_KEY: 'pk_abcdef' }),
      { polygon: pg.url, thetaV3: th.url, thetaV1: th.url },
      { log: (l) => lines.push(l) },
    );
    cleanups.push(() => p.close());
    expect(p.fmp).toBeNull();
    expect(p.fmpMetrics()).toBeNull();
    expect(await p.polygon.groupedDaily('2024-01-02')).toEqual([]);
    expect((await p.theta.premarketHigh('ABCD', '2024-01-02')).high).toBe(3.5);
    expect(p.polygonMetrics()).toMatchObject({ upstream: 'polygon', cap: 8, requests: 1 });
    expect(p.theta.metrics().map((m) => m.upstream)).toEqual(['theta_v3', 'theta_v1']);
    expect(pg.requests[0].headers.authorization).toBe('Bearer pk_abcdef');
  });

  it('builds an FMP client when FMP_API_KEY is set', async () => {
    const f = await server((_req, res) =>
      json(res, 200, [{ symbol: 'ABCD', floatShares: 1234567 }]),
    );
    const p = createProviders(cfgWith({ FMP_API_KEY: KEY }), { fmp: f.url });
    cleanups.push(() => p.close());
    expect(p.fmp).not.toBeNull();
    expect(await p.fmp!.floatShares('ABCD', '2024-01-02')).toBe(1234567);
    expect(p.fmpMetrics()?.upstream).toBe('fmp');
  });
});
