/**
 * Tiny node:http fixture servers on 127.0.0.1 (port 0) for the provider client tests, plus the
 * ThetaData / Polygon body builders they serve (providers.md wire formats).
 */
import http from 'node:http';
import { afterEach } from 'vitest';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config, type ConfigName } from '../../source/config/index.js';

/** One request as the server saw it. */
export interface Seen {
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** Requests being answered when this one arrived, including itself. */
  concurrent: number;
}

/** A running fixture server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: Seen[];
  /** Highest number of requests open at once. */
  maxConcurrent(): number;
  /** Requests open now. */
  open(): number;
  close(): Promise<void>;
}

/** Handler: may answer at once or later (held requests). */
export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  seen: Seen,
) => void | Promise<void>;

/**
 * The fixture servers of one test file: `server(handler)` starts one ({@link startServer}) and
 * `cleanups` takes any other closer (a client's `close`); after each test every closer runs, the
 * latest first. Registers vitest's afterEach, so call it once at the top level of a test file.
 */
export function fixtureServers(): {
  cleanups: Array<() => Promise<void>>;
  server: (handler: Handler) => Promise<TestServer>;
} {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return {
    cleanups,
    server: async (handler) => {
      const s = await startServer(handler);
      cleanups.push(() => s.close());
      return s;
    },
  };
}

/** Starts a server on 127.0.0.1:0. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Seen[] = [];
  let open = 0;
  let max = 0;
  const server = http.createServer((req, res) => {
    open++;
    max = Math.max(max, open);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        open--;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: Seen = { url, headers: req.headers, concurrent: open };
    requests.push(seen);
    void Promise.resolve(handler(req, res, url, seen)).catch((e: unknown) => {
      res.statusCode = 599;
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxConcurrent: () => max,
    open: () => open,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A URL on which nothing listens (a port that was bound, then released): connection refused. */
export async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** Sends a reply. */
export function reply(
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

/** Sends a JSON reply. */
export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  reply(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

/** An externally resolvable promise. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Recorded backoff waits; resolves at once (tests never wait in real time). */
export function instantSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

/** Config from defaults plus overrides (no .env, no process.env). */
export function cfgWith(overrides: Partial<Record<ConfigName, string>> = {}): Config {
  return loadConfig({}, overrides);
}

/** The documented v3 trade CSV columns. */
export const V3_TRADE_COLUMNS = [
  'timestamp',
  'sequence',
  'ext_condition1',
  'ext_condition2',
  'ext_condition3',
  'ext_condition4',
  'condition',
  'size',
  'exchange',
  'price',
] as const;

/**
 * A v3 `/v3/stock/history/trade` CSV body (CRLF, header row) with prints `[timestamp, price]`;
 * `columns` may reorder the header (the client must resolve columns by name). Every print is a
 * round-lot extended-hours trade (ext_condition1 1 FORM_T, condition 148 EXTENDED_HOURS_TRADE):
 * eligible to set a premarket high. (ThetaData's doc example carries 115 ODD_LOT, which may not.)
 */
export function v3Csv(
  prints: Array<[string, number | string]>,
  columns: readonly string[] = V3_TRADE_COLUMNS,
): string {
  const lines = [columns.join(',')];
  prints.forEach(([ts, price], i) => {
    const row: Record<string, string> = {
      timestamp: ts,
      sequence: String(1000 + i),
      ext_condition1: '1',
      ext_condition2: '255',
      ext_condition3: '255',
      ext_condition4: '255',
      condition: '148',
      size: '100',
      exchange: '57',
      price: typeof price === 'number' ? price.toFixed(4) : price,
    };
    lines.push(columns.map((c) => row[c] ?? '0').join(','));
  });
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The documented v2 trade row format. */
export const V2_TRADE_FORMAT = [
  'ms_of_day',
  'sequence',
  'ext_condition1',
  'ext_condition2',
  'ext_condition3',
  'ext_condition4',
  'condition',
  'size',
  'exchange',
  'price',
  'condition_flags',
  'price_flags',
  'volume_type',
  'records_back',
  'date',
];

/** A v2 `/v2/hist/stock/trade` JSON body with prints `[ms_of_day, price]`. */
export function v2Trades(
  prints: Array<[number, number]>,
  dateInt: number,
  nextPage = 'null',
  errorType = 'null',
): unknown {
  return {
    header: {
      latency_ms: 3,
      error_type: errorType,
      error_msg: 'null',
      next_page: nextPage,
      format: V2_TRADE_FORMAT,
    },
    response: prints.map(([ms, price], i) => [
      ms,
      1000 + i,
      1,
      255,
      255,
      255,
      148,
      100,
      57,
      price,
      0,
      0,
      0,
      0,
      dateInt,
    ]), // FORM_T + extended hours: eligible
  };
}

/** A v2 `/v2/hist/stock/ohlc` JSON body with bars `[ms_of_day, high, count]`. */
export function v2Ohlc(bars: Array<[number, number, number]>, dateInt: number): unknown {
  return {
    header: {
      latency_ms: 3,
      error_type: 'null',
      next_page: 'null',
      format: ['ms_of_day', 'open', 'high', 'low', 'close', 'volume', 'count', 'date'],
    },
    response: bars.map(([ms, high, count]) => [
      ms,
      count ? high - 0.01 : 0,
      high,
      count ? high - 0.02 : 0,
      count ? high : 0,
      count * 100,
      count,
      dateInt,
    ]),
  };
}
