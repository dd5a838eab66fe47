/**
 * The provider-overlap report of premarket highs (provider_overlap_pm_<date>.csv): when the day's
 * flat file and Theta trades disagree for a symbol near or above the R1 threshold, the proof writes
 * a row (flatfile vs theta, both highs, diff %); a day where they agree gives a header-only report;
 * a scan without a flat file leaves none. The engine tests use the simulated market, whose flat
 * file is built from the same premarket prints it serves as Theta trades, and the emulator's
 * `skewHighPct` fault to make the two disagree.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { testSession } from '../helpers/session.js';
import { tempDir } from '../helpers/paths.js';
import { scanDay } from '../../source/engine/day.js';
import { createSimOracle } from '../../source/market/sim/oracle.js';
import { isTradingDay, prevTradingDay } from '../../source/calendar/index.js';
import {
  PM_OVERLAP_COLUMNS,
  premarketDisagreements,
  writePmOverlap,
} from '../../source/export/pm-overlap.js';

const SEED = 42;
const DAY = '2024-02-06';
const env = { SIM_PM_FADES: DAY, SIM_TICKERS: '4000' };

function readReport(dir: string): Record<string, string>[] | null {
  const path = join(dir, 'reports', `provider_overlap_pm_${DAY}.csv`);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  expect(text.split('\n')[0]).toBe(PM_OVERLAP_COLUMNS.join(','));
  return parse(text, { columns: true }) as Record<string, string>[];
}

describe('premarketDisagreements', () => {
  const prev = new Map([
    ['AAA', 1],
    ['BBB', 1],
    ['CCC', 1],
    ['DDD', 1],
    ['EEE', 1],
    ['FFF', 1],
  ]);
  const rows = premarketDisagreements({
    date: DAY,
    symbols: ['FFF', 'AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'GGG'],
    flatFile: new Map([
      ['AAA', 1.6],
      ['BBB', 1.6],
      ['CCC', 1.2],
      ['DDD', 1.5],
      ['EEE', 1.50001],
    ]),
    theta: new Map<string, number | null>([
      ['AAA', 1.5],
      ['BBB', 1.6],
      ['CCC', 1.1],
      ['DDD', null],
      ['EEE', 1.5],
      ['FFF', 1.55],
    ]),
    prevClose: (s) => prev.get(s) ?? 1,
    bandPct: 45,
  });

  it('reports in-band disagreements in both directions and one-sided highs, sorted; skips agreement, rounding and out-of-band', () => {
    expect(rows.map((r) => r.symbol)).toEqual(['AAA', 'DDD', 'FFF']);
    expect(rows[0]).toMatchObject({
      sourceA: 'flatfile',
      highA: 1.6,
      sourceB: 'theta',
      highB: 1.5,
    });
    expect(rows[0]!.diffPct).toBeCloseTo(6.6667, 3);
    expect(rows[0]!.r1PctA).toBeCloseTo(60, 6);
    // Theta answered "no premarket trades", the flat file has a 50% high.
    expect(rows[1]).toMatchObject({ highA: 1.5, highB: null, diffPct: null, r1PctB: null });
    // The flat file has no bar, Theta has a 55% high (a hit the flat file alone would hide).
    expect(rows[2]).toMatchObject({ highA: null, highB: 1.55, diffPct: null });
  });

  it('writes the report (header only when empty) and removes it when no flat file was read', () => {
    const dir = tempDir();
    const path = writePmOverlap(dir, DAY, rows)!;
    const got = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(
      got.map((r) => [r.symbol, r.source_a, r.pm_high_a, r.source_b, r.pm_high_b, r.diff_pct]),
    ).toEqual([
      ['AAA', 'flatfile', '1.6', 'theta', '1.5', '6.6667'],
      ['DDD', 'flatfile', '1.5', 'theta', '', ''],
      ['FFF', 'flatfile', '', 'theta', '1.55', ''],
    ]);
    writePmOverlap(dir, DAY, []);
    expect(readFileSync(path, 'utf8')).toBe(PM_OVERLAP_COLUMNS.join(',') + '\n');
    expect(writePmOverlap(dir, DAY, null)).toBeNull();
    expect(existsSync(path)).toBe(false);
  });
});

describe(`the proof writes flat file vs Theta disagreements (sim:${SEED} ${DAY})`, () => {
  const oracle = createSimOracle({
    seed: SEED,
    calendar: { isTradingDay, prevTradingDay },
    pmFades: [DAY],
    tickers: Number(env.SIM_TICKERS),
  });

  it('a flat file 3% above the Theta trades: one row per in-band symbol, the R1 hits among them; the hits still equal the oracle', async () => {
    const { session, dir } = await testSession({ market: `sim:${SEED}`, env });
    try {
      session.emulator!.setFlatFileFaults({ skewHighPct: 3 });
      expect((await scanDay(session.ctx, DAY)).status).toBe('COMPLETE');
      expect(session.ctx.store.dayCompleteness(DAY)).toMatchObject({
        proof: 'exhaustive',
        proof_source: 'flatfile',
      });
      const rows = readReport(dir)!;
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r).toMatchObject({ date: DAY, source_a: 'flatfile', source_b: 'theta' });
        expect(Number(r.diff_pct)).toBeCloseTo(3, 1);
      }
      const r1 = session.ctx.store
        .hits(DAY, DAY)
        .filter((h) => h.rules.some((x) => x.rule === 'PM_GAP_50'))
        .map((h) => h.ticker)
        .sort();
      const oracleR1 = oracle
        .hits(DAY)
        .filter((h) => h.rules.some((x) => x.code === 'PM_GAP_50'))
        .map((h) => h.ticker)
        .sort();
      expect(r1).toEqual(oracleR1);
      expect(r1.length).toBeGreaterThan(0);
      const reported = new Set(rows.map((r) => r.symbol));
      for (const s of r1) expect(reported.has(s), `${s} (an R1 hit) is in the report`).toBe(true);
      const log = readFileSync(join(dir, 'project_state', 'artifacts', `scan_${DAY}.log`), 'utf8');
      expect(log).toMatch(/PROOF:disagree \d+ symbol\(s\) between the flat file and Theta/);
    } finally {
      await session.close();
    }
  }, 120_000);

  it('an unskewed flat file agrees with Theta: a header-only report; then a rescan that reads no flat file (proof off) removes it', async () => {
    const { session, dir } = await testSession({ market: `sim:${SEED}`, env });
    try {
      expect((await scanDay(session.ctx, DAY)).status).toBe('COMPLETE');
      expect(session.ctx.store.dayCompleteness(DAY)).toMatchObject({
        proof: 'exhaustive',
        proof_source: 'flatfile',
      });
      expect(readReport(dir)).toEqual([]);
      expect(['COMPLETE', 'RETRY_NEEDED']).toContain(
        (await scanDay(session.ctx, DAY, { proof: false })).status,
      );
      expect(readReport(dir)).toBeNull();
    } finally {
      await session.close();
    }
  }, 120_000);
});
