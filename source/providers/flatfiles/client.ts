/**
 * Massive (Polygon) Flat Files: the day's minute aggregates of every ticker in one S3 object,
 * `us_stocks_sip/minute_aggs_v1/YYYY/MM/YYYY-MM-DD.csv.gz` in bucket `flatfiles`
 * (docs/providers.md section 1.7), read for premarket highs: the highest minute-bar `high` of each
 * ticker with `window_start` in [PM_START, PM_END) ET of the date. Minute bars follow the tape's
 * high/low eligibility, so a ticker absent from the window has no eligible premarket print.
 *
 * Requests are signed with AWS Signature V4 by the `aws4` library (small, dependency-free, the
 * signer most S3-compatible Node clients build on; a whole S3 SDK would bring dozens of packages for
 * one GET). The body is streamed: undici -> gunzip -> csv-parse, one row at a time, so memory is
 * the per-ticker map, never the file. With a cache folder the object is kept as
 * `<cache>/minute_aggs_<date>.csv.gz`, written through a temp file and renamed only after the whole
 * object was read and parsed, so a broken download is never cached.
 *
 * Outcomes: `ok`, `unpublished` (404: not a trading day or not yet published) and `forbidden` (403:
 * wrong credentials or a plan without flat files). Everything else (timeouts, network errors, 5xx
 * after retries, a truncated or corrupt gzip, a CSV without the needed columns) throws
 * {@link ProviderError}: a broken file never yields highs.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import aws4 from 'aws4';
import { parse } from 'csv-parse';
import { request } from 'undici';
import { etToUtcMs } from '../../calendar/index.js';
import { ProviderError } from '../types.js';

/** Bucket and key prefix of the minute aggregates on Massive's endpoint. */
export const FLATFILES_BUCKET = 'flatfiles';

/** Options of {@link createFlatFilesClient}. */
export interface FlatFilesOptions {
  /** S3 endpoint, path-style (e.g. `https://files.massive.com`). */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Default `flatfiles`. */
  bucket?: string;
  /** SigV4 region (default `us-east-1`). */
  region?: string;
  /** Per-attempt timeout for the headers and between body chunks, seconds. */
  timeoutSec: number;
  /** Retries after the first attempt on 5xx, timeouts, network errors and broken bodies. */
  retries: number;
  /** Premarket window, ET wall clock `HH:MM:SS` (start inclusive, end exclusive). */
  pmStart: string;
  pmEnd: string;
  /** Folder for downloaded objects (optional). */
  cacheDir?: string;
  /** Backoff wait between attempts (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
}

/** Premarket highs of one day from its flat file. */
export type BulkPremarket =
  | {
      kind: 'ok';
      date: string;
      /** Ticker -> highest premarket minute-bar high, dollars. Absent: no premarket bar. */
      highs: Map<string, number>;
      /** CSV rows read, and how many were in the premarket window. */
      rows: number;
      premarketRows: number;
      /** Compressed bytes read. */
      bytes: number;
      fromCache: boolean;
    }
  | { kind: 'unpublished' | 'forbidden'; date: string; reason: string };

/** The Flat Files client. */
export interface FlatFilesClient {
  /**
   * Premarket highs of every ticker on `date` (YYYY-MM-DD).
   * @throws ProviderError ('timeout', 'network', 'malformed', 'http' after retries, 'aborted').
   */
  premarketHighs(date: string, signal?: AbortSignal): Promise<BulkPremarket>;
}

/** Key of `date`'s minute aggregates. */
export function minuteAggsKey(date: string): string {
  return `us_stocks_sip/minute_aggs_v1/${date.slice(0, 4)}/${date.slice(5, 7)}/${date}.csv.gz`;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const NEEDED = ['ticker', 'high', 'window_start'] as const;

/** Builds the client. @throws Error (one line) when the endpoint is not an http(s) URL. */
export function createFlatFilesClient(o: FlatFilesOptions): FlatFilesClient {
  let base: URL;
  try {
    base = new URL(o.endpoint);
  } catch {
    throw new Error(`flat files: endpoint ${JSON.stringify(o.endpoint)} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error('flat files: endpoint must be http(s)');
  const bucket = o.bucket ?? FLATFILES_BUCKET;
  const region = o.region ?? 'us-east-1';
  const timeoutMs = Math.max(1, Math.round(o.timeoutSec * 1000));
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const basePath = base.pathname.replace(/\/+$/, '');

  /** Reads a gzip CSV stream into premarket highs; throws ProviderError 'malformed' on a broken file. */
  async function scan(
    date: string,
    body: Readable,
    copyTo: string | null,
    shown: string,
  ): Promise<{ highs: Map<string, number>; rows: number; premarketRows: number; bytes: number }> {
    const startNs = BigInt(etToUtcMs(date, o.pmStart)) * 1_000_000n;
    const endNs = BigInt(etToUtcMs(date, o.pmEnd)) * 1_000_000n;
    const highs = new Map<string, number>();
    let rows = 0;
    let premarketRows = 0;
    let bytes = 0;
    let header: string[] | null = null;
    // Counts the compressed bytes and, with a cache, copies them to the temp file (with backpressure).
    const copy = copyTo ? createWriteStream(copyTo) : null;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (copy && !copy.write(chunk)) copy.once('drain', () => cb(null, chunk));
        else cb(null, chunk);
      },
      flush(cb) {
        if (copy) copy.end(() => cb());
        else cb();
      },
    });
    const parser = parse({
      columns: (h: string[]) => ((header = h.map((x) => x.trim().toLowerCase())), header),
      skip_empty_lines: true,
      relax_column_count: false,
    });
    /** Throws 'malformed' when the header lacks a column the scan reads (checked before the first row, or at the end of a file without rows). */
    const checkHeader = (): void => {
      const missing = NEEDED.filter((c) => !header!.includes(c));
      if (missing.length)
        throw new ProviderError(
          'flatfiles',
          'malformed',
          `flat files: ${shown}: CSV lacks column(s) ${missing.join(', ')}`,
        );
    };
    const consume = (async () => {
      for await (const rec of parser as AsyncIterable<Record<string, string>>) {
        if (rows === 0) checkHeader();
        rows++;
        let ws: bigint;
        try {
          ws = BigInt(rec.window_start!);
        } catch {
          throw new ProviderError(
            'flatfiles',
            'malformed',
            `flat files: ${shown}: row ${rows + 1}: bad window_start ${JSON.stringify(String(rec.window_start).slice(0, 30))}`,
          );
        }
        if (ws < startNs || ws >= endNs) continue;
        const h = Number(rec.high);
        if (!Number.isFinite(h))
          throw new ProviderError(
            'flatfiles',
            'malformed',
            `flat files: ${shown}: row ${rows + 1}: bad high ${JSON.stringify(String(rec.high).slice(0, 30))}`,
          );
        premarketRows++;
        const t = rec.ticker!;
        const was = highs.get(t);
        if (was === undefined || h > was) highs.set(t, h);
      }
      if (header === null)
        throw new ProviderError(
          'flatfiles',
          'malformed',
          `flat files: ${shown}: empty file (no CSV header)`,
        );
      if (rows === 0) checkHeader();
    })();
    try {
      await Promise.all([pipeline(body, counter, createGunzip(), parser), consume]);
    } catch (e) {
      parser.destroy();
      copy?.destroy();
      if (e instanceof ProviderError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (
        code.startsWith('Z_') ||
        /unexpected end of file|incorrect header check|invalid/i.test((e as Error).message)
      ) {
        throw new ProviderError(
          'flatfiles',
          'malformed',
          `flat files: ${shown}: broken gzip (${(e as Error).message})`,
        );
      }
      if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || code.startsWith('CSV_')) {
        throw new ProviderError(
          'flatfiles',
          'malformed',
          `flat files: ${shown}: broken CSV (${(e as Error).message.split('\n')[0]})`,
        );
      }
      throw e;
    }
    return { highs, rows, premarketRows, bytes };
  }

  async function fromNetwork(
    date: string,
    signal: AbortSignal | undefined,
  ): Promise<BulkPremarket> {
    const path = `${basePath}/${bucket}/${minuteAggsKey(date)}`;
    const shown = `${base.origin}${path}`;
    let lastError: ProviderError | null = null;
    for (let attempt = 0; attempt <= o.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
      if (signal?.aborted)
        throw new ProviderError('flatfiles', 'aborted', `flat files: ${shown}: aborted`);
      const signed = aws4.sign(
        { host: base.host, path, method: 'GET', service: 's3', region, headers: {} },
        { accessKeyId: o.accessKey, secretAccessKey: o.secretKey },
      );
      const headers = signed.headers as Record<string, string>;
      let res;
      try {
        res = await request(`${base.origin}${path}`, {
          method: 'GET',
          headers,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (e) {
        if (signal?.aborted)
          throw new ProviderError('flatfiles', 'aborted', `flat files: ${shown}: aborted`);
        const code = (e as { code?: string }).code ?? '';
        lastError = new ProviderError(
          'flatfiles',
          /TIMEOUT/.test(code) ? 'timeout' : 'network',
          `flat files: ${shown}: ${/TIMEOUT/.test(code) ? `no answer in ${o.timeoutSec} s` : (e as Error).message}`,
        );
        continue;
      }
      if (res.statusCode === 404) {
        await res.body.dump();
        return {
          kind: 'unpublished',
          date,
          reason: `flat files: ${shown}: 404 (not a trading day or not yet published)`,
        };
      }
      if (res.statusCode === 403 || res.statusCode === 401) {
        const text = (await res.body.text()).slice(0, 300);
        const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(res.statusCode);
        return {
          kind: 'forbidden',
          date,
          reason: `flat files: ${shown}: ${res.statusCode} ${code} (check FLATFILES_ACCESS_KEY / FLATFILES_SECRET_KEY and the plan)`,
        };
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        lastError = new ProviderError(
          'flatfiles',
          'http',
          `flat files: ${shown}: HTTP ${res.statusCode}`,
          res.statusCode,
        );
        if (RETRY_STATUSES.has(res.statusCode)) continue;
        throw lastError;
      }
      const tmp = o.cacheDir
        ? join(o.cacheDir, `.minute_aggs_${date}.csv.gz.${process.pid}.tmp`)
        : null;
      if (tmp) mkdirSync(o.cacheDir!, { recursive: true });
      try {
        const r = await scan(date, res.body as unknown as Readable, tmp, shown);
        if (tmp) renameSync(tmp, cachePath(date)!);
        return { kind: 'ok', date, ...r, fromCache: false };
      } catch (e) {
        if (tmp) rmSync(tmp, { force: true });
        if (signal?.aborted)
          throw new ProviderError('flatfiles', 'aborted', `flat files: ${shown}: aborted`);
        if (e instanceof ProviderError) lastError = e;
        else {
          const code = (e as { code?: string }).code ?? '';
          lastError = new ProviderError(
            'flatfiles',
            /TIMEOUT/.test(code) ? 'timeout' : 'network',
            `flat files: ${shown}: ${/TIMEOUT/.test(code) ? `body stalled for ${o.timeoutSec} s` : (e as Error).message}`,
          );
        }
      }
    }
    throw lastError ?? new ProviderError('flatfiles', 'network', `flat files: ${shown}: failed`);
  }

  function cachePath(date: string): string | null {
    return o.cacheDir ? join(o.cacheDir, `minute_aggs_${date}.csv.gz`) : null;
  }

  return {
    async premarketHighs(date, signal) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new Error(`flat files: date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
      const cached = cachePath(date);
      if (cached && existsSync(cached) && statSync(cached).size > 0) {
        try {
          const r = await scan(date, createReadStream(cached), null, cached);
          return { kind: 'ok', date, ...r, fromCache: true };
        } catch {
          rmSync(cached, { force: true }); // a broken cached copy is dropped and fetched again
        }
      }
      return fromNetwork(date, signal);
    },
  };
}
