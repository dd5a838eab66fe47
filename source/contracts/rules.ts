/**
 * The one rule table (docs/domain.md, the four rules): each rule's runbook code as stored in
 * `discovery_hit_rules.trigger_rule` and written in the CSVs, its short name (`R1`..`R4`), its key in
 * {@link RuleCounts}-shaped counters (`r1`..`r4`), its 0/1 flag column in the discovery CSV, its
 * count column in the summary CSV, and a one-line label. The array order IS the rule order (R1, R2,
 * R3, R4) used to sort a hit's rules everywhere (exports, day detail, baseline, store).
 *
 * The engine, the baseline, the exports, the day detail and the console read the rules from here;
 * nothing else may spell the mapping out. An unknown rule code is an error ({@link ruleOf} throws),
 * never a silent `R1`. The sim oracle (source/market/sim/oracle.ts) keeps its own spelling on
 * purpose: it is the independent answer key the scanner is tested against.
 *
 * A leaf: imports nothing of ours.
 */

/** One rule of the table. */
export interface RuleDef {
  /** Runbook code, as stored (`discovery_hit_rules.trigger_rule`) and exported. */
  readonly code: 'PM_GAP_50' | 'OPEN_GAP_50' | 'INTRADAY_PUSH_50' | 'SURGE_7D_300';
  /** Short name in the console, reports and metrics. */
  readonly short: 'R1' | 'R2' | 'R3' | 'R4';
  /** Key of the rule in per-rule counters ({@link RuleCounts}). */
  readonly key: 'r1' | 'r2' | 'r3' | 'r4';
  /** 1-based position in rule order. */
  readonly order: 1 | 2 | 3 | 4;
  /** The rule's 0/1 flag column in discovery CSVs. */
  readonly csvColumn: 'pm_gap_50' | 'open_gap_50' | 'intraday_push_50' | 'surge_7d_300';
  /** The rule's hit-count column in the summary CSV. */
  readonly summaryColumn: 'r1_hits' | 'r2_hits' | 'r3_hits' | 'r4_hits';
  /** What the rule measures (one line, for help texts and docs). */
  readonly label: string;
}

/** The four rules in rule order (R1, R2, R3, R4). Frozen. */
export const RULES: readonly RuleDef[] = Object.freeze([
  Object.freeze({
    code: 'PM_GAP_50',
    short: 'R1',
    key: 'r1',
    order: 1,
    csvColumn: 'pm_gap_50',
    summaryColumn: 'r1_hits',
    label: 'premarket high / previous close - 1 >= R1_TH',
  }),
  Object.freeze({
    code: 'OPEN_GAP_50',
    short: 'R2',
    key: 'r2',
    order: 2,
    csvColumn: 'open_gap_50',
    summaryColumn: 'r2_hits',
    label: 'open / previous close - 1 >= R2_TH',
  }),
  Object.freeze({
    code: 'INTRADAY_PUSH_50',
    short: 'R3',
    key: 'r3',
    order: 3,
    csvColumn: 'intraday_push_50',
    summaryColumn: 'r3_hits',
    label: 'high / open - 1 >= R3_TH',
  }),
  Object.freeze({
    code: 'SURGE_7D_300',
    short: 'R4',
    key: 'r4',
    order: 4,
    csvColumn: 'surge_7d_300',
    summaryColumn: 'r4_hits',
    label: '7-day highest high / lowest low - 1 >= R4_TH',
  }),
]);

/** A rule's runbook code (`PM_GAP_50`, `OPEN_GAP_50`, `INTRADAY_PUSH_50`, `SURGE_7D_300`). */
export type RuleCode = RuleDef['code'];
/** A rule's short name (`R1`..`R4`). */
export type RuleShort = RuleDef['short'];
/** A rule's counter key (`r1`..`r4`). */
export type RuleKey = RuleDef['key'];

/** Hit counts per rule (a hit with two rules counts in both). */
export type RuleCounts = Record<RuleKey, number>;

/** Rule codes in rule order. */
export const RULE_CODES: readonly RuleCode[] = Object.freeze(RULES.map((r) => r.code));

/**
 * Thrown for a rule code (or short name) not in {@link RULES}: stored or received data we cannot
 * classify (a corrupt or newer store). The message names the code and, when given, where it was read:
 * `unknown rule code "GAP_99" in discovery_hit_rules (hit 3, 2018-03-08) (known: PM_GAP_50, ...)`.
 */
export class UnknownRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly where?: string,
  ) {
    super(
      `unknown rule code ${JSON.stringify(rule)}${where ? ` in ${where}` : ''} (known: ${RULES.map((r) => r.code).join(', ')})`,
    );
    this.name = 'UnknownRuleError';
  }
}

const BY_CODE: ReadonlyMap<string, RuleDef> = new Map(RULES.map((r) => [r.code, r]));
const BY_SHORT: ReadonlyMap<string, RuleDef> = new Map(RULES.map((r) => [r.short, r]));

/** True when `code` is one of the rule codes. */
export function isRuleCode(code: string): code is RuleCode {
  return BY_CODE.has(code);
}

/**
 * The rule of a runbook code. Throws {@link UnknownRuleError} for anything else (never defaults);
 * `where` (e.g. `discovery_hit_rules (hit 3, 2018-03-08)`) goes into its message.
 */
export function ruleOf(code: string, where?: string): RuleDef {
  const r = BY_CODE.get(code);
  if (!r) throw new UnknownRuleError(code, where);
  return r;
}

/** The rule of a short name (`R1`..`R4`). Throws {@link UnknownRuleError} for anything else. */
export function ruleOfShort(short: string): RuleDef {
  const r = BY_SHORT.get(short);
  if (!r) throw new UnknownRuleError(short);
  return r;
}

/** Compares two rule codes by rule order (for sort). Throws {@link UnknownRuleError} on an unknown code. */
export function compareRuleCodes(a: string, b: string): number {
  return ruleOf(a).order - ruleOf(b).order;
}

/**
 * Sort rank of a code that may be unknown: the rule's order (1..4), or 5 after every rule for an
 * unknown code. Only for passing stored rows through unchanged to a check that reports the unknown
 * code itself (the exports, whose CSV_SHAPE gate names it); classify with {@link ruleOf}.
 */
export function ruleRank(code: string): number {
  return BY_CODE.get(code)?.order ?? RULES.length + 1;
}

/** Zero hits for every rule. */
export function emptyRuleCounts(): RuleCounts {
  return { r1: 0, r2: 0, r3: 0, r4: 0 };
}

/** Counts each rule code once per occurrence into per-rule counters. Throws {@link UnknownRuleError}. */
export function countRules(
  codes: Iterable<string>,
  into: RuleCounts = emptyRuleCounts(),
): RuleCounts {
  for (const c of codes) into[ruleOf(c).key]++;
  return into;
}

/**
 * Per-rule counts as one line in rule order: `R1 9  R2 14  R3 22  R4 3` (`sep` between rules, two
 * spaces unless given), with each rule's code after its short name when `withCode`
 * (`R1 PM_GAP_50 9, R2 OPEN_GAP_50 14, ...` with `sep` `, `). `count` formats a number (default String).
 */
export function ruleCountsText(
  counts: RuleCounts,
  opts: { sep?: string; withCode?: boolean; count?: (n: number) => string } = {},
): string {
  const { sep = '  ', withCode = false, count = String } = opts;
  return RULES.map((r) => `${r.short}${withCode ? ` ${r.code}` : ''} ${count(counts[r.key])}`).join(
    sep,
  );
}
