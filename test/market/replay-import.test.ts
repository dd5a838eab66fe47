/**
 * importReplay on small synthetic inputs (every skip reason, rescaling, verbatim daily values) and on
 * the real data in ../shared/data (determinism, reproduction of the bundled sample), plus openReplay's
 * errors on missing or corrupt datasets.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLAY_DIR,
  importReplay,
  openReplay,
  type ImportSummary,
  type ReplayMarket,
} from '../../source/market/replay/index.js';
import { HAVE_SHARED, NO_SHARED } from '../helpers/paths.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(repoRoot, '..', 'shared', 'data');
const stooqDir = path.join(shared, 'stooq-us-daily-2018-2020');
const premarketCsv = path.join(
  shared,
  'polygon-premarket-gappers-2015-2018',
  'gappers_premarket_5min.csv',
);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gapctl-replay-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let tmpN = 0;
const tmp = (label: string): string => path.join(tmpRoot, `${label}-${++tmpN}`);

/** Every file under dir, relative path → bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.set(`${rel}${e.name}`, fs.readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  return out;
}

// ---------------------------------------------------------------- synthetic inputs

const STOOQ_HEAD = 'ticker,exchange,kind,open,high,low,close,volume';
const synthDays: Record<string, string[]> = {
  '2020-01-02': [
    'FIRST,NASDAQ,stock,5,6,4,5,1000',
    'GAP,NASDAQ,stock,1.9,2.1,1.8,2.0,5000',
    'GONE,NYSE,stock,3,3,3,3,10',
    'BAD,NASDAQ,stock,1,1,1,1,1',
    'EMPTY,NYSEMKT,stock,4,4,4,4,100',
    'NEAR,NYSE,stock,10,10,10,10,100',
  ],
  '2020-01-03': [
    'SPY,NYSE,etf,320.1,321.5,319.2,321.0,80000000',
    'GAP,NASDAQ,stock,3.0,3.6,2.9,3.3,900000.5',
    'NEAR,NYSE,stock,14.0,14.5,13,14.2,300000',
    'AIG-WS,NYSE,stock,12.50000,12.6,12.4,12.5,100',
    'GONE,NYSE,stock,3,3,3,3,10',
    'BAD,NASDAQ,stock,1,1,1,2,1',
    'EMPTY,NYSEMKT,stock,4,4,4,4,100',
  ],
  '2020-01-06': [
    'NEW,NASDAQ,stock,7,8,6,7,50',
    'BAD,NASDAQ,stock,2,2,2,2,1',
    'EMPTY,NYSEMKT,stock,6,6,5,5.5,100',
    'GAP,NASDAQ,stock,3.3,3.3,3.3,3.3,1',
  ],
};

function pmRow(
  date: string,
  ticker: string,
  prevClose: number,
  open: number,
  bars: object[],
): Record<string, unknown> {
  const highs = bars.map((b) => (b as { high: number }).high);
  return {
    date,
    ticker,
    prev_close: prevClose,
    open,
    high: open,
    low: open,
    close: open,
    gap_pct: (open / prevClose - 1) * 100,
    pm_open: '',
    pm_high: highs.length ? Math.max(...highs) : '',
    pm_low: '',
    pm_close: '',
    pm_vol: '',
    pm_trades: '',
    pm_prices: JSON.stringify(bars),
  };
}

const gapBars = [
  {
    start: '2020-01-03T04:00:00-05:00',
    open: 21,
    high: 25,
    low: 20.5,
    close: 24,
    volume: 1000,
    trades: 5,
  },
  {
    start: '2020-01-03T06:00:00-05:00',
    open: 24,
    high: 26,
    low: 23,
    close: 25,
    volume: 30,
    trades: 2,
  },
  {
    start: '2020-01-03T09:25:00-05:00',
    open: 29,
    high: 35,
    low: 28,
    close: 30,
    volume: 0.2,
    trades: 1,
  },
];

function writeSynthetic(): { stooq: string; csv: string } {
  const root = tmp('synth-in');
  fs.mkdirSync(path.join(root, 'stooq', 'days'), { recursive: true });
  for (const [d, rows] of Object.entries(synthDays)) {
    fs.writeFileSync(
      path.join(root, 'stooq', 'days', `${d}.csv.gz`),
      gzipSync([STOOQ_HEAD, ...rows].join('\n') + '\n'),
    );
  }
  const rows = [
    pmRow('2019-12-31', 'OUT', 1, 2, []),
    pmRow('2020-01-02', 'FIRST', 5, 5, []),
    pmRow('2020-01-03', 'GAP', 20, 30, gapBars), // file basis 10x stooq: factor 0.1
    pmRow('2020-01-03', 'NEAR', 10, 14, [
      {
        start: '2020-01-03T08:00:00-05:00',
        open: 11,
        high: 12,
        low: 11,
        close: 12,
        volume: 400,
        trades: 3,
      },
    ]),
    pmRow('2020-01-04', 'SAT', 1, 2, []),
    pmRow('2020-01-06', 'NEW', 5, 7, []),
    pmRow('2020-01-06', 'GONE', 3, 4, []),
    pmRow('2020-01-06', 'BAD', 2, 3, []), // stooq 2/2 = 1.0 vs file 1.5
    pmRow('2020-01-06', 'EMPTY', 4, 6, []),
  ];
  const csv = path.join(root, 'pm.csv');
  fs.writeFileSync(csv, stringify(rows, { header: true }));
  return { stooq: path.join(root, 'stooq'), csv };
}

describe('importReplay on synthetic inputs', () => {
  let input: { stooq: string; csv: string };
  let out: string;
  let summary: ImportSummary;
  let m: ReplayMarket;

  beforeAll(async () => {
    input = writeSynthetic();
    out = tmp('synth-out');
    summary = await importReplay({
      stooqDir: input.stooq,
      premarketCsv: input.csv,
      start: '2020-01-01',
      end: '2020-01-10',
      outDir: out,
      name: 'synth',
    });
    m = await openReplay(out);
  });

  it('records each skipped row with its reason', () => {
    expect(summary.premarketRowsInSpan).toBe(8);
    expect(summary.premarketKept).toBe(3);
    expect(summary.premarketSkipped.map((s) => [s.date, s.ticker, s.reason])).toEqual([
      ['2020-01-02', 'FIRST', 'no_previous_stooq_day'],
      ['2020-01-04', 'SAT', 'not_a_stooq_day'],
      ['2020-01-06', 'BAD', 'ratio_mismatch'],
      ['2020-01-06', 'GONE', 'ticker_absent_on_day'],
      ['2020-01-06', 'NEW', 'ticker_absent_previous_day'],
    ]);
    expect(m.manifest.premarketSkipped).toEqual(summary.premarketSkipped);
    expect(summary.r1Positive).toBe(1);
    expect(summary.r1NearMiss).toBe(1);
    expect(summary.premarketKeptWithoutBars).toBe(1);
  });

  it('keeps the stooq values verbatim, sorted by ticker, without exchange and kind', () => {
    const text = gunzipSync(fs.readFileSync(path.join(out, 'days', '2020-01-03.csv.gz'))).toString(
      'utf8',
    );
    expect(text.split('\n')).toEqual([
      'ticker,open,high,low,close,volume',
      'AIG-WS,12.50000,12.6,12.4,12.5,100',
      'BAD,1,1,1,2,1',
      'EMPTY,4,4,4,4,100',
      'GAP,3.0,3.6,2.9,3.3,900000.5',
      'GONE,3,3,3,3,10',
      'NEAR,14.0,14.5,13,14.2,300000',
      'SPY,320.1,321.5,319.2,321.0,80000000',
      '',
    ]);
  });

  it('writes the ticker table with exchange, MIC, type and first/last dates', () => {
    const lines = gunzipSync(fs.readFileSync(path.join(out, 'tickers.csv.gz')))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('ticker,exchange,mic,kind,type,first_date,last_date');
    expect(lines).toContain('AIG-WS,NYSE,XNYS,stock,WARRANT,2020-01-03,2020-01-03');
    expect(lines).toContain('EMPTY,AMEX,XASE,stock,CS,2020-01-02,2020-01-06');
    expect(lines).toContain('SPY,NYSE,XNYS,etf,ETF,2020-01-03,2020-01-03');
    expect(lines).toContain('NEW,NASDAQ,XNAS,stock,CS,2020-01-06,2020-01-06');
  });

  it('rescales prices by stooq previous close / file prev_close and volumes by its inverse', async () => {
    const bars = (await m.minuteBars('GAP', '2020-01-03'))!;
    expect(bars.map((b) => [b.open, b.high, b.low, b.close, b.volume, b.trades])).toEqual([
      [2.1, 2.5, 2.05, 2.4, 10000, 5],
      [2.4, 2.6, 2.3, 2.5, 300, 2],
      [2.9, 3.5, 2.8, 3, 2, 1],
    ]);
    expect(bars[0].startMs).toBe(Date.UTC(2020, 0, 3, 9, 0, 0));
    const ev = JSON.parse(fs.readFileSync(path.join(out, 'premarket_events.json'), 'utf8')) as {
      ticker: string;
      pmHigh: number;
      pmHighPct: number;
      r1Positive: boolean;
    }[];
    const gap = ev.find((e) => e.ticker === 'GAP')!;
    expect(gap.pmHigh).toBe(3.5);
    expect(gap.pmHighPct).toBeCloseTo(75, 9);
    expect(gap.r1Positive).toBe(true);
    expect(ev.find((e) => e.ticker === 'NEAR')!.r1Positive).toBe(false);
  });

  it('derives prints: sizes split the volume, at least one share, exchanges alternate 3 / 57', async () => {
    const p = (await m.trades('GAP', '2020-01-03'))!;
    expect(p.map((x) => x.size)).toEqual([2500, 2500, 2500, 2500, 75, 75, 75, 75, 1, 1, 1, 2]);
    expect(p.map((x) => x.exchange)).toEqual([3, 3, 3, 3, 57, 57, 57, 57, 3, 3, 3, 3]);
    expect(p.map((x) => x.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(p[11].ms).toBe(Date.UTC(2020, 0, 3, 14, 29, 59));
    expect(await m.trades('EMPTY', '2020-01-06')).toBeNull();
    expect(await m.trades('GAP', '2020-01-06')).toBeNull();
  });

  it('answers reference tickers by first date, clamped to the span', async () => {
    expect((await m.referenceTickers('2020-01-02')).map((t) => t.ticker)).toEqual([
      'BAD',
      'EMPTY',
      'FIRST',
      'GAP',
      'GONE',
      'NEAR',
    ]);
    expect((await m.referenceTickers('2019-01-01')).length).toBe(6);
    expect((await m.referenceTickers('2020-01-03')).length).toBe(8);
    expect((await m.referenceTickers('2030-01-01')).length).toBe(9);
    expect(await m.tickerDetails('NEW', '2020-01-03')).toBeNull(); // not listed yet
    expect((await m.tickerDetails('NEW', '2020-01-06'))?.type).toBe('CS');
  });

  it('replaces a previous dataset in the same folder, stale day files included', async () => {
    const dir = tmp('reimport');
    await importReplay({
      stooqDir: input.stooq,
      premarketCsv: input.csv,
      start: '2020-01-02',
      end: '2020-01-06',
      outDir: dir,
      name: 'a',
    });
    expect(fs.readdirSync(path.join(dir, 'days'))).toHaveLength(3);
    await importReplay({
      stooqDir: input.stooq,
      premarketCsv: input.csv,
      start: '2020-01-06',
      end: '2020-01-06',
      outDir: dir,
      name: 'b',
    });
    expect(fs.readdirSync(path.join(dir, 'days'))).toEqual(['2020-01-06.csv.gz']);
    expect((await openReplay(dir)).name).toBe('replay:b');
  });

  it('rejects bad options and inputs with one-line errors', async () => {
    const base = { stooqDir: input.stooq, premarketCsv: input.csv, outDir: tmp('err'), name: 'x' };
    await expect(importReplay({ ...base, start: '2020-01-06', end: '2020-01-02' })).rejects.toThrow(
      /bad span/,
    );
    await expect(importReplay({ ...base, start: '2020-01-04', end: '2020-01-05' })).rejects.toThrow(
      /no stooq day between/,
    );
    await expect(
      importReplay({ ...base, start: '2020-01-02', end: '2020-01-06', name: 'a b' }),
    ).rejects.toThrow(/bad dataset name/);
    await expect(
      importReplay({ ...base, stooqDir: tmp('nothing'), start: '2020-01-02', end: '2020-01-06' }),
    ).rejects.toThrow(/stooq folder not found/);
    const foreign = tmp('foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'keep.txt'), 'x');
    await expect(
      importReplay({ ...base, outDir: foreign, start: '2020-01-02', end: '2020-01-06' }),
    ).rejects.toThrow(/refusing/);
    expect(fs.readFileSync(path.join(foreign, 'keep.txt'), 'utf8')).toBe('x');
    const badStooq = tmp('badstooq');
    fs.mkdirSync(path.join(badStooq, 'days'), { recursive: true });
    fs.writeFileSync(path.join(badStooq, 'days', '2020-01-02.csv.gz'), gzipSync('a,b\n1,2\n'));
    await expect(
      importReplay({ ...base, stooqDir: badStooq, start: '2020-01-02', end: '2020-01-02' }),
    ).rejects.toThrow(/unexpected header/);
  });
});

// ---------------------------------------------------------------- openReplay errors

describe('openReplay on missing or corrupt datasets', () => {
  let good: string;
  beforeAll(async () => {
    const input = writeSynthetic();
    good = tmp('good');
    await importReplay({
      stooqDir: input.stooq,
      premarketCsv: input.csv,
      start: '2020-01-02',
      end: '2020-01-06',
      outDir: good,
      name: 'good',
    });
  });
  const copy = (): string => {
    const d = tmp('copy');
    fs.cpSync(good, d, { recursive: true });
    return d;
  };

  it('throws a one-line error when the manifest is missing', async () => {
    await expect(openReplay(tmp('missing'))).rejects.toThrow(
      /^openReplay: no replay dataset at [^\n]+$/,
    );
  });

  it('throws when the manifest is not JSON or breaks the schema', async () => {
    const d1 = copy();
    fs.writeFileSync(path.join(d1, 'manifest.json'), '{"format": ');
    await expect(openReplay(d1)).rejects.toThrow(/not valid JSON/);
    const d2 = copy();
    const man = JSON.parse(fs.readFileSync(path.join(d2, 'manifest.json'), 'utf8'));
    man.formatVersion = 2;
    fs.writeFileSync(path.join(d2, 'manifest.json'), JSON.stringify(man));
    await expect(openReplay(d2)).rejects.toThrow(/corrupt: formatVersion/);
  });

  it('detects a tampered premarket file at open and a tampered day file on first use', async () => {
    const d1 = copy();
    fs.writeFileSync(path.join(d1, 'premarket.json.gz'), gzipSync('[]\n'));
    await expect(openReplay(d1)).rejects.toThrow(/premarket\.json\.gz is corrupt/);
    const d2 = copy();
    fs.writeFileSync(
      path.join(d2, 'days', '2020-01-03.csv.gz'),
      gzipSync('ticker,open,high,low,close,volume\nGAP,9,9,9,9,9\n'),
    );
    const m = await openReplay(d2);
    await expect(m.groupedDaily('2020-01-03')).rejects.toThrow(
      /days\/2020-01-03\.csv\.gz is corrupt/,
    );
    expect((await m.groupedDaily('2020-01-02')).length).toBe(6);
  });
});

// ---------------------------------------------------------------- real data

describe.skipIf(!HAVE_SHARED)(
  `importReplay on the real data ${HAVE_SHARED ? '' : NO_SHARED}`,
  () => {
    it('is deterministic: two imports of a 3-day span give identical bytes', async () => {
      const opts = { stooqDir, premarketCsv, start: '2018-02-15', end: '2018-02-20', name: 'det' };
      const a = tmp('det');
      const b = tmp('det');
      const sa = await importReplay({ ...opts, outDir: a });
      await importReplay({ ...opts, outDir: b });
      expect(sa.tradingDays).toBe(3); // 2018-02-19 is Presidents' Day
      expect(sa.premarketSkipped.map((s) => `${s.ticker}:${s.reason}`)).toEqual([
        'ACHV:ratio_mismatch',
      ]);
      const ta = readTree(a);
      const tb = readTree(b);
      expect([...ta.keys()]).toEqual([...tb.keys()]);
      expect([...ta.keys()]).toContain('days/2018-02-16.csv.gz');
      for (const [k, buf] of ta) expect(buf.equals(tb.get(k)!), k).toBe(true);
      // The same days in the bundled sample hold the same content.
      for (const d of ['2018-02-15', '2018-02-16', '2018-02-20']) {
        const rel = path.join('days', `${d}.csv.gz`);
        expect(
          gunzipSync(ta.get(`days/${d}.csv.gz`)!).equals(
            gunzipSync(fs.readFileSync(path.join(DEFAULT_REPLAY_DIR, rel))),
          ),
        ).toBe(true);
      }
    });

    it('reproduces the bundled sample db/market/2018q1 from ../shared/data', async () => {
      const out = tmp('full');
      const s = await importReplay({
        stooqDir,
        premarketCsv,
        start: '2018-01-02',
        end: '2018-04-10',
        outDir: out,
        name: '2018q1',
      });
      expect(s.tradingDays).toBe(68);
      const fresh = readTree(out);
      const bundled = readTree(DEFAULT_REPLAY_DIR);
      expect([...fresh.keys()]).toEqual([...bundled.keys()].filter((k) => k !== 'README.md'));
      const content = (k: string, b: Buffer): Buffer => (k.endsWith('.gz') ? gunzipSync(b) : b);
      for (const [k, buf] of fresh) {
        if (k === 'manifest.json') continue;
        expect(content(k, buf).equals(content(k, bundled.get(k)!)), k).toBe(true);
      }
      // Manifest: equal except the byte sizes / hashes of the gzip files (zlib builds may differ).
      const strip = (b: Buffer) => {
        const j = JSON.parse(b.toString('utf8'));
        return { ...j, files: Object.keys(j.files) };
      };
      expect(strip(fresh.get('manifest.json')!)).toEqual(strip(bundled.get('manifest.json')!));
    });
  },
);
