/**
 * Trade conditions and the premarket high (providers.md section 2.11, ThetaData's trade-conditions
 * table): odd lots, cancel records and cancelled prints never set the high under the tape policy;
 * Form T, extended-hours and late premarket prints do; `raw` keeps the maximum of every print.
 */
import { describe, expect, it } from 'vitest';
import {
  codeMaySetPremarketHigh,
  printMaySetPremarketHigh,
} from '../../source/providers/theta/conditions.js';
import { parseV2Body, scanV2Trades, scanV3Trades } from '../../source/providers/theta/parse.js';
import { V2_TRADE_FORMAT } from './servers.js';

const D = '2024-01-02';
const S = 4 * 3_600_000;
const E = 9.5 * 3_600_000;
const HEADER =
  'timestamp,sequence,ext_condition1,ext_condition2,ext_condition3,ext_condition4,condition,size,exchange,price';

/** A v3 CSV: rows [time, ext1, ext4, condition, size, price]. */
function csv(rows: Array<[string, number, number, number, number, number]>): string {
  return (
    [
      HEADER,
      ...rows.map(
        ([t, e1, e4, c, size, p], i) =>
          `${D}T${t},${1000 + i},${e1},255,255,${e4},${c},${size},57,${p.toFixed(4)}`,
      ),
    ].join('\r\n') + '\r\n'
  );
}

describe('condition codes', () => {
  it('follows the table: odd lot, cancels, average price, VWAP, next-day, contingent cannot set a high', () => {
    for (const c of [4, 9, 11, 12, 16, 40, 41, 42, 43, 44, 59, 77, 89, 105, 109, 115, 124, 147])
      expect(codeMaySetPremarketHigh(c)).toBe(false);
  });

  it('treats the premarket markers and regular codes as eligible, and an unknown code too (zero-miss bias)', () => {
    for (const c of [0, 1, 2, 10, 14, 32, 65, 95, 148, 255, 200])
      expect(codeMaySetPremarketHigh(c)).toBe(true);
    expect(printMaySetPremarketHigh([148, 1, 255, 255, 255])).toBe(true);
    expect(printMaySetPremarketHigh([148, 1, 255, 255, 115])).toBe(false);
  });
});

describe('premarket high from v3 trades', () => {
  const body = csv([
    ['04:10:00.000', 1, 255, 148, 300, 2.0],
    ['05:00:00.000', 1, 115, 115, 12, 3.6], // odd lot at an outlier price
    ['06:00:00.000', 1, 255, 148, 500, 2.9], // the eligible high
    ['07:00:00.000', 1, 255, 148, 200, 4.1], // a print later cancelled ...
    ['07:00:05.000', 1, 255, 41, 200, 4.1], // ... by CANC_LAST
    ['08:00:00.000', 1, 255, 65, 100, 2.5], // late premarket print: eligible
  ]);

  it('tape: odd lots, cancel records and the cancelled print do not count; raw maximum kept beside', () => {
    expect(scanV3Trades(body, D, S, E)).toEqual({
      rows: 6,
      inWindow: 6,
      high: 2.9,
      rawHigh: 4.1,
      excluded: 3,
    });
  });

  it('raw: the maximum of every print', () => {
    expect(scanV3Trades(body, D, S, E, 'raw')).toEqual({
      rows: 6,
      inWindow: 6,
      high: 4.1,
      rawHigh: 4.1,
      excluded: 0,
    });
  });

  it('only ineligible prints: no premarket high (the answer is no_trades)', () => {
    const odd = csv([['05:00:00.000', 1, 115, 115, 50, 9.9]]);
    expect(scanV3Trades(odd, D, S, E)).toMatchObject({ high: null, rawHigh: 9.9, excluded: 1 });
  });

  it('a condition that is not a number is a malformed body', () => {
    const bad = `${HEADER}\r\n${D}T05:00:00.000,1,x,255,255,255,148,100,57,1.0\r\n`;
    expect(() => scanV3Trades(bad, D, S, E)).toThrow(/condition/);
  });
});

describe('premarket high from v2 trades with records_back', () => {
  it('a cancel with records_back N removes the N-th prior print', () => {
    const format = [...V2_TRADE_FORMAT];
    const row = (ms: number, cond: number, price: number, back = 0) => [
      ms,
      1,
      1,
      255,
      255,
      255,
      cond,
      100,
      57,
      price,
      0,
      0,
      0,
      back,
      20240102,
    ];
    const body = parseV2Body(
      JSON.stringify({
        header: { error_type: 'null', next_page: 'null', format },
        response: [
          row(S + 1000, 148, 7.5),
          row(S + 2000, 148, 3.0),
          row(S + 3000, 40, 7.5, 2),
          row(S + 4000, 148, 3.2),
        ],
      }),
      'v1 trades',
    );
    expect(scanV2Trades(body, 20240102, S, E)).toEqual({
      rows: 4,
      inWindow: 4,
      high: 3.2,
      rawHigh: 7.5,
      excluded: 2,
    });
  });
});
