/**
 * HTTP plumbing shared by the emulator's four servers: replies, deterministic request ids,
 * abortable waits, server start/stop, and the state the routes share.
 */

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MarketSource, SplitRecord } from '../types.js';
import type { FaultConfig } from './types.js';
import type { FaultDice } from './faults.js';
import { utcToEt } from './et-time.js';

/** A complete answer, written in one go with a Content-Length. */
export interface Reply {
  status: number;
  body: string;
  /** MIME type; `; charset=utf-8` is added for text types. */
  contentType: string;
  headers?: Record<string, string>;
}

/** One request as a route sees it. `signal` aborts when the client goes away or the emulator closes. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  signal: AbortSignal;
}

/** Splits by ticker, sorted by execution date ascending. */
export type SplitIndex = Map<string, SplitRecord[]>;

/** Mutable state shared by every route of one emulator. */
export interface EmulatorState {
  source: MarketSource;
  faults: FaultConfig;
  thetaLatencyMs: number;
  polygonLatencyMs: number;
  polygonApiKey?: string;
  polygonRatePerMin?: number;
  /** Admission times (performance.now ms) in the current rolling minute. */
  polygonWindow: number[];
  emptyResultsAsNull: boolean;
  tickersPageSize: number;
  dice: FaultDice;
  urls: { polygon: string; thetaV3: string; thetaV1: string; fmp: string };
  /** Lazily built index of `source.splits()`. */
  splitIndex(): Promise<SplitIndex>;
}

const STATUS_TEXT: Record<number, string> = {
  410: 'Gone',
  429: 'Too Many Requests',
  470: 'GENERAL',
  471: 'PERMISSION',
  472: 'NO_DATA',
  473: 'INVALID_PARAMS',
  474: 'DISCONNECTED',
  570: 'LARGE_REQUEST',
  571: 'SERVER_STARTING',
  572: 'UNCAUGHT_ERROR',
};

/** A JSON reply. */
export function json(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}

/** A plain-text reply. */
export function text(status: number, body: string): Reply {
  return { status, body, contentType: 'text/plain' };
}

/** Writes a reply unless the response is already gone. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const type = reply.contentType.startsWith('text/')
    ? `${reply.contentType}; charset=utf-8`
    : reply.contentType;
  res.writeHead(reply.status, STATUS_TEXT[reply.status], {
    'content-type': type,
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/**
 * The request URL without credentials (`apiKey`, `apikey` query params), as `METHOD path?query`.
 * Used for deterministic request ids and fault keys.
 */
export function canonicalKey(method: string, url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete('apiKey');
  params.delete('apikey');
  const qs = params.toString();
  return `${method} ${url.pathname}${qs ? `?${qs}` : ''}`;
}

/** Deterministic Polygon `request_id`: 32 hex chars of sha1(canonical method + URL). */
export function requestId(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 32);
}

/** Resolves after `ms` (at once when ms ≤ 0), or rejects with an AbortError when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts (at once when already aborted). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Increments `map[key]`. */
export function bump(map: Record<string, number>, key: string | number): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * Parses an optional boolean query value (`true`/`false`); `fallback` when absent, null when
 * malformed.
 */
export function parseBool(v: string | null, fallback: boolean): boolean | null {
  if (v === null || v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

/** The date a request without `date=` means: the source's last date, else today in ET. */
export function defaultDate(source: MarketSource): string {
  return source.span?.end ?? utcToEt(Date.now()).date;
}

/** Rounds to `dp` decimals (for adjusted prices). */
export function round(x: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(x * f) / f;
}

/**
 * A running node:http server on 127.0.0.1 (random port) with keep-alive, whose handler gets a
 * {@link Ctx}. Handler errors become a 500 plain-text reply.
 */
export async function startServer(
  handler: (ctx: Ctx) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAlive: true }, (req, res) => {
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      send(res, text(400, 'bad request'));
      return;
    }
    handler({ req, res, url, signal: ac.signal }).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, text(500, `emulator error: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Stops accepting, destroys every connection (idle, active or hung) and waits for the close. */
export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
