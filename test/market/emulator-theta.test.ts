import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import { TinySource } from './fixtures/tiny-source.js';
import { get, getJson } from './fixtures/http.js';
import { V2_TRADE_FORMAT } from '../providers/servers.js';

const HEADER =
  'timestamp,sequence,ext_condition1,ext_condition2,ext_condition3,ext_condition4,condition,size,exchange,price';

describe('emulator: Theta v3 terminal', () => {
  let em: RunningEmulator;
  const v3 = (qs: string, path = '/v3/stock/history/trade'): string =>
    `${em.thetaV3Url}${path}?${qs}`;

  beforeAll(async () => {
    em = await startEmulator({ source: new TinySource() });
  });
  afterAll(async () => {
    await em.close();
  });

  it('serves trade CSV with CRLF, the header row, naive ET timestamps and 4-decimal prices (default window 09:30-16:00 inclusive)', async () => {
    const r = await get(v3('symbol=AAA&date=20240102&venue=utp_cta'));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.text).toBe(
      `${HEADER}\r\n` +
        '2024-01-02T09:30:00.000,1004,255,255,255,255,0,1000,57,0.4000\r\n' +
        '2024-01-02T12:00:00.500,1005,255,255,255,255,0,200,3,0.4500\r\n' +
        '2024-01-02T16:00:00.000,1006,255,255,255,255,0,300,3,0.4500\r\n',
    );
  });

  it('defaults to venue=nqb: only Nasdaq exchange codes', async () => {
    const r = await get(v3('symbol=AAA&date=20240102'));
    const seqs = r.text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    expect(seqs).toEqual(['1005', '1006']);
    const pre = await get(v3('symbol=AAA&date=20240102&start_time=04:00:00&end_time=09:29:59.999'));
    expect(
      pre.text
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['1002', '1003']);
    const preAll = await get(
      v3('symbol=AAA&date=20240102&start_time=04:00:00&end_time=09:29:59.999&venue=utp_cta'),
    );
    expect(
      preAll.text
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['1001', '1002', '1003']);
  });

  it('converts timestamps through the tz database on a DST date', async () => {
    const r = await get(
      v3('symbol=AAA&date=20240311&start_time=04:00:00&end_time=04:00:00&venue=utp_cta'),
    );
    expect(r.status).toBe(200);
    expect(r.text.split('\r\n')[1]).toBe(
      '2024-03-11T04:00:00.000,2001,255,255,255,255,0,100,3,5.1000',
    );
  });

  it('serves ndjson and json formats', async () => {
    const nd = await get(v3('symbol=AAA&date=20240102&format=ndjson'));
    expect(nd.status).toBe(200);
    const lines = nd.text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({
      timestamp: '2024-01-02T12:00:00.500',
      sequence: 1005,
      ext_condition1: 255,
      ext_condition2: 255,
      ext_condition3: 255,
      ext_condition4: 255,
      condition: 0,
      size: 200,
      exchange: 3,
      price: 0.45,
    });
    const js = await getJson(v3('symbol=AAA&date=20240102&format=json'));
    expect(js.body.response).toHaveLength(2);
    expect(js.body.response[1].sequence).toBe(1006);
  });

  it('answers 472 plain text for a symbol without data, a weekend and a window without prints', async () => {
    for (const qs of [
      'symbol=BBB&date=20240102',
      'symbol=AAA&date=20240106',
      'symbol=AAA&date=20240102&start_time=17:00:00&end_time=19:00:00&venue=utp_cta',
    ]) {
      const r = await get(v3(qs));
      expect(r.status).toBe(472);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.text).toBe('No data found for your request');
    }
  });

  it('answers 473 for malformed dates, times, venues and formats', async () => {
    for (const qs of [
      'symbol=AAA&date=2024-01-02',
      'symbol=AAA&date=20240230',
      'symbol=AAA&date=20240102&start_time=4:00',
      'symbol=AAA&date=20240102&end_time=24:00:00',
      'symbol=AAA&date=20240102&venue=xyz',
      'symbol=AAA&date=20240102&format=xml',
      'date=20240102',
    ]) {
      const r = await get(v3(qs));
      expect(r.status, qs).toBe(473);
    }
  });

  it('serves 1m OHLC with the running session VWAP', async () => {
    const r = await get(
      v3(
        'symbol=AAA&date=20240102&interval=1m&start_time=04:00:00&end_time=09:29:59',
        '/v3/stock/history/ohlc',
      ),
    );
    expect(r.status).toBe(200);
    const lines = r.text.split('\r\n');
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume,count,vwap');
    expect(lines[1]).toBe('2024-01-02T04:00:00.000,0.3950,0.4000,0.3900,0.3960,125,2,0.3953');
    expect(lines).toHaveLength(5); // header + 3 bars + trailing ''
    expect(lines[3].startsWith('2024-01-02T04:03:00.000,')).toBe(true);
    const none = await get(v3('symbol=EEE&date=20240102&interval=1m', '/v3/stock/history/ohlc'));
    expect(none.status).toBe(472);
  });

  it('answers 410 on /v2/* and CONNECTED on the status route', async () => {
    const gone = await get(
      `${em.thetaV3Url}/v2/hist/stock/trade?root=AAA&start_date=20240102&end_date=20240102`,
    );
    expect(gone.status).toBe(410);
    const status = await get(`${em.thetaV3Url}/v3/terminal/mdds/status`);
    expect(status.status).toBe(200);
    expect(status.text).toBe('CONNECTED');
  });

  it('gives byte-identical bodies for identical requests', async () => {
    const a = await get(
      v3('symbol=AAA&date=20240102&start_time=04:00:00&end_time=20:00:00&venue=utp_cta'),
    );
    const b = await get(
      v3('symbol=AAA&date=20240102&start_time=04:00:00&end_time=20:00:00&venue=utp_cta'),
    );
    expect(a.text.split('\r\n')).toHaveLength(10);
    expect(b.text).toBe(a.text);
  });
});

describe('emulator: Theta v1 terminal (legacy v2 API)', () => {
  let em: RunningEmulator;
  const v1 = (path: string, qs: string): string => `${em.thetaV1Url}${path}?${qs}`;

  beforeAll(async () => {
    em = await startEmulator({ source: new TinySource(), thetaLatencyMs: 0 });
  });
  afterAll(async () => {
    await em.close();
  });

  it('serves trade JSON: 15-field rows in header.format order, price at index 9, date int last', async () => {
    const r = await getJson(
      v1('/v2/hist/stock/trade', 'root=AAA&start_date=20240102&end_date=20240102'),
    );
    expect(r.status).toBe(200);
    expect(r.body.header).toEqual({
      latency_ms: 0,
      error_type: 'null',
      error_msg: 'null',
      next_page: 'null',
      format: V2_TRADE_FORMAT,
    });
    expect(r.body.response).toHaveLength(8);
    for (const row of r.body.response) expect(row).toHaveLength(15);
    expect(r.body.response[0]).toEqual([
      14_400_127, 1001, 255, 255, 255, 255, 0, 100, 57, 0.395, 0, 0, 0, 0, 20240102,
    ]);
    expect(r.body.response[7][0]).toBe(71_999_999);
    expect(r.body.response[7][9]).toBe(0.44);
  });

  it('filters by ms-of-day window and venue', async () => {
    const r = await getJson(
      v1(
        '/v2/hist/stock/trade',
        'root=AAA&start_date=20240102&end_date=20240102&start_time=14400000&end_time=34199999&venue=nqb',
      ),
    );
    expect(r.body.response.map((row: number[]) => row[1])).toEqual([1002, 1003]);
  });

  it('answers 472 plain text without data and 473 on bad params', async () => {
    const none = await get(
      v1('/v2/hist/stock/trade', 'root=BBB&start_date=20240102&end_date=20240102'),
    );
    expect(none.status).toBe(472);
    expect(none.text).toBe('No data found for your request');
    const bad = await get(
      v1('/v2/hist/stock/trade', 'root=AAA&start_date=2024-01-02&end_date=20240102'),
    );
    expect(bad.status).toBe(473);
    const badTime = await get(
      v1('/v2/hist/stock/trade', 'root=AAA&start_date=20240102&end_date=20240102&start_time=09:30'),
    );
    expect(badTime.status).toBe(473);
  });

  it('serves 1-minute OHLC rows [ms_of_day, o, h, l, c, volume, count, date], rth by default', async () => {
    const rth = await getJson(
      v1('/v2/hist/stock/ohlc', 'root=AAA&start_date=20240102&end_date=20240102&ivl=60000'),
    );
    expect(rth.body.header.format).toEqual([
      'ms_of_day',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'count',
      'date',
    ]);
    expect(rth.body.response).toEqual([
      [34_200_000, 0.4, 0.41, 0.39, 0.41, 1000, 10, 20240102],
      [34_260_000, 0.41, 0.43, 0.41, 0.42, 2000, 12, 20240102],
    ]);
    const all = await getJson(
      v1(
        '/v2/hist/stock/ohlc',
        'root=AAA&start_date=20240102&end_date=20240102&ivl=60000&rth=false',
      ),
    );
    expect(all.body.response.map((r: number[]) => r[0])).toEqual([
      14_400_000, 14_460_000, 14_580_000, 34_200_000, 34_260_000,
    ]);
    const pre = await getJson(
      v1(
        '/v2/hist/stock/ohlc',
        'root=AAA&start_date=20240102&end_date=20240102&ivl=60000&rth=false&start_time=14400000&end_time=34199999',
      ),
    );
    expect(pre.body.response).toHaveLength(3);
  });

  it('answers 410 on every /v2 path when v1Gone is set', async () => {
    em.setFaults({ v1Gone: true });
    try {
      const r = await get(
        v1('/v2/hist/stock/trade', 'root=AAA&start_date=20240102&end_date=20240102'),
      );
      expect(r.status).toBe(410);
    } finally {
      em.setFaults({});
    }
    const back = await get(
      v1('/v2/hist/stock/trade', 'root=AAA&start_date=20240102&end_date=20240102'),
    );
    expect(back.status).toBe(200);
  });
});
