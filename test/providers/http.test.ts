import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  errorText,
  MAX_BACKOFF_MS,
  parseRetryAfter,
  Upstream,
} from '../../source/providers/http.js';
import { ProviderError } from '../../source/providers/types.js';
import { deferred, instantSleep, json, reply, fixtureServers } from './servers.js';

const { cleanups, server } = fixtureServers();

function upstream(
  baseUrl: string,
  extra: Partial<ConstructorParameters<typeof Upstream>[0]> = {},
): Upstream {
  const up = new Upstream({
    name: 'polygon',
    baseUrl,
    cap: 2,
    timeoutSec: 5,
    retries: 2,
    backoffBaseSec: 0.5,
    sleep: instantSleep().sleep,
    ...extra,
  });
  cleanups.push(() => up.close());
  return up;
}

describe('backoff and Retry-After', () => {
  it('doubles from the base with jitter and caps at 30 s', () => {
    expect(backoffMs(0, 0.25, () => 0)).toBe(125);
    expect(backoffMs(0, 0.25, () => 0.999999)).toBe(250);
    expect(backoffMs(3, 0.25, () => 0)).toBe(1000);
    expect(backoffMs(30, 0.25, () => 0.999999)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(30, 0.25, () => 0)).toBe(MAX_BACKOFF_MS / 2);
    expect(backoffMs(4, 0, () => 0.5)).toBe(0);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    const now = Date.parse('2024-01-02T10:00:00Z');
    expect(parseRetryAfter('Tue, 02 Jan 2024 10:00:05 GMT', now)).toBe(5000);
  });

  it('a Retry-After above 30 s is capped at 30 s', async () => {
    let n = 0;
    const s = await server((_req, res) =>
      n++ === 0 ? reply(res, 429, '', { 'retry-after': '120' }) : reply(res, 200, 'ok'),
    );
    const { sleep, waits } = instantSleep();
    const up = upstream(s.url, { sleep, retryBudget: (st) => (st === 429 ? 2 : 0) });
    const r = await up.request('/x');
    expect(r.status).toBe(200);
    expect(r.attempts).toBe(2);
    expect(waits).toEqual([MAX_BACKOFF_MS]);
  });
});

describe('Upstream', () => {
  it('returns a non-retryable status at once and the last reply once retries are used up', async () => {
    const s = await server((req, res) => reply(res, req.url === '/gone' ? 410 : 503, 'nope'));
    const up = upstream(s.url, { retryBudget: (st) => (st === 503 ? 2 : 0) });
    expect((await up.request('/gone')).status).toBe(410);
    const r = await up.request('/busy');
    expect(r).toMatchObject({ status: 503, httpStatus: 503, text: 'nope', attempts: 3 });
    expect(s.requests).toHaveLength(4);
    const m = up.metrics();
    expect(m).toMatchObject({
      upstream: 'polygon',
      cap: 2,
      requests: 4,
      errors: 4,
      inFlight: 0,
      queued: 0,
      backingOff: false,
    });
    expect(m.counts).toEqual({
      s200: 0,
      s204: 0,
      s472: 0,
      s429: 0,
      s5xx: 3,
      timeouts: 0,
      other: 1,
    });
  });

  it('appends paths to a base URL with a path prefix and follows absolute URLs verbatim', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const up = upstream(`${s.url}/prefix`);
    await up.request('/v3/a?b=1');
    await up.request(`${s.url}/other?cursor=z`);
    expect(s.requests.map((r) => r.url.pathname + r.url.search)).toEqual([
      '/prefix/v3/a?b=1',
      '/other?cursor=z',
    ]);
  });

  it('maps a reply through effectiveStatus and reports every attempt', async () => {
    const s = await server((_req, res) => json(res, 200, { header: { error_type: 'NO_DATA' } }));
    const seen: Array<number | null> = [];
    const up = upstream(s.url);
    const r = await up.request('/v2/x', {
      effectiveStatus: () => 472,
      onAttempt: (a) => seen.push(a.status),
    });
    expect(r.status).toBe(472);
    expect(r.httpStatus).toBe(200);
    expect(seen).toEqual([472]);
    expect(up.metrics().counts.s472).toBe(1);
    expect(up.metrics().errors).toBe(0);
  });

  it('counts timeouts and throws ProviderError timeout after the retries', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const up = upstream(s.url, { timeoutSec: 0.1, retries: 1 });
    const e = await up.request('/slow').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe('timeout');
    expect((e as ProviderError).message).toContain('2 attempts');
    expect(up.metrics().counts.timeouts).toBe(2);
  });

  it('reports backingOff while a backoff wait is pending', async () => {
    const s = await server((_req, res) => reply(res, 503, ''));
    const wait = deferred();
    const entered = deferred();
    const up = upstream(s.url, {
      retries: 1,
      retryBudget: () => 1,
      sleep: async () => {
        entered.resolve();
        await wait.promise;
      },
    });
    const p = up.request('/x');
    await entered.promise;
    expect(up.metrics().backingOff).toBe(true);
    wait.resolve();
    expect((await p).attempts).toBe(2);
    expect(up.metrics().backingOff).toBe(false);
  });

  it('keeps the last 512 latencies for p50/p95 and redacts URLs in errors', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const up = upstream(s.url, { secrets: ['topsecretkey'] });
    expect(up.metrics().p50Ms).toBeNull();
    for (let i = 0; i < 5; i++) await up.request('/x');
    const m = up.metrics();
    expect(m.p50Ms).not.toBeNull();
    expect(m.p95Ms!).toBeGreaterThanOrEqual(m.p50Ms!);
    await up.close();
    const e = (await up
      .request('/x?apiKey=topsecretkey&token=abc')
      .catch((x: unknown) => x)) as ProviderError;
    expect(e.kind).toBe('network');
    expect(e.message).not.toContain('topsecretkey');
    expect(e.message).toContain('apiKey=REDACTED');
    expect(e.message).toContain('token=REDACTED');
  });

  it('rejects a bad base URL or cap with a one-line Error', () => {
    expect(
      () =>
        new Upstream({
          name: 'fmp',
          baseUrl: 'nope',
          cap: 1,
          timeoutSec: 1,
          retries: 0,
          backoffBaseSec: 0,
        }),
    ).toThrow(/not a valid URL/);
    expect(
      () =>
        new Upstream({
          name: 'fmp',
          baseUrl: 'http://127.0.0.1:1',
          cap: 0,
          timeoutSec: 1,
          retries: 0,
          backoffBaseSec: 0,
        }),
    ).toThrow(/cap/);
  });
});

describe('errorText', () => {
  it('prefers error, then message, then the raw first line', () => {
    expect(errorText('{"error":"E","message":"M"}')).toBe('E');
    expect(errorText('{"status":"NOT_FOUND","message":"Ticker not found."}')).toBe(
      'Ticker not found.',
    );
    expect(errorText('404 page not found\n')).toBe('404 page not found');
    expect(errorText('x'.repeat(500))).toHaveLength(200);
  });
});
