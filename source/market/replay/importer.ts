/**
 * Builds a replay dataset (see ./format.ts and db/market/README.md) from the two real public
 * datasets under /work/shared/data: the stooq US daily dump and the Polygon premarket gappers file.
 *
 * Deterministic: the same inputs give byte-identical files (everything sorted, gzip level 9 with
 * mtime 0 and the OS byte fixed to 3, no timestamps in the manifest), for a given Node/zlib version.
 *
 * Over 400 lines: one deterministic pipeline (read stooq days, rescale the premarket file, write
 * the gzip files and the manifest); the byte-identical output depends on the steps staying in one
 * order.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import {
  micOfExchange,
  securityTypeFromTicker,
  type ListingMic,
  type OurExchange,
} from '../ticker-conventions.js';
import {
  DAY_HEADER,
  DAYS_DIR,
  MANIFEST_FILE,
  PREMARKET_EVENTS_FILE,
  PREMARKET_FILE,
  REPLAY_FORMAT,
  REPLAY_FORMAT_VERSION,
  REPLAY_RULES,
  REPLAY_SOURCES,
  TICKERS_FILE,
  TICKERS_HEADER,
  csvRows,
  dayFile,
  type PremarketBar,
  type PremarketEvent,
  type PremarketRecord,
  type ReplayManifest,
  type SkippedRow,
} from './format.js';
import { errorLine } from '../../util/errors.js';

/** Options of {@link importReplay}. */
export interface ImportOptions {
  /** The stooq folder (`stooq-us-daily-2018-2020`, holding `days/`), or its `days/` folder itself. */
  stooqDir: string;
  /** Path of `gappers_premarket_5min.csv` (the Polygon premarket gappers file). */
  premarketCsv: string;
  /** First date to import, `YYYY-MM-DD` (inclusive). */
  start: string;
  /** Last date to import, `YYYY-MM-DD` (inclusive). */
  end: string;
  /** Output dataset directory; created, or replaced when it already holds a replay dataset. */
  outDir: string;
  /** Dataset name (`replay:<name>` in the console), letters, digits, `.`, `_`, `-`. */
  name: string;
}

/** What {@link importReplay} wrote. Counts of rows; sizes in bytes. */
export interface ImportSummary {
  name: string;
  outDir: string;
  span: { start: string; end: string };
  tradingDays: number;
  tickers: number;
  dailyRows: number;
  /** Rows of the premarket file dated inside the span. */
  premarketRowsInSpan: number;
  premarketKept: number;
  premarketSkipped: SkippedRow[];
  /** Kept rows whose pm_high >= 1.5 × stooq previous close. */
  r1Positive: number;
  /** Kept rows with premarket bars that are not R1 positive. */
  r1NearMiss: number;
  /** Kept rows without any premarket bar. */
  premarketKeptWithoutBars: number;
  /** Total size of the dataset's files, bytes (manifest included). */
  totalBytes: number;
}

/** Largest tolerated relative difference of open/prev_close between stooq and the premarket file. */
const MAX_RATIO_DIFF = 0.03;
const STOOQ_HEADER = 'ticker,exchange,kind,open,high,low,close,volume';
const PM_COLUMNS = ['date', 'ticker', 'prev_close', 'open', 'pm_high', 'pm_prices'] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TICKER_RE = /^[A-Z0-9][A-Z0-9._-]*$/;

interface StooqRow {
  ticker: string;
  exchange: OurExchange;
  mic: ListingMic;
  kind: 'stock' | 'etf';
  /** Verbatim tokens: open, high, low, close, volume. */
  tokens: [string, string, string, string, string];
}

interface TickerInfo {
  exchange: OurExchange;
  mic: ListingMic;
  kind: 'stock' | 'etf';
  first: string;
  last: string;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** gzip level 9, mtime 0 (Node's default) and OS byte 3 so the bytes do not depend on the platform. */
function gzipDeterministic(text: string): Buffer {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  gz[9] = 3;
  return gz;
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

function numberToken(tok: string, what: string): number {
  const n = tok === '' ? NaN : Number(tok);
  if (!Number.isFinite(n))
    throw new Error(`importReplay: ${what}: not a number: ${JSON.stringify(tok)}`);
  return n;
}

/** Reads one stooq day file into rows (validated), in file order. */
function readStooqDay(file: string, date: string): StooqRow[] {
  let text: string;
  try {
    text = gunzipSync(fs.readFileSync(file)).toString('utf8');
  } catch (err) {
    throw new Error(`importReplay: cannot read stooq day ${date}: ${errorLine(err)}`, {
      cause: err,
    });
  }
  const csv = csvRows(text, `importReplay: stooq day ${date}`);
  if (csv.length === 0 || csv[0].cells.join(',') !== STOOQ_HEADER) {
    throw new Error(
      `importReplay: stooq day ${date}: unexpected header (expected ${STOOQ_HEADER})`,
    );
  }
  const rows: StooqRow[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < csv.length; i++) {
    const f = csv[i].cells;
    const where = `stooq day ${date} line ${csv[i].line}`;
    if (f.length !== 8)
      throw new Error(`importReplay: ${where}: expected 8 fields, got ${f.length}`);
    const [ticker, exch, kind, o, h, l, c, v] = f;
    if (!TICKER_RE.test(ticker))
      throw new Error(`importReplay: ${where}: bad ticker ${JSON.stringify(ticker)}`);
    if (seen.has(ticker)) throw new Error(`importReplay: ${where}: duplicate ticker ${ticker}`);
    seen.add(ticker);
    if (kind !== 'stock' && kind !== 'etf')
      throw new Error(`importReplay: ${where}: bad kind ${JSON.stringify(kind)}`);
    let ex: { exchange: OurExchange; mic: ListingMic };
    try {
      ex = micOfExchange(exch);
    } catch (err) {
      throw new Error(`importReplay: ${where}: ${(err as Error).message}`, { cause: err });
    }
    for (const [tok, what] of [
      [o, 'open'],
      [h, 'high'],
      [l, 'low'],
      [c, 'close'],
      [v, 'volume'],
    ] as const) {
      numberToken(tok, `${where} ${what}`);
    }
    rows.push({ ticker, exchange: ex.exchange, mic: ex.mic, kind, tokens: [o, h, l, c, v] });
  }
  if (rows.length === 0) throw new Error(`importReplay: stooq day ${date} has no rows`);
  return rows;
}

/** Rescales a price to the stooq basis (12 significant digits). */
function rescalePrice(p: number, factor: number): number {
  return Number((p * factor).toPrecision(12));
}

interface PmRow {
  date: string;
  ticker: string;
  prevClose: string;
  open: string;
  pmHigh: string;
  pmPrices: string;
}

/** Reads the premarket gappers file (validated header), rows dated in [start, end]. */
function readPremarketRows(csvPath: string, start: string, end: string): PmRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(fs.readFileSync(csvPath), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
  } catch (err) {
    throw new Error(
      `importReplay: cannot read premarket file ${path.basename(csvPath)}: ${errorLine(err)}`,
      {
        cause: err,
      },
    );
  }
  if (records.length > 0) {
    for (const col of PM_COLUMNS) {
      if (!(col in records[0])) throw new Error(`importReplay: premarket file lacks column ${col}`);
    }
  }
  const rows: PmRow[] = [];
  for (const r of records) {
    if (!DATE_RE.test(r.date))
      throw new Error(`importReplay: premarket file: bad date ${JSON.stringify(r.date)}`);
    if (r.date < start || r.date > end) continue;
    rows.push({
      date: r.date,
      ticker: r.ticker,
      prevClose: r.prev_close,
      open: r.open,
      pmHigh: r.pm_high,
      pmPrices: r.pm_prices,
    });
  }
  rows.sort((a, b) => byCodeUnit(a.date, b.date) || byCodeUnit(a.ticker, b.ticker));
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].date === rows[i - 1].date && rows[i].ticker === rows[i - 1].ticker) {
      throw new Error(
        `importReplay: premarket file: duplicate row ${rows[i].date} ${rows[i].ticker}`,
      );
    }
  }
  return rows;
}

interface RawBar {
  start: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

/** Parses and validates pm_prices: 5-minute bars starting 04:00-09:25 ET on the row's date. */
function parseBars(row: PmRow): RawBar[] {
  const where = `premarket file ${row.date} ${row.ticker}`;
  let arr: unknown;
  try {
    arr = JSON.parse(row.pmPrices === '' ? '[]' : row.pmPrices);
  } catch {
    throw new Error(`importReplay: ${where}: pm_prices is not JSON`);
  }
  if (!Array.isArray(arr)) throw new Error(`importReplay: ${where}: pm_prices is not an array`);
  const bars: RawBar[] = arr.map((b: Record<string, unknown>, i) => {
    const start = String(b.start);
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}:\d{2})$/.exec(start);
    if (
      !m ||
      m[1] !== row.date ||
      m[2] < '04:00:00' ||
      m[2] > '09:25:00' ||
      !Number.isFinite(Date.parse(start))
    ) {
      throw new Error(
        `importReplay: ${where}: bar ${i} start ${JSON.stringify(start)} is not a 04:00-09:25 ET bar start of that date`,
      );
    }
    const nums = ['open', 'high', 'low', 'close', 'volume', 'trades'].map((k) => {
      const n = Number(b[k]);
      if (typeof b[k] !== 'number' || !Number.isFinite(n) || n < 0)
        throw new Error(`importReplay: ${where}: bar ${i} ${k} is not a number >= 0`);
      return n;
    });
    return {
      start,
      open: nums[0],
      high: nums[1],
      low: nums[2],
      close: nums[3],
      volume: nums[4],
      trades: nums[5],
    };
  });
  for (let i = 1; i < bars.length; i++) {
    if (Date.parse(bars[i].start) <= Date.parse(bars[i - 1].start))
      throw new Error(`importReplay: ${where}: bars not in time order`);
  }
  return bars;
}

/** Lists the stooq day files: sorted dates and the folder holding them. */
function listStooqDays(stooqDir: string): { daysDir: string; dates: string[] } {
  const nested = path.join(stooqDir, 'days');
  const daysDir = fs.existsSync(nested) && fs.statSync(nested).isDirectory() ? nested : stooqDir;
  let names: string[];
  try {
    names = fs.readdirSync(daysDir);
  } catch {
    throw new Error(`importReplay: stooq folder not found: ${stooqDir}`);
  }
  const dates = names
    .filter((n) => /^\d{4}-\d{2}-\d{2}\.csv\.gz$/.test(n))
    .map((n) => n.slice(0, 10))
    .sort(byCodeUnit);
  if (dates.length === 0)
    throw new Error(`importReplay: no YYYY-MM-DD.csv.gz day files in ${daysDir}`);
  return { daysDir, dates };
}

/** Empties outDir of a previous dataset (only our own files), or refuses a foreign non-empty folder. */
async function prepareOutDir(outDir: string): Promise<void> {
  if (!fs.existsSync(outDir)) {
    await fsp.mkdir(path.join(outDir, DAYS_DIR), { recursive: true });
    return;
  }
  const entries = await fsp.readdir(outDir);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new Error(
      `importReplay: ${outDir} is not empty and holds no replay manifest; refusing to write into it`,
    );
  }
  for (const f of [MANIFEST_FILE, TICKERS_FILE, PREMARKET_FILE, PREMARKET_EVENTS_FILE]) {
    await fsp.rm(path.join(outDir, f), { force: true });
  }
  const daysDir = path.join(outDir, DAYS_DIR);
  if (fs.existsSync(daysDir)) {
    for (const f of await fsp.readdir(daysDir)) {
      if (/^\d{4}-\d{2}-\d{2}\.csv\.gz$/.test(f)) await fsp.rm(path.join(daysDir, f));
    }
  }
  await fsp.mkdir(daysDir, { recursive: true });
}

/**
 * Imports the stooq trading days in [start, end] and the premarket rows of that span into a replay
 * dataset at outDir (format: db/market/README.md). Premarket rows are rescaled to the stooq basis by
 * factor = stooq previous close / file prev_close, and skipped (with a reason in the manifest) when
 * the ticker is absent from stooq that day or the previous stooq day, or when open/prev_close differs
 * by more than 3% between the two sources.
 *
 * @returns counts of what was written.
 * @throws Error (one line) on bad options, unreadable or malformed inputs, no stooq day in the span,
 *   or an outDir that is non-empty and not a replay dataset.
 */
export async function importReplay(opts: ImportOptions): Promise<ImportSummary> {
  const { stooqDir, premarketCsv, start, end, outDir, name } = opts;
  if (!DATE_RE.test(start) || !DATE_RE.test(end) || start > end) {
    throw new Error(
      `importReplay: bad span ${JSON.stringify(start)}..${JSON.stringify(end)} (YYYY-MM-DD, start <= end)`,
    );
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new Error(`importReplay: bad dataset name ${JSON.stringify(name)}`);
  const { daysDir, dates: allDates } = listStooqDays(stooqDir);
  const spanDates = allDates.filter((d) => d >= start && d <= end);
  if (spanDates.length === 0)
    throw new Error(`importReplay: no stooq day between ${start} and ${end}`);
  const pmRows = readPremarketRows(premarketCsv, start, end);

  const dateIndex = new Map(allDates.map((d, i) => [d, i] as const));
  // Days whose (open, close) we need for the premarket rows: their date and the previous stooq day.
  const needed = new Set<string>();
  for (const r of pmRows) {
    const i = dateIndex.get(r.date);
    if (i === undefined) continue;
    needed.add(r.date);
    if (i > 0) needed.add(allDates[i - 1]);
  }
  const quotes = new Map<string, Map<string, { open: number; close: number }>>();
  const keepQuotes = (date: string, rows: StooqRow[]): void => {
    if (!needed.has(date)) return;
    quotes.set(
      date,
      new Map(
        rows.map((r) => [r.ticker, { open: Number(r.tokens[0]), close: Number(r.tokens[3]) }]),
      ),
    );
  };

  await prepareOutDir(outDir);
  const files: ReplayManifest['files'] = {};
  const write = async (rel: string, buf: Buffer): Promise<void> => {
    await fsp.writeFile(path.join(outDir, rel), buf);
    files[rel] = { bytes: buf.length, sha256: sha256(buf) };
  };

  // Daily files and the ticker table.
  const tickers = new Map<string, TickerInfo>();
  let dailyRows = 0;
  for (const date of spanDates) {
    const rows = readStooqDay(path.join(daysDir, `${date}.csv.gz`), date);
    keepQuotes(date, rows);
    rows.sort((a, b) => byCodeUnit(a.ticker, b.ticker));
    const lines = [DAY_HEADER];
    for (const r of rows) {
      lines.push(`${r.ticker},${r.tokens.join(',')}`);
      const t = tickers.get(r.ticker);
      if (t) {
        // The latest day's exchange and kind win (a listing can move).
        Object.assign(t, { exchange: r.exchange, mic: r.mic, kind: r.kind, last: date });
      } else {
        tickers.set(r.ticker, {
          exchange: r.exchange,
          mic: r.mic,
          kind: r.kind,
          first: date,
          last: date,
        });
      }
    }
    dailyRows += rows.length;
    await write(dayFile(date), gzipDeterministic(lines.join('\n') + '\n'));
  }
  for (const date of needed) {
    if (!quotes.has(date))
      keepQuotes(date, readStooqDay(path.join(daysDir, `${date}.csv.gz`), date));
  }

  const tickerLines = [TICKERS_HEADER];
  for (const tk of [...tickers.keys()].sort(byCodeUnit)) {
    const t = tickers.get(tk)!;
    const type = securityTypeFromTicker(tk, t.exchange, t.kind);
    tickerLines.push([tk, t.exchange, t.mic, t.kind, type, t.first, t.last].join(','));
  }
  await write(TICKERS_FILE, gzipDeterministic(tickerLines.join('\n') + '\n'));

  // Premarket rows: keep, rescale, or skip with a reason.
  const kept: PremarketRecord[] = [];
  const events: PremarketEvent[] = [];
  const skipped: SkippedRow[] = [];
  const skip = (r: PmRow, reason: SkippedRow['reason'], detail: string): void => {
    skipped.push({ date: r.date, ticker: r.ticker, reason, detail });
  };
  for (const r of pmRows) {
    const i = dateIndex.get(r.date);
    if (i === undefined) {
      skip(r, 'not_a_stooq_day', `${r.date} has no stooq day file`);
      continue;
    }
    if (i === 0) {
      skip(
        r,
        'no_previous_stooq_day',
        `no stooq day file before ${r.date}, so no stooq previous close`,
      );
      continue;
    }
    const prevDate = allDates[i - 1];
    const today = quotes.get(r.date)!.get(r.ticker);
    if (!today) {
      skip(r, 'ticker_absent_on_day', `${r.ticker} is not in the stooq file of ${r.date}`);
      continue;
    }
    const prev = quotes.get(prevDate)!.get(r.ticker);
    if (!prev) {
      skip(
        r,
        'ticker_absent_previous_day',
        `${r.ticker} is not in the stooq file of the previous day ${prevDate}`,
      );
      continue;
    }
    const fPrev = Number(r.prevClose);
    const fOpen = Number(r.open);
    if (!(fPrev > 0) || !(fOpen > 0) || !(prev.close > 0)) {
      skip(
        r,
        'bad_file_values',
        `unusable prices: file prev_close ${r.prevClose}, file open ${r.open}, stooq previous close ${prev.close}`,
      );
      continue;
    }
    const stooqRatio = today.open / prev.close;
    const fileRatio = fOpen / fPrev;
    const diff = stooqRatio / fileRatio - 1;
    if (Math.abs(diff) > MAX_RATIO_DIFF) {
      skip(
        r,
        'ratio_mismatch',
        `open/prev_close is ${stooqRatio.toFixed(4)} in stooq (${today.open}/${prev.close}) but ${fileRatio.toFixed(4)} in the premarket file (${r.open}/${r.prevClose}): ${(diff * 100).toFixed(2)}% apart, more than 3%`,
      );
      continue;
    }
    const factor = prev.close / fPrev;
    const rawBars = parseBars(r);
    const bars: PremarketBar[] = rawBars.map((b) => {
      const vol = Math.round(b.volume / factor);
      return {
        start: b.start,
        open: rescalePrice(b.open, factor),
        high: rescalePrice(b.high, factor),
        low: rescalePrice(b.low, factor),
        close: rescalePrice(b.close, factor),
        volume: b.trades > 0 ? Math.max(1, vol) : vol,
        trades: b.trades,
      };
    });
    const filePmHigh = r.pmHigh === '' ? null : Number(r.pmHigh);
    kept.push({
      date: r.date,
      ticker: r.ticker,
      stooqPrevClose: prev.close,
      filePrevClose: fPrev,
      factor,
      filePmHigh,
      bars,
    });
    const pmHigh = bars.length > 0 ? Math.max(...bars.map((b) => b.high)) : null;
    events.push({
      date: r.date,
      ticker: r.ticker,
      stooqPrevClose: prev.close,
      stooqOpen: today.open,
      openGapPct: (today.open / prev.close - 1) * 100,
      pmHigh,
      pmHighPct: pmHigh === null ? null : (pmHigh / prev.close - 1) * 100,
      hasPremarketBars: bars.length > 0,
      r1Positive: pmHigh !== null && pmHigh / prev.close >= 1.5,
    });
  }
  await write(PREMARKET_FILE, gzipDeterministic(JSON.stringify(kept) + '\n'));
  await write(PREMARKET_EVENTS_FILE, Buffer.from(JSON.stringify(events, null, 1) + '\n', 'utf8'));

  const r1Positive = events.filter((e) => e.r1Positive).length;
  const withoutBars = events.filter((e) => !e.hasPremarketBars).length;
  const sortedFiles: ReplayManifest['files'] = {};
  for (const k of Object.keys(files).sort(byCodeUnit)) sortedFiles[k] = files[k];
  const manifest: ReplayManifest = {
    format: REPLAY_FORMAT,
    formatVersion: REPLAY_FORMAT_VERSION,
    name,
    description: `Real US daily bars of every NYSE, NASDAQ and NYSE American stock and ETF from ${spanDates[0]} to ${spanDates[spanDates.length - 1]} (stooq), with the real premarket 5-minute bars of the gap-up days of that span (Polygon, via the gappers file) rescaled to the stooq basis.`,
    sources: REPLAY_SOURCES,
    span: { start: spanDates[0], end: spanDates[spanDates.length - 1] },
    tradingDays: spanDates,
    counts: {
      tradingDays: spanDates.length,
      tickers: tickers.size,
      dailyRows,
      premarketRowsInSpan: pmRows.length,
      premarketKept: kept.length,
      premarketSkipped: skipped.length,
      premarketKeptWithoutBars: withoutBars,
      premarketBars: kept.reduce((n, k) => n + k.bars.length, 0),
      r1Positive,
      r1NearMiss: kept.length - withoutBars - r1Positive,
    },
    rules: REPLAY_RULES,
    premarketSkipped: skipped,
    files: sortedFiles,
  };
  const manifestBuf = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  await fsp.writeFile(path.join(outDir, MANIFEST_FILE), manifestBuf);

  const totalBytes = Object.values(files).reduce((n, f) => n + f.bytes, 0) + manifestBuf.length;
  return {
    name,
    outDir,
    span: manifest.span,
    tradingDays: spanDates.length,
    tickers: tickers.size,
    dailyRows,
    premarketRowsInSpan: pmRows.length,
    premarketKept: kept.length,
    premarketSkipped: skipped,
    r1Positive,
    r1NearMiss: manifest.counts.r1NearMiss,
    premarketKeptWithoutBars: withoutBars,
    totalBytes,
  };
}
