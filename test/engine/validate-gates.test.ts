/**
 * Every acceptance gate of `validate` fails on purpose here, and each failure is checked for its
 * message and its artifacts: FAIL_<GATE>_<date>.md, HELP_REQUEST.md, an alert (CRITICAL for a
 * baseline-only hit), qc_daily_summary and the day status. A clean day passes every gate.
 *
 * The day is scanned once per scan setting (the defaults; R3_TH=5), not once per test: each test
 * validates its own copy of that scan's folder (store, state, exports, reports) in a session of its
 * own, the copy being what a fresh scan with the same settings leaves. Settings read only by the
 * validation (R1_HEALTH_MIN, BASELINE_PM_SOURCE) do not make another scan; a test with emulator
 * faults (Theta unreachable) scans for itself, as the scan is its subject. A full replay day's scan
 * costs about 2 s of CPU, and eleven of the thirteen tests used to make their own.
 *
 * The market is the small replay dataset (test/helpers/small-sample.ts): the same day with every
 * ticker that can hit a rule or has premarket rows (CNET included) and a thin quiet filler, about
 * 450 tickers instead of 7,292. Each gate's failure is caused here on purpose and does not depend on
 * the number of quiet tickers; the baseline's per-symbol lookups (every listed symbol: about 180
 * instead of 3,158) made most of this file's time (21 s of CPU before, measured at load 12).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testSession } from '../helpers/session.js';
import { tempDir } from '../helpers/paths.js';
import { smallSample } from '../helpers/small-sample.js';
import { scanDay } from '../../source/engine/day.js';
import { validateDay, GATES } from '../../source/engine/validate.js';
import { gateResults } from '../../source/store/validation.js';
import { validationOf } from '../../source/runtime/day-detail.js';
import type { Session } from '../../source/runtime/session.js';
import type { ConfigName } from '../../source/config/index.js';
import { ProviderError } from '../../source/providers/types.js';

// 2018-01-04: CNET's real premarket gap (R1 + R2 + R3) and other hits.
const DAY = '2018-01-04';
const MARKET = `replay:${smallSample()}`;
let open: Session[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

/** Settings that only the validation reads: a scan made without them is the scan made with them. */
const VALIDATION_ONLY: readonly ConfigName[] = ['R1_HEALTH_MIN', 'BASELINE_PM_SOURCE'];
/** Folder of a finished scan of DAY per scan setting (JSON of the env less VALIDATION_ONLY). */
const scans = new Map<string, Promise<string>>();
afterAll(async () => {
  for (const dir of scans.values()) rmSync(await dir, { recursive: true, force: true });
});

/** The folder of a closed session that scanned DAY with `env` (made on first use). */
function scanOnce(env: Partial<Record<ConfigName, string>>): Promise<string> {
  const key = JSON.stringify(env);
  let dir = scans.get(key);
  if (!dir) {
    dir = (async () => {
      const t = await testSession({ env, market: MARKET });
      try {
        expect((await scanDay(t.session.ctx, DAY)).status).toBe('COMPLETE');
      } finally {
        await t.session.close();
      }
      return t.dir;
    })();
    scans.set(key, dir);
  }
  return dir;
}

/**
 * A session over a scanned DAY: a copy of the shared scan for `env` (see the file comment), or,
 * with emulator options, a scan of its own.
 */
async function scanned(env: Partial<Record<ConfigName, string>> = {}, emulator = {}) {
  if (Object.keys(emulator).length > 0) {
    const t = await testSession({ env, emulator, market: MARKET });
    open.push(t.session);
    await scanDay(t.session.ctx, DAY);
    return t;
  }
  const scanEnv = Object.fromEntries(
    Object.entries(env).filter(([k]) => !VALIDATION_ONLY.includes(k as ConfigName)),
  );
  const dir = tempDir();
  cpSync(await scanOnce(scanEnv), dir, { recursive: true });
  const t = await testSession({ env, dir, market: MARKET });
  open.push(t.session);
  return t;
}

function expectFailure(
  t: Awaited<ReturnType<typeof scanned>>,
  gate: string,
  message: RegExp,
  report: Awaited<ReturnType<typeof validateDay>>,
) {
  expect(report.passed).toBe(false);
  expect(report.gate).toBe(gate);
  expect(report.message).toMatch(message);
  const stateDir = t.session.ctx.stateDir;
  const fail = join(stateDir, `FAIL_${gate}_${DAY}.md`);
  expect(existsSync(fail)).toBe(true);
  expect(readFileSync(fail, 'utf8')).toContain(`# FAIL ${gate} ${DAY}`);
  expect(readFileSync(join(stateDir, 'HELP_REQUEST.md'), 'utf8')).toContain(gate);
  const alert = t.session.ctx.store.db
    .prepare('SELECT severity, kind, message FROM alerts WHERE date = ? ORDER BY id DESC LIMIT 1')
    .get(DAY) as { severity: string; kind: string; message: string };
  expect(alert.message).toContain(DAY);
  const qc = t.session.ctx.store.db
    .prepare('SELECT status FROM qc_daily_summary WHERE date = ?')
    .get(DAY) as { status: string };
  expect(qc.status).toBe(`FAILED_${gate}`);
  // Gates after the failed one did not run.
  expect(report.gates.map((g) => g.gate)).toEqual(GATES.slice(0, GATES.indexOf(gate as never) + 1));
  // The gates that ran are stored (gate_results), and the day detail's view is built from them, not from the FAIL report.
  const stored = gateResults(t.session.ctx.store.db, DAY);
  expect(stored).toEqual(report.gates);
  const failText = readFileSync(fail, 'utf8');
  rmSync(fail);
  expect(
    validationOf(
      qc.status,
      stored,
      t.session.ctx.store.dayCompleteness(DAY)?.provider_status ?? null,
    ),
  ).toEqual({ status: `FAILED_${gate}`, gates: report.gates });
  writeFileSync(fail, failText);
  return alert;
}

describe('validate gates', () => {
  it('a clean real day passes every gate and records the baseline and the diffs row', async () => {
    const t = await scanned();
    const r = await validateDay(t.session.ctx, DAY);
    expect(r.message).toBe(`all ${GATES.length} gates passed`);
    expect(r.passed).toBe(true);
    expect(r.baselineOnly).toBe(0);
    const diffs = t.session.ctx.store.db.prepare('SELECT * FROM diffs WHERE date = ?').get(DAY) as {
      overlap_count: number;
      baseline_only_count: number;
    };
    expect(diffs.baseline_only_count).toBe(0);
    expect(diffs.overlap_count).toBeGreaterThan(0);
    expect(existsSync(join(t.session.ctx.stateDir, `FAIL_BASELINE_${DAY}.md`))).toBe(false);
    expect(gateResults(t.session.ctx.store.db, DAY)).toEqual(
      GATES.map((gate) => ({ gate, passed: true, message: 'ok' })),
    );
    // Every premarket lookup answered by Polygon: no fall-back warning.
    expect(
      t.session.ctx.store.db
        .prepare("SELECT COUNT(*) AS n FROM alerts WHERE kind = 'baseline_fallback'")
        .get(),
    ).toEqual({ n: 0 });
  });

  it('COMPLETENESS: an INCOMPLETE day (ThetaData unreachable) fails validation', async () => {
    const t = await scanned({ THETA_RETRIES: '0' }, { faults: { thetaOutage: true } });
    const r = await validateDay(t.session.ctx, DAY);
    expectFailure(t, 'COMPLETENESS', /INCOMPLETE: premarket data could not be fetched/, r);
  });

  it('BASIS_SANITY: a stored dollar volume off by 10% fails', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare('UPDATE discovery_hit_fundamentals SET dollar_volume = dollar_volume * 1.1')
      .run();
    expectFailure(
      t,
      'BASIS_SANITY',
      /dollar volume .* vs recomputed/,
      await validateDay(t.session.ctx, DAY),
    );
  });

  it('RULE_UNIQUENESS: a duplicated rule row (a store without the UNIQUE constraint) fails', async () => {
    const t = await scanned();
    const db = t.session.ctx.store.db;
    db.exec(`ALTER TABLE discovery_hit_rules RENAME TO r_old;
             CREATE TABLE discovery_hit_rules (hit_id INTEGER, trigger_rule TEXT, rule_value REAL);
             INSERT INTO discovery_hit_rules SELECT * FROM r_old; DROP TABLE r_old;
             INSERT INTO discovery_hit_rules SELECT hit_id, trigger_rule, rule_value FROM discovery_hit_rules LIMIT 1;`);
    expectFailure(
      t,
      'RULE_UNIQUENESS',
      /duplicate rule rows: /,
      await validateDay(t.session.ctx, DAY),
    );
  });

  it('EXCHANGE_DOMAIN: a hit on OTC fails', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare("UPDATE discovery_hits SET exchange = 'OTC' WHERE ticker = 'CNET'")
      .run();
    expectFailure(t, 'EXCHANGE_DOMAIN', /CNET\(OTC\)/, await validateDay(t.session.ctx, DAY));
  });

  it('MIN_VOLUME: a hit under DISCOVERY_MIN_VOL fails', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare("UPDATE discovery_hits SET volume = 5000 WHERE ticker = 'CNET'")
      .run();
    expectFailure(t, 'MIN_VOLUME', /CNET\(5000\)/, await validateDay(t.session.ctx, DAY));
  });

  it('CSV_SHAPE: an unknown rule code breaks rules_detail', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare(
        "UPDATE discovery_hit_rules SET trigger_rule = 'PM_GAP_5O' WHERE trigger_rule = 'PM_GAP_50'",
      )
      .run();
    expectFailure(
      t,
      'CSV_SHAPE',
      /CSV issue\(s\) in .*validate_hits_2018-01-04\.csv: row \d+ rules_detail/,
      await validateDay(t.session.ctx, DAY),
    );
  });

  it('PM_PROVENANCE: a PM_GAP_50 hit without source and venue fails', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare(
        "UPDATE discovery_hits SET pm_high_source = NULL, pm_high_venue = NULL WHERE ticker = 'CNET'",
      )
      .run();
    expectFailure(
      t,
      'PM_PROVENANCE',
      /without pm_high_source\/venue: CNET/,
      await validateDay(t.session.ctx, DAY),
    );
  });

  it('R1_HEALTH: many R3 hits with mostly 472 answers fails', async () => {
    // R3_TH=5 gives dozens of R3 hits; the replay market has premarket prints for few of them.
    const t = await scanned({ R3_TH: '5' });
    expectFailure(
      t,
      'R1_HEALTH',
      /R1 health 0\.\d{3} < 0\.15/,
      await validateDay(t.session.ctx, DAY),
    );
  });

  it('R1_HEALTH_MIN moves the R1 health threshold: 0.9 fails with its value in the message, 0 lets the same day pass the gate', async () => {
    const strict = await scanned({ R3_TH: '5', R1_HEALTH_MIN: '0.9' });
    expectFailure(
      strict,
      'R1_HEALTH',
      /R1 health 0\.\d{3} < 0\.9 /,
      await validateDay(strict.session.ctx, DAY),
    );
    const off = await scanned({ R3_TH: '5', R1_HEALTH_MIN: '0' });
    const r = await validateDay(off.session.ctx, DAY);
    expect(r.gate).not.toBe('R1_HEALTH');
  });

  it('RULE_TAGS: exported rule_tags that disagree with the store fail (the CSV itself stays consistent)', async () => {
    const t = await scanned();
    const r = await validateDay(t.session.ctx, DAY, {
      // Drop CNET's R3 from the exported row everywhere (flag, rules_detail, rule_tags): the file is
      // well-formed, but it no longer says what the store says.
      afterExport: (path) => {
        const lines = readFileSync(path, 'utf8').split('\n');
        const header = lines[0]!.split(',');
        const out = lines.map((line, i) => {
          if (i === 0 || !line.includes(',CNET,')) return line;
          const cells = line.split(',');
          cells[header.indexOf('intraday_push_50')] = '0';
          cells[header.indexOf('rules_detail')] = cells[header.indexOf('rules_detail')]!.split('|')
            .filter((x) => !x.startsWith('INTRADAY_PUSH_50'))
            .join('|');
          cells[header.indexOf('rule_tags')] = cells[header.indexOf('rule_tags')]!.split('|')
            .filter((x) => x !== 'INTRADAY_PUSH_50')
            .join('|');
          return cells.join(',');
        });
        writeFileSync(path, out.join('\n'));
      },
    });
    expectFailure(
      t,
      'RULE_TAGS',
      /CNET exported rule_tags "PM_GAP_50\|OPEN_GAP_50(\|SURGE_7D_300)?" but the store has "PM_GAP_50\|OPEN_GAP_50\|INTRADAY_PUSH_50/,
      r,
    );
  });

  it('BASELINE: a hit missing from the scan is a CRITICAL baseline-only hit, and the day needs a retry', async () => {
    const t = await scanned();
    t.session.ctx.store.db.prepare("DELETE FROM discovery_hits WHERE ticker = 'CNET'").run();
    const r = await validateDay(t.session.ctx, DAY);
    const alert = expectFailure(t, 'BASELINE', /baseline-only hits: \d+ \(.*CNET R1 \d+\.\d%/, r);
    expect(alert.severity).toBe('CRITICAL');
    expect(alert.kind).toBe('baseline_only');
    expect(r.baselineOnly).toBeGreaterThanOrEqual(3); // R1, R2 and R3 of CNET
    const diffs = t.session.ctx.store.db
      .prepare('SELECT baseline_only_count FROM diffs WHERE date = ?')
      .get(DAY) as { baseline_only_count: number };
    expect(diffs.baseline_only_count).toBe(r.baselineOnly);
    expect(t.session.ctx.store.dayCompleteness(DAY)!.status).toBe('RETRY_NEEDED');
    expect(readFileSync(join(t.session.ctx.stateDir, `FAIL_BASELINE_${DAY}.md`), 'utf8')).toContain(
      'CNET PM_GAP_50',
    );
    // The runbooks' query finds it.
    expect(
      t.session.ctx.store.db.prepare('SELECT date FROM diffs WHERE baseline_only_count > 0').all(),
    ).toEqual([{ date: DAY }]);
  });

  it('AUDIT: a miss in the random audit sample fails with the exact (Clopper-Pearson) bound', async () => {
    const t = await scanned();
    t.session.ctx.store.db
      .prepare('UPDATE enhanced_audit_log SET misses = 1 WHERE date = ?')
      .run(DAY);
    const r = await validateDay(t.session.ctx, DAY);
    expectFailure(
      t,
      'AUDIT',
      /audit sample: 1 miss\(es\) in 50; 95% upper bound of the miss rate 9\.\d\d%/,
      r,
    );
  });

  it('BASELINE without Polygon minute bars (a plan that refuses them) falls back to Theta and still catches a baseline-only hit', async () => {
    // The per-symbol baseline is the subject (Polygon minute bars refused), not the flat file.
    const t = await scanned({ BASELINE_PM_SOURCE: 'polygon' });
    const ctx = t.session.ctx;
    ctx.polygon = {
      ...ctx.polygon,
      minuteAggs: async () => {
        throw new ProviderError('polygon', 'http', 'You are not entitled to this data', 403);
      },
    };
    ctx.store.db.prepare("DELETE FROM discovery_hits WHERE ticker = 'CNET'").run();
    const r = await validateDay(ctx, DAY);
    expectFailure(t, 'BASELINE', /baseline-only hits: .*CNET R1 /, r);
    const detail = JSON.parse(
      (
        ctx.store.db.prepare('SELECT detail FROM diffs WHERE date = ?').get(DAY) as {
          detail: string;
        }
      ).detail,
    );
    expect(detail.premarket_sources.polygon).toBe(0);
    // Every symbol's lookup fell back (about 180 on the small dataset; 3,158 on the whole sample).
    expect(detail.premarket_sources.theta).toBeGreaterThan(100);
    expect(detail.premarket_sources.theta).toBe(detail.premarket_requests);
    // Falling back costs the baseline its independence: a WARNING says so (before the gate's own
    // alert, which stays the newest), naming the count and Polygon's error.
    const alerts = ctx.store.db
      .prepare('SELECT severity, kind, message FROM alerts WHERE date = ? ORDER BY id')
      .all(DAY) as { severity: string; kind: string; message: string }[];
    expect(alerts.map((a) => a.kind)).toEqual(['baseline_fallback', 'baseline_only']);
    expect(alerts[0]!.severity).toBe('WARNING');
    expect(alerts[0]!.message).toMatch(
      new RegExp(
        `^${DAY} baseline fell back to Theta for ${detail.premarket_sources.theta} of ${detail.premarket_requests} premarket lookup\\(s\\) after Polygon failed \\(.+; first error: .*not entitled`,
      ),
    );
  });
});
