/**
 * The one rule table (source/contracts/rules.ts): codes, short names, counter keys, CSV columns and
 * order in one place, and an unknown rule code is an error wherever a stored code is classified
 * (the day detail used to show any unknown code as R1).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  compareRuleCodes,
  countRules,
  isRuleCode,
  RULE_CODES,
  RULES,
  ruleCountsText,
  ruleOf,
  ruleOfShort,
  ruleRank,
  UnknownRuleError,
} from '../../source/contracts/rules.js';
import {
  DISCOVERY_COLUMNS,
  RULE_FLAG_COLUMN,
  RULE_ORDER,
} from '../../source/export/discovery-csv.js';
import { SUMMARY_COLUMNS, summaryRows } from '../../source/export/summary-csv.js';
import { Store, type DayCompleteness } from '../../source/store/store.js';
import { loadDayDetail } from '../../source/runtime/day-detail.js';
import * as cal from '../../source/calendar/index.js';
import { tempDir } from '../helpers/paths.js';

describe('the rule table', () => {
  it('lists the four rules in rule order with their short names, keys and columns', () => {
    expect(
      RULES.map((r) => [r.code, r.short, r.key, r.order, r.csvColumn, r.summaryColumn]),
    ).toEqual([
      ['PM_GAP_50', 'R1', 'r1', 1, 'pm_gap_50', 'r1_hits'],
      ['OPEN_GAP_50', 'R2', 'r2', 2, 'open_gap_50', 'r2_hits'],
      ['INTRADAY_PUSH_50', 'R3', 'r3', 3, 'intraday_push_50', 'r3_hits'],
      ['SURGE_7D_300', 'R4', 'r4', 4, 'surge_7d_300', 'r4_hits'],
    ]);
    expect(RULE_CODES).toEqual(['PM_GAP_50', 'OPEN_GAP_50', 'INTRADAY_PUSH_50', 'SURGE_7D_300']);
    expect(Object.isFrozen(RULES) && RULES.every((r) => Object.isFrozen(r))).toBe(true);
  });

  it('the exports take their rule columns and order from the table', () => {
    expect(RULE_ORDER).toEqual(RULE_CODES);
    expect(RULE_FLAG_COLUMN).toEqual({
      PM_GAP_50: 'pm_gap_50',
      OPEN_GAP_50: 'open_gap_50',
      INTRADAY_PUSH_50: 'intraday_push_50',
      SURGE_7D_300: 'surge_7d_300',
    });
    expect(DISCOVERY_COLUMNS).toHaveLength(25);
    const at = DISCOVERY_COLUMNS.indexOf('pm_gap_50');
    expect(DISCOVERY_COLUMNS.slice(at - 1, at + 5)).toEqual([
      'rs_days_after',
      'pm_gap_50',
      'open_gap_50',
      'intraday_push_50',
      'surge_7d_300',
      'rules_detail',
    ]);
    const s = SUMMARY_COLUMNS.indexOf('r1_hits');
    expect(SUMMARY_COLUMNS.slice(s - 1, s + 5)).toEqual([
      'hits',
      'r1_hits',
      'r2_hits',
      'r3_hits',
      'r4_hits',
      'validated_days',
    ]);
  });

  it('looks a rule up by code or short name and throws on anything else', () => {
    expect(ruleOf('SURGE_7D_300').short).toBe('R4');
    expect(ruleOfShort('R2').code).toBe('OPEN_GAP_50');
    expect(isRuleCode('PM_GAP_50')).toBe(true);
    expect(isRuleCode('R1')).toBe(false);
    for (const bad of ['R1', 'pm_gap_50', 'PM_GAP_5', '', 'SURGE_7D_300 ']) {
      expect(() => ruleOf(bad)).toThrow(UnknownRuleError);
    }
    expect(() => ruleOf('GAP_UP_99')).toThrow(/unknown rule code "GAP_UP_99"/);
    expect(() => ruleOfShort('R5')).toThrow(UnknownRuleError);
  });

  it('sorts codes in rule order, counts rules per key and prints counts in rule order', () => {
    expect(
      ['SURGE_7D_300', 'PM_GAP_50', 'INTRADAY_PUSH_50', 'OPEN_GAP_50'].sort(compareRuleCodes),
    ).toEqual(RULE_CODES);
    expect(() => ['PM_GAP_50', 'NOPE'].sort(compareRuleCodes)).toThrow(UnknownRuleError);
    expect(countRules(['PM_GAP_50', 'OPEN_GAP_50', 'PM_GAP_50', 'SURGE_7D_300'])).toEqual({
      r1: 2,
      r2: 1,
      r3: 0,
      r4: 1,
    });
    expect(() => countRules(['PM_GAP_50', 'R2'])).toThrow(UnknownRuleError);
    const c = { r1: 9, r2: 14, r3: 1234, r4: 3 };
    expect(ruleCountsText(c)).toBe('R1 9  R2 14  R3 1234  R4 3');
    expect(ruleCountsText(c, { sep: ' ' })).toBe('R1 9 R2 14 R3 1234 R4 3');
    expect(ruleCountsText(c, { sep: ', ', withCode: true })).toBe(
      'R1 PM_GAP_50 9, R2 OPEN_GAP_50 14, R3 INTRADAY_PUSH_50 1234, R4 SURGE_7D_300 3',
    );
  });
});

describe('an unknown stored rule code is an error', () => {
  const DATE = '2018-03-08';
  function storeWithCode(code: string): { dir: string; store: Store } {
    const dir = tempDir();
    const store = Store.open(join(dir, 's.db'));
    const completeness = {
      date: DATE,
      total_universe: 10,
      daily_raw_symbols: 10,
      coverage_pct: 100,
      discoveries: 1,
      r1_hits: 1,
      r2_hits: 0,
      r3_hits: 0,
      r4_hits: 0,
      cand_pass1: 1,
      r1_checked: 1,
      r1_unanswered: 0,
      miss_audit_sample: 0,
      miss_audit_hits: 0,
      status: 'COMPLETE',
      provider_status: 'ok',
      r1_mode: 'prefilter',
      no_prev_close: 0,
      filtered_exchange: 0,
      filtered_type: 0,
      filtered_unknown_type: 0,
      filtered_volume: 0,
      audit_sample_misses: 0,
      processing_ms: 1,
      theta_requests: 1,
      theta_errors: 0,
      polygon_requests: 1,
      polygon_errors: 0,
      stage_ms: '{}',
      proof: 'sampled',
      proof_source: null,
      proof_checked: 0,
      proof_found: '',
    } as DayCompleteness;
    store.commitDay({
      completeness,
      hits: [
        {
          ticker: 'GAPX',
          volume: 1_000_000,
          prevClose: 2,
          open: 2.2,
          high: 2.5,
          low: 2,
          close: 2.4,
          vwap: 2.3,
          intradayPushPct: 13.6,
          pmHigh: 3.2,
          pmHighSource: 'v3_trades',
          pmHighVenue: 'utp_cta',
          exchange: 'XNAS',
          securityType: 'CS',
          isNearReverseSplit: false,
          rsExecDate: null,
          rsDaysAfter: null,
          basisFactor: 1,
          rsNote: null,
          rules: [{ rule: 'PM_GAP_50', value: 60 }],
          fundamentals: {
            sharesOutstanding: null,
            marketCap: null,
            floatShares: null,
            dollarVolume: 2_300_000,
            dataSource: 'test',
          },
        },
      ],
      missAudit: [],
      audit: { sampleSize: 0, misses: 0, missRateUpper95: null, auditPassed: true },
    });
    store.db.prepare('UPDATE discovery_hit_rules SET trigger_rule = ?').run(code);
    return { dir, store };
  }

  it('the day detail shows a known code under its short name', () => {
    const { dir, store } = storeWithCode('SURGE_7D_300');
    try {
      expect(loadDayDetail(store.db, join(dir, 'ps'), DATE).hits[0]!.rules).toEqual([
        { rule: 'R4', code: 'SURGE_7D_300', value: 60 },
      ]);
    } finally {
      store.close();
    }
  });

  it('the day detail throws on an unknown stored code instead of calling it R1', () => {
    const { dir, store } = storeWithCode('PM_GAP_5');
    try {
      expect(() => loadDayDetail(store.db, join(dir, 'ps'), DATE)).toThrow(UnknownRuleError);
    } finally {
      store.close();
    }
  });

  it('the summary CSV throws on an unknown stored code instead of leaving it out of the counts', () => {
    const { store } = storeWithCode('GAP_UP_99');
    try {
      expect(() => summaryRows(store, cal, DATE, DATE)).toThrow(/unknown rule code "GAP_UP_99"/);
    } finally {
      store.close();
    }
  });

  it('the store passes an unknown code through (last in rule order) for the CSV_SHAPE gate to report', () => {
    const { store } = storeWithCode('GAP_UP_99');
    try {
      expect(store.hits(DATE, DATE)[0]!.rules).toEqual([{ rule: 'GAP_UP_99', value: 60 }]);
      expect(['GAP_UP_99', 'SURGE_7D_300', 'PM_GAP_50'].map(ruleRank)).toEqual([5, 4, 1]);
    } finally {
      store.close();
    }
  });
});
