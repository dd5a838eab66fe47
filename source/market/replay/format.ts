/**
 * The replay dataset format (version 1): file names, the manifest schema and the premarket record
 * shape shared by the importer ({@link ./importer.ts}) and the loader ({@link ./loader.ts}).
 * The human description of the format is db/market/README.md.
 *
 * A dataset is one directory:
 * - `manifest.json`: {@link ReplayManifest} (written last by the importer).
 * - `days/YYYY-MM-DD.csv.gz`: one per trading day, `ticker,open,high,low,close,volume`, stooq's
 *   values verbatim (dollars, shares; split- and dividend-adjusted as of about 2020-01-24), sorted by ticker.
 * - `tickers.csv.gz`: `ticker,exchange,mic,kind,type,first_date,last_date`, sorted by ticker.
 * - `premarket.json.gz`: {@link PremarketRecord}[] sorted by (date, ticker): the kept premarket rows,
 *   rescaled to the stooq basis.
 * - `premarket_events.json`: {@link PremarketEvent}[] sorted by (date, ticker), for tests and readers.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';

/** One CSV row of a dataset file: its cells and its 1-based line number in the file. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/**
 * Parses a dataset CSV text (header row included, CRLF or LF line ends, even mixed; RFC 4180
 * quoting) with csv-parse,
 * skipping empty lines; rows may differ in length (the callers check each against the header).
 * @throws Error (one line) `<where>: bad CSV: ...` on bad quoting.
 */
export function csvRows(text: string, where: string): CsvRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n'],
      info: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw new Error(`${where}: bad CSV: ${(e as Error).message}`.split('\n')[0], { cause: e });
  }
  return records.map((r) => ({ cells: r.record, line: r.info.lines }));
}

/** The `format` field of every replay manifest. */
export const REPLAY_FORMAT = 'gapctl-replay';
/** The format version this code reads and writes. */
export const REPLAY_FORMAT_VERSION = 1;

/** Manifest file name inside a dataset directory. */
export const MANIFEST_FILE = 'manifest.json';
/** Ticker table file name. */
export const TICKERS_FILE = 'tickers.csv.gz';
/** Rescaled premarket rows file name. */
export const PREMARKET_FILE = 'premarket.json.gz';
/** Premarket event summary file name. */
export const PREMARKET_EVENTS_FILE = 'premarket_events.json';
/** Folder of the daily files. */
export const DAYS_DIR = 'days';
/** Header of a day file. */
export const DAY_HEADER = 'ticker,open,high,low,close,volume';
/** Header of the ticker table. */
export const TICKERS_HEADER = 'ticker,exchange,mic,kind,type,first_date,last_date';

/** Relative path of a day file inside a dataset (`days/YYYY-MM-DD.csv.gz`). */
export function dayFile(date: string): string {
  return `${DAYS_DIR}/${date}.csv.gz`;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a YYYY-MM-DD date');

/** One premarket 5-minute bar as stored (already rescaled to the stooq basis). */
export const premarketBarSchema = z.object({
  /** Bar start, ISO 8601 with its ET offset, as the source file gives it (e.g. `2018-01-04T07:30:00-05:00`). */
  start: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  /** Shares, rounded to a whole share, at least 1 when trades > 0. */
  volume: z.number(),
  trades: z.number().int(),
});
/** A stored premarket 5-minute bar: dollars in the stooq basis, shares, ISO start with ET offset. */
export type PremarketBar = z.infer<typeof premarketBarSchema>;

/** One kept premarket row (date, ticker) of the gappers file, rescaled to the stooq basis. */
export const premarketRecordSchema = z.object({
  date: isoDate,
  ticker: z.string(),
  /** stooq close of the ticker on the previous stooq day, dollars (stooq basis). */
  stooqPrevClose: z.number(),
  /** The gappers file's prev_close, dollars (Polygon basis of about September 2025). */
  filePrevClose: z.number(),
  /** Rescale factor = stooqPrevClose / filePrevClose (prices × factor, volumes ÷ factor). */
  factor: z.number(),
  /** The file's pm_high (Polygon basis), null when the row has no premarket bars. */
  filePmHigh: z.number().nullable(),
  bars: z.array(premarketBarSchema),
});
/** A kept, rescaled premarket row. */
export type PremarketRecord = z.infer<typeof premarketRecordSchema>;

/** One entry of `premarket_events.json`. */
export const premarketEventSchema = z.object({
  date: isoDate,
  ticker: z.string(),
  /** Dollars, stooq basis. */
  stooqPrevClose: z.number(),
  /** stooq open of the day, dollars. */
  stooqOpen: z.number(),
  /** Open gap in percent: stooqOpen / stooqPrevClose - 1, × 100. */
  openGapPct: z.number(),
  /** Rescaled premarket high (max bar high), dollars; null when the row has no bars. */
  pmHigh: z.number().nullable(),
  /** Premarket high gap in percent: pmHigh / stooqPrevClose - 1, × 100; null without bars. */
  pmHighPct: z.number().nullable(),
  hasPremarketBars: z.boolean(),
  /** pmHigh >= 1.5 × stooqPrevClose (R1 at the default 50% threshold). */
  r1Positive: z.boolean(),
});
/** A premarket event summary (R1 positives and near-misses). */
export type PremarketEvent = z.infer<typeof premarketEventSchema>;

/** Why a premarket row of the source file was not kept. */
export const SKIP_REASONS = [
  'not_a_stooq_day',
  'no_previous_stooq_day',
  'ticker_absent_on_day',
  'ticker_absent_previous_day',
  'bad_file_values',
  'ratio_mismatch',
] as const;
/** One of {@link SKIP_REASONS}. */
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A skipped premarket row, recorded in the manifest. */
export const skippedRowSchema = z.object({
  date: isoDate,
  ticker: z.string(),
  reason: z.enum(SKIP_REASONS),
  /** One human sentence with the numbers behind the reason. */
  detail: z.string(),
});
/** A skipped premarket row. */
export type SkippedRow = z.infer<typeof skippedRowSchema>;

const sourceSchema = z.object({
  id: z.string(),
  description: z.string(),
  repository: z.string(),
  commit: z.string(),
  path: z.string(),
  licence: z.string(),
});

/** The manifest schema (`manifest.json`). */
export const manifestSchema = z.object({
  format: z.literal(REPLAY_FORMAT),
  formatVersion: z.literal(REPLAY_FORMAT_VERSION),
  name: z.string().min(1),
  description: z.string(),
  sources: z.array(sourceSchema),
  span: z.object({ start: isoDate, end: isoDate }),
  tradingDays: z.array(isoDate).min(1),
  counts: z.object({
    tradingDays: z.number().int(),
    tickers: z.number().int(),
    dailyRows: z.number().int(),
    premarketRowsInSpan: z.number().int(),
    premarketKept: z.number().int(),
    premarketSkipped: z.number().int(),
    premarketKeptWithoutBars: z.number().int(),
    premarketBars: z.number().int(),
    r1Positive: z.number().int(),
    r1NearMiss: z.number().int(),
  }),
  rules: z.object({
    dailyBars: z.string(),
    securityType: z.string(),
    rescaling: z.string(),
    skipping: z.string(),
    trades: z.string(),
    minuteBars: z.string(),
    referenceTickers: z.string(),
    splits: z.string(),
  }),
  premarketSkipped: z.array(skippedRowSchema),
  /** Every data file: relative path → size in bytes and SHA-256 (hex); checked when the loader reads it. */
  files: z.record(
    z.object({ bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
});
/** The parsed `manifest.json`. */
export type ReplayManifest = z.infer<typeof manifestSchema>;

/** The two public sources of the importer, exactly as /work/shared/data/README.md cites them. */
export const REPLAY_SOURCES: ReplayManifest['sources'] = [
  {
    id: 'stooq-us-daily',
    description:
      "stooq.com's US daily dump (NYSE, NASDAQ, NYSE American stocks and ETFs), one file per trading day",
    repository: 'minavyoussef/be-mil',
    commit: 'f28c3fe6504491f0c5087c365ef23e87342a856c',
    path: 'data/daily/us',
    licence: 'no licence stated',
  },
  {
    id: 'polygon-premarket-gappers',
    description:
      'Polygon premarket 5-minute bars of real gap-up days (open >= +30%, open > $2, common stock)',
    repository: 'hanzelbridges/Polygon2',
    commit: '814e7d3358b15a650473d94620629f6ba0fdbdaa',
    path: 'output/gappers_premarket_5min.csv',
    licence: 'no licence stated',
  },
];

/** The rule texts written into every manifest (also in db/market/README.md). */
export const REPLAY_RULES: ReplayManifest['rules'] = {
  dailyBars:
    "stooq's open/high/low/close/volume verbatim (split- and dividend-adjusted as of about 2020-01-24; volume may be fractional); no vwap and no trade count (grouped daily omits vw and n).",
  securityType:
    'Polygon type from the ticker shape (source/market/ticker-conventions.ts): NASDAQ fifth letter W/U/R/P warrant/unit/right/preferred, Q and A/B common; -WS warrant, -U unit, -R/-RT right, _X preferred, -X share class (CS); kind etf -> ETF.',
  rescaling:
    "factor = stooq previous close / file prev_close, where stooq previous close is the ticker's close in the previous stooq day file; premarket prices x factor (rounded to 12 significant digits), volumes / factor (rounded to whole shares, at least 1 when the bar has trades).",
  skipping:
    'a premarket row is skipped when its date is not a stooq day, there is no previous stooq day, the ticker is absent from stooq that day or the previous day, the file values are unusable, or (stooq open / stooq previous close) and (file open / file prev_close) differ by more than 3% relative.',
  trades:
    'each rescaled 5-minute bar with trades > 0 gives four prints: open at start+0 ms, high at +60000, low at +120000, close at +299000; sizes floor(volume/4) on the first three and the remainder on the close (each at least 1 share); condition 0; exchange 3 (a Nasdaq code, in NQB_EXCHANGE_CODES) for even-indexed bars and 57 (consolidated, not in it) for odd-indexed bars; sequence 1, 2, 3 ... per ticker-day. No premarket row or no bars -> no trades (Theta 472).',
  minuteBars:
    "each 5-minute bar is served as one one-minute bar at its start (durationMs 60000) with the 5-minute bar's OHLCV and trade count, i.e. the 5-minute high sits in the first minute.",
  referenceTickers:
    'every ticker whose first_date <= date (dates outside the span are clamped to it), active (the stooq set only holds symbols still listed in January 2020), name = ticker, market stocks, primary exchange MIC from the stooq exchange, no list date.',
  splits:
    'none: stooq prices are split-adjusted, so the dataset holds no unadjusted split events and splits() is empty.',
};
