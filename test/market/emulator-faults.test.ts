import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type FaultConfig,
  type RunningEmulator,
} from '../../source/market/emulator/index.js';
import { TinySource } from './fixtures/tiny-source.js';
import { get } from './fixtures/http.js';

const GROUPED = '/v2/aggs/grouped/locale/us/market/stocks/2024-01-02?apiKey=k';
const TRADE = '/v3/stock/history/trade?symbol=AAA&date=20240102&venue=utp_cta';
const V2_TRADE = '/v2/hist/stock/trade?root=AAA&start_date=20240102&end_date=20240102';

describe('emulator: fault switches', () => {
  let em: RunningEmulator;
  const withFaults = async <T>(f: FaultConfig, fn: () => Promise<T>): Promise<T> => {
    em.setFaults(f);
    try {
      return await fn();
    } finally {
      em.setFaults({});
    }
  };

  beforeAll(async () => {
    em = await startEmulator({ source: new TinySource(), seed: 3 });
  });
  afterAll(async () => {
    await em.close();
  });

  it('polygon429 gives 429 JSON with error; polygon429EmptyBody an empty body', async () => {
    const r = await withFaults({ polygon429: 1 }, () => get(`${em.polygonUrl}${GROUPED}`));
    expect(r.status).toBe(429);
    const body = JSON.parse(r.text);
    expect(body.status).toBe('ERROR');
    expect(typeof body.error).toBe('string');
    expect(typeof body.request_id).toBe('string');
    const empty = await withFaults({ polygon429: 1, polygon429EmptyBody: true }, () =>
      get(`${em.polygonUrl}${GROUPED}`),
    );
    expect(empty.status).toBe(429);
    expect(empty.text).toBe('');
  });

  it('polygon5xx gives 500/502/503', async () => {
    const statuses = await withFaults({ polygon5xx: 1 }, async () => {
      const out: number[] = [];
      for (let i = 0; i < 12; i++)
        out.push((await get(`${em.polygonUrl}${GROUPED}&i=${i}`)).status);
      return out;
    });
    for (const s of statuses) expect([500, 502, 503]).toContain(s);
    expect(new Set(statuses).size).toBeGreaterThan(1);
  });

  it('polygonMalformed gives a 200 whose JSON does not parse', async () => {
    const good = await get(`${em.polygonUrl}${GROUPED}`);
    const r = await withFaults({ polygonMalformed: 1 }, () => get(`${em.polygonUrl}${GROUPED}`));
    expect(r.status).toBe(200);
    expect(good.text.startsWith(r.text)).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('polygonOutage gives 503 on every route', async () => {
    const r = await withFaults({ polygonOutage: true }, async () => [
      await get(`${em.polygonUrl}${GROUPED}`),
      await get(`${em.polygonUrl}/v3/reference/splits`),
    ]);
    expect(r.map((x) => x.status)).toEqual([503, 503]);
  });

  it('thetaOutage destroys the socket on the chosen terminal(s)', async () => {
    await withFaults({ thetaOutage: true }, async () => {
      await expect(get(`${em.thetaV3Url}${TRADE}`)).rejects.toThrow();
      await expect(get(`${em.thetaV1Url}${V2_TRADE}`)).rejects.toThrow();
    });
    await withFaults({ thetaOutage: 'v1' }, async () => {
      expect((await get(`${em.thetaV3Url}${TRADE}`)).status).toBe(200);
      await expect(get(`${em.thetaV1Url}${V2_TRADE}`)).rejects.toThrow();
    });
    await withFaults({ thetaOutage: 'v3' }, async () => {
      await expect(get(`${em.thetaV3Url}${TRADE}`)).rejects.toThrow();
      expect((await get(`${em.thetaV1Url}${V2_TRADE}`)).status).toBe(200);
    });
    expect(em.stats().theta.v3.byStatus.reset).toBe(2);
    expect((await get(`${em.thetaV3Url}${TRADE}`)).status).toBe(200);
  });

  it('theta429 / theta474 / theta571 / theta5xx give their status as plain text, on both terminals', async () => {
    const cases: Array<[FaultConfig, number[]]> = [
      [{ theta429: 1 }, [429]],
      [{ theta474: 1 }, [474]],
      [{ theta571: 1 }, [571]],
      [{ theta5xx: 1 }, [500, 572]],
    ];
    for (const [f, expected] of cases) {
      for (const url of [`${em.thetaV3Url}${TRADE}`, `${em.thetaV1Url}${V2_TRADE}`]) {
        const r = await withFaults(f, () => get(url));
        expect(expected, JSON.stringify(f)).toContain(r.status);
        expect(r.headers['content-type']).toMatch(/^text\/plain/);
      }
    }
    // Fault 429s are not queue rejections.
    expect(em.stats().theta.v3.rejected429).toBe(0);
  });

  it('thetaMalformed gives a 200 with a truncated body (CSV cut mid-row, JSON unparsable)', async () => {
    const good = await get(`${em.thetaV3Url}${TRADE}`);
    const csv = await withFaults({ thetaMalformed: 1 }, () => get(`${em.thetaV3Url}${TRADE}`));
    expect(csv.status).toBe(200);
    expect(csv.text.endsWith('\r\n')).toBe(false);
    expect(good.text.startsWith(csv.text)).toBe(true);
    const js = await withFaults({ thetaMalformed: 1 }, () => get(`${em.thetaV1Url}${V2_TRADE}`));
    expect(js.status).toBe(200);
    expect(() => JSON.parse(js.text)).toThrow();
    const nodata = await withFaults({ thetaMalformed: 1 }, () =>
      get(`${em.thetaV3Url}/v3/stock/history/trade?symbol=BBB&date=20240102`),
    );
    expect(nodata.status).toBe(200);
    expect(nodata.text).not.toContain('timestamp');
  });

  it('setFaults({}) turns every fault off', async () => {
    em.setFaults({ polygon429: 1, theta474: 1 });
    em.setFaults({});
    expect((await get(`${em.polygonUrl}${GROUPED}`)).status).toBe(200);
    expect((await get(`${em.thetaV3Url}${TRADE}`)).status).toBe(200);
  });
});

describe('emulator: probabilistic faults are seeded and deterministic', () => {
  async function statuses(seed: number, urls: string[]): Promise<number[]> {
    const em = await startEmulator({
      source: new TinySource(),
      seed,
      faults: { polygon429: 0.5, theta474: 0.5 },
    });
    try {
      const out: number[] = [];
      for (const u of urls) {
        const base = u.startsWith('/v3/stock') ? em.thetaV3Url : em.polygonUrl;
        out.push((await get(`${base}${u}`)).status);
      }
      return out;
    } finally {
      await em.close();
    }
  }

  const urls = [
    ...Array.from({ length: 20 }, (_, i) => `/v3/reference/splits?apiKey=k&limit=${i + 1}`),
    ...Array.from({ length: 10 }, () => '/v3/reference/splits?apiKey=k&limit=1'),
    ...Array.from({ length: 20 }, (_, i) => `${TRADE}&i=${i}`),
  ];

  it('same seed → same statuses; a different seed → a different sequence; retries of one URL get fresh draws', async () => {
    const a = await statuses(7, urls);
    const b = await statuses(7, urls);
    const c = await statuses(8, urls);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const polygon = a.slice(0, 20);
    expect(polygon.filter((s) => s === 429).length).toBeGreaterThan(2);
    expect(polygon.filter((s) => s === 200).length).toBeGreaterThan(2);
    expect(new Set(a.slice(20, 30))).toEqual(new Set([200, 429]));
    const theta = a.slice(30);
    expect(theta.filter((s) => s === 474).length).toBeGreaterThan(2);
    expect(theta.filter((s) => s === 200).length).toBeGreaterThan(2);
  });
});
