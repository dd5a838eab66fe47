/**
 * Flat Files route of the emulator (docs/providers.md section 1.7): an S3-compatible endpoint with
 * one bucket (`flatfiles`) holding `us_stocks_sip/minute_aggs_v1/YYYY/MM/YYYY-MM-DD.csv.gz` for
 * every trading day the source serves: gzip CSV `ticker,volume,open,close,high,low,window_start,
 * transactions` (window_start in ns UTC), every ticker's minute bars: the premarket bars the source
 * serves as Polygon minute aggregates (the tape's eligible prints) and one regular-session bar at
 * 09:30 ET from the daily bar (so a reader must keep to the premarket window).
 *
 * - `GET /{bucket}/{key}`: the object; 404 `NoSuchKey` for a non-trading day, a day outside the
 *   source's span, or a day not yet published (published at 11:00 ET of the next calendar day).
 * - `GET /{bucket}?list-type=2&prefix=...`: ListObjectsV2 XML of the published keys under a
 *   `us_stocks_sip/minute_aggs_v1/YYYY/MM/` prefix.
 * - Every request must be signed with AWS Signature V4 (service s3) by the emulator's access key;
 *   a missing or wrong signature is 403 (`AccessDenied` / `SignatureDoesNotMatch`), checked by
 *   re-signing the request with the `aws4` library and the known secret.
 * - Test faults: a truncated or corrupt gzip, a CSV without the `high` column, a hang (timeout),
 *   premarket highs skewed from the Theta trades (`skewHighPct`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import aws4 from 'aws4';
import type { DailyBar, MarketSource } from '../types.js';
import { etWallToUtc, parseIsoDate } from './et-time.js';
import type { Ctx } from './http-util.js';
import { LruMap } from '../../util/lru.js';

/** Bucket name, as on Massive's endpoint. */
export const FLATFILES_BUCKET = 'flatfiles';
/** Key prefix of the minute aggregates. */
export const MINUTE_AGGS_PREFIX = 'us_stocks_sip/minute_aggs_v1/';
/** Built flat files the emulator keeps (compressed, about 1-3 MB each for a simulated day). */
export const FLATFILE_CACHE_FILES = 2;
/** CSV header of a minute-aggregates file. */
export const MINUTE_AGGS_HEADER = 'ticker,volume,open,close,high,low,window_start,transactions';

/** Faults of the flat-file route (all off by default). */
export interface FlatFileFaults {
  /** Serve only the first half of the gzip bytes. */
  truncate?: boolean;
  /** Flip bytes in the middle of the gzip stream. */
  corrupt?: boolean;
  /** Serve a CSV without the `high` column. */
  dropHighColumn?: boolean;
  /** Send the headers, then never the body (a stalled transfer). */
  hang?: boolean;
  /**
   * Skew every premarket minute bar's `high` by this many percent (e.g. 2 = 2% higher), so the
   * flat file disagrees with the Theta trades it was built from (the provider-overlap report).
   * The regular-session bar is left alone.
   */
  skewHighPct?: number;
}

/** State of the flat-file route. */
export interface FlatFileState {
  source: MarketSource;
  accessKey: string;
  secretKey: string;
  /** Trading-day test (the emulator's calendar knowledge comes from the source's data). */
  isTradingDay: (date: string) => boolean;
  /** Clock (UTC ms) deciding which days are published. */
  now: () => number;
  faults: FlatFileFaults;
  /** Objects served (200), by key. */
  served: number;
  /** True while every request must be refused with 403 (the `flatFilesForbidden` fault). */
  forbidden?: () => boolean;
}

/**
 * Built files of each source (by the source object, so two markets of one name never share one),
 * by date and faults: the last {@link FLATFILE_CACHE_FILES} (a day's file is read by the proof and
 * the validation baseline, and asked twice at once; one build serves both). A failed build is not kept.
 */
const caches = new WeakMap<MarketSource, LruMap<string, Promise<Buffer | null>>>();

/** The ISO date of a minute-aggs key, or null when `key` is not one. */
export function dateOfKey(key: string): string | null {
  const m = /^us_stocks_sip\/minute_aggs_v1\/(\d{4})\/(\d{2})\/(\d{4}-\d{2}-\d{2})\.csv\.gz$/.exec(
    key,
  );
  if (!m || m[3]!.slice(0, 4) !== m[1] || m[3]!.slice(5, 7) !== m[2]) return null;
  return parseIsoDate(m[3]!) === null ? null : m[3]!;
}

/** The key of `date`'s minute aggregates. */
export function minuteAggsKey(date: string): string {
  return `${MINUTE_AGGS_PREFIX}${date.slice(0, 4)}/${date.slice(5, 7)}/${date}.csv.gz`;
}

/** UTC ms at which `date`'s file is published: 11:00 ET of the next calendar day. */
export function publishedAt(date: string): number {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return etWallToUtc(next.toISOString().slice(0, 10), 11 * 3_600_000);
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  xml(
    res,
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

/** True when the request carries a valid SigV4 signature of `accessKey`/`secretKey`. */
function signatureValid(
  req: IncomingMessage,
  url: URL,
  st: FlatFileState,
): 'ok' | 'missing' | 'bad' {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ')) return 'missing';
  const cred = /Credential=([^/]+)\//.exec(auth)?.[1];
  if (cred !== st.accessKey) return 'bad';
  const date = req.headers['x-amz-date'];
  const sha = req.headers['x-amz-content-sha256'];
  if (typeof date !== 'string' || typeof sha !== 'string') return 'bad';
  const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(auth)?.[1] ?? 'us-east-1';
  const resigned = aws4.sign(
    {
      host: req.headers.host ?? '',
      path: `${url.pathname}${url.search}`,
      method: req.method ?? 'GET',
      service: 's3',
      region,
      headers: { 'X-Amz-Date': date, 'X-Amz-Content-Sha256': sha },
    },
    { accessKeyId: st.accessKey, secretAccessKey: st.secretKey },
  );
  return (resigned.headers as Record<string, string>).Authorization === auth ? 'ok' : 'bad';
}

/** Uncompressed CSV text gathered before it is handed to the gzip stream (bytes, about). */
const CHUNK_CHARS = 64 * 1024;

/**
 * The gzip of `date`'s minute-aggregates CSV (see the module note); null when the source has no
 * bars that day. Streamed: each ticker's rows are generated in turn and written to a gzip stream in
 * chunks of about {@link CHUNK_CHARS}, so memory holds the compressed file and one chunk, never the
 * whole CSV text or its rows (a simulated day is ~100,000 rows; building them as one array of
 * strings took ~50 MB of heap for a moment). Same CSV bytes as before, in ticker order.
 */
async function buildGzip(
  source: MarketSource,
  date: string,
  dropHigh: boolean,
  skewHighPct = 0,
): Promise<Buffer | null> {
  const daily: DailyBar[] = await source.groupedDaily(date);
  if (daily.length === 0) return null;
  const gz = createGzip();
  const parts: Buffer[] = [];
  gz.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise<void>((resolve, reject) => {
    gz.once('end', resolve);
    gz.once('error', reject);
  });
  const open = String(BigInt(etWallToUtc(date, 9.5 * 3_600_000)) * 1_000_000n);
  const skew = 1 + skewHighPct / 100;
  const byTicker = new Map<string, DailyBar>();
  for (const b of daily) if (!b.otc) byTicker.set(b.T, b);
  const tickers = [...byTicker.keys()].sort();
  let chunk = `${dropHigh ? MINUTE_AGGS_HEADER.replace(',high', '') : MINUTE_AGGS_HEADER}\n`;
  const row = (
    t: string,
    v: number,
    o: number,
    c: number,
    h: number,
    l: number,
    startNs: string,
    n: number,
  ): string =>
    dropHigh
      ? `${t},${v},${o},${c},${l},${startNs},${n}\n`
      : `${t},${v},${o},${c},${h},${l},${startNs},${n}\n`;
  try {
    for (const t of tickers) {
      const bars = (await source.minuteBars(t, date)) ?? [];
      for (const b of bars) {
        const high = skewHighPct ? Math.round(b.high * skew * 10_000) / 10_000 : b.high;
        chunk += row(
          t,
          b.volume,
          b.open,
          b.close,
          high,
          b.low,
          String(BigInt(b.startMs) * 1_000_000n),
          b.trades,
        );
      }
      const d = byTicker.get(t)!;
      chunk += row(t, d.v, d.o, d.c, d.h, d.l, open, d.n ?? 1);
      if (chunk.length >= CHUNK_CHARS) {
        const more = gz.write(chunk);
        chunk = '';
        if (!more) await new Promise<void>((resolve) => gz.once('drain', resolve));
      }
    }
    gz.end(chunk);
    await ended;
  } catch (e) {
    gz.destroy();
    throw e;
  }
  return Buffer.concat(parts);
}

/**
 * Serves one flat-files request (see the module note). Never throws: a source error is a 500
 * `InternalError`.
 */
export async function handleFlatFiles(ctx: Ctx, st: FlatFileState): Promise<void> {
  const { req, res, url } = ctx;
  try {
    if ((req.method ?? 'GET') !== 'GET') return s3Error(res, 405, 'MethodNotAllowed', 'GET only');
    if (st.forbidden?.())
      return s3Error(res, 403, 'AccessDenied', 'Access Denied (this account has no Flat Files)');
    const sig = signatureValid(req, url, st);
    if (sig !== 'ok')
      return s3Error(
        res,
        403,
        sig === 'missing' ? 'AccessDenied' : 'SignatureDoesNotMatch',
        sig === 'missing'
          ? 'Access Denied'
          : 'The request signature we calculated does not match the signature you provided',
      );
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== FLATFILES_BUCKET)
      return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = decodeURIComponent(rest.join('/'));
    const now = st.now();
    const published = (d: string): boolean =>
      st.isTradingDay(d) &&
      (!st.source.span || (d >= st.source.span.start && d <= st.source.span.end)) &&
      publishedAt(d) <= now;

    if (key === '') {
      // ListObjectsV2 under a month prefix.
      const prefix = url.searchParams.get('prefix') ?? '';
      const m = /^us_stocks_sip\/minute_aggs_v1\/(\d{4})\/(\d{2})\/$/.exec(prefix);
      const keys: string[] = [];
      if (m) {
        for (let day = 1; day <= 31; day++) {
          const d = `${m[1]}-${m[2]}-${String(day).padStart(2, '0')}`;
          if (parseIsoDate(d) !== null && published(d)) keys.push(minuteAggsKey(d));
        }
      }
      const contents = keys.map((k) => `<Contents><Key>${k}</Key></Contents>`).join('');
      return xml(
        res,
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${FLATFILES_BUCKET}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
    }

    const date = dateOfKey(key);
    if (date === null || !published(date))
      return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    let cache = caches.get(st.source);
    if (!cache) caches.set(st.source, (cache = new LruMap(FLATFILE_CACHE_FILES)));
    const ck = `${date}|${st.faults.dropHighColumn ? 'nohigh' : 'full'}|${st.faults.skewHighPct ?? 0}`;
    let building = cache.get(ck);
    if (building === undefined) {
      building = buildGzip(st.source, date, !!st.faults.dropHighColumn, st.faults.skewHighPct ?? 0);
      cache.set(ck, building);
      const mine = building;
      const built = cache;
      building.catch(() => {
        if (built.get(ck) === mine) built.delete(ck);
      });
    }
    const gz = await building;
    if (gz === null) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    let body = gz;
    if (st.faults.truncate) body = gz.subarray(0, Math.floor(gz.length / 2));
    if (st.faults.corrupt) {
      body = Buffer.from(gz);
      for (
        let i = Math.floor(body.length / 2);
        i < Math.min(body.length - 8, Math.floor(body.length / 2) + 64);
        i++
      )
        body[i] = body[i]! ^ 0x5a;
    }
    st.served++;
    // A truncated or corrupt object is served whole as the server sees it (its own length): the
    // reader meets a broken gzip stream, not a broken transfer. A hang announces the full length.
    res.writeHead(200, {
      'content-type': 'application/x-gzip',
      'content-length': st.faults.hang ? gz.length : body.length,
    });
    if (st.faults.hang) return; // headers sent, body never: the client's body timeout must fire
    res.end(body);
  } catch (e) {
    if (!res.headersSent)
      s3Error(res, 500, 'InternalError', String((e as Error).message).slice(0, 200));
    else res.destroy();
  }
}
