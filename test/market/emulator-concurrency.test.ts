import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../source/market/emulator/index.js';
import { GateAborted, TerminalGate } from '../../source/market/emulator/gate.js';
import { TinySource } from './fixtures/tiny-source.js';
import { get, type Got } from './fixtures/http.js';

const TRADE = '/v3/stock/history/trade?symbol=AAA&date=20240102&venue=utp_cta';

/** Resolves with the first `n` settled results (in settle order) of `promises`. */
function firstSettled<T>(
  promises: Array<Promise<T>>,
  n: number,
): Promise<Array<PromiseSettledResult<T>>> {
  return new Promise((resolve) => {
    const done: Array<PromiseSettledResult<T>> = [];
    for (const p of promises) {
      p.then(
        (value) => done.push({ status: 'fulfilled', value }),
        (reason: unknown) => done.push({ status: 'rejected', reason }),
      ).then(() => {
        if (done.length === n) resolve(done.slice());
      });
    }
  });
}

describe('emulator: Theta concurrency gate over HTTP', () => {
  it('serves at most cap=2 at once and queues the rest (10 concurrent, queue 8, latency 50 ms)', async () => {
    const em = await startEmulator({
      source: new TinySource(),
      thetaV3Cap: 2,
      thetaQueue: 8,
      thetaLatencyMs: 50,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => get(`${em.thetaV3Url}${TRADE}`)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      const s = em.stats().theta.v3;
      expect(s.requests).toBe(10);
      expect(s.maxInFlight).toBe(2);
      expect(s.rejected429).toBe(0);
      expect(s.inFlight).toBe(0);
      expect(s.queued).toBe(0);
      expect(s.byStatus['200']).toBe(10);
      expect(em.stats().theta.v1.requests).toBe(0);
    } finally {
      await em.close();
    }
  });

  it('rejects beyond cap + queue with 429 at once: cap 2, queue 0, 6 concurrent → exactly 4 rejected', async () => {
    const src = new TinySource();
    const release = src.blockTrades();
    const em = await startEmulator({ source: src, thetaV3Cap: 2, thetaQueue: 0 });
    try {
      const all = Array.from({ length: 6 }, () => get(`${em.thetaV3Url}${TRADE}`));
      // The 4 rejections come back while the 2 admitted requests are still blocked inside the source.
      const early = await firstSettled(all, 4);
      await src.tradesCalled(2);
      const earlyStatuses = early.map((r) => (r.status === 'fulfilled' ? r.value.status : -1));
      expect(earlyStatuses).toEqual([429, 429, 429, 429]);
      const during = em.stats().theta.v3;
      expect(during.inFlight).toBe(2);
      expect(during.rejected429).toBe(4);
      expect(src.tradesCalls).toBe(2);

      release();
      const results: Got[] = await Promise.all(all);
      const count = (st: number): number => results.filter((r) => r.status === st).length;
      expect(count(200)).toBe(2);
      expect(count(429)).toBe(4);
      const rejected = results.find((r) => r.status === 429)!;
      expect(rejected.headers['content-type']).toMatch(/^text\/plain/);
      const s = em.stats().theta.v3;
      expect(s.maxInFlight).toBe(2);
      expect(s.rejected429).toBe(4);
      expect(s.byStatus).toEqual({ '200': 2, '429': 4 });
    } finally {
      await em.close();
    }
  }, 15_000); // guard only: a broken cap would otherwise wait for the 120 s default

  it('frees the slot when the client aborts a hung request', async () => {
    const src = new TinySource();
    const em = await startEmulator({ source: src, thetaV3Cap: 1, faults: { thetaTimeout: 1 } });
    try {
      const ac = new AbortController();
      const hung = get(`${em.thetaV3Url}${TRADE}`, { signal: ac.signal });
      await src.tradesCalled(1);
      ac.abort();
      await expect(hung).rejects.toThrow();
      em.setFaults({});
      // With cap 1 this request can only be served once the hung one gave its slot back.
      const next = await get(`${em.thetaV3Url}${TRADE}`, { signal: AbortSignal.timeout(20_000) });
      expect(next.status).toBe(200);
      expect(em.stats().theta.v3.byStatus.hang).toBe(1);
    } finally {
      await em.close();
    }
  });

  it('close() resolves with a hung request and a queued one', async () => {
    const src = new TinySource();
    const em = await startEmulator({ source: src, thetaV3Cap: 1, faults: { thetaTimeout: 1 } });
    const hung = get(`${em.thetaV3Url}${TRADE}`);
    const hungOutcome = hung.then(
      () => 'answered',
      () => 'closed',
    );
    await src.tradesCalled(1);
    const queued = get(`${em.thetaV3Url}${TRADE}&x=1`).then(
      () => 'answered',
      () => 'closed',
    );
    await em.close();
    expect(await hungOutcome).toBe('closed');
    expect(await queued).toBe('closed');
  });
});

describe('TerminalGate', () => {
  it('hands slots out FIFO, refuses when full, and drops aborted waiters', async () => {
    const gate = new TerminalGate(1, 2);
    const order: string[] = [];
    await (gate.acquire(new AbortController().signal) as Promise<void>);
    const a = new AbortController();
    const pA = gate.acquire(a.signal) as Promise<void>;
    const pB = gate.acquire(new AbortController().signal) as Promise<void>;
    expect(gate.acquire(new AbortController().signal)).toBe('full');
    expect(gate.counters()).toEqual({ inFlight: 1, maxInFlight: 1, queued: 2, rejected429: 1 });
    pA.then(
      () => order.push('A'),
      (e: unknown) => order.push(e instanceof GateAborted ? 'A-aborted' : 'A-?'),
    );
    pB.then(() => order.push('B'));
    a.abort();
    await Promise.resolve();
    expect(gate.counters().queued).toBe(1);
    gate.release();
    await pB;
    expect(order).toEqual(['A-aborted', 'B']);
    expect(gate.counters()).toEqual({ inFlight: 1, maxInFlight: 1, queued: 0, rejected429: 1 });
    const pC = gate.acquire(new AbortController().signal) as Promise<void>;
    gate.abortAll();
    await expect(pC).rejects.toBeInstanceOf(GateAborted);
  });

  it('rejects bad sizes with a clear message', () => {
    expect(() => new TerminalGate(0, 1)).toThrow(/cap must be an integer >= 1/);
    expect(() => new TerminalGate(1, -1)).toThrow(/queue must be an integer >= 0/);
  });
});
