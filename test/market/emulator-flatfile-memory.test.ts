/**
 * The emulator's flat files in bounded memory (issue 13 point 1): a day's minute-aggregates file is
 * generated ticker by ticker into a gzip stream (never the whole CSV as one array of row strings),
 * and one build serves requests that arrive together (the proof and the validation baseline ask
 * for the same day). The served CSV is byte for byte what the module note describes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import aws4 from 'aws4';
import { startEmulator, type RunningEmulator } from '../../source/market/emulator/index.js';
import type { DailyBar, IntradayBar, MarketSource } from '../../source/market/types.js';
import { etToUtcMs } from '../../source/calendar/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const DAY = '2024-01-16';
const KEY = `us_stocks_sip/minute_aggs_v1/2024/01/${DAY}.csv.gz`;

/** A market of `n` tickers with `bars` premarket minute bars each; counts the minuteBars calls. */
function fakeSource(n: number, bars: number): MarketSource & { calls: number; failNext: boolean } {
  const pm0 = etToUtcMs(DAY, '04:00:00');
  const src = {
    name: 'fake:flat',
    calls: 0,
    failNext: false,
    async referenceTickers() {
      return [];
    },
    async groupedDaily(date: string): Promise<DailyBar[]> {
      if (date !== DAY) return [];
      const out: DailyBar[] = [];
      for (let i = n - 1; i >= 0; i--)
        out.push({ T: `T${i}`, o: 10, h: 12.5, l: 9.75, c: 11, v: 1000 + i, n: 7 });
      out.push({ T: 'OTCX', o: 1, h: 1, l: 1, c: 1, v: 1, otc: true });
      return out;
    },
    async tickerDetails() {
      return null;
    },
    async splits() {
      return [];
    },
    async trades() {
      return null;
    },
    async minuteBars(ticker: string): Promise<IntradayBar[] | null> {
      src.calls++;
      if (src.failNext) {
        src.failNext = false;
        throw new Error('source broke');
      }
      const i = Number(ticker.slice(1));
      return Array.from({ length: bars }, (_, k) => ({
        startMs: pm0 + k * 60_000,
        durationMs: 60_000,
        open: 10,
        high: 10 + (i % 7) + k / 100,
        low: 9.5,
        close: 10.25,
        volume: 100 + k,
        trades: 3,
      }));
    },
  };
  return src;
}

let em: RunningEmulator | null = null;
afterEach(async () => {
  await em?.close();
  em = null;
});

async function getFile(e: RunningEmulator, key = KEY): Promise<{ status: number; body: Buffer }> {
  const base = new URL(e.flatFiles.url);
  const path = `/flatfiles/${key}`;
  const signed = aws4.sign(
    { host: base.host, path, method: 'GET', service: 's3', region: 'us-east-1', headers: {} },
    { accessKeyId: e.flatFiles.accessKey, secretAccessKey: e.flatFiles.secretKey },
  );
  const res = await request(`${base.origin}${path}`, {
    headers: signed.headers as Record<string, string>,
  });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

describe('emulator flat files in bounded memory', () => {
  it('serves the CSV of the module note (ticker order, premarket bars then the 09:30 bar, no OTC)', async () => {
    const src = fakeSource(3, 2);
    em = await startEmulator({ source: src });
    const r = await getFile(em);
    expect(r.status).toBe(200);
    const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
    const pm0 = etToUtcMs(DAY, '04:00:00');
    const open = ns(etToUtcMs(DAY, '09:30:00'));
    const want = ['ticker,volume,open,close,high,low,window_start,transactions'];
    for (const i of [0, 1, 2]) {
      want.push(
        `T${i},100,10,10.25,${10 + i},9.5,${ns(pm0)},3`,
        `T${i},101,10,10.25,${10 + i + 0.01},9.5,${ns(pm0 + 60_000)},3`,
        `T${i},${1000 + i},10,11,12.5,9.75,${open},7`,
      );
    }
    expect(gunzipSync(r.body).toString('utf8')).toBe(`${want.join('\n')}\n`);
  });

  it('builds a day once for requests that arrive together, and never keeps a failed build', async () => {
    const src = fakeSource(400, 3);
    em = await startEmulator({ source: src });
    const [a, b, c] = await Promise.all([getFile(em), getFile(em), getFile(em)]);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(b.body.equals(a.body) && c.body.equals(a.body)).toBe(true);
    expect(src.calls).toBe(400); // one build for three requests (each request built its own before)
    // A build that fails answers 500 and is not kept: the next request builds it again.
    const broken = fakeSource(50, 1);
    await em.close();
    em = await startEmulator({ source: broken });
    broken.failNext = true;
    expect((await getFile(em)).status).toBe(500);
    expect((await getFile(em)).status).toBe(200);
    expect(broken.calls).toBe(1 + 50);
    // No bars on a day: no file (404), as before.
    expect(
      (await getFile(em, 'us_stocks_sip/minute_aggs_v1/2024/01/2024-01-17.csv.gz')).status,
    ).toBe(404);
  });

  it('a 200,000-row day is served under a 64 MB heap (the CSV text alone is ~13 MB)', () => {
    // Run in a child with a small V8 heap: building the rows as one array of strings needed ~500
    // bytes of heap a row (~100 MB here) and died; streamed, the heap holds one chunk at a time.
    const script = `
      const { startEmulator } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/market/emulator/index.js'))});
      const { createFlatFilesClient } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/providers/flatfiles/client.js'))});
      const pm0 = Date.parse('2024-01-16T09:00:00Z');
      const N = 20000, BARS = 9;
      const source = {
        name: 'fake:big',
        async referenceTickers() { return []; },
        async groupedDaily(d) { if (d !== '2024-01-16') return []; const out = []; for (let i = 0; i < N; i++) out.push({ T: 'T' + i, o: 10, h: 12, l: 9, c: 11, v: 1000 + i, n: 5 }); return out; },
        async tickerDetails() { return null; },
        async splits() { return []; },
        async trades() { return null; },
        async minuteBars(t) { const i = Number(t.slice(1)); return Array.from({ length: BARS }, (_, k) => ({ startMs: pm0 + k * 60000, durationMs: 60000, open: 10 + i / 1000, high: 10 + i / 1000 + k / 100, low: 9.5, close: 10.25, volume: 100 + k + i, trades: 3 })); },
      };
      const em = await startEmulator({ source });
      const c = createFlatFilesClient({ endpoint: em.flatFiles.url, accessKey: em.flatFiles.accessKey, secretKey: em.flatFiles.secretKey, timeoutSec: 60, retries: 0, pmStart: '04:00:00', pmEnd: '09:30:00' });
      const r = await c.premarketHighs('2024-01-16');
      await em.close();
      console.log(JSON.stringify({ kind: r.kind, rows: r.rows, tickers: r.highs?.size }));
    `;
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=64', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 110_000 },
    );
    expect(r.status, r.stderr.slice(-600)).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ kind: 'ok', rows: 200_000, tickers: 20_000 });
  }, 120_000);
});
