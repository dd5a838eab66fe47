import { describe, expect, it } from 'vitest';
import {
  clockToMs,
  MalformedBody,
  msToClock,
  parseV2Body,
  scanV2Ohlc,
  scanV2Trades,
  scanV3Trades,
  v2EffectiveStatus,
} from '../../source/providers/theta/parse.js';
import { v2Ohlc, v2Trades, v3Csv } from './servers.js';

const D = '2024-01-02';
const S = 14_400_000;
const E = 34_200_000;

describe('clock helpers', () => {
  it('converts ET wall clock and ms of day both ways', () => {
    expect(clockToMs('04:00:00')).toBe(S);
    expect(clockToMs('09:30:00.000')).toBe(E);
    expect(clockToMs('09:29:59.9999')).toBe(E - 1);
    expect(msToClock(E - 1)).toBe('09:29:59.999');
    expect(msToClock(S)).toBe('04:00:00.000');
    expect(() => clockToMs('4:00')).toThrow(/HH:MM:SS/);
  });
});

describe('scanV3Trades', () => {
  it('reads CRLF and LF bodies, quoted cells and a BOM; ignores other dates', () => {
    const crlf = v3Csv([
      ['2024-01-02T05:00:00.000', 2],
      ['2024-01-03T05:00:00.000', 9],
    ]);
    expect(scanV3Trades(crlf, D, S, E)).toEqual({
      rows: 2,
      inWindow: 1,
      high: 2,
      rawHigh: 2,
      excluded: 0,
    });
    const lf = '\ufefftimestamp,price\n"2024-01-02T06:00:00.1",3.5\n2024-01-02 07:00:00,"3.25"\n';
    expect(scanV3Trades(lf, D, S, E)).toEqual({
      rows: 2,
      inWindow: 2,
      high: 3.5,
      rawHigh: 3.5,
      excluded: 0,
    });
  });

  it('reads RFC 4180 quoting through csv-parse: a quoted comma, doubled quote or line break in a cell', () => {
    const body =
      'timestamp,price,exchange\r\n2024-01-02T05:00:00.000,2.5,"NYSE\r\nArca"\r\n' +
      '"2024-01-02T06:00:00.000","3.75","say ""x"", y"\r\n';
    expect(scanV3Trades(body, D, S, E)).toEqual({
      rows: 2,
      inWindow: 2,
      high: 3.75,
      rawHigh: 3.75,
      excluded: 0,
    });
    expect(() =>
      scanV3Trades('timestamp,price\r\n"2024-01-02T05:00:00.000,1\r\n', D, S, E),
    ).toThrow(MalformedBody);
  });

  it('treats an empty body or a header without rows as zero rows', () => {
    expect(scanV3Trades('', D, S, E)).toEqual({
      rows: 0,
      inWindow: 0,
      high: null,
      rawHigh: null,
      excluded: 0,
    });
    expect(scanV3Trades(v3Csv([]), D, S, E)).toEqual({
      rows: 0,
      inWindow: 0,
      high: null,
      rawHigh: null,
      excluded: 0,
    });
  });

  it('accepts the JSON, header-indexed JSON and NDJSON shapes', () => {
    const obj = JSON.stringify({
      response: [{ price: 4.5, timestamp: '2024-01-02T04:00:00.000' }],
    });
    expect(scanV3Trades(obj, D, S, E).high).toBe(4.5);
    const legacy = JSON.stringify({
      header: { format: ['price', 'timestamp'] },
      response: [[4.75, '2024-01-02T08:00:00.000']],
    });
    expect(scanV3Trades(legacy, D, S, E).high).toBe(4.75);
    const nd =
      '{"timestamp":"2024-01-02T05:00:00.000","price":1}\n{"timestamp":"2024-01-02T05:00:01.000","price":2}\n';
    expect(scanV3Trades(nd, D, S, E)).toEqual({
      rows: 2,
      inWindow: 2,
      high: 2,
      rawHigh: 2,
      excluded: 0,
    });
  });

  it('throws MalformedBody for a missing column, a short row, a bad timestamp or price', () => {
    expect(() => scanV3Trades('<html>x</html>', D, S, E)).toThrow(MalformedBody);
    expect(() => scanV3Trades('timestamp,price\r\n2024-01-02T05:00:00.000\r\n', D, S, E)).toThrow(
      /cells/,
    );
    expect(() => scanV3Trades('timestamp,price\r\n05:00,1\r\n', D, S, E)).toThrow(/timestamp/);
    expect(() =>
      scanV3Trades('timestamp,price\r\n2024-01-02T05:00:00.000,abc\r\n', D, S, E),
    ).toThrow(/price/);
  });
});

describe('v2 bodies', () => {
  it('maps header.error_type to a status; "null" stays 200', () => {
    expect(v2EffectiveStatus(200, JSON.stringify(v2Trades([], 20240102)))).toBe(200);
    expect(v2EffectiveStatus(200, JSON.stringify(v2Trades([], 20240102, 'null', 'NO_DATA')))).toBe(
      472,
    );
    expect(
      v2EffectiveStatus(200, JSON.stringify(v2Trades([], 20240102, 'null', 'DISCONNECTED'))),
    ).toBe(474);
    expect(
      v2EffectiveStatus(200, JSON.stringify(v2Trades([], 20240102, 'null', 'SOMETHING_NEW'))),
    ).toBe(470);
    expect(v2EffectiveStatus(500, 'x')).toBe(500);
  });

  it('resolves trade columns from header.format and keeps [start, end)', () => {
    const body = parseV2Body(
      JSON.stringify(
        v2Trades(
          [
            [S, 1],
            [E - 1, 2],
            [E, 9],
            [S - 1, 8],
          ],
          20240102,
          'http://127.0.0.1:1/v2/page/1',
        ),
      ),
      'x',
    );
    expect(body.header.next_page).toBe('http://127.0.0.1:1/v2/page/1');
    expect(scanV2Trades(body, 20240102, S, E)).toEqual({
      rows: 4,
      inWindow: 2,
      high: 2,
      rawHigh: 2,
      excluded: 0,
    });
    // A reordered format still finds price by name.
    const re = parseV2Body(
      JSON.stringify({
        header: { error_type: 'null', next_page: 'null', format: ['price', 'ms_of_day'] },
        response: [[5, S]],
      }),
      'x',
    );
    expect(re.header.next_page).toBeNull();
    expect(scanV2Trades(re, 20240102, S, E).high).toBe(5);
  });

  it('takes the max high of bars with trades', () => {
    const body = parseV2Body(
      JSON.stringify(
        v2Ohlc(
          [
            [S, 3, 2],
            [S + 60_000, 7, 0],
            [E, 9, 4],
          ],
          20240102,
        ),
      ),
      'x',
    );
    expect(scanV2Ohlc(body, 20240102, S, E)).toEqual({
      rows: 3,
      inWindow: 1,
      high: 3,
      rawHigh: 3,
      excluded: 0,
    });
  });

  it('throws MalformedBody for non-JSON or a missing format', () => {
    expect(() => parseV2Body('nope', 'v1 trades')).toThrow(MalformedBody);
    expect(() =>
      parseV2Body('{"header":{"error_type":"null"},"response":[]}', 'v1 trades'),
    ).toThrow(/format/);
    const noPrice = parseV2Body(
      '{"header":{"error_type":"null","format":["ms_of_day"]},"response":[]}',
      'v1 trades',
    );
    expect(() => scanV2Trades(noPrice, 20240102, S, E)).toThrow(/price/);
  });
});
