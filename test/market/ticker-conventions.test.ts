import { describe, expect, it } from 'vitest';
import { micOfExchange, securityTypeFromTicker } from '../../source/market/ticker-conventions.js';

describe('securityTypeFromTicker: the data README conventions', () => {
  it.each([
    // NASDAQ five-letter tickers: fifth letter
    ['ABCDW', 'NASDAQ', 'WARRANT'],
    ['ABCDU', 'NASDAQ', 'UNIT'],
    ['ABCDR', 'NASDAQ', 'RIGHT'],
    ['ABCDP', 'NASDAQ', 'PFD'],
    ['ABCDQ', 'NASDAQ', 'CS'],
    ['ABCDA', 'NASDAQ', 'CS'],
    ['ABCDB', 'NASDAQ', 'CS'],
    // NYSE / AMEX separators
    ['ABC-WS', 'NYSE', 'WARRANT'],
    ['ABC-U', 'NYSE', 'UNIT'],
    ['ABC-R', 'NYSE', 'RIGHT'],
    ['ABC-RT', 'AMEX', 'RIGHT'],
    ['ABC_A', 'NYSE', 'PFD'],
    ['ABC_B', 'AMEX', 'PFD'],
    ['ABC-A', 'NYSE', 'CS'],
    ['ABC-B', 'NYSE', 'CS'],
    // plain tickers
    ['ABCD', 'NASDAQ', 'CS'],
    ['ABC', 'NYSE', 'CS'],
    ['A', 'NYSE', 'CS'],
  ] as const)('%s on %s is %s', (ticker, exchange, type) => {
    expect(securityTypeFromTicker(ticker, exchange, 'stock')).toBe(type);
  });
});

describe('securityTypeFromTicker: real tickers of the stooq 2018 files', () => {
  it.each([
    ['AMBCW', 'NASDAQ', 'WARRANT'], // Ambac warrants
    ['BLNKW', 'NASDAQ', 'WARRANT'],
    ['GPAQU', 'NASDAQ', 'UNIT'],
    ['KBLMR', 'NASDAQ', 'RIGHT'],
    ['ACGLP', 'NASDAQ', 'PFD'],
    ['ACGLO', 'NASDAQ', 'PFD'], // second class preferred
    ['MLNTQ', 'NASDAQ', 'CS'], // in bankruptcy, still common
    ['CMCSA', 'NASDAQ', 'CS'],
    ['DISCB', 'NASDAQ', 'CS'],
    ['DISCK', 'NASDAQ', 'CS'], // non-voting class
    ['GOOGL', 'NASDAQ', 'CS'],
    ['RYAAY', 'NASDAQ', 'ADRC'],
    ['TANNI', 'NASDAQ', 'BOND'],
    ['EBAYL', 'NASDAQ', 'OS'], // exchange-listed notes
    ['AIG-WS', 'NYSE', 'WARRANT'],
    ['TDW-WS-A', 'NYSE', 'WARRANT'],
    ['NSPR-WS-B', 'AMEX', 'WARRANT'],
    ['UUUU-WS', 'AMEX', 'WARRANT'],
    ['GRP-U', 'NYSE', 'UNIT'],
    ['BAC_L', 'NYSE', 'PFD'],
    ['ALP_Q', 'NYSE', 'PFD'],
    ['ARNC_', 'AMEX', 'PFD'], // single-series preferred: bare trailing underscore
    ['BRK-B', 'NYSE', 'CS'],
    ['BRK-A', 'NYSE', 'CS'],
    ['MKC-V', 'NYSE', 'CS'],
    ['BWL-A', 'AMEX', 'CS'],
    ['AAPL', 'NASDAQ', 'CS'],
    ['ZEXIT', 'NYSE', 'CS'], // five letters, but the NASDAQ rule is NASDAQ-only
  ] as const)('%s on %s is %s', (ticker, exchange, type) => {
    expect(securityTypeFromTicker(ticker, exchange, 'stock')).toBe(type);
  });

  it('accepts the Polygon/CQS dot spelling and lower case', () => {
    expect(securityTypeFromTicker('BRK.B', 'NYSE', 'stock')).toBe('CS');
    expect(securityTypeFromTicker('AIG.WS', 'NYSE', 'stock')).toBe('WARRANT');
    expect(securityTypeFromTicker('ambcw', 'NASDAQ', 'stock')).toBe('WARRANT');
  });

  it('gives OS for an unknown suffix shape', () => {
    expect(securityTypeFromTicker('ABC-WI', 'NYSE', 'stock')).toBe('OS');
  });

  it('kind etf wins over the shape', () => {
    expect(securityTypeFromTicker('SPY', 'NYSE', 'etf')).toBe('ETF');
    expect(securityTypeFromTicker('QQQ', 'NASDAQ', 'etf')).toBe('ETF');
    expect(securityTypeFromTicker('ABCDW', 'NASDAQ', 'etf')).toBe('ETF');
  });

  it('rejects an empty or malformed ticker with a one-line error', () => {
    expect(() => securityTypeFromTicker('', 'NYSE', 'stock')).toThrow(/invalid ticker/);
    expect(() => securityTypeFromTicker('AB CD', 'NYSE', 'stock')).toThrow(/^[^\n]+$/);
  });
});

describe('micOfExchange', () => {
  it('maps the stooq exchange names', () => {
    expect(micOfExchange('NASDAQ')).toEqual({ exchange: 'NASDAQ', mic: 'XNAS' });
    expect(micOfExchange('NYSE')).toEqual({ exchange: 'NYSE', mic: 'XNYS' });
    expect(micOfExchange('NYSEMKT')).toEqual({ exchange: 'AMEX', mic: 'XASE' });
    expect(micOfExchange('AMEX')).toEqual({ exchange: 'AMEX', mic: 'XASE' });
  });

  it('throws a one-line error for an unknown exchange', () => {
    expect(() => micOfExchange('OTC')).toThrow(/unknown stooq exchange "OTC"/);
  });
});
