/**
 * A small replay dataset derived from the bundled sample `db/market/2018q1` (in the repository, so
 * it works on a fresh clone): the same 68 days, the same bytes per kept ticker, but only the tickers
 * that matter to a scan's outcome plus a thin deterministic filler, about 600 of the 7,292. Crash,
 * chunk and console tests that compare two runs of the same data (or check only states and files)
 * run on it about ten times faster; the size of the universe proves nothing there.
 *
 * Kept tickers (a superset of every possible hit, whatever the filters):
 * - every ticker with a premarket row (premarket.json.gz and premarket_events.json: R1 positives,
 *   near-misses and the rows without bars);
 * - every ticker that on some day has open / previous close >= 1.45 (R2), high / open >= 1.45 (R3)
 *   or a 7-bar highest high / lowest low >= 3.9 (R4): thresholds under the rules' 1.5 and 4.0, and
 *   "previous close" taken as the ticker's last earlier bar, so no hit of the full sample can be
 *   dropped (test/engine/replay-real.test.ts proves it: it compares the engine on this dataset
 *   with an independent computation over the full sample);
 * - every 25th ticker of the sorted list (ordinary quiet names, so the universe, the audit sample
 *   and the baseline are not made only of movers); `fillerEvery` changes the 25 (0: no filler, a
 *   still smaller set for tests that only compare two runs of the same data).
 *
 * The dataset is built on first use into node_modules/.cache/ (a folder named after the sample's
 * manifest and this file, so a changed sample or rule rebuilds it; built in a private folder and
 * renamed into place, so parallel test files share it safely; readable by every user), about a
 * second of work. Its manifest lists the new files' sizes and SHA-256 as the loader checks
 * them; the name is `2018q1-small`.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO_ROOT } from './paths.js';

/** The bundled sample (source of the small dataset). */
export const BUNDLED_SAMPLE = join(REPO_ROOT, 'db/market/2018q1');

const FILLER_EVERY = 25;

interface Bar {
  o: number;
  h: number;
  l: number;
  c: number;
}

/** Options of {@link smallSample}. */
export interface SmallSampleOptions {
  /** Keep every N-th ticker of the sorted list as a quiet filler (default 25); 0 keeps no filler. */
  fillerEvery?: number;
}

/**
 * Path of the small dataset (built on first use; idempotent and safe under parallel test files).
 * Pass it as `--market replay:<path>` or `market: 'replay:<path>'`.
 * @throws Error when the bundled sample is missing or unreadable.
 */
export function smallSample(o: SmallSampleOptions = {}): string {
  const fillerEvery = o.fillerEvery ?? FILLER_EVERY;
  const manifestText = readFileSync(join(BUNDLED_SAMPLE, 'manifest.json'), 'utf8');
  const key = createHash('sha256')
    .update(manifestText)
    .update(readFileSync(new URL(import.meta.url)))
    .update(`filler ${fillerEvery}`)
    .digest('hex')
    .slice(0, 16);
  const cache = join(REPO_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dest = join(cache, `gapctl-sample-small-${key}`);
  if (existsSync(join(dest, 'manifest.json'))) return dest;

  const manifest = JSON.parse(manifestText) as {
    name: string;
    description: string;
    tradingDays: string[];
    counts: Record<string, number>;
    files: Record<string, { bytes: number; sha256: string }>;
  };
  const dayLines = new Map<string, string[]>();
  const bars = new Map<string, { day: number; bar: Bar }[]>();
  manifest.tradingDays.forEach((date, di) => {
    const lines = gunzipSync(readFileSync(join(BUNDLED_SAMPLE, 'days', `${date}.csv.gz`)))
      .toString('utf8')
      .split('\n');
    dayLines.set(date, lines);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const [t, o, h, l, c] = line.split(',');
      const list = bars.get(t!) ?? [];
      list.push({ day: di, bar: { o: +o!, h: +h!, l: +l!, c: +c! } });
      bars.set(t!, list);
    }
  });

  const keep = new Set<string>();
  const premarket = JSON.parse(
    gunzipSync(readFileSync(join(BUNDLED_SAMPLE, 'premarket.json.gz'))).toString('utf8'),
  ) as { ticker: string }[];
  const events = JSON.parse(
    readFileSync(join(BUNDLED_SAMPLE, 'premarket_events.json'), 'utf8'),
  ) as { ticker: string }[];
  for (const r of [...premarket, ...events]) keep.add(r.ticker);
  const sorted = [...bars.keys()].sort();
  sorted.forEach((t, i) => {
    if (fillerEvery > 0 && i % fillerEvery === 0) keep.add(t);
    const list = bars.get(t)!;
    for (let k = 0; k < list.length; k++) {
      const b = list[k]!.bar;
      const prev = k > 0 ? list[k - 1]!.bar : null;
      if (prev && prev.c > 0 && b.o / prev.c >= 1.45) keep.add(t);
      if (b.o > 0 && b.h / b.o >= 1.45) keep.add(t);
      let hi = -Infinity;
      let lo = Infinity;
      for (let j = Math.max(0, k - 7); j <= k; j++) {
        hi = Math.max(hi, list[j]!.bar.h);
        lo = Math.min(lo, list[j]!.bar.l);
      }
      if (lo > 0 && hi / lo >= 3.9) keep.add(t);
    }
  });

  const work = mkdtempSync(join(cache, 'gapctl-sample-small-build-'));
  // Readable by every user, like the repository it comes from (mkdtemp makes it 0700): tests that
  // run the CLI as another user (test/cli/store-access.test.ts) read it too.
  chmodSync(work, 0o755);
  mkdirSync(join(work, 'days'));
  const files: Record<string, { bytes: number; sha256: string }> = {};
  const put = (rel: string, buf: Buffer): void => {
    writeFileSync(join(work, rel), buf);
    files[rel] = { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  };
  let dailyRows = 0;
  for (const [date, lines] of dayLines) {
    const kept = [
      lines[0]!,
      ...lines.slice(1).filter((l) => l && keep.has(l.slice(0, l.indexOf(',')))),
    ];
    dailyRows += kept.length - 1;
    put(`days/${date}.csv.gz`, gzipSync(kept.join('\n') + '\n', { level: 1 }));
  }
  const tickerLines = gunzipSync(readFileSync(join(BUNDLED_SAMPLE, 'tickers.csv.gz')))
    .toString('utf8')
    .split('\n');
  const keptTickers = [
    tickerLines[0]!,
    ...tickerLines.slice(1).filter((l) => l && keep.has(l.slice(0, l.indexOf(',')))),
  ];
  put('tickers.csv.gz', gzipSync(keptTickers.join('\n') + '\n', { level: 1 }));
  put('premarket.json.gz', readFileSync(join(BUNDLED_SAMPLE, 'premarket.json.gz')));
  put('premarket_events.json', readFileSync(join(BUNDLED_SAMPLE, 'premarket_events.json')));
  const small = {
    ...manifest,
    name: `${manifest.name}-small`,
    description: `${manifest.description} Test subset: ${keptTickers.length - 1} of ${bars.size} tickers (test/helpers/small-sample.ts).`,
    counts: { ...manifest.counts, tickers: keptTickers.length - 1, dailyRows },
    files,
  };
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(small, null, 2) + '\n');
  try {
    renameSync(work, dest);
  } catch {
    // Another test file renamed its identical copy first.
    rmSync(work, { recursive: true, force: true });
  }
  return dest;
}
