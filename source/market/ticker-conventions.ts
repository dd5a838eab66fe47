/**
 * Security type and primary exchange of a stooq ticker, recognised from the ticker's shape.
 *
 * The stooq US daily dump (see /work/shared/data/README.md and db/market/README.md) has no security
 * type, so the replay market derives Polygon's `type` code from the listing conventions:
 *
 * - NASDAQ: a regular issue has at most four letters; a fifth letter is a suffix
 *   (W warrant, U unit, R right, P/O/N/M first to fourth preferred, Q in bankruptcy but still common,
 *   A/B/K/J/C/D/E/F/S/V common stock variants, G/H/I convertible bonds, Y ADR, X mutual fund,
 *   L/T/Z miscellaneous). GOOGL is the one known common stock whose fifth letter is not a suffix.
 * - NYSE / NYSE American (AMEX), as stooq spells them: `-WS`, `-WS-A` ... warrant; `-U` unit;
 *   `-R` / `-RT` right; `_A`, `_B` ... (underscore, also a bare trailing `_`) preferred series;
 *   `-A`, `-B`, `-V` ... (a single letter after a dash) a share class, i.e. common stock.
 *   `.` is accepted in place of `-` (Polygon / CQS spelling, e.g. `BRK.B`).
 *   These separator rules apply whatever the exchange.
 * - kind `etf` → ETF, whatever the shape.
 */

/** Our exchange names (the engine's `ALLOWED_EXCHANGES` vocabulary). */
export type OurExchange = 'NYSE' | 'NASDAQ' | 'AMEX';

/** Polygon primary-exchange MICs of the three listing exchanges. */
export type ListingMic = 'XNYS' | 'XNAS' | 'XASE';

/** NASDAQ fifth-letter suffix → Polygon security type code. */
const NASDAQ_FIFTH_LETTER: Readonly<Record<string, string>> = {
  A: 'CS', // class A
  B: 'CS', // class B
  C: 'CS', // exempt from listing qualifications
  D: 'CS', // new issue (e.g. after a reverse split)
  E: 'CS', // delinquent in SEC filings
  F: 'CS', // foreign issuer
  G: 'BOND', // first convertible bond
  H: 'BOND', // second convertible bond
  I: 'BOND', // third convertible bond
  J: 'CS', // voting
  K: 'CS', // non-voting
  L: 'OS', // miscellaneous situations (mostly exchange-listed notes)
  M: 'PFD', // fourth class preferred
  N: 'PFD', // third class preferred
  O: 'PFD', // second class preferred
  P: 'PFD', // first class preferred
  Q: 'CS', // in bankruptcy, still the common stock
  R: 'RIGHT',
  S: 'CS', // shares of beneficial interest
  T: 'OS', // with warrants or rights attached
  U: 'UNIT',
  V: 'CS', // when issued
  W: 'WARRANT',
  X: 'FUND', // mutual fund
  Y: 'ADRC', // American depositary receipt
  Z: 'OS', // miscellaneous
};

/** Five-letter NASDAQ common stocks whose fifth letter is part of the name, not a suffix. */
const NASDAQ_FIVE_LETTER_COMMON: ReadonlySet<string> = new Set(['GOOGL']);

/**
 * Polygon security type code of a stooq / NASDAQ / NYSE ticker, from its shape alone.
 *
 * @param ticker   the ticker as stooq spells it (`AIG-WS`, `BAC_L`, `BRK-B`, `ABCDW`); case-insensitive.
 * @param exchange listing exchange (our names; stooq's NYSEMKT is AMEX, see {@link micOfExchange}).
 * @param kind     stooq's `kind` column: `etf` always gives `ETF`.
 * @returns one of `CS`, `ETF`, `WARRANT`, `UNIT`, `RIGHT`, `PFD`, `BOND`, `ADRC`, `FUND`, `OS`
 *   (`OS` = other security: a shape the conventions call miscellaneous or do not cover, e.g. `-WI`).
 * @throws Error (one line) on an empty ticker or one with characters other than letters, digits,
 *   `-`, `.`, `_`.
 */
export function securityTypeFromTicker(
  ticker: string,
  exchange: OurExchange,
  kind: 'stock' | 'etf',
): string {
  const t = ticker.trim().toUpperCase();
  if (t === '' || !/^[A-Z0-9][A-Z0-9._-]*$/.test(t)) {
    throw new Error(`securityTypeFromTicker: invalid ticker ${JSON.stringify(ticker)}`);
  }
  if (kind === 'etf') return 'ETF';

  // Underscore: a preferred series (ABR_A) or a single-series preferred with a bare trailing `_` (ARNC_).
  if (t.includes('_')) return 'PFD';

  const sep = t.search(/[-.]/);
  if (sep > 0) {
    const suffix = t.slice(sep + 1).replace(/\./g, '-');
    if (suffix === 'WS' || suffix.startsWith('WS-')) return 'WARRANT';
    if (suffix === 'U') return 'UNIT';
    if (suffix === 'R' || suffix === 'RT') return 'RIGHT';
    if (/^[A-Z]$/.test(suffix)) return 'CS'; // share class: BRK-B, MKC-V
    return 'OS';
  }

  if (exchange === 'NASDAQ' && t.length === 5 && !NASDAQ_FIVE_LETTER_COMMON.has(t)) {
    return NASDAQ_FIFTH_LETTER[t[4]] ?? 'OS';
  }
  return 'CS';
}

/**
 * Our exchange name and the Polygon primary-exchange MIC of a stooq exchange name:
 * `NASDAQ` → NASDAQ / XNAS, `NYSE` → NYSE / XNYS, `NYSEMKT` (NYSE American) → AMEX / XASE.
 * `AMEX` is accepted as a synonym of `NYSEMKT`. Case-insensitive.
 *
 * @throws Error (one line) for any other name.
 */
export function micOfExchange(stooqExchange: string): { exchange: OurExchange; mic: ListingMic } {
  switch (stooqExchange.trim().toUpperCase()) {
    case 'NASDAQ':
      return { exchange: 'NASDAQ', mic: 'XNAS' };
    case 'NYSE':
      return { exchange: 'NYSE', mic: 'XNYS' };
    case 'NYSEMKT':
    case 'AMEX':
      return { exchange: 'AMEX', mic: 'XASE' };
    default:
      throw new Error(
        `micOfExchange: unknown stooq exchange ${JSON.stringify(stooqExchange)} (expected NASDAQ, NYSE or NYSEMKT)`,
      );
  }
}
