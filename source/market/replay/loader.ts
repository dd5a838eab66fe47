/**
 * The replay market: a {@link MarketSource} over a replay dataset directory (format: ./format.ts and
 * db/market/README.md). The manifest, the ticker table and the premarket rows are read when the
 * dataset is opened; each day file is read on first use and cached (a backfill asks for a day
 * several times). Every file's SHA-256 is checked against the manifest when it is read.
 */
import { LruMap } from '../../util/lru.js';
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type {
  DailyBar,
  IntradayBar,
  MarketSource,
  RefTicker,
  SplitRecord,
  TickerDetails,
  TradePrint,
} from '../types.js';
import {
  DAY_HEADER,
  MANIFEST_FILE,
  PREMARKET_FILE,
  TICKERS_FILE,
  TICKERS_HEADER,
  csvRows,
  dayFile,
  manifestSchema,
  premarketRecordSchema,
  type PremarketRecord,
  type ReplayManifest,
} from './format.js';
import { errorLine } from '../../util/errors.js';

/** Exchange code of the prints of even-indexed premarket bars (a Nasdaq code, in NQB_EXCHANGE_CODES). */
export const REPLAY_NQB_EXCHANGE = 3;
/** Exchange code of the prints of odd-indexed premarket bars (consolidated/CTA-ish, not in NQB_EXCHANGE_CODES). */
export const REPLAY_CTA_EXCHANGE = 57;

/** One row of `tickers.csv.gz`. */
export interface ReplayTicker {
  ticker: string;
  /** Our exchange name. */
  exchange: 'NYSE' | 'NASDAQ' | 'AMEX';
  /** Polygon primary-exchange MIC. */
  mic: string;
  kind: 'stock' | 'etf';
  /** Polygon security type code from the ticker conventions. */
  type: string;
  /** First and last trading day of the dataset the ticker has a bar on, `YYYY-MM-DD`. */
  firstDate: string;
  lastDate: string;
}

/** A replay {@link MarketSource} with the dataset's own facts exposed for tests and the oracle. */
export interface ReplayMarket extends MarketSource {
  readonly span: { start: string; end: string };
  /** First and last dates of the premarket file's kept rows (null when it has none). */
  readonly premarketSpan?: { start: string; end: string };
  /** Absolute dataset directory. */
  readonly dir: string;
  /** The parsed manifest. */
  readonly manifest: ReplayManifest;
  /** The dataset's trading days, ascending `YYYY-MM-DD`. */
  readonly tradingDays: readonly string[];
}

class ReplaySource implements ReplayMarket {
  readonly name: string;
  readonly span: { start: string; end: string };
  readonly premarketSpan?: { start: string; end: string };
  readonly tradingDays: readonly string[];
  private readonly daySet: ReadonlySet<string>;
  // Bounded: a backfill walks forward and asks for the scan day, its previous day and a 7-day R4
  // window; older days are read again from disk if ever needed (RSS stays flat over long ranges).
  private readonly dayCache = new LruMap<string, Promise<readonly DailyBar[]>>(DAY_CACHE_DAYS);
  private readonly refCache = new LruMap<string, readonly RefTicker[]>(DAY_CACHE_DAYS);
  // Derived premarket prints and bars: at most one entry per row of the premarket file.
  private readonly tradeCache = new Map<string, readonly TradePrint[] | null>();
  private readonly barCache = new Map<string, readonly IntradayBar[] | null>();

  constructor(
    readonly dir: string,
    readonly manifest: ReplayManifest,
    private readonly tickers: readonly ReplayTicker[],
    private readonly tickerMap: ReadonlyMap<string, ReplayTicker>,
    private readonly premarket: ReadonlyMap<string, PremarketRecord>,
  ) {
    this.name = `replay:${manifest.name}`;
    this.span = { ...manifest.span };
    this.tradingDays = [...manifest.tradingDays];
    this.daySet = new Set(manifest.tradingDays);
    let first = '';
    let last = '';
    for (const r of premarket.values()) {
      if (!first || r.date < first) first = r.date;
      if (r.date > last) last = r.date;
    }
    if (first) this.premarketSpan = { start: first, end: last };
  }

  /** A date clamped into the span (dates outside it answer as of the nearest bound). */
  private clamp(date: string): string {
    return date < this.span.start ? this.span.start : date > this.span.end ? this.span.end : date;
  }

  async referenceTickers(date: string): Promise<RefTicker[]> {
    const d = this.clamp(date);
    let list = this.refCache.get(d);
    if (!list) {
      list = this.tickers
        .filter((t) => t.firstDate <= d)
        .map((t) =>
          Object.freeze({
            ticker: t.ticker,
            name: t.ticker,
            type: t.type,
            market: 'stocks' as const,
            primaryExchange: t.mic,
            active: true,
          }),
        );
      this.refCache.set(d, list);
    }
    return list.slice();
  }

  async groupedDaily(date: string): Promise<DailyBar[]> {
    if (!this.daySet.has(date)) return [];
    let p = this.dayCache.get(date);
    if (!p) {
      p = this.loadDay(date);
      this.dayCache.set(date, p);
      p.catch(() => this.dayCache.delete(date));
    }
    return (await p).slice();
  }

  private async loadDay(date: string): Promise<readonly DailyBar[]> {
    const rel = dayFile(date);
    const text = await readChecked(this.dir, rel, this.manifest);
    const rows = csvRows(text, `replay ${this.manifest.name}: ${rel}`);
    if (rows.length === 0 || rows[0].cells.join(',') !== DAY_HEADER)
      throw new Error(`replay ${this.manifest.name}: ${rel}: unexpected header`);
    const bars: DailyBar[] = [];
    for (let i = 1; i < rows.length; i++) {
      const f = rows[i].cells;
      const bar: DailyBar = {
        T: f[0],
        o: Number(f[1]),
        h: Number(f[2]),
        l: Number(f[3]),
        c: Number(f[4]),
        v: Number(f[5]),
      };
      if (f.length !== 6 || !Number.isFinite(bar.o + bar.h + bar.l + bar.c + bar.v)) {
        throw new Error(`replay ${this.manifest.name}: ${rel} line ${rows[i].line} is corrupt`);
      }
      bars.push(Object.freeze(bar));
    }
    return bars;
  }

  async tickerDetails(ticker: string, date: string): Promise<TickerDetails | null> {
    const t = this.tickerMap.get(ticker);
    if (!t || t.firstDate > this.clamp(date)) return null;
    return {
      ticker: t.ticker,
      name: t.ticker,
      type: t.type,
      market: 'stocks',
      primaryExchange: t.mic,
      active: true,
    };
  }

  async splits(): Promise<SplitRecord[]> {
    return [];
  }

  async trades(ticker: string, date: string): Promise<TradePrint[] | null> {
    const key = `${date} ${ticker}`;
    // Only ticker-days of the premarket file are cached (a bounded set): the emulator asks for every
    // ticker of every day (the flat files), and caching those nulls grew without bound.
    if (!this.premarket.has(key)) return null;
    let prints = this.tradeCache.get(key);
    if (prints === undefined) {
      prints = derivePrints(this.premarket.get(key));
      this.tradeCache.set(key, prints);
    }
    return prints ? prints.slice() : null;
  }

  async minuteBars(ticker: string, date: string): Promise<IntradayBar[] | null> {
    const key = `${date} ${ticker}`;
    if (!this.premarket.has(key)) return null;
    let bars = this.barCache.get(key);
    if (bars === undefined) {
      bars = deriveMinuteBars(this.premarket.get(key));
      this.barCache.set(key, bars);
    }
    return bars ? bars.slice() : null;
  }
}

/**
 * Trade prints of one premarket row: per 5-minute bar with trades > 0, open at start+0 ms, high at
 * +60000, low at +120000, close at +299000; sizes floor(volume/4) (at least 1) and the remainder on
 * the close; exchange {@link REPLAY_NQB_EXCHANGE} for even-indexed bars, {@link REPLAY_CTA_EXCHANGE}
 * for odd ones; condition 0; sequence 1, 2, 3 ... null when there is no row or no bar.
 */
function derivePrints(rec: PremarketRecord | undefined): readonly TradePrint[] | null {
  if (!rec || rec.bars.length === 0) return null;
  const prints: TradePrint[] = [];
  let seq = 0;
  rec.bars.forEach((b, i) => {
    if (!(b.trades > 0)) return;
    const startMs = Date.parse(b.start);
    const exchange = i % 2 === 0 ? REPLAY_NQB_EXCHANGE : REPLAY_CTA_EXCHANGE;
    const quarter = Math.floor(b.volume / 4);
    const small = Math.max(1, quarter);
    const last = Math.max(1, b.volume - 3 * quarter);
    const legs: [number, number, number][] = [
      [0, b.open, small],
      [60_000, b.high, small],
      [120_000, b.low, small],
      [299_000, b.close, last],
    ];
    for (const [off, price, size] of legs) {
      prints.push(
        Object.freeze({ ms: startMs + off, sequence: ++seq, price, size, exchange, condition: 0 }),
      );
    }
  });
  return prints.length > 0 ? prints : null;
}

/** One-minute bars of one premarket row: each 5-minute bar as one bar at its start. null without bars. */
function deriveMinuteBars(rec: PremarketRecord | undefined): readonly IntradayBar[] | null {
  if (!rec || rec.bars.length === 0) return null;
  return rec.bars.map((b) =>
    Object.freeze({
      startMs: Date.parse(b.start),
      durationMs: 60_000,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      trades: b.trades,
    }),
  );
}

/** Reads a dataset file, checks its SHA-256 against the manifest, gunzips `.gz` files; returns text. */
async function readChecked(dir: string, rel: string, manifest: ReplayManifest): Promise<string> {
  const expected = manifest.files[rel];
  if (!expected) throw new Error(`replay ${manifest.name}: ${rel} is not listed in the manifest`);
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path.join(dir, rel));
  } catch (err) {
    throw new Error(`replay ${manifest.name}: cannot read ${rel}: ${errorLine(err)}`, {
      cause: err,
    });
  }
  if (createHash('sha256').update(buf).digest('hex') !== expected.sha256) {
    throw new Error(
      `replay ${manifest.name}: ${rel} is corrupt (SHA-256 differs from the manifest)`,
    );
  }
  try {
    return (rel.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  } catch (err) {
    throw new Error(`replay ${manifest.name}: ${rel} is corrupt: ${errorLine(err)}`, {
      cause: err,
    });
  }
}

function parseTickers(text: string, name: string): ReplayTicker[] {
  const rows = csvRows(text, `replay ${name}: ${TICKERS_FILE}`);
  if (rows.length === 0 || rows[0].cells.join(',') !== TICKERS_HEADER)
    throw new Error(`replay ${name}: ${TICKERS_FILE}: unexpected header`);
  const out: ReplayTicker[] = [];
  for (let i = 1; i < rows.length; i++) {
    const f = rows[i].cells;
    const [ticker, exchange, mic, kind, type, firstDate, lastDate] = f;
    if (
      f.length !== 7 ||
      (exchange !== 'NYSE' && exchange !== 'NASDAQ' && exchange !== 'AMEX') ||
      (kind !== 'stock' && kind !== 'etf') ||
      !/^\d{4}-\d{2}-\d{2}$/.test(firstDate) ||
      !/^\d{4}-\d{2}-\d{2}$/.test(lastDate)
    ) {
      throw new Error(`replay ${name}: ${TICKERS_FILE} line ${rows[i].line} is corrupt`);
    }
    out.push({ ticker, exchange, mic, kind, type, firstDate, lastDate });
  }
  return out;
}

/** Options of {@link openReplay}. */
export interface OpenReplayOptions {
  /**
   * The SHA-256 (hex) of a premarket file whose rows this process already validated against the
   * schema (the command's main thread opened the same dataset before it started the engine worker:
   * BackfillJob.replayPremarketSha256). When the manifest lists exactly this hash for the premarket
   * file, the rows are not validated again: the file's bytes are still checked against the
   * manifest's SHA-256 as always, so they are the bytes that passed. Any other value: validated.
   */
  premarketValidated?: string;
}

/**
 * Opens the replay dataset in `dir` (a folder holding manifest.json, e.g. db/market/2018q1).
 * Reads and validates the manifest, the ticker table and the premarket rows now (the rows' schema
 * check is skipped only for the already validated bytes of `opts.premarketValidated`); day files
 * lazily.
 *
 * @returns a {@link ReplayMarket} named `replay:<manifest name>`.
 * @throws Error (one line) when the folder or manifest is missing, a file is corrupt (bad JSON,
 *   schema, header or SHA-256), or the format version is not 1.
 */
export async function openReplay(dir: string, opts: OpenReplayOptions = {}): Promise<ReplayMarket> {
  const abs = path.resolve(dir);
  let raw: string;
  try {
    raw = await fsp.readFile(path.join(abs, MANIFEST_FILE), 'utf8');
  } catch {
    throw new Error(
      `openReplay: no replay dataset at ${abs} (${MANIFEST_FILE} missing or unreadable)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`openReplay: ${path.join(abs, MANIFEST_FILE)} is not valid JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `openReplay: ${path.join(abs, MANIFEST_FILE)} is corrupt: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const manifest = parsed.data;
  const days = manifest.tradingDays;
  for (let i = 1; i < days.length; i++) {
    if (days[i] <= days[i - 1])
      throw new Error(`openReplay: ${MANIFEST_FILE} is corrupt: tradingDays not ascending`);
  }
  if (days[0] !== manifest.span.start || days[days.length - 1] !== manifest.span.end) {
    throw new Error(`openReplay: ${MANIFEST_FILE} is corrupt: span does not match tradingDays`);
  }
  const tickers = parseTickers(await readChecked(abs, TICKERS_FILE, manifest), manifest.name);
  const pmJson = await readChecked(abs, PREMARKET_FILE, manifest);
  let pmRaw: unknown;
  try {
    pmRaw = JSON.parse(pmJson);
  } catch {
    throw new Error(`openReplay: ${PREMARKET_FILE} is corrupt: not valid JSON`);
  }
  let records: PremarketRecord[];
  if (
    opts.premarketValidated !== undefined &&
    opts.premarketValidated === manifest.files[PREMARKET_FILE]?.sha256
  ) {
    // readChecked verified these bytes against the manifest's SHA-256: the rows that passed the schema.
    records = pmRaw as PremarketRecord[];
  } else {
    const pmParsed = premarketRecordSchema.array().safeParse(pmRaw);
    if (!pmParsed.success) {
      const issue = pmParsed.error.issues[0];
      throw new Error(
        `openReplay: ${PREMARKET_FILE} is corrupt: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
    }
    records = pmParsed.data;
  }
  const premarket = new Map(records.map((r) => [`${r.date} ${r.ticker}`, r] as const));
  return new ReplaySource(
    abs,
    manifest,
    tickers,
    new Map(tickers.map((t) => [t.ticker, t] as const)),
    premarket,
  );
}

/** Days of bars and reference tickers kept in memory by a replay market. */
export const DAY_CACHE_DAYS = 12;
