/**
 * ThetaData trade conditions and which prints may set a premarket high (docs/providers.md section 2.11;
 * source: ThetaData's documentation, Articles: Errors, Exchanges & Conditions: Trade
 * Conditions, the table of codes with the flags Cancel / Volume / High / Low / Last).
 *
 * A trade row carries `condition` and `ext_condition1..4` (255 = none). Under the tape's rules a
 * print updates the high only when every code it carries does. Two codes mark every pre- and
 * after-hours print (1 FORM_T, 148 EXTENDED_HOURS_TRADE) and one a late premarket print (65
 * OUT_OF_SEQ_PRE_MKT); the table marks them "no high" because the consolidated high is a
 * regular-session figure, so for a premarket high they are treated as eligible. Cancel records
 * (40-44) never count, and the print a cancel refers to does not count either when it can be
 * identified (v2 `records_back`; 41 CANC_LAST = the latest print that could set the last).
 * Codes missing from the list below (new or non-equity codes) are treated as eligible: a code we
 * do not know must not hide a gapper (the zero-miss bias); the raw maximum is recorded beside the
 * eligible one in pm_diag.
 */

/** ThetaData's "no condition" filler in `ext_condition1..4`. */
export const NO_CONDITION = 255;

/**
 * Equity codes that do NOT update the high (ThetaData's table, "High" blank; the list of
 * docs/providers.md section 2.11): 4 average price, 9 next-day sale, 11 cash sale, 12 seller, 16 non-board
 * lot, 19 halt, 20 delayed, 26 open detail, 27 intra detail, 28 basket on close, 33 custom basket
 * cross, 40-44 cancels, 49 blank price, 50 not specified, 51 and 66 market-center official close and
 * open, 59 VWAP, 60 special session, 61 admin, 64 settle price, 77 volume adjustment, 89 pre-opening,
 * 105 contingent trade, 109 implied, 115 odd lot, 124 qualified contingent trade, 147 multilateral
 * compression. The table's other blank-High rows are options, futures, LME or reserved codes that do
 * not occur on the equity tapes, and 107/108 (benchmark, trade-through exempt) whose own description
 * says tapes A/B and UTP may update the high with them: those count as eligible (zero-miss bias).
 */
const NO_HIGH: ReadonlySet<number> = new Set([
  4, 9, 11, 12, 16, 19, 20, 26, 27, 28, 33, 40, 41, 42, 43, 44, 49, 50, 51, 59, 60, 61, 64, 66, 77,
  89, 105, 109, 115, 124, 147,
]);

/** Cancel records (40 CANC, 41 CANC_LAST, 42 CANC_OPEN, 43 CANC_ONLY, 44 CANC_STPD). */
export const CANCEL_CODES: ReadonlySet<number> = new Set([40, 41, 42, 43, 44]);
/** 41 CANC_LAST: cancels the most recent print qualified to set the last. */
export const CANC_LAST = 41;
/** 43 CANC_ONLY: cancels the only print. */
export const CANC_ONLY = 43;
/** Premarket markers treated as eligible for a premarket high: 1 FORM_T, 65 OUT_OF_SEQ_PRE_MKT, 148 EXTENDED_HOURS_TRADE. */
export const PREMARKET_MARKERS: ReadonlySet<number> = new Set([1, 65, 148]);
/** 115 ODD_LOT (size 1-99): volume only. */
export const ODD_LOT = 115;

/** How a premarket high is taken from trade prints: `tape` (eligible prints only) or `raw` (every print). */
export type PmHighPolicy = 'tape' | 'raw';

/**
 * True when one code lets a print set a premarket high: any code but the {@link NO_HIGH} list
 * (premarket markers 1, 65 and 148, the filler 255 and codes the table does not list included).
 */
export function codeMaySetPremarketHigh(code: number): boolean {
  return !NO_HIGH.has(code);
}

/** True when a print whose codes (condition and ext_condition1..4, fillers allowed) are `codes` may set a premarket high. */
export function printMaySetPremarketHigh(codes: readonly number[]): boolean {
  for (const c of codes) if (!codeMaySetPremarketHigh(c)) return false;
  return true;
}

/** True when any of the print's codes is a cancel record. */
export function isCancelRecord(codes: readonly number[]): boolean {
  for (const c of codes) if (CANCEL_CODES.has(c)) return true;
  return false;
}
