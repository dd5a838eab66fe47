/**
 * Flat Files premarket highs (issue 10 point 3): the client signs its S3 GET with SigV4, streams the
 * day's gzip CSV and keeps the highest premarket minute-bar high per ticker. Against the emulator's
 * S3 route over the simulated market, the highs equal the oracle's true (eligible) premarket highs
 * for every ticker; wrong credentials, an unpublished day, a truncated or corrupt gzip, a CSV without
 * the `high` column and a stalled transfer never yield highs, each with a clear one-line reason, and
 * a retry heals a fault that went away. A cached copy is written only after a whole good read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import { createSimMarket } from '../../source/market/sim/index.js';
import { createSimOracle } from '../../source/market/sim/oracle.js';
import {
  createFlatFilesClient,
  type FlatFilesOptions,
} from '../../source/providers/flatfiles/client.js';
import { ProviderError } from '../../source/providers/types.js';
import { isTradingDay, prevTradingDay } from '../../source/calendar/index.js';
import { tempDir } from '../helpers/paths.js';

const SEED = 42;
const DAY = '2024-01-16';
let em: RunningEmulator;

beforeAll(async () => {
  em = await startEmulator({ source: createSimMarket({ seed: SEED }) });
});
afterAll(async () => {
  await em?.close();
});

// 30 s, not 2: the emulator builds a cold simulated day's file (~11,000 tickers) before it answers,
// which takes several seconds on a loaded machine; the stalled-transfer case sets its own 0.3 s.
function client(over: Partial<FlatFilesOptions> = {}) {
  return createFlatFilesClient({
    endpoint: em.flatFiles.url,
    accessKey: em.flatFiles.accessKey,
    secretKey: em.flatFiles.secretKey,
    timeoutSec: 30,
    retries: 1,
    pmStart: '04:00:00',
    pmEnd: '09:30:00',
    sleep: async () => {},
    ...over,
  });
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('flat-file premarket highs against the simulated market', () => {
  it('equal the oracle premarket high of every ticker (and only premarket bars count)', async () => {
    const r = await client().premarketHighs(DAY);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    const oracle = createSimOracle({ seed: SEED, calendar: { isTradingDay, prevTradingDay } });
    expect(r.highs.size).toBeGreaterThan(1000);
    expect(r.rows).toBeGreaterThan(r.premarketRows); // the 09:30 bars were read and left out
    let withPm = 0;
    for (const [t, h] of r.highs) {
      expect(oracle.truth(t, DAY)?.pmHigh, t).toBe(h);
      withPm++;
    }
    expect(withPm).toBe(r.highs.size);
    expect(em.stats().flatFiles.served).toBeGreaterThan(0);
  });

  it('wrong credentials: forbidden, with a reason naming the settings, never highs', async () => {
    const r = await client({ secretKey: 'wrong' }).premarketHighs(DAY);
    expect(r).toMatchObject({ kind: 'forbidden' });
    if (r.kind === 'forbidden')
      expect(r.reason).toMatch(/403 SignatureDoesNotMatch.*FLATFILES_ACCESS_KEY/);
    const unsigned = await request(
      `${em.flatFiles.url}/flatfiles/us_stocks_sip/minute_aggs_v1/2024/01/${DAY}.csv.gz`,
    );
    expect(unsigned.statusCode).toBe(403);
    expect(await unsigned.body.text()).toContain('AccessDenied');
    // EMU_FAULTS=flatFilesForbidden: an account without Flat Files.
    em.setFaults({ flatFilesForbidden: true });
    try {
      expect(await client().premarketHighs(DAY)).toMatchObject({
        kind: 'forbidden',
        reason: expect.stringMatching(/403 AccessDenied/),
      });
    } finally {
      em.setFaults({});
    }
  });

  it('a day not yet published (or not a trading day) is unpublished', async () => {
    const e2 = await startEmulator({
      source: createSimMarket({ seed: SEED }),
      now: () => Date.parse('2024-01-17T15:59:00Z'),
    }); // 10:59 ET the next day
    try {
      const c = createFlatFilesClient({
        endpoint: e2.flatFiles.url,
        accessKey: e2.flatFiles.accessKey,
        secretKey: e2.flatFiles.secretKey,
        timeoutSec: 30,
        retries: 0,
        pmStart: '04:00:00',
        pmEnd: '09:30:00',
      });
      expect((await c.premarketHighs(DAY)).kind).toBe('unpublished');
      expect((await c.premarketHighs('2024-01-15')).kind).toBe('unpublished'); // MLK day
      expect((await c.premarketHighs('2024-01-12')).kind).toBe('ok');
    } finally {
      await e2.close();
    }
  });

  it('a truncated gzip, a corrupt gzip, a CSV without high and a stalled transfer fail in one line; a retry heals', async () => {
    for (const [fault, re] of [
      [{ truncate: true }, /broken gzip/],
      [{ corrupt: true }, /broken gzip|broken CSV|bad /],
      [{ dropHighColumn: true }, /CSV lacks column\(s\) high/],
    ] as const) {
      em.setFlatFileFaults(fault);
      const e = await failure(client({ retries: 0 }).premarketHighs(DAY));
      expect(e.kind).toBe('malformed');
      expect(e.message).toMatch(re);
      expect(e.message.split('\n')).toHaveLength(1);
    }
    em.setFlatFileFaults({ hang: true });
    const hang = await failure(client({ retries: 0, timeoutSec: 0.3 }).premarketHighs(DAY));
    expect(hang.kind).toBe('timeout');
    // The fault goes away between attempts: the retry reads a good file.
    em.setFlatFileFaults({ truncate: true });
    let attempts = 0;
    const healing = client({
      retries: 2,
      sleep: async () => {
        attempts++;
        em.setFlatFileFaults({});
      },
    });
    expect((await healing.premarketHighs(DAY)).kind).toBe('ok');
    expect(attempts).toBe(1);
    em.setFlatFileFaults({});
  });

  it('caches a whole good file only, reads it back, and drops a broken cached copy', async () => {
    const dir = tempDir();
    em.setFlatFileFaults({ truncate: true });
    await failure(client({ retries: 0, cacheDir: dir }).premarketHighs(DAY));
    expect(readdirSync(dir)).toEqual([]);
    em.setFlatFileFaults({});
    const first = await client({ cacheDir: dir }).premarketHighs(DAY);
    expect(first).toMatchObject({ kind: 'ok', fromCache: false });
    expect(readdirSync(dir)).toEqual([`minute_aggs_${DAY}.csv.gz`]);
    const second = await client({ cacheDir: dir, endpoint: 'http://127.0.0.1:9' }).premarketHighs(
      DAY,
    );
    expect(second).toMatchObject({ kind: 'ok', fromCache: true });
    if (first.kind === 'ok' && second.kind === 'ok')
      expect([...second.highs]).toEqual([...first.highs]);
    writeFileSync(join(dir, `minute_aggs_${DAY}.csv.gz`), 'not gzip');
    const third = await client({ cacheDir: dir }).premarketHighs(DAY);
    expect(third).toMatchObject({ kind: 'ok', fromCache: false });
    expect(existsSync(join(dir, `minute_aggs_${DAY}.csv.gz`))).toBe(true);
  });
});
